/**
 * The audit report (`authmatrix report --audit`): one static HTML document, readable on screen and in
 * print, and a PDF of it when Chromium is installed. It states the scope, the schema hash, the target,
 * the tool version and the time; the personas and how they were provisioned; the verdict; the findings
 * and coverage; the full matrix with each cell's evidence; and what was not tested. It names the
 * SHA-256 of the results.json it was rendered from, which holds the untrimmed evidence.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CellResult } from '../harness/matrix/verdict.js';
import type { Finding } from '../harness/lint/finding.js';
import { findings as lintFindings } from '../harness/lint/lint.js';
import { describeRule } from '../harness/rules/describe.js';
import { COVERAGE_DIMENSIONS, DIMENSION_LABELS, coverageOf, type Coverage } from './coverage.js';
import { escapeHtml as h } from './escape.js';
import type { RunReport } from './results.js';
import { scrubReport } from './scrub.js';
import { runFailed } from './summary-md.js';

const EVIDENCE_CHARS = 1200;

const CSS = `
body { font: 11px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 6px; border-bottom: 1px solid #d1d9e0; padding-bottom: 2px; }
h3 { font-size: 12px; margin: 14px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #d1d9e0; padding: 2px 5px; text-align: left; vertical-align: top; word-break: break-word; }
thead th { background: #f6f8fa; }
table.kv th { width: 180px; background: #f6f8fa; font-weight: 600; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 10px; }
.fail { color: #cf222e; font-weight: 600; } .pass { color: #1a7f37; font-weight: 600; }
pre { margin: 2px 0; white-space: pre-wrap; word-break: break-all; font: 9px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 3px; }
tr { break-inside: avoid; } h2, h3 { break-after: avoid; }
.n { white-space: nowrap; }
@page { size: A4 landscape; margin: 14mm 10mm; }
@media print { body { margin: 0; } }
`;

/** Columns of short values that should not wrap. */
const SHORT = new Set(['severity', 'rule', 'expected', 'observed', 'verdict', 'covered', '%', 'threshold', 'kind', 'direction', 'before', 'after']);

const table = (head: string[], rows: string[][]): string => {
  const cls = head.map((x) => (SHORT.has(x) ? ' class="n"' : ''));
  return `<table><thead><tr>${head.map((x, i) => `<th scope="col"${cls[i]}>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${cls[i]}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
};

const kv = (rows: [string, string][]): string =>
  `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;

function trimmed(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1) ?? '';
  return text.length <= EVIDENCE_CHARS ? text : `${text.slice(0, EVIDENCE_CHARS)}… (${text.length} characters; in full in results.json)`;
}

function evidence(c: CellResult): string {
  const e = c.evidence;
  if (!e) return c.kind === 'delivery' ? '<span>event delivery (no request of its own)</span>' : '<span>no request recorded</span>';
  const headers = Object.entries(e.request.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `<pre>POST ${h(e.request.url)}\n${h(headers)}\n\n${h(trimmed(e.request.body))}</pre><pre>HTTP ${h(e.response.status)}${e.response.requestId ? ` · request id ${h(e.response.requestId)}` : ''}\n${h(trimmed(e.response.body))}</pre>`;
}

function subject(c: { model?: string; customOperation?: string; kind?: string }): string {
  return c.model ?? c.customOperation ?? (c.kind === 'probe' ? 'credential probes' : c.kind ?? 'other');
}

function scope(report: RunReport): string {
  const m = report.model;
  const models = m.models.map((x) => [
    h(x.name),
    x.rules.map((r) => `${h(r.id)}: ${h(describeRule(r))} [${h(r.operations.join(', '))}]`).join('<br>') || '<em>no rules</em>',
    x.fields.filter((f) => f.rules).map((f) => `${h(f.name)}: ${f.rules!.map((r) => `${h(r.id)} ${h(describeRule(r))} [${h(r.operations.join(', '))}]`).join('; ')}`).join('<br>') || '–',
  ]);
  const ops = m.customOperations.map((o) => [h(`${o.type} ${o.name}`), o.rules.map((r) => `${h(r.id)}: ${h(describeRule(r))}`).join('<br>') || '<em>no rules</em>', h(o.enforcement)]);
  return [
    kv([
      ['auth modes', h(`${m.authModes.enabled.join(', ')} (default ${m.authModes.default})`)],
      ['source', h(`${m.source.kind}: ${report.schema.path}`)],
      ['selection', report.only?.length ? h(`only ${report.only.join(', ')}`) : 'every cell of the matrix'],
      ...(m.caveats?.length ? [['caveats of the source', m.caveats.map(h).join('<br>')] as [string, string]] : []),
    ]),
    '<h3>Models and their rules</h3>',
    table(['model', 'rules', 'field rules'], models),
    ...(ops.length ? ['<h3>Custom operations</h3>', table(['operation', 'rules', 'enforcement'], ops)] : []),
  ].join('\n');
}

function findingsSection(items: Finding[]): string {
  if (!items.length) return '<p>No risky-rule findings.</p>';
  return table(['severity', 'rule', 'finding', 'fix'], items.map((f) => [h(f.severity), h(f.rule ?? f.model ?? '–'), `<b>${h(f.title)}</b><br>${h(f.explanation)}`, `<span class="mono">${h(f.fix)}</span>`]));
}

function coverageSection(coverage: Coverage, report: RunReport): string {
  return table(['dimension', 'covered', '%', 'threshold', 'not covered'], COVERAGE_DIMENSIONS.map((name) => {
    const d = coverage.dimensions[name];
    const min = report.gate?.minCoverage?.[name];
    return [h(DIMENSION_LABELS[name]), `${d.covered}/${d.total}`, `${d.percent}%`, min === undefined ? '–' : `${min}%`, d.uncovered.map((u) => h(`${u.item} (${u.missing})`)).join('<br>') || '–'];
  }));
}

function notTested(report: RunReport, coverage: Coverage): string {
  const items: string[] = [];
  if (report.target.kind === 'emulated') items.push('The run exercised the embedded emulator, which implements the resolvers Amplify generates; the deployed AppSync API itself was not exercised.');
  if (report.only?.length) items.push(`Only cells matching ${h(report.only.join(', '))} were run; the rest of the matrix was not.`);
  if (report.shard) items.push(`This is shard ${report.shard.index} of ${report.shard.count}: the other shards' cells are not in it.`);
  for (const c of report.model.caveats ?? []) items.push(`The schema source does not record everything: ${h(c)}`);
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

