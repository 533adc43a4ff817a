/**
 * Ctrl-C (SIGINT) and SIGTERM during `authmatrix run`. The first signal asks the run to stop: the cells
 * that finished are reported (marked interrupted), the rest are not run, and what the run made is
 * cleaned up; the command then exits 130 or 143 as a shell expects. A second signal exits at once
 * (the `exit` hooks still run: the run's temporary directory is removed, its test workers killed).
 */
import { EXIT_CODES } from '../../personas/shared/exit-codes.js';

export type StopSignal = keyof typeof EXIT_CODES;

export interface Interrupt {
  /** The first signal, once one came. */
  readonly signal: StopSignal | undefined;
  /** Settles with the first signal (never rejects). */
  readonly signalled: Promise<StopSignal>;
  /** Called at once when a second signal comes, before the process exits. */
  onSecond(hook: () => void): void;
  /** Stops listening. */
  dispose(): void;
}

export const exitCodeOf = (signal: StopSignal): number => EXIT_CODES[signal];

export function listenForInterrupt(): Interrupt {
  let first: StopSignal | undefined;
  let settle!: (s: StopSignal) => void;
  const signalled = new Promise<StopSignal>((ok) => (settle = ok));
  const hooks: (() => void)[] = [];
  const on = (signal: StopSignal) => {
    if (!first) {
      first = signal;
      settle(signal);
      return;
    }
    for (const hook of hooks) hook();
    process.exit(exitCodeOf(first));
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get signal() {
      return first;
    },
    signalled,
    onSecond: (hook) => void hooks.push(hook),
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Thrown out of a phase of the run that the signal cut short; the run reports what it has. */
export class Interrupted extends Error {
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}
