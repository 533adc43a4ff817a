// index.html's script: builds the heatmaps from the embedded results, filters them, and shows a cell's
// evidence. Every string from the results is untrusted: it reaches the page through textContent and
// attributes only, never as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var SYMBOL = { allow: '✓', deny: '✗', filtered: '~', partial: '◐', invalid: '⊘', error: '⚠' };
  var MODEL_OPS = ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'];
  var FIXTURE_ORDER = ['owned', 'shared', 'unowned', 'record'];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function verdictButton(cell, extra) {
    var b = el('button', { type: 'button', className: 'v v-' + cell.observed + (extra || '') });
    b.textContent = SYMBOL[cell.observed] || '?';
    return b;
  }

  function verdictBadge(cell) {
    return el('span', { className: 'v v-' + cell.observed + (cell.pass ? '' : ' mm'), 'aria-hidden': 'true', text: SYMBOL[cell.observed] || '?' });
  }

  // ---- groups: one heatmap box per subject × persona × operation × record -----------------------
  var subjects = [];
  var subjectByName = {};
  var groups = [];
  var groupByKey = {};
  // Cells that belong to no model or custom operation get a section per kind.
  var KIND_SECTION = { probe: 'Credential probes', batch: 'Batched reads' };

  /** The name the model filter uses: the model, the custom operation, or the kind's section. */
  function filterSubject(c) {
    return c.model || c.customOperation || KIND_SECTION[c.kind] || c.kind;
  }

  /** Where a cell goes: its section, its row, its column. */
  function placeOf(c) {
    if (c.model) return { section: c.model, row: c.persona, column: c.operation + '|' + (c.fixture || ''), op: c.operation, fixture: c.fixture || '' };
    if (c.customOperation) return { section: 'Custom operations', row: c.persona, column: c.customOperation, op: c.customOperation, fixture: '', custom: true };
    // A probe stands for an auth mode, not a persona: one row per mode, one column per transport.
    if (c.kind === 'probe') {
      var transport = c.operation === 'subscription' ? 'realtime' : 'HTTP';
      return { section: KIND_SECTION.probe, row: (c.variant || c.persona).split(':')[0], column: transport, op: transport, fixture: '', custom: true };
    }
    return { section: KIND_SECTION[c.kind] || c.kind, row: c.persona, column: c.operation, op: c.operation, fixture: '', custom: true };
  }

  data.cells.forEach(function (c, index) {
    c.index = index;
    var at = placeOf(c);
    var sname = at.section;
    var s = subjectByName[sname];
    if (!s) {
      s = subjectByName[sname] = { name: sname, custom: !!at.custom, columns: {}, groups: [], rows: {}, mismatches: 0 };
      subjects.push(s);
    }
    var colKey = at.column;
    if (!s.columns[colKey]) s.columns[colKey] = { key: colKey, op: at.op, fixture: at.fixture, custom: !!at.custom };
    var key = sname + '\u0000' + at.row + '\u0000' + colKey;
    var g = groupByKey[key];
    if (!g) {
      g = groupByKey[key] = { key: key, subject: s, persona: at.row, column: colKey, cells: [], failing: 0 };
      groups.push(g);
      s.groups.push(g);
    }
    g.cells.push(c);
    if (!c.pass) { g.failing++; s.mismatches++; }
  });
  groups.forEach(function (g) {
    var plain = g.cells.filter(function (c) { return !c.variant && !c.field && !c.actor && c.kind !== 'delivery'; });
    // The box shows the plain cell; without one (probes), the first that failed, else the first.
    g.primary = plain[0] || g.cells.filter(function (c) { return !c.pass; })[0] || g.cells[0];
  });

  function columnOrder(a, b) {
    var oa = MODEL_OPS.indexOf(a.op), ob = MODEL_OPS.indexOf(b.op);
    if (oa !== ob) return (oa < 0 ? 99 : oa) - (ob < 0 ? 99 : ob) || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0);
    var fa = FIXTURE_ORDER.indexOf(a.fixture.split(':')[0]), fb = FIXTURE_ORDER.indexOf(b.fixture.split(':')[0]);
    return fa - fb || (a.fixture < b.fixture ? -1 : a.fixture > b.fixture ? 1 : 0);
  }

  function fixtureAbbr(subject, fixture) {
    if (!fixture) return '';
    var parts = fixture.split(':');
    var short = parts[0].charAt(0).toUpperCase() + (parts[1] ? ':' + parts[1] : '');
    return el('abbr', { title: data.fixtures[subject + '|' + fixture] || fixture, text: short });
  }

  // ---- rendering ----------------------------------------------------------------------------------
  var heatmaps = document.getElementById('heatmaps');
  var personaOrder = data.personas;
  var ordered = subjects.slice().sort(function (a, b) { return (b.mismatches > 0) - (a.mismatches > 0); });
  ordered.forEach(function (s) {
    var columns = Object.keys(s.columns).map(function (k) { return s.columns[k]; }).sort(columnOrder);
    var section = el('section', { className: 'subject', 'aria-labelledby': 'h-' + subjects.indexOf(s) });
    var heading = el('h2', { id: 'h-' + subjects.indexOf(s) }, [s.name]);
    if (s.mismatches) heading.appendChild(el('span', { className: 'bad', text: ' · ' + s.mismatches + ' mismatch' + (s.mismatches === 1 ? '' : 'es') }));
    section.appendChild(heading);
    var table = el('table', { className: 'heatmap' });
    table.appendChild(el('caption', { className: 'none', text: s.name === KIND_SECTION.probe ? 'forged or missing credentials by auth mode and transport' : s.custom ? 'by persona' : 'operations (and records) by persona' }));
    var head1 = el('tr', {}, [el('th', { scope: 'col', rowspan: '2', text: s.name === KIND_SECTION.probe ? 'auth mode' : 'persona' })]);
    var head2 = el('tr');
    var spans = [];
    columns.forEach(function (col) {
      var last = spans[spans.length - 1];
      if (last && last.op === col.op) last.n++;
      else spans.push({ op: col.op, n: 1 });
      head2.appendChild(el('th', { scope: 'col' }, [fixtureAbbr(s.name, col.fixture)]));
    });
    spans.forEach(function (sp) { head1.appendChild(el('th', { scope: 'colgroup', colspan: String(sp.n), text: sp.op })); });
    table.appendChild(el('thead', {}, [head1, head2]));
    var body = el('tbody');
    var byRow = {};
    s.groups.forEach(function (g) { (byRow[g.persona] = byRow[g.persona] || {})[g.column] = g; });
    var personas = personaOrder.filter(function (p) { return byRow[p]; }).concat(Object.keys(byRow).filter(function (p) { return personaOrder.indexOf(p) < 0; }));
    s.rowEls = [];
    personas.forEach(function (p) {
      var tr = el('tr', {}, [el('th', { scope: 'row', text: p })]);
      var row = { el: tr, groups: [] };
      columns.forEach(function (col) {
        var td = el('td');
        var g = byRow[p][col.key];
        if (g) {
          var b = verdictButton(g.primary, g.failing ? ' mm' : '');
          var what = s.name + (s.custom ? '' : '.' + col.op) + (s.custom ? ' ' + col.op : '') + (col.fixture ? ', ' + col.fixture + ' record' : '');
          b.setAttribute('aria-label', p + ' · ' + what + ': ' + g.primary.observed + (g.failing ? ', ' + g.failing + ' mismatch' + (g.failing === 1 ? '' : 'es') : '') + ' (' + g.cells.length + ' cell' + (g.cells.length === 1 ? '' : 's') + ')');
          b.title = b.getAttribute('aria-label');
          b.addEventListener('click', openGroup.bind(null, g, null, b));
          g.el = b;
          row.groups.push(g);
          td.appendChild(b);
        }
        tr.appendChild(td);
      });
      s.rowEls.push(row);
      body.appendChild(tr);
    });
    table.appendChild(body);
    section.appendChild(table);
    s.el = section;
    heatmaps.appendChild(section);
  });

  // Mismatches first: every failing cell, above the heatmaps.
  var failing = data.cells.filter(function (c) { return !c.pass; });
  var mmBody = document.getElementById('mismatch-rows');
  var mmRows = failing.map(function (c) {
    var g = groupOf(c);
    var b = verdictButton(c, ' mm');
    b.setAttribute('aria-label', 'show ' + c.id + ': expected ' + c.expected + ', observed ' + c.observed);
    b.addEventListener('click', openGroup.bind(null, g, c, b));
    var tr = el('tr', {}, [el('td', {}, [b]), el('td', { className: 'id', text: c.id }), el('td', { text: c.expected }), el('td', { className: 'bad', text: c.observed }), el('td', { text: c.rule || '—' }), el('td', { text: c.detail })]);
    mmBody.appendChild(tr);
    return { el: tr, cell: c };
  });
  document.getElementById('mismatch-count').textContent = String(failing.length);
  if (!failing.length) document.getElementById('mismatches').hidden = true;

  function groupOf(c) {
    var at = placeOf(c);
    return groupByKey[at.section + '\u0000' + at.row + '\u0000' + at.column];
  }

  // ---- filters ------------------------------------------------------------------------------------
  var fPersona = document.getElementById('f-persona');
  var fModel = document.getElementById('f-model');
  var fVerdict = document.getElementById('f-verdict');
  var fMismatch = document.getElementById('f-mismatch');
  function options(select, values) {
    values.forEach(function (v) { select.appendChild(el('option', { value: v, text: v })); });
  }
  var personaNames = personaOrder.slice();
  var subjectNames = [];
  data.cells.forEach(function (c) {
    if (personaNames.indexOf(c.persona) < 0) personaNames.push(c.persona);
    var n = filterSubject(c);
    if (subjectNames.indexOf(n) < 0) subjectNames.push(n);
  });
  options(fPersona, personaNames);
  options(fModel, subjectNames);
  options(fVerdict, ['allow', 'deny', 'filtered', 'partial', 'invalid', 'error']);

  function cellMatches(c, f) {
    return (!f.persona || c.persona === f.persona) &&
      (!f.model || filterSubject(c) === f.model) &&
      (!f.verdict || c.observed === f.verdict) &&
      (!f.mismatch || !c.pass);
  }

  function applyFilters() {
    var f = { persona: fPersona.value, model: fModel.value, verdict: fVerdict.value, mismatch: fMismatch.checked };
    var shown = 0;
    groups.forEach(function (g) {
      var n = 0;
      for (var i = 0; i < g.cells.length; i++) if (cellMatches(g.cells[i], f)) n++;
      shown += n;
      var visible = n > 0;
      if (g.visible !== visible) { g.visible = visible; g.el.hidden = !visible; }
    });
    subjects.forEach(function (s) {
      var any = false;
      s.rowEls.forEach(function (row) {
        var v = row.groups.some(function (g) { return g.visible; });
        if (row.visible !== v) { row.visible = v; row.el.hidden = !v; }
        any = any || v;
      });
      s.el.hidden = !any;
    });
    var mm = 0;
    mmRows.forEach(function (r) { var v = cellMatches(r.cell, f); r.el.hidden = !v; if (v) mm++; });
    document.getElementById('mismatch-shown').textContent = mm === failing.length ? '' : ' (' + mm + ' shown)';
    document.getElementById('shown').textContent = shown + ' of ' + data.cells.length + ' cells shown';
    document.getElementById('nothing').hidden = shown > 0;
    return shown;
  }
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  [fPersona, fModel, fVerdict, fMismatch].forEach(function (c) { c.addEventListener('change', applyFilters); });
  document.getElementById('f-clear').addEventListener('click', function () {
    fPersona.value = ''; fModel.value = ''; fVerdict.value = ''; fMismatch.checked = false;
    applyFilters();
  });

  // ---- the side panel -----------------------------------------------------------------------------
  var panel = document.getElementById('panel');
  var panelTitle = document.getElementById('panel-title');
  var panelCells = document.getElementById('panel-cells');
  var panelBody = document.getElementById('panel-body');
  var opener = null;

  function openGroup(g, focusCell, from) {
    opener = from || null;
    var cells = g.cells.slice().sort(function (a, b) { return (a.pass - b.pass) || a.index - b.index; });
    var current = focusCell || cells.filter(function (c) { return !c.pass; })[0] || g.primary;
    panelTitle.textContent = g.persona + ' · ' + g.subject.name + (g.subject.custom ? ' · ' : '.') + g.column.replace(/\|$/, '').replace('|', ' · ');
    panelCells.textContent = '';
    var buttons = cells.map(function (c) {
      var b = el('button', { type: 'button', 'aria-label': c.id + ': expected ' + c.expected + ', observed ' + c.observed + (c.pass ? '' : ', mismatch') }, [verdictBadge(c), c.id]);
      b.addEventListener('click', function () { select(c); });
      panelCells.appendChild(el('li', {}, [b]));
      return { button: b, cell: c };
    });
    function select(c) {
      buttons.forEach(function (x) { x.button.setAttribute('aria-current', x.cell === c ? 'true' : 'false'); });
      showCell(c);
    }
    select(current);
    panel.hidden = false;
    panelTitle.focus();
  }

  function fact(dl, name, value, cls) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', { text: name }));
    dl.appendChild(el('dd', { text: String(value), className: cls }));
  }

  function pretty(value) {
    if (typeof value === 'string') return value;
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }

  function showCell(c) {
    panelBody.textContent = '';
    var dl = el('dl', { className: 'facts' });
    fact(dl, 'cell', c.id);
    fact(dl, 'verdict', c.pass ? 'match' : 'MISMATCH', c.pass ? '' : 'bad');
    fact(dl, 'expected', c.expected);
    fact(dl, 'observed', c.observed, c.pass ? '' : 'bad');
    fact(dl, 'persona', c.persona);
    fact(dl, c.customOperation ? 'custom operation' : 'model', c.customOperation || c.model);
    fact(dl, 'operation', c.operation);
    fact(dl, 'field', c.field);
    fact(dl, 'record', c.fixture && (c.fixture + (data.fixtures[c.model + '|' + c.fixture] ? ' (' + data.fixtures[c.model + '|' + c.fixture] + ')' : '')));
    fact(dl, 'ownership', c.ownership);
    fact(dl, 'variant', c.variant);
    fact(dl, 'actor', c.actor);
    fact(dl, 'rule', c.rule ? c.rule + (data.rules[c.rule] ? ': ' + data.rules[c.rule] : '') : '(none)');
    fact(dl, 'reason', c.reason);
    fact(dl, 'detail', c.detail, 'bad');
    fact(dl, 'response', c.summary);
    fact(dl, 'latency', c.latencyMs + ' ms');
    fact(dl, 'request id', c.requestId);
    panelBody.appendChild(dl);
    var ev = c.evidence;
    panelBody.appendChild(el('h3', { text: 'Request' }));
    if (!ev) {
      panelBody.appendChild(el('p', { className: 'none', text: c.kind === 'delivery' ? 'An event delivery: the subscriber and the actor’s mutation are cells of their own; no request of its own.' : 'No request evidence was recorded for this cell.' }));
      return;
    }
    var headers = Object.keys(ev.request.headers || {}).map(function (k) { return k + ': ' + ev.request.headers[k]; }).join('\n');
    panelBody.appendChild(el('pre', { id: 'ev-request', text: 'POST ' + ev.request.url + '\n' + headers }));
    var body = ev.request.body || {};
    if (typeof body.query === 'string') {
      panelBody.appendChild(el('pre', { text: body.query }));
      if (body.variables !== undefined) panelBody.appendChild(el('pre', { text: pretty(body.variables) }));
    } else panelBody.appendChild(el('pre', { text: pretty(body) }));
    panelBody.appendChild(el('h3', { text: 'Response' }));
    panelBody.appendChild(el('pre', { id: 'ev-response', text: 'HTTP ' + ev.response.status + (ev.response.requestId ? '  request id ' + ev.response.requestId : '') + '\n\n' + pretty(ev.response.body) }));
  }

  function closePanel() {
    panel.hidden = true;
    if (opener) opener.focus();
  }
  document.getElementById('panel-close').addEventListener('click', closePanel);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !panel.hidden) closePanel(); });

  applyFilters();
  window.authmatrix = { applyFilters: applyFilters, groups: groups.length };
  document.documentElement.setAttribute('data-ready', 'true');
})();