function matrix(report: RunReport): string {
  const bySubject = new Map<string, CellResult[]>();
  for (const c of report.cells) {
    const s = subject(c);
    let list = bySubject.get(s);
    if (!list) bySubject.set(s, (list = []));
    list.push(c);
  }
  return [...bySubject].map(([name, cells]) => `<h3>${h(name)} (${cells.length} cells, ${cells.filter((c) => !c.pass).length} mismatches)</h3>` +
    table(['cell', 'expected', 'observed', 'verdict', 'rule and reason', 'response', 'evidence'], cells.map((c) => [
      `<span class="mono">${h(c.id)}</span>`,
      h(c.expected),
      h(c.observed),
      c.pass ? '<span class="pass">match</span>' : `<span class="fail">MISMATCH</span><br>${h(c.detail)}`,
      `${h(c.rule ?? '(no rule)')}: ${h(c.reason)}`,
      `${h(c.summary)}<br>${h(c.latencyMs)} ms${c.requestId ? `<br><span class="mono">${h(c.requestId)}</span>` : ''}`,
      evidence(c),
    ]))).join('\n');
}

export interface AuditOptions {
  /** SHA-256 of the results.json the report was read from (or written to). */
  resultsSha256: string;
  generatedAt?: string;
}

export function renderAuditHtml(report: RunReport, options: AuditOptions, coverage: Coverage = coverageOf(report)): string {
  const t = report.totals;
  const failed = runFailed(report);
  const broken = report.contracts.filter((c) => c.broken);
  const found = report.gate?.findings?.items ?? lintFindings(report.model);
  const mismatches = report.cells.filter((c) => !c.pass);
  const baseline = report.gate?.baseline;
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
<p>${h(report.schema.path)} · <span class="${failed ? 'fail' : 'pass'}">${failed ? 'FAILED' : 'PASSED'}</span></p>
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
    ['cells', `${t.cells} run, ${t.passed} match, <span class="${t.mismatches ? 'fail' : ''}">${t.mismatches} mismatch(es)</span> (${t.errors} without an auth outcome), ${t.untested} could not run`],
    ['contracts', report.contracts.length ? `${report.contracts.length - broken.length} of ${report.contracts.length} hold` : 'none declared'],
    ['baseline', baseline ? h(`${baseline.file}: ${baseline.changes.length} permission change(s)`) : 'not compared'],
    ['gate failures', (report.gate?.failures ?? []).map(h).join('<br>') || 'none'],
  ])}
${mismatches.length ? `<h3>Mismatches (${mismatches.length})</h3>${table(['cell', 'expected', 'observed', 'why'], mismatches.map((c) => [`<span class="mono">${h(c.id)}</span>`, h(c.expected), h(c.observed), h(`${c.detail} (rule ${c.rule ?? '–'}: ${c.reason})`)]))}` : ''}
${report.contracts.length ? `<h3>Contracts (${report.contracts.length - broken.length} of ${report.contracts.length} hold)</h3>${table(['contract', 'statement', 'verdict', 'violations'], report.contracts.map((k) => [
    `${h(k.contract)}<br><span class="mono">${h(`${k.file}${k.line ? `:${k.line}` : ''}`)}</span>`,
    h(k.statement),
    `${k.broken ? `<span class="fail">broken (${k.broken === 'static' ? 'by the schema' : 'by the endpoint'})</span>` : '<span class="pass">holds</span>'}${k.explanation ? `<br>${h(k.explanation)}` : ''}`,
    k.violations.map((v) => h(`${v.cell}: expected ${v.expected}${v.observed ? `, observed ${v.observed}` : ''}; rule ${v.rule ?? '–'}: ${v.reason}`)).join('<br>') || '–',
  ]))}` : ''}
${baseline?.changes.length ? `<h3>Permission changes against ${h(baseline.file)}</h3>${table(['severity', 'direction', 'persona', 'permission', 'record', 'before', 'after'], baseline.changes.map((c) => [h(c.severity), h(c.direction), h(c.persona), h(c.permission ?? '(persona)'), h(c.situation ?? ''), h(c.before ?? 'absent'), h(c.after ?? 'absent')]))}` : ''}
<h2>3. Scope</h2>
${scope(report)}
<h2>4. Personas and how they were provisioned</h2>
${table(['persona', 'kind', 'who', 'provisioning'], report.personas.map((p) => [h(p.name), h(p.kind), h(p.description), h(p.provisioning)]))}
<p>Credentials are never recorded: request headers in the evidence are redacted.</p>
<h2>5. Findings</h2>
${findingsSection(found)}
<h2>6. Coverage</h2>
${coverageSection(coverage, report)}
<h2>7. What was not tested</h2>
${notTested(report, coverage)}
<h2>8. The matrix with evidence</h2>
<p>Every cell: what the schema's rules expect, what the endpoint answered, the deciding rule and reason, and the request and response (bodies cut at ${EVIDENCE_CHARS} characters; results.json holds them in full).</p>
${matrix(report)}
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
