/**
 * The vitest drive of `authmatrix run`: every cell in a test of specs/matrix.spec.ts. vitest's main side runs in a worker
 * thread of the run's process (drive-thread.ts) and its test worker in a thread of its own (vitest's threads pool),
 * which fetches its credentials from the broker. The command starts the drive before it loads the rest of authmatrix
 * (harness/commands/run.ts): vitest and its worker boot while the run's process loads, reads the app and plans the
 * run; the spec waits at collection until the run file is written (broker.ts `awaitRun`), and its tests until the
 * fixtures are made (`awaitFixtures`): the worker collects while the run's process makes them. Everything the drive
 * starts is a thread of this process: stopping it is ending the drive's thread, and nothing outlives the process.
 * The drive owns the run's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CellResult } from '../matrix/verdict.js';
import { CellCollector, Progress } from '../../reports/reporter.js';
import type { DriveThreadData, FromThread } from './drive-thread.js';
import { cacheDir } from '../schema/cache-dir.js';
import { startBroker, type BrokerHandlers } from './broker.js';
import { BROKER_SECRET_ENV, BROKER_URL_ENV, RUN_FILE_ENV } from './worker-env.js';
import type { Interrupt } from './interrupt.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The compiled harness (a RegExp: vitest reads a string here as a package name). */
const DIST = new RegExp(`^${(path.join(PACKAGE_ROOT, 'dist') + path.sep).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/**
 * After a signal, how long the cells under way get to settle (and report the records they made) before the test
 * worker is stopped: on the emulator a moment (the run stops within about 2 s); on a deployed app long enough for a
 * cell's requests and its subscription wait, so that every record it made is reported and deleted. The worker says
 * when none is left (broker.ts `POST /idle`). Ending vitest's thread ends its worker: a signal does not cancel vitest
 * (which ends its worker at once, cells under way and all), it stops the worker's cells (session.ts).
 */
const GRACE_MS = { emulated: 1_000, deployed: 25_000 };
const delay = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms).unref());

export interface DriveOptions {
  concurrency: number;
  deployed: boolean;
  out: NodeJS.WriteStream;
  interrupt: Interrupt;
}

export interface DriveOutcome {
  /** The cells the worker reported, in the order they finished. */
  results: CellResult[];
  /** Cut short by a signal: only the cells that finished. */
  cut: boolean;
  /** The first failure that was not a cell's (a spec that could not load), if any. */
  problem: string | undefined;
}

export interface Drive {
  /** Where the run file goes; written before `run` is called. */
  readonly runFile: string;
  /** Cells in flight at once. */
  readonly concurrency: number;
  /**
   * The run is ready: the worker reads the run file and collects its tests, which run once `handlers.fixtures`
   * settles (their records made; if it rejects, the tests fail at once and the worker ends).
   */
  run(handlers: BrokerHandlers, cells: number): Promise<DriveOutcome>;
  /**
   * Ends the drive and removes its directory. Before `run` (the run ends before its cells: an error, a signal), vitest
   * and its worker are stopped at once (they have made nothing yet). Once is enough; later calls wait for the first.
   */
  close(): Promise<void>;
}

interface Started {
  thread: Worker;
  finished: Promise<boolean>;
  broker: Awaited<ReturnType<typeof startBroker>>;
}

export function startDrive(opts: DriveOptions): Drive {
  const { deployed, interrupt } = opts;
  let give!: (h: BrokerHandlers) => void;
  let refuse!: (e: Error) => void;
  const ready = new Promise<BrokerHandlers>((ok, no) => {
    give = ok;
    refuse = no;
  });
  // The run file goes there, and vitest's transformed modules.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-run-'));
  const removeRunDir = () => rmSync(runDir, { recursive: true, force: true });
  process.once('exit', removeRunDir);
  const runFile = path.join(runDir, 'run.json');
  const collector = new CellCollector();
  let requestStop!: () => void;
  let idle!: () => void;
  const idleReported = new Promise<void>((ok) => (idle = ok));
  const stop = { requested: new Promise<void>((ok) => (requestStop = ok)), idle };
  let given = false;
  let running: Promise<DriveOutcome> | undefined;
  let closed: Promise<void> | undefined;
  const started: Promise<Started> = (async () => {
    const broker = await startBroker(ready, stop);
    const data: DriveThreadData = {
      root: PACKAGE_ROOT,
      spec: 'specs/matrix.spec.ts',
      cacheDir: path.join(runDir, 'vite'),
      moduleCache: cacheDir('vitest'),
      // The spec imports the compiled harness from dist/: Node loads it as it is, a second faster than vite's
      // module runner transforming every file (bench/contract-run.js). The spec itself goes through the module
      // runner: importing it natively (`experimental.viteModuleRunner: false`) puts a module-hooks thread in the
      // worker that cost more than the transform saves (blog 3.56–3.74 s against 3.75–4.10 s, 2026-12-05).
      external: DIST.source,
      env: { [RUN_FILE_ENV]: runFile, [BROKER_URL_ENV]: broker.url, [BROKER_SECRET_ENV]: broker.secret },
      concurrency: opts.concurrency,
    };
    // Vitest keeps the modules it transforms in a directory under os.tmpdir(), named when it is created: made inside
    // the run's own directory, it goes with it, also when a second Ctrl-C exits at once. Signals are not delivered to
    // a worker thread: vitest, which exits on Ctrl-C by itself, leaves the run to stop its own way
    // (harness/runner/interrupt.ts).
    const thread = new Worker(new URL('./drive-thread.js', import.meta.url), { workerData: data, env: { ...process.env, TMPDIR: runDir } });
    let ended!: (error: string | undefined) => void;
    const finished = new Promise<boolean>((ok, no) => (ended = (error) => (error === undefined ? ok(false) : no(new Error(error)))));
    // Awaited once the run is ready: a failure before then (the spec could not load) must not end the process.
    finished.catch(() => undefined);
    await new Promise<void>((ok, no) => {
      thread.on('message', (m: FromThread) => {
        if (m.type === 'started') ok();
        else if (m.type === 'failed') no(new Error(m.message));
        else if (m.type === 'results') for (const r of m.results) collector.result(r);
        else if (m.type === 'problem') collector.problem(m.problem);
        else if (m.type === 'ended') {
          collector.end();
          ended(m.error);
        }
      });
      thread.once('error', (e) => {
        no(e);
        ended(e.message);
      });
      thread.once('exit', () => {
        no(new Error('the test drive ended before it started'));
        ended('the test drive ended before the run did');
      });
    }).catch(async (e: unknown) => {
      await end({ thread, broker });
      throw e;
    });
    return { thread, finished, broker };
  })();
  started.catch(() => undefined);
  return {
    runFile,
    concurrency: opts.concurrency,
    run(handlers, cells) {
      given = true;
      collector.track(new Progress(cells, opts.out));
      give(handlers);
      running = (async () => {
        const s = await started;
        let cut: CellResult[] | undefined;
        try {
          if (await Promise.race([s.finished, interrupt.signalled.then(() => true)])) {
            // The worker starts no cell any more and ends every test with the cells it finished (vitest's own cancel
            // would end its worker with them); the cells under way get their grace to settle.
            requestStop();
            await Promise.race([Promise.all([idleReported, s.finished.catch(() => undefined)]), delay(deployed ? GRACE_MS.deployed : GRACE_MS.emulated)]);
            cut = collector.stop();
          }
        } finally {
          await end(s);
        }
        return { results: cut ?? collector.results, cut: !!cut, problem: collector.problems[0]?.message };
      })();
      return running;
    },
    close() {
      closed ??= (async () => {
        if (!given) await abandon();
        // A run that failed while its tests waited for the fixtures ends once the worker has learnt it.
        else await running?.catch(() => undefined);
        process.off('exit', removeRunDir);
        removeRunDir();
      })();
      return closed;
    },
  };

  async function abandon(): Promise<void> {
    given = true;
    refuse(new Error('the run ended before its cells'));
    collector.stop();
    const s = await started.catch(() => undefined);
    if (s) await end(s);
  }
}

/**
 * Ending vitest's thread ends vitest and its worker at once: closing vitest (its server, its pool) cost the end of a
 * run 50–350 ms, and what it would tidy is in this process or in the run's directory. Then the broker.
 */
async function end(s: Pick<Started, 'thread' | 'broker'>): Promise<void> {
  await s.thread.terminate();
  await s.broker.close();
}
