/**
 * `index.html`: the run as a self-contained page (inline CSS and script, the results embedded as JSON,
 * no network: a Content-Security-Policy allows nothing to be fetched), in the order a reviewer reads
 * it: the verdict (and how far an interrupted run got), the schema's risky-rule findings, the failures
 * grouped by cause, the run's own problems apart from the app's, then per model its rules in words, its
 * field access and its heatmap (personas × operations), the "who can" view, coverage and what could not
 * run. Long lists fold away. Sections are rendered here, escaped; `app.js` builds the heatmaps, filters,
 * the cell lists, the "who can" answers and the evidence panel from the data with textContent only, so
 * strings from the results never become markup.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findings as lintFindings } from '../../harness/lint/lint.js';
import { accessIndex } from '../access.js';
import { DIMENSION_LABELS, shownDimensions, type Coverage } from '../coverage.js';
import { escapeHtml as h, jsonForScript } from '../escape.js';
import type { RunReport } from '../results.js';
import { CUSTOM_SECTION, failuresByCause, fieldAccess, ruleText, ruleTexts, subjectOf, type CauseGroup } from '../review.js';
import { causesTable, fieldAccessTable, findingsTable, interruptedBanner, rulesList, statusOf, SYMBOLS } from '../sections.js';
import { runFailed } from '../summary-md.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const assets = new Map<string, string>();

/** The page's assets: beside this module in the sources, or in the package's reports/html when run from dist/. */
export function asset(name: string): string {
  let text = assets.get(name);
  if (text === undefined) {
    const candidates = [path.join(here, name), path.join(here, '../../../reports/html', name)];
    const found = candidates.find((p) => { try { readFileSync(p); return true; } catch { return false; } });
    if (!found) throw new Error(`reports/html/${name} is missing from the installation`);
    assets.set(name, (text = readFileSync(found, 'utf8')));
  }
  return text;
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

const LEGEND: [string, string][] = [
  ['allow', 'allow'],
  ['deny', 'deny'],
  ['filtered', 'filtered (some records or events)'],
  ['partial', 'partial (some fields null with an error)'],
  ['invalid', 'invalid (the request cannot validate)'],
  ['conditionFailed', 'condition failed (got through auth; the stored value did not match)'],
  ['error', 'error (not an auth outcome)'],
];

/** Causes shown before the rest fold away. */
const CAUSES_SHOWN = 6;
/** Findings shown before the rest fold away. */
const FINDINGS_SHOWN = 5;

function coverageTable(coverage: Coverage): string {
  const rows = shownDimensions(coverage).map((name) => {
    const d = coverage.dimensions[name];
    const gaps = d.uncovered.map((u) => `${u.item} (${u.missing})`).join('; ');
    const left = d.excluded.length ? `<details><summary>${plural(d.excluded.length, 'item')} left out</summary>${h(d.excluded.map((u) => `${u.item} (${u.why})`).join('; '))}</details>` : '';
    return `<tr><th scope="row">${h(DIMENSION_LABELS[name])}</th><td>${d.covered}/${d.total}</td><td>${d.percent}%</td><td>${gaps ? h(gaps) : '<span class="none">–</span>'}${left}</td></tr>`;
  });
  return `<table class="list"><thead><tr><th scope="col">dimension</th><th scope="col">covered</th><th scope="col">%</th><th scope="col">not covered</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function brokenContracts(report: RunReport): string {
  const broken = report.contracts.filter((k) => k.broken);
  if (!broken.length) return '';
  const rows = broken.map((k) => `<tr><td>${h(k.contract)}</td><td>${h(k.statement)}<br><span class="none">${h(`${k.file}${k.line ? `:${k.line}` : ''}`)}</span></td><td>${h(k.explanation ?? (k.broken === 'static' ? 'broken by the schema' : 'broken by the endpoint'))}</td><td class="id">${k.violations.map((v) => h(v.cell)).join('<br>')}</td></tr>`).join('');
  return `<section id="contracts" aria-labelledby="h-contracts"><h2 id="h-contracts">Broken contracts (${broken.length})</h2><table class="list"><thead><tr><th scope="col">contract</th><th scope="col">statement</th><th scope="col">why</th><th scope="col">cells</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function untestedList(report: RunReport): string {
  if (!report.untested.length) return '';
  const rows = report.untested.map((u) => `<tr><td class="id">${h(u.id)}</td><td>${h(u.expected)}</td><td>${h(u.reason)}</td></tr>`).join('');
  return `<section id="untested" aria-labelledby="h-untested"><h2 id="h-untested">Could not run (${report.untested.length})</h2><details><summary>the cells and why</summary><table class="list"><thead><tr><th scope="col">cell</th><th scope="col">expected</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table></details></section>`;
}

function exampleButton(report: RunReport, i: number): string {
  const c = report.cells[i]!;
  return `<button type="button" class="cell-link" data-cell="${i}">${h(c.id)}</button><br><span class="none">answered: ${h(c.summary)}</span>`;
}

/** The failures by cause; each group's cells listed on demand (`data-group` indexes the embedded groups). */
function causesSection(id: string, title: string, intro: string, groups: CauseGroup[], offset: number, report: RunReport, rules: ReturnType<typeof ruleTexts>): string {
  if (!groups.length) return '';
  const cells = groups.reduce((n, g) => n + g.cells.length, 0);
  const table = causesTable(groups, rules, {
    example: (i) => exampleButton(report, i),
    after: (g, n) => (g.cells.length > 1 ? `<tr class="group-cells"><td></td><td colspan="2"><details data-group="${offset + n}"><summary>all ${g.cells.length} cells</summary><ul class="cell-list"></ul></details></td></tr>` : ''),
    shown: CAUSES_SHOWN,
  });
  return `<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${h(title)} (${plural(cells, 'cell')}, ${plural(groups.length, 'cause')})</h2><p class="intro">${h(intro)}</p>${table}</section>`;
}

function findingsSection(report: RunReport): string {
  const items = report.gate?.findings?.items ?? lintFindings(report.model);
  const counts = (['high', 'medium', 'low'] as const).map((s) => `${items.filter((f) => f.severity === s).length} ${s}`).join(', ');
  const table = items.length > FINDINGS_SHOWN
    ? `${findingsTable(items.slice(0, FINDINGS_SHOWN))}<details class="more"><summary>${plural(items.length - FINDINGS_SHOWN, 'more finding')}</summary>${findingsTable(items.slice(FINDINGS_SHOWN))}</details>`
    : findingsTable(items);
  return `<section id="findings" aria-labelledby="h-findings"><h2 id="h-findings">Findings (${items.length}${items.length ? `: ${counts}` : ''})</h2><p class="intro">Rules in the schema that are risky or probably mistaken, read from the schema alone (<code>authmatrix lint</code>).</p>${table}</section>`;
}

const anchor = (subject: string): string => `m-${subject.replace(/[^\w-]/g, '_')}`;

/** The sections of the models and custom operations, with their rules and field access; app.js adds the heatmaps. */
function subjectSections(report: RunReport, order: string[], mismatches: Map<string, number>): string {
  const access = fieldAccess(report);
  const label = (model: string, fixture: string) => report.fixtures[`${model}|${fixture}`] ?? fixture;
  return order.map((name) => {
    const m = report.model.models.find((x) => x.name === name);
    const n = mismatches.get(name) ?? 0;
    const heading = `<h2 id="h-${anchor(name)}">${h(name)}${n ? `<span class="bad"> · ${plural(n, 'mismatch', 'mismatches')}</span>` : ''}</h2>`;
    let body: string;
    if (m) {
      body = `${rulesList(m.rules.map(ruleText))}${fieldAccessTable(access.filter((a) => a.model === name), label)}`;
    } else if (name === CUSTOM_SECTION) {
      body = `<ul class="rules">${report.model.customOperations.map((o) => `<li><b class="mono">${h(o.name)}</b> (${h(o.type)}): ${o.rules.length ? o.rules.map((r) => `<b class="rule-id" title="${h(r.id)}">${h(ruleText(r).label)}</b> ${h(ruleText(r).text)}`).join(' · ') : '<span class="none">no rules</span>'}</li>`).join('')}</ul>`;
    } else body = '';
    return `<section class="subject" id="${anchor(name)}" data-subject="${h(name)}" aria-labelledby="h-${anchor(name)}">${heading}${body}<div class="grid"></div></section>`;
  }).join('\n');
}

function toc(report: RunReport, order: string[], mismatches: Map<string, number>, has: Record<string, boolean>): string {
  const link = (id: string, text: string, extra = '') => `<a href="#${id}">${h(text)}</a>${extra}`;
  const entries = [
    link('findings', 'Findings'),
    ...(has.failures ? [link('failures', 'Failures by cause')] : []),
    ...(has.problems ? [link('problems', 'Problems of the run')] : []),
    ...(has.contracts ? [link('contracts', 'Broken contracts')] : []),
    link('who-can', 'Who can'),
    link('coverage', 'Coverage'),
    ...(report.untested.length ? [link('untested', 'Could not run')] : []),
  ];
  const subjects = order.map((s) => {
    const n = mismatches.get(s) ?? 0;
    return link(anchor(s), s, n ? ` <span class="bad">≠${n}</span>` : '');
  });
  return `<nav id="toc" aria-label="Contents"><span class="toc-label">Contents</span> ${entries.join(' · ')}<br><span class="toc-label">Heatmaps</span> ${subjects.join(' · ')}</nav>`;
}

export function renderIndexHtml(report: RunReport, coverage: Coverage): string {
  const t = report.totals;
  const status = statusOf(report, runFailed(report));
  const broken = report.contracts.filter((c) => c.broken).length;
  const rules = ruleTexts(report.model);
  const failures = failuresByCause(report);
  const mismatches = new Map<string, number>();
  const seen: string[] = [];
  for (const c of report.cells) {
    const s = subjectOf(c);
    if (!seen.includes(s)) seen.push(s);
    if (!c.pass) mismatches.set(s, (mismatches.get(s) ?? 0) + 1);
  }
  // Models and custom operations first, in the schema's order, those with mismatches before the rest.
  const known = [...report.model.models.map((m) => m.name), CUSTOM_SECTION].filter((s) => seen.includes(s));
  const order = [...known, ...seen.filter((s) => !known.includes(s))].sort((a, b) => Number(mismatches.has(b)) - Number(mismatches.has(a)));
  const problems = failures.problems.reduce((n, g) => n + g.cells.length, 0);
  const data = {
    personas: report.personas.map((p) => p.name),
    fixtures: report.fixtures,
    rules: Object.fromEntries([...rules].map(([id, r]) => [id, r.text])),
    cells: report.cells,
    groups: [...failures.auth, ...failures.problems].map((g) => g.cells),
    access: accessIndex(report.cells),
  };
  const css = asset('style.css');
  const js = asset('app.js');
  const csp = `default-src 'none'; style-src ${sha256(css)}; script-src ${sha256(js)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>authmatrix: ${h(report.schema.path)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>authmatrix <span class="${status.cls}">${status.word}</span></h1>
<p class="meta">${h(report.schema.path)} · ${h(report.schema.hash)} · ${h(report.target.kind)} target (${h(report.target.endpoint)}) · ${h(report.tool.name)} ${h(report.tool.version)} · ${h(report.startedAt)} – ${h(report.finishedAt)} (${seconds} s)${report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : ''}${report.only?.length ? ` · only ${h(report.only.join(', '))}` : ''}</p>
${interruptedBanner(report)}
<ul class="totals">
<li><b>${t.cells}</b> cells</li><li><b>${t.passed}</b> match</li><li><b class="${t.mismatches - problems ? 'bad' : ''}">${t.mismatches - problems}</b> auth mismatches</li><li><b class="${problems ? 'bad' : ''}">${problems}</b> without an auth outcome</li><li><b>${t.untested}</b> could not run</li>${report.contracts.length ? `<li><b>${report.contracts.length - broken}/${report.contracts.length}</b> contracts hold</li>` : ''}${(report.gate?.failures ?? []).map((f) => `<li class="bad">${h(f)}</li>`).join('')}
</ul>
</header>
${toc(report, order, mismatches, { failures: failures.auth.length > 0, problems: failures.problems.length > 0, contracts: broken > 0 })}
<main>
${findingsSection(report)}
${causesSection('failures', 'Failures by cause', 'Cells where the endpoint answered with another authorization outcome than the rules say, grouped by the rule that decided, the operation and the outcomes. Each group shows one example; open it for all its cells.', failures.auth, 0, report, rules)}
${causesSection('problems', 'Problems of the run, not of the app’s rules', 'Cells that got no authorization outcome at all (a record that could not be created, a handler that failed, a request that did not validate): what they test is unproven. These are problems of the run or of authmatrix, not findings about the app’s rules.', failures.problems, failures.auth.length, report, rules)}
${brokenContracts(report)}
<form class="filters" id="filters" role="search" aria-label="Filter cells">
<label for="f-persona">persona<select id="f-persona"><option value="">all personas</option></select></label>
<label for="f-model">model or operation<select id="f-model"><option value="">all</option></select></label>
<label for="f-verdict">observed<select id="f-verdict"><option value="">any outcome</option></select></label>
<label class="check" for="f-mismatch"><input type="checkbox" id="f-mismatch"> mismatches only</label>
<button type="button" id="f-clear">Clear filters</button>
<span id="shown" role="status" aria-live="polite"></span>
</form>
<ul class="legend" aria-label="Legend">
${LEGEND.map(([v, label]) => `<li><span class="v v-${v}" aria-hidden="true">${SYMBOLS[v]}</span>${h(label)}</li>`).join('\n')}
<li><span class="v v-allow mm" aria-hidden="true">✓</span>mismatch (≠): observed differs from expected</li>
<li><span class="v v-allow sub-mm" aria-hidden="true">✓<span class="sub v-deny">✗</span></span>the box’s own cell matches; another cell in it (a field, a relation, a variant) does not</li>
</ul>
<p id="nothing" class="none" hidden>No cell matches these filters.</p>
<div id="heatmaps">
${subjectSections(report, order, mismatches)}
</div>
<section id="who-can" aria-labelledby="h-who-can">
<h2 id="h-who-can">Who can</h2>
<p class="intro">Pick what to ask about: which personas may do it, by which rule, on which records (as the rules say, with the run’s observation where it differs).</p>
<form class="who-pick" role="search" aria-label="Who can">
<label for="w-resource">resource<select id="w-resource"></select></label>
<label for="w-part">part<select id="w-part"></select></label>
<label for="w-operation">operation<select id="w-operation"></select></label>
</form>
<div id="who-answer" aria-live="polite"></div>
</section>
<section id="coverage" aria-labelledby="h-coverage"><h2 id="h-coverage">Coverage</h2>${coverageTable(coverage)}</section>
${untestedList(report)}
</main>
<aside id="panel" aria-labelledby="panel-title" hidden>
<button type="button" id="panel-close">Close</button>
<h2 id="panel-title" tabindex="-1"></h2>
<ul id="panel-cells" aria-label="Cells in this box"></ul>
<div id="panel-body"></div>
</aside>
<script type="application/json" id="data">${jsonForScript(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}
