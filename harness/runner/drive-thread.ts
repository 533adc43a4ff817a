/**
 * vitest's main side, in a worker thread of the run's process (harness/runner/drive.ts starts it): loading vitest and
 * vite, resolving the config, transforming the spec and following every test are off the thread that reads the app,
 * plans, provisions and serves the emulator. Its test worker is a thread too (the threads pool): no process to boot,
 * and its test updates come by message port rather than a child process's pipe (0.3 CPU-s less on the blog's run than
 * the forks pool, docs/architecture.md "Performance"). It sends the cells' results to the run's thread as they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createVitest } from 'vitest/node';
import type { CellResult } from '../matrix/verdict.js';
import { MatrixReporter, type Problem } from '../../reports/reporter.js';

export interface DriveThreadData {
  root: string;
  spec: string;
  /** Where vite keeps the modules it transforms (inside the run's directory). */
  cacheDir: string;
  /** Where vitest keeps the spec as transformed, between runs (harness/schema/cache-dir.ts), if it can. */
  moduleCache: string | undefined;
  /** The compiled harness, which the worker imports natively: a RegExp's source. */
  external: string;
  env: Record<string, string>;
  concurrency: number;
}

export type FromThread =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  | { type: 'results'; results: CellResult[] }
  | { type: 'problem'; problem: Problem }
  /** vitest's run ended (`error`: it could not run). */
  | { type: 'ended'; error?: string };

const port = parentPort!;
const data = workerData as DriveThreadData;
const post = (m: FromThread) => port.postMessage(m);

// Results go in batches: vitest reports the tests of one update from the worker together.
let batch: CellResult[] = [];
const flush = () => {
  if (batch.length) post({ type: 'results', results: batch });
  batch = [];
};
const reporter = new MatrixReporter({
  result: (r) => {
    if (!batch.length) setImmediate(flush);
    batch.push(r);
  },
  problem: (problem) => {
    flush();
    post({ type: 'problem', problem });
  },
  end: flush,
});

try {
  const vitest = await createVitest('test', {
    root: data.root,
    config: false,
    include: [data.spec],
    pool: 'threads',
    watch: false,
    reporters: [reporter],
    maxConcurrency: data.concurrency,
    fileParallelism: false,
    ...(data.moduleCache ? { experimental: { fsModuleCache: true, fsModuleCachePath: data.moduleCache } } : {}),
    server: { deps: { external: [new RegExp(data.external)] } },
    env: data.env,
  }, { cacheDir: data.cacheDir, logLevel: 'silent' });
  post({ type: 'started' });
  vitest.start().then(
    () => {
      flush();
      post({ type: 'ended' });
    },
    (e: unknown) => {
      flush();
      post({ type: 'ended', error: e instanceof Error ? e.message : String(e) });
    },
  );
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}
