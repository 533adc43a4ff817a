/** `authmatrix run`: the contract run, its reports and the exit code of the gate. */
import path from 'node:path';
import { runContracts, type RunOptions } from '../runner/run.js';
import { terminalSummary } from '../../reports/terminal.js';
import { coverageOf, renderCoverageTable } from '../../reports/coverage.js';
import { shardPositions } from '../../reports/merge.js';
import { writeReports } from '../../reports/write.js';
import { expectedMatrix } from '../matrix/cells.js';
import type { Severity } from '../rules/findings.js';

export interface RunCommandOptions extends Omit<RunOptions, 'concurrency' | 'gate'> {
  concurrency?: string;
  out: string;
  baseline?: string;
  allowWidening?: boolean;
  failOn?: Severity;
}

export async function runCommand(opts: RunCommandOptions): Promise<{ output: string; exitCode: number }> {
  const { out, concurrency, baseline, allowWidening, failOn, ...rest } = opts;
  const gate = { ...(baseline ? { baseline } : {}), ...(allowWidening ? { allowWidening } : {}), ...(failOn ? { failOn } : {}) };
  const outcome = await runContracts({ ...rest, gate, ...(concurrency !== undefined ? { concurrency: Number(concurrency) } : {}) });
  const dir = path.resolve(out);
  const r = outcome.report;
  // A shard records where its cells sit in the unsharded matrix, for `authmatrix report --merge`.
  const positions = r.shard && !r.positions ? { positions: shardPositions(r, expectedMatrix(outcome.model, outcome.cast).map((c) => c.id)) } : {};
  writeReports({ ...r, ...positions }, dir);
  const failed = r.totals.mismatches > 0 || r.contracts.some((c) => c.broken) || (r.gate?.failures.length ?? 0) > 0;
  const shown = path.relative(process.cwd(), dir);
  const coverage = renderCoverageTable(coverageOf(r), process.stdout.isTTY ? process.stdout.columns || 100 : 100);
  const output = `${terminalSummary(r, process.stdout.isTTY === true)}\n\n${coverage}\n\nReports: ${shown.startsWith('..') ? dir : shown || '.'}/ (results.json, junit.xml, summary.md, index.html, coverage.json)`;
  return { output, exitCode: failed ? 1 : 0 };
}
