/** The summary `authmatrix run` prints at the end: totals, then each mismatch with what to look at. */
import pc from 'picocolors';
import type { RunReport } from './results.js';

const MAX_LISTED = 25;

export function terminalSummary(report: RunReport, color = true): string {
  const c = color ? pc : pc.createColors(false);
  const t = report.totals;
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  const lines: string[] = [];
  const failed = report.cells.filter((x) => !x.pass);
  if (failed.length) {
    lines.push('', c.bold(c.red(`Mismatches (${failed.length})`)));
    for (const r of failed.slice(0, MAX_LISTED)) {
      lines.push(`  ${c.red('✗')} ${r.id}`, `      expected ${r.expected}, observed ${r.observed}: ${r.detail}`, `      ${c.dim(`rule ${r.rule ?? '—'}: ${r.reason}`)}`);
    }
    if (failed.length > MAX_LISTED) lines.push(c.dim(`  … and ${failed.length - MAX_LISTED} more (see results.json)`));
  }
  const broken = report.contracts.filter((x) => x.broken);
  if (broken.length) {
    lines.push('', c.bold(c.red(`Broken contracts (${broken.length})`)));
    for (const b of broken) lines.push(`  ${c.red('✗')} ${b.contract}: ${b.statement} (${b.broken}: ${b.violations.slice(0, 3).map((v) => v.cell).join(', ')}${b.violations.length > 3 ? ', …' : ''})`);
  }
  for (const f of report.gate?.failures ?? []) lines.push(`  ${c.red('✗')} ${f}`);
  const cut = report.interrupted;
  const verdict = cut ? c.yellow('INTERRUPTED') : t.mismatches || broken.length || report.gate?.failures.length ? c.red('FAILED') : c.green('PASSED');
  if (cut) lines.push('', `${c.yellow('⏹')} Stopped by ${cut.signal} after ${cut.cellsRun} of ${cut.cellsPlanned} cells; the other ${cut.cellsPlanned - cut.cellsRun} were not run and count neither as passed nor as failed.`);
  lines.push(
    '',
    `${verdict}  ${cut ? `${t.cells} of ${cut.cellsPlanned} cells ran, ${t.passed} match` : `${t.passed}/${t.cells} cells match`}${t.mismatches ? `, ${t.mismatches} mismatch${t.mismatches === 1 ? '' : 'es'}${t.errors ? ` (${t.errors} not auth outcomes)` : ''}` : ''}` +
      `${t.untested ? `, ${t.untested} could not run` : ''}${report.contracts.length ? `, ${report.contracts.length - broken.length}/${report.contracts.length} contracts hold` : ''} · ${seconds} s`,
  );
  return lines.join('\n');
}
