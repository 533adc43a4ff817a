/** `authmatrix run`: the contract run, its reports and the exit code of the gate. */
import path from 'node:path';
import { checkOutDir } from './out-paths.js';
import { runContracts, type RunOptions } from '../runner/run.js';
import { exitCodeOf, Interrupted, listenForInterrupt } from '../runner/interrupt.js';
import { terminalSummary } from '../../reports/terminal.js';
import { checkCoverage, coverageOf, parseThresholds, renderCoverageTable } from '../../reports/coverage.js';
import { writeRunReports } from '../../reports/write.js';
import type { Severity } from '../lint/finding.js';

export interface RunCommandOptions extends Omit<RunOptions, 'concurrency' | 'gate' | 'interrupt'> {
  concurrency?: string;
  out: string;
  baseline?: string;
  allowWidening?: boolean;
  failOn?: Severity;
  minCoverage?: string;
}

/** `interrupted`: the run was stopped by a signal; the command exits at once (see harness/cli.ts). */
export async function runCommand(opts: RunCommandOptions): Promise<{ output: string; exitCode: number; interrupted?: true }> {
  const { out, concurrency, baseline, allowWidening, failOn, minCoverage, ...rest } = opts;
  checkOutDir(out, '--out');
  const thresholds = minCoverage !== undefined ? parseThresholds(minCoverage) : undefined;
  const gate = { ...(baseline ? { baseline } : {}), ...(allowWidening ? { allowWidening } : {}), ...(failOn ? { failOn } : {}) };
  // Listened for until the reports are written: a signal while they are written lets them finish.
  const interrupt = listenForInterrupt();
  try {
    const outcome = await runContracts({ ...rest, gate, interrupt, ...(concurrency !== undefined ? { concurrency: Number(concurrency) } : {}) });
    const r = outcome.report;
    const coverage = coverageOf(r);
    if (thresholds) {
      // A shard covers only part of the matrix: it records the thresholds, and the merged report checks them.
      r.gate = { failures: [], ...r.gate, minCoverage: thresholds };
      if (!r.shard && !r.interrupted) r.gate.failures.push(...checkCoverage(coverage, thresholds));
    }
    const dir = writeRunReports(r, path.resolve(out));
    const failed = r.totals.mismatches > 0 || r.contracts.some((c) => c.broken) || (r.gate?.failures.length ?? 0) > 0;
    const shown = path.relative(process.cwd(), dir);
    const table = renderCoverageTable(coverage, process.stdout.isTTY ? process.stdout.columns || 100 : 100);
    const output = `${terminalSummary(r, process.stdout.isTTY === true)}\n\n${table}\n\nReports: ${shown.startsWith('..') ? dir : shown || '.'}/ (results.json, junit.xml, summary.md, index.html, coverage.json)`;
    return interrupt.signal ? { output, exitCode: exitCodeOf(interrupt.signal), interrupted: true } : { output, exitCode: failed ? 1 : 0 };
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    return { output: `Interrupted by ${e.signal} before the run started: no reports written.`, exitCode: exitCodeOf(e.signal), interrupted: true };
  } finally {
    interrupt.dispose();
  }
}
