/**
 * The audit report (`authmatrix report --audit`): one static HTML document, readable on screen and in
 * print, and a PDF of it when Chromium is installed. It carries what index.html shows, in the same
 * order: the identification (schema hash, target, tool, time) and the verdict (and how far an
 * interrupted run got); the schema's findings; the failures grouped by cause and the run's own
 * problems apart, each with an example's evidence; the scope with each model's rules in words, its
 * field access and who can do each operation by which rule; the personas and how they were
 * provisioned; coverage; what was not tested; the matrix as heatmaps; and every cell on one line. It
 * names the SHA-256 of the results.json it was rendered from, which holds every cell's full evidence;
 * the report prints the evidence of failed cells (a bounded number per cause) so that it stays readable.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CellResult } from '../harness/matrix/verdict.js';
import { findings as lintFindings } from '../harness/lint/lint.js';
import { accessIndex, type AccessIndex } from './access.js';
import { DIMENSION_LABELS, coverageOf, type Coverage } from './coverage.js';
import { COVERAGE_DIMENSIONS } from './coverage-dimensions.js';
import { escapeHtml as h } from './escape.js';
import { emptyBucketNotes } from '../harness/schema/storage/model.js';
import { gridsFor, SYMBOL } from './matrix.js';
import type { RunReport } from './results.js';
import { failuresByCause, fieldAccess, ruleText, ruleTexts, type CauseGroup, type RuleText } from './review.js';
import { scrubReport } from './scrub.js';
import { causesTable, fieldAccessTable, findingsTable, interruptedBanner, outcome, rulesList, statusOf } from './sections.js';
import { runFailed } from './summary-md.js';

const EVIDENCE_CHARS = 1200;
/** Failed cells whose evidence is printed, per cause (its example). */
const EVIDENCE_PER_CAUSE = 1;

const CSS = `
body { font: 11px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 6px; border-bottom: 1px solid #d1d9e0; padding-bottom: 2px; }
h3 { font-size: 12px; margin: 14px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #d1d9e0; padding: 2px 5px; text-align: left; vertical-align: top; word-break: break-word; }
thead th { background: #f6f8fa; }
caption { text-align: left; font-weight: 600; padding: 2px 0; }
table.kv th { width: 180px; background: #f6f8fa; font-weight: 600; }
table.grid { width: auto; } table.grid td { text-align: center; min-width: 14px; padding: 1px 3px; } table.grid td.bad { background: #ffebe9; }
table.who td:first-child, .field-access th[scope="row"] { white-space: nowrap; width: 1%; } table.who td:nth-child(2) { width: 50%; }
.every { columns: 2; column-gap: 16px; font: 9px/1.25 ui-monospace, SFMono-Regular, Menlo, monospace; }
.every p { margin: 0; break-inside: avoid; word-break: break-all; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 10px; }
.fail, .bad { color: #cf222e; font-weight: 600; } .pass { color: #1a7f37; font-weight: 600; }
.none { color: #59636e; }
.banner { padding: 6px 10px; border: 1px solid #d4a72c; background: #fff8c5; }
.status-passed { color: #1a7f37; } .status-failed { color: #cf222e; } .status-interrupted { color: #9a6700; }
.v { display: inline-block; min-width: 14px; text-align: center; border-radius: 2px; margin-right: 3px; }
.v-allow { background: #d2f4dc; } .v-deny { background: #e3e7ec; } .v-filtered { background: #fff1b8; } .v-partial { background: #d6ebff; } .v-invalid { background: #f0e6ff; } .v-error { background: #ffe0cc; }
.sev { font-weight: 600; } .sev-high .sev { color: #a40e26; } .sev-medium .sev { color: #6b4a00; }
ul.rules { margin: 2px 0 6px; padding-left: 16px; }
pre { margin: 2px 0; white-space: pre-wrap; word-break: break-all; font: 9px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 3px; }
tr { break-inside: avoid; } h2, h3, caption { break-after: avoid; }
.n { white-space: nowrap; }
.count { text-align: right; font-weight: 600; } .causes th:first-child { white-space: nowrap; }
@page { size: A4 landscape; margin: 14mm 10mm; }
@media print { body { margin: 0; } }
`;

