/**
 * The vitest drive of `authmatrix run`: every cell a test of specs/matrix.spec.ts, run in a vitest worker that
 * fetches its credentials from the broker. The command starts the drive before it loads the rest of authmatrix
 * (harness/commands/run.ts): the worker's boot (a second of module loading in its own process) overlaps the app's
 * loading, the planning and the personas' provisioning; its spec waits at collection until the run file is
 * written (broker.ts `awaitRun`), and its tests until the fixtures are made (`awaitFixtures`): the worker collects
 * while the run's process makes them. The drive owns the run's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVitest, type Vitest } from 'vitest/node';
import type { CellResult } from '../matrix/verdict.js';
import { MatrixReporter, Progress } from '../../reports/reporter.js';
import { startBroker, type BrokerHandlers } from './broker.js';
import { BROKER_SECRET_ENV, BROKER_URL_ENV, RUN_FILE_ENV } from './worker-env.js';
import type { Interrupt } from './interrupt.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The compiled modules specs/matrix.spec.ts imports. */
export const PRELOADED = [new URL('./session.js', import.meta.url).href, new URL('../../reports/cell-meta.js', import.meta.url).href];
/** The compiled harness (a RegExp: vitest reads a string here as a package name). */
const DIST = new RegExp(`^${(path.join(PACKAGE_ROOT, 'dist') + path.sep).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/**
 * After a signal, how long the cells in flight get to finish and report before the test worker is
 * stopped: on the emulator a moment (the run stops within about 2 s); on a deployed app long enough
 * for a cell's requests and its subscription wait, so that every record it made is reported and deleted.
 */
const GRACE_MS = { emulated: 1_000, deployed: 25_000 };
/**
 * How long an abandoned run waits for its test worker to boot, learn that the run ended and end by itself: vitest
 * waits as long for a worker it started that has not answered yet (a worker stopped sooner cost that minute).
 */
const BOOT_MS = 60_000;
/** How long vitest gets to close once its worker is stopped. */
const CLOSE_MS = 1_000;
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
  /** Settles once vitest is made and starting its worker (or failed to). */
  readonly booting: Promise<void>;
  /**
   * The run is ready: the worker reads the run file and collects its tests, which run once `handlers.fixtures`
   * settles (their records made; if it rejects, the tests fail at once and the worker ends).
   */
  run(handlers: BrokerHandlers, cells: number): Promise<DriveOutcome>;
  /**
   * Ends the drive and removes its directory. Before `run` (the run ends before its cells: an error, a signal), the
   * worker is told, and stopped. Once is enough; later calls wait for the first.
   */
  close(): Promise<void>;
}

interface Started {
  vitest: Vitest;
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
  let broker: Started['broker'] | undefined;
  const stopWorkers = () => {
    for (const pid of broker?.workers ?? []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const removeRunDir = () => rmSync(runDir, { recursive: true, force: true });
  process.once('exit', stopWorkers);
  process.once('exit', removeRunDir);
  const runFile = path.join(runDir, 'run.json');
  const reporter = new MatrixReporter();
  let given = false;
  let running: Promise<DriveOutcome> | undefined;
  let closed: Promise<void> | undefined;
  const started: Promise<Started> = (async () => {
    broker = await startBroker(ready);
    const before = signalListeners();
    // Vitest keeps the modules it transforms in a directory under os.tmpdir(), named when it is created:
    // made inside the run's own directory, it goes with it, also when a second Ctrl-C exits at once.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = runDir;
    const prepareStackTrace = Error.prepareStackTrace;
    const vitest = await createVitest('test', {
      root: PACKAGE_ROOT,
      config: false,
      include: ['specs/matrix.spec.ts'],
      // What the spec imports, loaded as the worker starts: it would otherwise wait to load them until this process,
      // busy planning, has transformed the spec for it (the worker was ready 0.3–0.4 s later).
      execArgv: PRELOADED.flatMap((m) => ['--import', m]),
      watch: false,
      reporters: [reporter],
      maxConcurrency: opts.concurrency,
      testTimeout: deployed ? 120_000 : 30_000,
      hookTimeout: deployed ? 300_000 : 60_000,
      fileParallelism: false,
      // The spec imports the compiled harness from dist/: Node loads it as it is, a second faster than vite's
      // module runner transforming every file (bench/contract-run.js). The spec itself goes through the module
      // runner: importing it natively (`experimental.viteModuleRunner: false`) puts a module-hooks thread in the
      // worker that cost more than the transform saves (blog 3.56–3.74 s against 3.75–4.10 s, 2026-12-05).
      server: { deps: { external: [DIST] } },
      env: { [RUN_FILE_ENV]: runFile, [BROKER_URL_ENV]: broker.url, [BROKER_SECRET_ENV]: broker.secret },
    }, { cacheDir: path.join(runDir, 'vite'), logLevel: 'silent' }).finally(() => {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
      // Vite maps every stack trace of this process through its module runner's source maps; this process runs
      // no transformed module, and graphql-js reads the stack of every error a resolver of the emulator throws.
      Error.prepareStackTrace = prepareStackTrace;
    });
    // Vitest exits on Ctrl-C by itself; the run stops it its own way (harness/runner/interrupt.ts).
    for (const [signal, listener] of signalListeners()) if (!before.some(([s, l]) => s === signal && l === listener)) process.off(signal, listener);
    const finished = vitest.start().then(() => false);
    // Awaited once the run is ready: a failure before then (the spec could not load) must not end the process.
    finished.catch(() => undefined);
    return { vitest, finished, broker };
  })();
  started.catch(() => undefined);
  const end = async (s: Started | undefined) => {
    process.off('exit', stopWorkers);
    await s?.broker.close();
  };

  return {
    runFile,
    booting: started.then(() => undefined, () => undefined),
    run(handlers, cells) {
      given = true;
      reporter.track(new Progress(cells, opts.out));
      give(handlers);
      running = (async () => {
        const s = await started;
        let cut: CellResult[] | undefined;
        try {
          if (!(await Promise.race([s.finished, interrupt.signalled.then(() => true)]))) {
            await s.vitest.close();
          } else {
            // Tests not started are cancelled; those in flight get their grace, then the worker is stopped.
            void s.vitest.cancelCurrentRun('keyboard-input').catch(() => undefined);
            await Promise.race([s.finished.catch(() => undefined), delay(deployed ? GRACE_MS.deployed : GRACE_MS.emulated)]);
            cut = reporter.stop();
            stopWorkers();
            await Promise.race([s.vitest.close().catch(() => undefined), delay(CLOSE_MS)]);
          }
        } finally {
          await end(s);
        }
        return { results: cut ?? reporter.results, cut: !!cut, problem: reporter.problems[0]?.message };
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
    const s = await started.catch(() => undefined);
    reporter.stop();
    if (s) {
      // The worker learns it when it asks for the run (`GET /run` answers 410) and ends its collection; one still
      // booting has not said who it is, and vitest would wait a minute for it to stop: its boot is waited for. A
      // worker killed while vitest ends it is waited for as long, so only one that did not end is killed.
      const ended = await Promise.race([s.finished.then(() => true, () => true), delay(BOOT_MS).then(() => false)]);
      if (!ended) stopWorkers();
      await Promise.race([s.vitest.close().catch(() => undefined), delay(CLOSE_MS)]);
    }
    await end(s);
  }
}

function signalListeners(): [NodeJS.Signals, (...args: unknown[]) => void][] {
  return (['SIGINT', 'SIGTERM'] as const).flatMap((signal) => process.listeners(signal).map((l) => [signal, l as (...args: unknown[]) => void] as [NodeJS.Signals, (...args: unknown[]) => void]));
}
