/**
 * `summary.md`: the run for a pull-request comment or `$GITHUB_STEP_SUMMARY`: totals, mismatches,
 * broken contracts, permission changes against the baseline, findings, coverage and what could not
 * run. Lists are capped so the comment stays well under GitHub's 65,536 characters.
 */
import { renderDiff } from '../harness/snapshot/permission-diff.js';
import { SEVERITIES } from '../harness/lint/finding.js';
import { DIMENSION_LABELS, shownDimensions, type Coverage } from './coverage.js';
import { mdCell as m } from './escape.js';
import { emptyBucketNotes } from '../harness/schema/storage/model.js';
import type { RunReport } from './results.js';

const MAX_ROWS = 50;
const MAX_TEXT = 300;

const clip = (s: string, n = MAX_TEXT): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

export function runFailed(report: RunReport): boolean {
  return report.totals.mismatches > 0 || report.contracts.some((c) => c.broken) || (report.gate?.failures.length ?? 0) > 0;
}

function more(total: number, shown: number, where: string): string[] {
  return total > shown ? ['', `… and ${total - shown} more in ${where}.`] : [];
}

export function renderSummaryMd(report: RunReport, coverage: Coverage): string {
  const t = report.totals;
  const broken = report.contracts.filter((c) => c.broken);
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  const out: string[] = [
    `## authmatrix: ${report.interrupted ? '⏹ interrupted' : runFailed(report) ? '❌ failed' : '✅ passed'}`,
    '',
    `${m(report.schema.path)} (${m(report.schema.hash)}) against the ${m(report.target.kind === 'emulated' ? report.target.endpoint : `deployed API ${report.target.endpoint}`)}` +
      ` · authmatrix ${m(report.tool.version)} · ${seconds} s${report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : ''}${report.only?.length ? ` · only ${m(report.only.join(', '))}` : ''}`,
    '',
    '| cells | match | mismatches | not auth outcomes | could not run | contracts held |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${t.cells} | ${t.passed} | ${t.mismatches} | ${t.errors} | ${t.untested} | ${report.contracts.length ? `${report.contracts.length - broken.length}/${report.contracts.length}` : '–'} |`,
  ];

  for (const note of emptyBucketNotes(report.model.storage)) out.push('', `> Note: ${m(note)}.`);

  const cut = report.interrupted;
  if (cut) out.push('', `> Interrupted by ${cut.signal} after ${cut.cellsRun} of ${cut.cellsPlanned} cells: only those are reported; the other ${cut.cellsPlanned - cut.cellsRun} count neither as passed nor as failed.`);

  const failed = report.cells.filter((c) => !c.pass);
  if (failed.length) {
    out.push('', `### Mismatches (${failed.length})`, '', '| cell | expected | observed | rule | why |', '|---|---|---|---|---|');
    for (const c of failed.slice(0, MAX_ROWS)) {
      out.push(`| ${m(c.id)} | ${m(c.expected)} | **${m(c.observed)}** | ${m(c.rule ?? '–')} | ${m(clip(`${c.detail} (${c.reason})`))} |`);
    }
    out.push(...more(failed.length, MAX_ROWS, 'index.html and results.json'));
  }

  if (broken.length) {
    out.push('', `### Broken contracts (${broken.length})`, '', '| contract | statement | broken by | cells |', '|---|---|---|---|');
    for (const k of broken.slice(0, MAX_ROWS)) {
      const cells = k.violations.slice(0, 3).map((v) => v.cell).join(', ') + (k.violations.length > 3 ? `, … (${k.violations.length})` : '');
      out.push(`| ${m(k.contract)} | ${m(clip(k.statement))} | ${k.broken === 'static' ? 'the schema' : 'the endpoint'} | ${m(cells)} |`);
    }
    out.push(...more(broken.length, MAX_ROWS, 'results.json'));
  }

  const baseline = report.gate?.baseline;
  if (baseline) {
    out.push('', `### Permission changes against the baseline (${m(baseline.file)})`, '');
    const shown = baseline.changes.slice(0, MAX_ROWS * 4);
    // The diff's own headings sit one level below this section.
    out.push(renderDiff(shown, 'md').replace(/^### /gm, '#### '));
    out.push(...more(baseline.changes.length, shown.length, 'results.json (gate.baseline)'));
  }

  const findings = report.gate?.findings;
  if (findings?.items.length) {
    const counts = SEVERITIES.map((s) => `${s} ${findings.items.filter((f) => f.severity === s).length}`).join(', ');
    out.push('', `### Findings (${findings.items.length}: ${counts})`, '', '| severity | rule | finding |', '|---|---|---|');
    for (const f of findings.items.slice(0, MAX_ROWS)) out.push(`| ${f.severity} | ${m(f.rule ?? f.model ?? '–')} | ${m(clip(f.title))} |`);
    out.push(...more(findings.items.length, MAX_ROWS, '`authmatrix lint`'));
  }

  out.push('', '### Coverage', '', '| dimension | covered | % | not covered |', '|---|---:|---:|---|');
  for (const name of shownDimensions(coverage)) {
    const d = coverage.dimensions[name];
    const min = report.gate?.minCoverage?.[name];
    const gaps = d.uncovered.slice(0, 5).map((u) => `${u.item} (${u.missing})`).join('; ') + (d.uncovered.length > 5 ? `; … (${d.uncovered.length})` : '');
    out.push(`| ${m(DIMENSION_LABELS[name])} | ${d.covered}/${d.total} | ${d.percent}%${min !== undefined ? ` (min ${min}%)` : ''} | ${m(gaps) || '–'} |`);
  }

  if (report.untested.length) {
    out.push('', `### Could not run (${report.untested.length})`, '');
    for (const u of report.untested.slice(0, 10)) out.push(`- ${m(u.id)}: ${m(clip(u.reason))}`);
    out.push(...more(report.untested.length, 10, 'results.json'));
  }

  const gate = report.gate?.failures ?? [];
  if (gate.length) {
    out.push('', `### Gate (${plural(gate.length, 'failure')})`, '');
    for (const f of gate) out.push(`- ${m(f)}`);
  }
  return out.join('\n') + '\n';
}
