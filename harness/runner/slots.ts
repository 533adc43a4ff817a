/**
 * The cells in flight in the test worker. specs/matrix.spec.ts runs a group of cells per test, several groups at once,
 * and the run's concurrency bounds their cells together (`Slots`): a cell holds its slot until it has its verdict, at
 * its time limit at the latest. A request past that limit may still be under way; `Pending` knows when none is left, so
 * that a stopped run waits for the records its cells made before it cleans up (harness/runner/drive.ts).
 */

export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** A slot once one is free (its release, which counts once), or undefined when `signal` has aborted by then. */
  async acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (this.active < this.size) this.active++;
    // A freed slot is handed to the first in line, still counted as taken.
    else await new Promise<void>((ok) => this.waiting.push(ok));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
    if (!signal.aborted) return release;
    release();
    return undefined;
  }
}

/** Promises not settled yet. */
export class Pending {
  private count = 0;
  private idlers: (() => void)[] = [];

  track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    void work.then(this.settled, this.settled);
    return work;
  }

  /** Settles once every tracked promise has. */
  idle(): Promise<void> {
    return this.count ? new Promise((ok) => this.idlers.push(ok)) : Promise.resolve();
  }

  private readonly settled = () => {
    if (--this.count) return;
    for (const ok of this.idlers) ok();
    this.idlers = [];
  };
}

/** `work`'s value, or `late()`'s once `ms` have passed without it. */
export function withinLimit<T>(ms: number, work: Promise<T>, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<T>((ok) => (timer = setTimeout(() => ok(late()), ms)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
