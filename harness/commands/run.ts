/** `authmatrix run`: the contract run, its reports and the exit code of the gate. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runContracts, type RunOptions } from '../runner/run.js';
import { terminalSummary } from '../../reports/terminal.js';
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
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(outcome.report) + '\n');
  const r = outcome.report;
  const failed = r.totals.mismatches > 0 || r.contracts.some((c) => c.broken) || (r.gate?.failures.length ?? 0) > 0;
  const shown = path.relative(process.cwd(), dir);
  const output = `${terminalSummary(r, process.stdout.isTTY === true)}\nReports: ${shown.startsWith('..') ? dir : shown || '.'}/`;
  return { output, exitCode: failed ? 1 : 0 };
}
