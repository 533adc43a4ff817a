/** `authmatrix run`: the contract run, its reports and the exit code of the gate. */
import path from 'node:path';
import { checkOutDir } from './out-paths.js';
import { collectHandlerLog } from './handler-log.js';
import type { RunOptions } from '../runner/run.js';
import { InputError } from '../schema/errors.js';
import { parseShard } from '../runner/shard.js';
import { findSchema } from '../schema/find-app.js';
import { exitCodeOf, Interrupted, listenForInterrupt } from '../runner/interrupt.js';
import { startDrive } from '../runner/drive.js';
import { parseThresholds } from '../../reports/coverage-dimensions.js';
import { loadGraphql } from '../graphql-mode.js';
import type { Severity } from '../lint/finding.js';

export interface RunCommandOptions extends Omit<RunOptions, 'drive' | 'shard' | 'gate' | 'interrupt'> {
  concurrency?: string;
  shard?: string;
  out: string;
  baseline?: string;
  allowWidening?: boolean;
  failOn?: Severity;
  minCoverage?: string;
}

/** `interrupted`: the run was stopped by a signal; the command exits at once (see harness/cli.ts). */
export async function runCommand(opts: RunCommandOptions): Promise<{ output: string; exitCode: number; interrupted?: true }> {
  const { out, concurrency, shard, baseline, allowWidening, failOn, minCoverage, ...rest } = opts;
  checkOutDir(out, '--out');
  // The emulator keeps up with more requests in flight than a deployed API should be sent (AppSync's and Cognito's
  // rate limits); on two cores 32 ran the blog 0.2–0.3 s faster than 16, and 64 no faster (docs/open-work.md).
  const workers = concurrency !== undefined ? Number(concurrency) : rest.target === 'deployed' ? 16 : 32;
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`invalid --concurrency ${concurrency}`, undefined, 'use a whole number ≥ 1');
  const shardOf = parseShard(shard);
  // The commonest mistake, a path with no app or several, is told before the test worker starts.
  const schema = findSchema(rest.schema);
  const thresholds = minCoverage !== undefined ? parseThresholds(minCoverage) : undefined;
  const gate = { ...(baseline ? { baseline } : {}), ...(allowWidening ? { allowWidening } : {}), ...(failOn ? { failOn } : {}) };
  // Listened for until the reports are written: a signal while they are written lets them finish.
  const interrupt = listenForInterrupt();
  // Started before the rest of authmatrix is loaded (this module imports only what checks the options): vitest and its
  // test worker, threads of this process with about a second of module loading between them, boot while the run's
  // thread loads, reads the app and plans the run (harness/runner/drive.ts).
  const drive = startDrive({ concurrency: workers, deployed: rest.target === 'deployed', out: rest.progress ?? process.stderr, interrupt });
  const handlerLog = collectHandlerLog();
  try {
    await loadGraphql();
    const [{ runContracts }, { terminalSummary }, { checkCoverage, coverageOf, renderCoverageTable }, { writeRunReports }] = await Promise.all([
      import('../runner/run.js'), import('../../reports/terminal.js'), import('../../reports/coverage.js'), import('../../reports/write.js'),
    ]);
    const outcome = await runContracts({ ...rest, schema, ...(shardOf ? { shard: shardOf } : {}), drive, gate, interrupt });
    const r = outcome.report;
    const coverage = coverageOf(r);
    if (thresholds) {
      // A shard covers only part of the matrix: it records the thresholds, and the merged report checks them.
      r.gate = { failures: [], ...r.gate, minCoverage: thresholds };
      if (!r.shard && !r.interrupted) r.gate.failures.push(...checkCoverage(coverage, thresholds));
    }
    const dir = writeRunReports(r, path.resolve(out), coverage);
    const failed = r.totals.mismatches > 0 || r.contracts.some((c) => c.broken) || (r.gate?.failures.length ?? 0) > 0;
    const shown = path.relative(process.cwd(), dir);
    const table = renderCoverageTable(coverage, process.stdout.isTTY ? process.stdout.columns || 100 : 100);
    const shownDir = shown.startsWith('..') ? dir : shown || '.';
    const handlers = handlerLog.write(dir, shownDir);
    const output = `${terminalSummary(r, process.stdout.isTTY === true)}\n\n${table}\n\n${handlers ? `${handlers}\n` : ''}Reports: ${shownDir}/ (results.json, junit.xml, summary.md, index.html, coverage.json)`;
    return interrupt.signal ? { output, exitCode: exitCodeOf(interrupt.signal), interrupted: true } : { output, exitCode: failed ? 1 : 0 };
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    return { output: `Interrupted by ${e.signal} before the run started: no reports written.`, exitCode: exitCodeOf(e.signal), interrupted: true };
  } finally {
    handlerLog.stop();
    await drive.close();
    interrupt.dispose();
  }
}
