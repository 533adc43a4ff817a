/**
 * The cells in flight in the test worker: specs/matrix.spec.ts runs a group of cells per test, several groups at once,
 * and the run's concurrency bounds their cells together; a cell that takes too long is an error of its own.
 */

export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Runs `work` once a slot is free, unless `signal` has aborted by then. */
  async run(signal: AbortSignal, work: () => Promise<void>): Promise<void> {
    if (this.active < this.size) this.active++;
    // A freed slot is handed to the first in line, still counted as taken.
    else await new Promise<void>((ok) => this.waiting.push(ok));
    try {
      if (!signal.aborted) await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** `work`'s value, or `late()`'s once `ms` have passed without it. */
export function withinLimit<T>(ms: number, work: Promise<T>, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<T>((ok) => (timer = setTimeout(() => ok(late()), ms)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
