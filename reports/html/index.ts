/**
 * `index.html`: the run as a self-contained page (inline CSS and script, the results embedded as JSON,
 * no network: a Content-Security-Policy allows nothing to be fetched). Heatmaps per model (personas ×
 * operations, one column per record where the rules distinguish records), mismatches first, filters,
 * and a side panel with each cell's reason, rule and request/response evidence. The page is built by
 * `app.js` from the data with textContent only, so strings from the results never become markup.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRule } from '../../harness/rules/describe.js';
import { allRules } from '../../harness/schema/model.js';
import { COVERAGE_DIMENSIONS, DIMENSION_LABELS, type Coverage } from '../coverage.js';
import { escapeHtml as h, jsonForScript } from '../escape.js';
import type { RunReport } from '../results.js';
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

/** Every rule of the model with its description, for the panel. */
export function ruleDescriptions(report: RunReport): Record<string, string> {
  return Object.fromEntries(allRules(report.model).map((r) => [r.id, describeRule(r)]));
}

const LEGEND: [string, string, string][] = [
  ['allow', '✓', 'allow'],
  ['deny', '✗', 'deny'],
  ['filtered', '~', 'filtered (some records or events)'],
  ['partial', '◐', 'partial (some fields null with an error)'],
  ['invalid', '⊘', 'invalid (the request cannot validate)'],
  ['error', '⚠', 'error (not an auth outcome)'],
];

function coverageTable(coverage: Coverage): string {
  const rows = COVERAGE_DIMENSIONS.map((name) => {
    const d = coverage.dimensions[name];
    const gaps = d.uncovered.map((u) => `${u.item} (${u.missing})`).join('; ');
    return `<tr><th scope="row">${h(DIMENSION_LABELS[name])}</th><td>${d.covered}/${d.total}</td><td>${d.percent}%</td><td>${gaps ? h(gaps) : '<span class="none">–</span>'}</td></tr>`;
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
  return `<section aria-labelledby="h-untested"><h2 id="h-untested">Could not run (${report.untested.length})</h2><table class="list"><thead><tr><th scope="col">cell</th><th scope="col">expected</th><th scope="col">why</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderIndexHtml(report: RunReport, coverage: Coverage): string {
  const t = report.totals;
  const failed = runFailed(report);
  const broken = report.contracts.filter((c) => c.broken).length;
  const data = {
    personas: report.personas.map((p) => p.name),
    fixtures: report.fixtures,
    rules: ruleDescriptions(report),
    cells: report.cells,
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
<h1>authmatrix <span class="${failed ? 'status-failed' : 'status-passed'}">${failed ? 'FAILED' : 'PASSED'}</span></h1>
<p class="meta">${h(report.schema.path)} · ${h(report.schema.hash)} · ${h(report.target.kind)} target (${h(report.target.endpoint)}) · ${h(report.tool.name)} ${h(report.tool.version)} · ${h(report.startedAt)} – ${h(report.finishedAt)} (${seconds} s)${report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : ''}${report.only?.length ? ` · only ${h(report.only.join(', '))}` : ''}</p>
<ul class="totals">
<li><b>${t.cells}</b> cells</li><li><b>${t.passed}</b> match</li><li><b class="${t.mismatches ? 'bad' : ''}">${t.mismatches}</b> mismatches${t.errors ? ` (${t.errors} not auth outcomes)` : ''}</li><li><b>${t.untested}</b> could not run</li>${report.contracts.length ? `<li><b>${report.contracts.length - broken}/${report.contracts.length}</b> contracts hold</li>` : ''}${(report.gate?.failures ?? []).map((f) => `<li class="bad">${h(f)}</li>`).join('')}
</ul>
</header>
<form class="filters" id="filters" role="search" aria-label="Filter cells">
<label for="f-persona">persona<select id="f-persona"><option value="">all personas</option></select></label>
<label for="f-model">model or operation<select id="f-model"><option value="">all</option></select></label>
<label for="f-verdict">observed<select id="f-verdict"><option value="">any outcome</option></select></label>
<label class="check" for="f-mismatch"><input type="checkbox" id="f-mismatch"> mismatches only</label>
<button type="button" id="f-clear">Clear filters</button>
<span id="shown" role="status" aria-live="polite"></span>
</form>
<main>
<ul class="legend" aria-label="Legend">
${LEGEND.map(([v, s, label]) => `<li><span class="v v-${v}" aria-hidden="true">${s}</span>${h(label)}</li>`).join('\n')}
<li><span class="v v-allow mm" aria-hidden="true">✓</span>mismatch (≠): observed differs from expected</li>
</ul>
<section id="mismatches" aria-labelledby="h-mismatches">
<h2 id="h-mismatches">Mismatches (<span id="mismatch-count"></span>)<span id="mismatch-shown"></span></h2>
<table class="list"><thead><tr><th scope="col"><span class="none">show</span></th><th scope="col">cell</th><th scope="col">expected</th><th scope="col">observed</th><th scope="col">rule</th><th scope="col">why</th></tr></thead><tbody id="mismatch-rows"></tbody></table>
</section>
${brokenContracts(report)}
<p id="nothing" class="none" hidden>No cell matches these filters.</p>
<div id="heatmaps"></div>
${untestedList(report)}
<section aria-labelledby="h-coverage"><h2 id="h-coverage">Coverage</h2>${coverageTable(coverage)}</section>
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
