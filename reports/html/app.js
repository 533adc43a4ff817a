// index.html's script: builds the heatmaps from the embedded results into the sections the page
// already has, filters them, lists the cells of a failure group on demand, answers "who can", and
// shows a cell's evidence. Every string from the results is untrusted: it reaches the page through
// textContent and attributes only, never as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var SYMBOL = { allow: '✓', deny: '✗', filtered: '~', partial: '◐', invalid: '⊘', error: '⚠' };
  var MODEL_OPS = ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'];
  var FIXTURE_ORDER = ['owned', 'shared', 'unowned', 'record'];
  /** Cells listed at a time in a failure group. */
  var PAGE = 50;

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

  function plural(n, word, many) { return n + ' ' + (n === 1 ? word : (many || word + 's')); }

  function badge(outcome, extra) {
    return el('span', { className: 'v v-' + outcome + (extra || ''), 'aria-hidden': 'true', text: SYMBOL[outcome] || '?' });
  }

  function fixtureLabel(model, fixture) {
    return data.fixtures[model + '|' + fixture] || fixture;
  }

  // ---- boxes: one per subject × persona × operation × record --------------------------------------
  var subjects = [];
  var subjectByName = {};
  var groups = [];
  var groupByKey = {};
  var CUSTOM = 'Custom operations';
  var KIND_SECTION = { probe: 'Credential probes', batch: 'Batched reads' };

  /** The name the model filter uses: the model, the custom operation, or the kind's section. */
  function filterSubject(c) {
    return c.model || c.customOperation || KIND_SECTION[c.kind] || c.kind;
  }

  /** Where a cell goes: its section, its row, its column. */
  function placeOf(c) {
    if (c.model) return { section: c.model, row: c.persona, column: c.operation + '|' + (c.fixture || ''), op: c.operation, fixture: c.fixture || '' };
    if (c.customOperation) return { section: CUSTOM, row: c.persona, column: c.customOperation, op: c.customOperation, fixture: '', custom: true };
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
    var s = subjectByName[at.section];
    if (!s) {
      s = subjectByName[at.section] = { name: at.section, custom: !!at.custom, columns: {}, groups: [] };
      subjects.push(s);
    }
    if (!s.columns[at.column]) s.columns[at.column] = { key: at.column, op: at.op, fixture: at.fixture };
    var key = at.section + '\u0000' + at.row + '\u0000' + at.column;
    var g = groupByKey[key];
    if (!g) {
      g = groupByKey[key] = { key: key, subject: s, persona: at.row, column: at.column, cells: [], failing: [] };
      groups.push(g);
      s.groups.push(g);
    }
    g.cells.push(c);
    if (!c.pass) g.failing.push(c);
  });
  groups.forEach(function (g) {
    var plain = g.cells.filter(function (c) { return !c.variant && !c.field && !c.actor && c.kind !== 'delivery'; });
    // The box shows the plain cell; without one (probes), the first that failed, else the first.
    g.primary = plain[0] || g.failing[0] || g.cells[0];
  });

  function groupOf(c) {
    var at = placeOf(c);
    return groupByKey[at.section + '\u0000' + at.row + '\u0000' + at.column];
  }

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
    return el('abbr', { title: fixtureLabel(subject, fixture), text: short });
  }

  /**
   * A box: the symbol of its own cell, ≠ when any cell in it failed, and, when its own cell matched but
   * another did (a field, a relation, a variant), that cell's observed symbol in the corner.
   */
  function boxButton(g, what) {
    var own = g.primary;
    var hidden = own.pass && g.failing.length > 0;
    var b = el('button', { type: 'button', className: 'v v-' + own.observed + (g.failing.length ? (hidden ? ' mm sub-mm' : ' mm') : '') });
    b.appendChild(document.createTextNode(SYMBOL[own.observed] || '?'));
    if (hidden) b.appendChild(el('span', { className: 'sub v-' + g.failing[0].observed, 'aria-hidden': 'true', text: SYMBOL[g.failing[0].observed] || '?' }));
    var label = g.persona + ' · ' + what + ': ' + own.observed;
    if (hidden) {
      var f = g.failing[0];
      label += '; ' + g.failing.length + ' of ' + g.cells.length + ' cells in this box mismatched (' + f.id + ': expected ' + f.expected + ', observed ' + f.observed + (g.failing.length > 1 ? ', …' : '') + ')';
    } else {
      label += (g.failing.length ? ', ' + plural(g.failing.length, 'mismatch', 'mismatches') : '') + ' (' + plural(g.cells.length, 'cell') + ')';
    }
    b.setAttribute('aria-label', label);
    b.title = label;
    return b;
  }

  // ---- heatmaps, into the sections the page rendered (with their rules and field access) ------------
  var heatmaps = document.getElementById('heatmaps');
  var sectionByName = {};
  Array.prototype.forEach.call(heatmaps.querySelectorAll('section.subject'), function (sec) { sectionByName[sec.getAttribute('data-subject')] = sec; });
  var personaOrder = data.personas;
  subjects.forEach(function (s, i) {
    var section = sectionByName[s.name];
    if (!section) {
      section = el('section', { className: 'subject', 'data-subject': s.name, id: 'k-' + i, 'aria-labelledby': 'h-k-' + i }, [el('h2', { id: 'h-k-' + i, text: s.name })]);
      section.appendChild(el('div', { className: 'grid' }));
      heatmaps.appendChild(section);
    }
    var columns = Object.keys(s.columns).map(function (k) { return s.columns[k]; }).sort(columnOrder);
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
          var what = s.name + (s.custom ? ' ' + col.op : '.' + col.op) + (col.fixture ? ', ' + col.fixture + ' record' : '');
          var b = boxButton(g, what);
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
    section.querySelector('.grid').appendChild(table);
    s.el = section;
  });

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
  var seenSubject = {};
  data.cells.forEach(function (c) {
    if (personaNames.indexOf(c.persona) < 0) personaNames.push(c.persona);
    var n = filterSubject(c);
    if (!seenSubject[n]) { seenSubject[n] = true; subjectNames.push(n); }
  });
  options(fPersona, personaNames);
  options(fModel, subjectNames);
  options(fVerdict, ['allow', 'deny', 'filtered', 'partial', 'invalid', 'error']);

  function currentFilters() {
    return { persona: fPersona.value, model: fModel.value, verdict: fVerdict.value, mismatch: fMismatch.checked };
  }

  function cellMatches(c, f) {
    return (!f.persona || c.persona === f.persona) &&
      (!f.model || filterSubject(c) === f.model) &&
      (!f.verdict || c.observed === f.verdict) &&
      (!f.mismatch || !c.pass);
  }

  function applyFilters() {
    var f = currentFilters();
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
      if (s.visible !== any) { s.visible = any; s.el.hidden = !any; }
    });
    lists.forEach(function (l) { if (l.details.open) l.render(); });
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

  // ---- the cells of a failure group, listed when opened, a page at a time ---------------------------
  function cellButton(c) {
    var b = el('button', { type: 'button', className: 'cell-link', 'data-cell': String(c.index) }, [badge(c.observed, c.pass ? '' : ' mm'), c.id]);
    b.setAttribute('aria-label', 'show ' + c.id + ': expected ' + c.expected + ', observed ' + c.observed);
    return b;
  }

  var lists = [];
  Array.prototype.forEach.call(document.querySelectorAll('details[data-group]'), function (details) {
    var cells = data.groups[Number(details.getAttribute('data-group'))].map(function (i) { return data.cells[i]; });
    var ul = details.querySelector('ul.cell-list');
    var list = { details: details, limit: PAGE };
    list.render = function () {
      var f = currentFilters();
      var matching = cells.filter(function (c) { return cellMatches(c, f); });
      ul.textContent = '';
      matching.slice(0, list.limit).forEach(function (c) {
        ul.appendChild(el('li', {}, [cellButton(c), el('span', { className: 'none', text: ' ' + (c.detail || c.summary) })]));
      });
      if (matching.length > list.limit) {
        var more = el('button', { type: 'button', className: 'more-cells', text: 'show ' + Math.min(PAGE, matching.length - list.limit) + ' more (' + (matching.length - list.limit) + ' left)' });
        more.addEventListener('click', function () { list.limit += PAGE; list.render(); });
        ul.appendChild(el('li', {}, [more]));
      }
      if (matching.length < cells.length) ul.appendChild(el('li', { className: 'none', text: (cells.length - matching.length) + ' hidden by the filters' }));
    };
    details.addEventListener('toggle', function () { if (details.open) list.render(); });
    lists.push(list);
  });

  // Any button naming a cell (examples, group lists) opens its box at that cell.
  document.querySelector('main').addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button.cell-link');
    if (!b) return;
    var c = data.cells[Number(b.getAttribute('data-cell'))];
    openGroup(groupOf(c), c, b);
  });

  // ---- who can ------------------------------------------------------------------------------------
  var wResource = document.getElementById('w-resource');
  var wPart = document.getElementById('w-part');
  var wOperation = document.getElementById('w-operation');
  var answer = document.getElementById('who-answer');
  var resources = [];
  data.access.surfaces.forEach(function (s) {
    var og = el('optgroup', { label: s.name });
    s.resources.forEach(function (r) {
      og.appendChild(el('option', { value: String(resources.length), text: r.name }));
      resources.push({ surface: s.name, resource: r });
    });
    wResource.appendChild(og);
  });

  function fillParts() {
    var r = resources[Number(wResource.value)];
    wPart.textContent = '';
    (r ? r.resource.parts : []).forEach(function (p, i) { wPart.appendChild(el('option', { value: String(i), text: p.name })); });
    fillOperations();
  }
  function fillOperations() {
    var r = resources[Number(wResource.value)];
    var p = r && r.resource.parts[Number(wPart.value)];
    wOperation.textContent = '';
    (p ? p.operations : []).forEach(function (o, i) { wOperation.appendChild(el('option', { value: String(i), text: o.name })); });
    showWho();
  }

  /** Where a cell applies, in words: its record, the actor of an event. */
  function where(c) {
    if (c.actor) return 'events from ' + c.actor;
    if (c.fixture) return fixtureLabel(c.model, c.fixture);
    return '';
  }

  /**
   * The answer as a tree, like `zed permission expand`: each outcome, by the rule that decided it, with
   * the personas under it and the records they have it on (the branches come computed in the data).
   */
  function showWho() {
    answer.textContent = '';
    var r = resources[Number(wResource.value)];
    var p = r && r.resource.parts[Number(wPart.value)];
    var o = p && p.operations[Number(wOperation.value)];
    if (!o) return;
    answer.appendChild(el('h3', { text: r.resource.name + ' · ' + p.name + ' · ' + o.name }));
    var tree = el('ul', { className: 'tree' });
    o.branches.forEach(function (b) {
      var head = el('div', { className: 'branch' }, [badge(b.outcome), ' ' + b.outcome + ' — ']);
      if (b.rule) {
        head.appendChild(el('b', { className: 'mono', text: b.rule }));
        head.appendChild(document.createTextNode(' ' + (data.rules[b.rule] || '')));
      } else head.appendChild(el('span', { className: 'none', text: 'no rule decides: each says why' }));
      var leaves = el('ul');
      b.personas.forEach(function (e) {
        var cells = e.cells.map(function (i) { return data.cells[i]; });
        var places = cells.map(where).filter(Boolean);
        var li = el('li', {}, [e.persona + (e.every ? (cells[0].actor ? ' (events from every actor)' : ' (every record)') : places.length ? ' (' + places.join(', ') + ')' : '')]);
        // Why, where no rule is named, or where a rule refused (the reason says what the caller lacked).
        if (!b.rule || b.outcome === 'deny') {
          var reasons = [];
          cells.forEach(function (c) { if (reasons.indexOf(c.reason) < 0) reasons.push(c.reason); });
          li.appendChild(el('span', { className: 'none', text: ' — ' + reasons.join(' | ') }));
        }
        cells.filter(function (c) { return !c.pass; }).forEach(function (c) {
          li.appendChild(document.createTextNode(' '));
          li.appendChild(el('button', { type: 'button', className: 'cell-link bad', 'data-cell': String(c.index), text: '≠ observed ' + c.observed + (where(c) ? ' on ' + where(c) : '') }));
        });
        leaves.appendChild(li);
      });
      tree.appendChild(el('li', {}, [head, leaves]));
    });
    answer.appendChild(tree);
  }
  wResource.addEventListener('change', fillParts);
  wPart.addEventListener('change', fillOperations);
  wOperation.addEventListener('change', showWho);
  document.querySelector('form.who-pick').addEventListener('submit', function (e) { e.preventDefault(); });
  if (resources.length) fillParts();
  else document.getElementById('who-can').hidden = true;

  // ---- the side panel -----------------------------------------------------------------------------
  var panel = document.getElementById('panel');
  var panelTitle = document.getElementById('panel-title');
  var panelCells = document.getElementById('panel-cells');
  var panelBody = document.getElementById('panel-body');
  var opener = null;

  function openGroup(g, focusCell, from) {
    opener = from || null;
    var cells = g.cells.slice().sort(function (a, b) { return (a.pass - b.pass) || a.index - b.index; });
    var current = focusCell || g.failing[0] || g.primary;
    panelTitle.textContent = g.persona + ' · ' + g.subject.name + (g.subject.custom ? ' · ' : '.') + g.column.replace(/\|$/, '').replace('|', ' · ');
    panelCells.textContent = '';
    var buttons = cells.map(function (c) {
      var b = el('button', { type: 'button', 'aria-label': c.id + ': expected ' + c.expected + ', observed ' + c.observed + (c.pass ? '' : ', mismatch') }, [badge(c.observed, c.pass ? '' : ' mm'), c.id]);
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