/** Columns of short values that should not wrap. */
const SHORT = new Set(['severity', 'rule', 'expected', 'observed', 'verdict', 'covered', '%', 'threshold', 'kind', 'direction', 'before', 'after', 'cells']);

const table = (head: string[], rows: string[][], cls = ''): string => {
  const n = head.map((x) => (SHORT.has(x) ? ' class="n"' : ''));
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((x, i) => `<th scope="col"${n[i]}>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${n[i]}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
};

const kv = (rows: [string, string][]): string =>
  `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;

function trimmed(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1) ?? '';
  return text.length <= EVIDENCE_CHARS ? text : `${text.slice(0, EVIDENCE_CHARS)}… (${text.length} characters; in full in results.json)`;
}

function evidence(c: CellResult): string {
  const e = c.evidence;
  if (!e) return c.kind === 'delivery' ? '<span class="none">event delivery (no request of its own)</span>' : '<span class="none">no request recorded</span>';
  const headers = Object.entries(e.request.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `<pre>POST ${h(e.request.url)}\n${h(headers)}\n\n${h(trimmed(e.request.body))}</pre><pre>HTTP ${h(e.response.status)}${e.response.requestId ? ` · request id ${h(e.response.requestId)}` : ''}\n${h(trimmed(e.response.body))}</pre>`;
}

function cellFacts(c: CellResult): string {
  return `<span class="mono">${h(c.id)}</span><br>${h(c.detail || c.summary)}<br><span class="none">rule ${h(c.rule ?? '–')}: ${h(c.reason)}</span>`;
}

function failures(report: RunReport, groups: CauseGroup[], rules: Map<string, RuleText>, empty: string): string {
  if (!groups.length) return `<p>${h(empty)}</p>`;
  return causesTable(groups, rules, { example: (i) => cellFacts(report.cells[i]!) });
}

/**
 * Who can do each operation of a resource, as the rules say: the grants by rule, the refused personas.
 * Of the fields, those with rules of their own (index.html answers for every field).
 */
function whoCanTable(resource: AccessIndex['surfaces'][number]['resources'][number], report: RunReport): string {
  const model = report.model.models.find((m) => m.name === resource.name);
  const shown = (part: { name: string }) => !part.name.startsWith('field ') || !!model?.fields.find((f) => `field ${f.name}` === part.name)?.rules;
  const where = (c: CellResult) => c.actor ? `events from ${c.actor}` : c.fixture ? report.fixtures[`${c.model}|${c.fixture}`] ?? c.fixture : '';
  const personas = (b: AccessIndex['surfaces'][number]['resources'][number]['parts'][number]['operations'][number]['branches'][number]) =>
    b.personas.map((p) => {
      const places = p.cells.map((i) => where(report.cells[i]!)).filter(Boolean);
      const mm = p.cells.filter((i) => !report.cells[i]!.pass).length;
      return `${h(p.persona)}${p.every ? '' : places.length ? ` (${h(places.join(', '))})` : ''}${mm ? ` <span class="bad">≠${mm}</span>` : ''}`;
    }).join(', ');
  const rows = resource.parts.filter(shown).flatMap((part) => part.operations.map((op) => {
    const grants = op.branches.filter((b) => b.outcome !== 'deny' && b.outcome !== 'invalid');
    const refusals = op.branches.filter((b) => b.outcome === 'deny' || b.outcome === 'invalid');
    const by = (b: (typeof grants)[number]) => `${outcome(b.outcome)} ${b.rule ? `<b class="mono">${h(b.rule)}</b>` : '(no rule)'}: ${personas(b)}`;
    return [`${h(part.name)} · <b>${h(op.name)}</b>`, grants.map(by).join('<br>') || '<span class="none">nobody</span>', refusals.map((b) => `${b.rule ? `<span class="mono">${h(b.rule)}</span>` : ''} ${personas(b)}`).join('<br>') || '<span class="none">nobody</span>'];
  }));
  return table(['what', 'who may (by rule)', 'refused'], rows, 'who');
}

function scope(report: RunReport, access: AccessIndex): string {
  const m = report.model;
  const fields = fieldAccess(report);
  const label = (model: string, fixture: string) => report.fixtures[`${model}|${fixture}`] ?? fixture;
  const resources = new Map(access.surfaces.flatMap((s) => s.resources.map((r) => [`${s.name}|${r.name}`, r] as const)));
  const models = m.models.map((x) => {
    const who = resources.get(`Data models|${x.name}`);
    return `<h3>${h(x.name)}</h3>${rulesList(x.rules.map(ruleText))}${fieldAccessTable(fields.filter((f) => f.model === x.name), label)}${who ? whoCanTable(who, report) : ''}`;
  });
  const ops = m.customOperations.map((o) => [h(`${o.type} ${o.name}`), o.rules.map((r) => `${h(r.id)}: ${h(ruleText(r).text)}`).join('<br>') || '<em>no rules</em>', h(o.enforcement)]);
  // Other surfaces (custom operations, and those to come) after the models.
  const custom = access.surfaces.filter((s) => s.name !== 'Data models').flatMap((s) => s.resources.map((r) => `<h3>${h(s.name)}: ${h(r.name)}</h3>${whoCanTable(r, report)}`));
  return [
    kv([
      ['auth modes', h(`${m.authModes.enabled.join(', ')} (default ${m.authModes.default})`)],
      ['source', h(`${m.source.kind}: ${report.schema.path}`)],
      ['selection', report.only?.length ? h(`only ${report.only.join(', ')}`) : 'every cell of the matrix'],
      ...(m.caveats?.length ? [['caveats of the source', m.caveats.map(h).join('<br>')] as [string, string]] : []),
    ]),
    '<p>Each model’s rules in words (with the ids cells cite), who may read, create and update each field with rules of its own, and who may do each operation by which rule; ≠ marks cells where the endpoint answered otherwise.</p>',
    ...models,
    ...(ops.length ? ['<h3>Custom operations</h3>', table(['operation', 'rules', 'enforcement'], ops), ...custom] : custom),
  ].join('\n');
}

function coverageSection(coverage: Coverage, report: RunReport): string {
  return table(['dimension', 'covered', '%', 'threshold', 'not covered', 'left out'], COVERAGE_DIMENSIONS.map((name) => {
    const d = coverage.dimensions[name];
    const min = report.gate?.minCoverage?.[name];
    return [h(DIMENSION_LABELS[name]), `${d.covered}/${d.total}`, `${d.percent}%`, min === undefined ? '–' : `${min}%`,
      d.uncovered.map((u) => h(`${u.item} (${u.missing})`)).join('<br>') || '–', d.excluded.map((u) => h(`${u.item} (${u.why})`)).join('<br>') || '–'];
  }));
}

function notTested(report: RunReport, coverage: Coverage): string {
  const items: string[] = [];
  if (report.interrupted) items.push(`The run was interrupted (${h(report.interrupted.signal)}) after ${report.interrupted.cellsRun} of ${report.interrupted.cellsPlanned} cells; the others were not run.`);
  if (report.target.kind === 'emulated') items.push('The run exercised the embedded emulator, which implements the resolvers Amplify generates; the deployed AppSync API itself was not exercised.');
  if (report.only?.length) items.push(`Only cells matching ${h(report.only.join(', '))} were run; the rest of the matrix was not.`);
  if (report.shard) items.push(`This is shard ${report.shard.index} of ${report.shard.count}: the other shards' cells are not in it.`);
  for (const c of report.model.caveats ?? []) items.push(`The schema source does not record everything: ${h(c)}`);
  for (const note of emptyBucketNotes(report.model.storage)) items.push(`Note: ${h(note)}.`);
  for (const name of COVERAGE_DIMENSIONS) {
    const d = coverage.dimensions[name];
    if (d.uncovered.length) items.push(`${h(DIMENSION_LABELS[name])}: ${d.uncovered.map((u) => h(`${u.item} (${u.missing})`)).join('; ')}.`);
  }
  const errors = report.cells.filter((c) => c.observed === 'error');
  if (errors.length) items.push(`${errors.length} cell(s) got no auth outcome (error), so what they test is unproven: ${errors.slice(0, 20).map((c) => h(c.id)).join(', ')}${errors.length > 20 ? ', …' : ''}.`);
  const list = items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<p>Every cell of the matrix ran.</p>';
  const untested = report.untested.length
    ? `<h3>Cells that could not run (${report.untested.length})</h3>${table(['cell', 'expected', 'why'], report.untested.map((u) => [`<span class="mono">${h(u.id)}</span>`, h(u.expected), h(u.reason)]))}`
    : '<p>No cell was left out as impossible to run.</p>';
  return list + untested;
}

/** The heatmaps as tables: the observed outcome, ≠ where it differs from the expected one. */
function heatmaps(report: RunReport): string {
  const fixtures = new Map(Object.entries(report.fixtures));
  const symbol = (c: CellResult | undefined) => (!c ? '·' : `${c.observed === 'error' ? '⚠' : SYMBOL[c.observed as keyof typeof SYMBOL]}${c.pass ? '' : '≠'}`);
  return gridsFor(report.model, report.cells, report.personas.map((p) => p.name), fixtures, symbol).map((g) => {
    const head = `<tr><th scope="col">persona</th>${g.columns.map((c) => `<th scope="col">${h(c.group)}${c.sub ? `<br>${h(c.sub)}` : ''}</th>`).join('')}</tr>`;
    const rows = g.rows.map((r) => `<tr><th scope="row" class="n">${h(r.persona)}</th>${r.cells.map((x) => `<td${x.endsWith('≠') ? ' class="bad"' : ''}>${h(x)}</td>`).join('')}</tr>`).join('');
    return `<h3>${h(g.title)}</h3>${g.notes.length ? `<p class="none">${g.notes.map(h).join('<br>')}</p>` : ''}<table class="grid"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
  }).join('\n');
}

/** Every cell on one line (two columns): its outcome, ≠ where it differs from the expected one, and the deciding rule. */
function everyCell(report: RunReport): string {
  const lines = report.cells.map((c) => `<p${c.pass ? '' : ' class="bad"'}>${h(c.id)} ${h(c.expected)}${c.pass ? '' : ` ≠ ${h(c.observed)}`} ${h(c.rule ?? '–')}</p>`);
  return `<p>Each line: the cell, the expected outcome (≠ and the observed one where they differ), the deciding rule. Request ids and full evidence are in results.json.</p><div class="every">${lines.join('')}</div>`;
}

function failedEvidence(report: RunReport, groups: CauseGroup[]): string {
  const shown = groups.flatMap((g) => g.cells.slice(0, EVIDENCE_PER_CAUSE));
  if (!shown.length) return '<p>No cell failed.</p>';
  const failed = report.cells.filter((c) => !c.pass).length;
  return `<p>${shown.length} of ${failed} failed cells (up to ${EVIDENCE_PER_CAUSE} per cause), bodies cut at ${EVIDENCE_CHARS} characters; results.json holds the evidence of every cell in full.</p>` +
    table(['cell', 'expected', 'observed', 'rule and reason', 'evidence'], shown.map((i) => {
      const c = report.cells[i]!;
      return [`<span class="mono">${h(c.id)}</span>`, h(c.expected), h(c.observed), `${h(c.rule ?? '(no rule)')}: ${h(c.reason)}<br>${h(c.detail)}`, evidence(c)];
    }));
}

export interface AuditOptions {
  /** SHA-256 of the results.json the report was read from (or written to). */
  resultsSha256: string;
  generatedAt?: string;
}

export function renderAuditHtml(report: RunReport, options: AuditOptions, coverage: Coverage = coverageOf(report)): string {
  const t = report.totals;
  const status = statusOf(report, runFailed(report));
  const broken = report.contracts.filter((c) => c.broken);
  const found = report.gate?.findings?.items ?? lintFindings(report.model);
  const baseline = report.gate?.baseline;
  const rules = ruleTexts(report.model);
  const causes = failuresByCause(report);
  const problems = causes.problems.reduce((n, g) => n + g.cells.length, 0);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>authmatrix audit: ${h(report.schema.path)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>authmatrix audit report</h1>
<p>${h(report.schema.path)} · <span class="${status.cls}">${status.word}</span></p>
${interruptedBanner(report)}
<h2>1. Identification</h2>
${kv([
    ['schema', h(report.schema.path)],
    ['schema hash', `<span class="mono">${h(report.schema.hash)}</span>`],
    ['target', h(`${report.target.kind}: ${report.target.endpoint}`)],
    ['tool', h(`${report.tool.name} ${report.tool.version}`)],
    ['run started', h(report.startedAt)],
    ['run finished', h(report.finishedAt)],
    ['report generated', h(options.generatedAt ?? new Date().toISOString())],
    ['results.json SHA-256', `<span class="mono">${h(options.resultsSha256)}</span>`],
  ])}
<h2>2. Verdict</h2>
${kv([
    ['cells', `${t.cells} run, ${t.passed} match, <span class="${t.mismatches ? 'fail' : ''}">${t.mismatches - problems} auth mismatch(es)</span>, ${problems} without an auth outcome, ${t.untested} could not run${report.interrupted ? ` (interrupted: ${report.interrupted.cellsRun} of ${report.interrupted.cellsPlanned} planned cells ran)` : ''}`],
    ['contracts', report.contracts.length ? `${report.contracts.length - broken.length} of ${report.contracts.length} hold` : 'none declared'],
    ['baseline', baseline ? h(`${baseline.file}: ${baseline.changes.length} permission change(s)`) : 'not compared'],
    ['gate failures', (report.gate?.failures ?? []).map(h).join('<br>') || 'none'],
  ])}
${report.contracts.length ? `<h3>Contracts (${report.contracts.length - broken.length} of ${report.contracts.length} hold)</h3>${table(['contract', 'statement', 'verdict', 'violations'], report.contracts.map((k) => [
    `${h(k.contract)}<br><span class="mono">${h(`${k.file}${k.line ? `:${k.line}` : ''}`)}</span>`,
    h(k.statement),
    `${k.broken ? `<span class="fail">broken (${k.broken === 'static' ? 'by the schema' : 'by the endpoint'})</span>` : '<span class="pass">holds</span>'}${k.explanation ? `<br>${h(k.explanation)}` : ''}`,
    k.violations.map((v) => h(`${v.cell}: expected ${v.expected}${v.observed ? `, observed ${v.observed}` : ''}; rule ${v.rule ?? '–'}: ${v.reason}`)).join('<br>') || '–',
  ]))}` : ''}
${baseline?.changes.length ? `<h3>Permission changes against ${h(baseline.file)}</h3>${table(['severity', 'direction', 'persona', 'permission', 'record', 'before', 'after'], baseline.changes.map((c) => [h(c.severity), h(c.direction), h(c.persona), h(c.permission ?? '(persona)'), h(c.situation ?? ''), h(c.before ?? 'absent'), h(c.after ?? 'absent')]))}` : ''}
<h2>3. Findings</h2>
<p>Rules in the schema that are risky or probably mistaken, read from the schema alone.</p>
${findingsTable(found)}
<h2>4. Failures by cause</h2>
<p>Cells where the endpoint answered with another authorization outcome than the rules say, grouped by the rule that decided, the operation and the outcomes, with one example each (their evidence is in section 11).</p>
${failures(report, causes.auth, rules, 'No cell got another authorization outcome than the rules say.')}
<h2>5. Problems of the run, not of the app’s rules</h2>
<p>Cells that got no authorization outcome at all: what they test is unproven. They are problems of the run or of authmatrix (a record that could not be created, a handler that failed or could not load, a request that did not validate), not findings about the app’s rules.</p>
${failures(report, causes.problems, rules, 'Every cell got an authorization outcome.')}
<h2>6. Scope: rules, field access and who can</h2>
${scope(report, accessIndex(report.cells))}
<h2>7. Personas and how they were provisioned</h2>
${table(['persona', 'kind', 'who', 'provisioning'], report.personas.map((p) => [h(p.name), h(p.kind), h(p.description), h(p.provisioning)]))}
<p>Credentials are never recorded: request headers in the evidence are redacted.</p>
<h2>8. Coverage</h2>
${coverageSection(coverage, report)}
<h2>9. What was not tested</h2>
${notTested(report, coverage)}
<h2>10. The matrix</h2>
<p>Observed outcomes per persona (${Object.entries(SYMBOL).map(([k, v]) => `${v} ${k}`).join(', ')}, ⚠ error); ≠ marks a cell whose outcome differs from what the rules say. Records: O owner’s, S shared, U unowned.</p>
${heatmaps(report)}
<h2>11. Appendix: every cell and the evidence of failed cells</h2>
<h3>Evidence of failed cells</h3>
${failedEvidence(report, [...causes.auth, ...causes.problems])}
<h3>Every cell (${report.cells.length})</h3>
${everyCell(report)}
</body>
</html>
`;
}

/** Where Chromium is: AUTHMATRIX_CHROMIUM, else the usual system paths (Debian's `chromium` package first). */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.AUTHMATRIX_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Prints an HTML file to PDF with headless Chromium through playwright-core. */
export async function printPdf(htmlFile: string, pdfFile: string, executablePath: string, footer: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${path.resolve(htmlFile)}`, { waitUntil: 'load' });
    await page.pdf({
      path: pdfFile,
      format: 'A4',
      landscape: true,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;color:#59636e">${h(footer)} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: '12mm', bottom: '14mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}

export interface AuditResult {
  files: string[];
  /** Why a file was not written (e.g. no Chromium for the PDF). */
  notes: string[];
}

/** Writes audit.html, and audit.pdf when Chromium (and playwright-core) are installed. */
export async function writeAudit(report: RunReport, dir: string, resultsJson: string, options: { chromium?: string | null } = {}): Promise<AuditResult> {
  mkdirSync(dir, { recursive: true });
  const html = path.join(dir, 'audit.html');
  const resultsSha256 = createHash('sha256').update(resultsJson).digest('hex');
  writeFileSync(html, renderAuditHtml(scrubReport(report), { resultsSha256 }));
  const files = [html];
  const notes: string[] = [];
  const chromium = options.chromium === null ? undefined : options.chromium ?? findChromium();
  if (!chromium) {
    notes.push('audit.pdf not written: Chromium is not installed (apt-get install chromium, or set AUTHMATRIX_CHROMIUM to its path)');
    return { files, notes };
  }
  try {
    await import('playwright-core');
  } catch {
    notes.push('audit.pdf not written: playwright-core is not installed (npm install --save-dev playwright-core)');
    return { files, notes };
  }
  const pdf = path.join(dir, 'audit.pdf');
  await printPdf(html, pdf, chromium, `authmatrix audit · ${report.schema.path} · ${report.schema.hash}`);
  files.push(pdf);
  return { files, notes };
}
