/** `authmatrix run`: the contract run, its reports and the exit code of the gate. */
import path from 'node:path';
import { checkOutDir } from './out-paths.js';
import { runContracts, type RunOptions } from '../runner/run.js';
import { terminalSummary } from '../../reports/terminal.js';
import { checkCoverage, coverageOf, parseThresholds, renderCoverageTable } from '../../reports/coverage.js';
import { writeReports } from '../../reports/write.js';
import type { Severity } from '../lint/finding.js';

export interface RunCommandOptions extends Omit<RunOptions, 'concurrency' | 'gate'> {
  concurrency?: string;
  out: string;
  baseline?: string;
  allowWidening?: boolean;
  failOn?: Severity;
  minCoverage?: string;
}

export async function runCommand(opts: RunCommandOptions): Promise<{ output: string; exitCode: number }> {
  const { out, concurrency, baseline, allowWidening, failOn, minCoverage, ...rest } = opts;
  checkOutDir(out, '--out');
  const thresholds = minCoverage !== undefined ? parseThresholds(minCoverage) : undefined;
  const gate = { ...(baseline ? { baseline } : {}), ...(allowWidening ? { allowWidening } : {}), ...(failOn ? { failOn } : {}) };
  const outcome = await runContracts({ ...rest, gate, ...(concurrency !== undefined ? { concurrency: Number(concurrency) } : {}) });
  const dir = path.resolve(out);
  const r = outcome.report;
  const coverage = coverageOf(r);
  if (thresholds) {
    // A shard covers only part of the matrix: it records the thresholds, and the merged report checks them.
    r.gate = { failures: [], ...r.gate, minCoverage: thresholds };
    if (!r.shard) r.gate.failures.push(...checkCoverage(coverage, thresholds));
  }
  writeReports(r, dir);
  const failed = r.totals.mismatches > 0 || r.contracts.some((c) => c.broken) || (r.gate?.failures.length ?? 0) > 0;
  const shown = path.relative(process.cwd(), dir);
  const table = renderCoverageTable(coverage, process.stdout.isTTY ? process.stdout.columns || 100 : 100);
  const output = `${terminalSummary(r, process.stdout.isTTY === true)}\n\n${table}\n\nReports: ${shown.startsWith('..') ? dir : shown || '.'}/ (results.json, junit.xml, summary.md, index.html, coverage.json)`;
  return { output, exitCode: failed ? 1 : 0 };
}
