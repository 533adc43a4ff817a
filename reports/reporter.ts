/**
 * The vitest reporter `authmatrix run` uses, which reads every cell's result from the test metadata, and what
 * collects them in the run's process with live progress (cells done of total, mismatches so far, elapsed) on stderr.
 */
import pc from 'picocolors';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { CellResult } from '../harness/matrix/verdict.js';
import { cellsOf, MISMATCH } from './cell-meta.js';

export interface Problem {
  test: string;
  message: string;
}

export class Progress {
  private done = 0;
  private failed = 0;
  private last = 0;
  private readonly started = Date.now();
  private lastLine = this.started;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly label = 'cells',
  ) {}

  tick(pass: boolean): void {
    this.done++;
    if (!pass) this.failed++;
    this.draw(false);
  }

  private draw(final: boolean): void {
    const now = Date.now();
    const seconds = ((now - this.started) / 1000).toFixed(1);
    const line = `${this.done}/${this.total} ${this.label} · ${this.failed ? pc.red(`${this.failed} mismatch${this.failed === 1 ? '' : 'es'}`) : pc.green('0 mismatches')} · ${seconds} s`;
    if (this.out.isTTY) {
      if (!final && now - this.last < 80) return;
      this.last = now;
      this.out.write(`\r\x1b[2K  ${line}${final ? '\n' : ''}`);
    } else if (final || now - this.lastLine > 5000) {
      // In CI logs: a line every few seconds rather than a redraw.
      this.lastLine = now;
      this.out.write(`  ${line}\n`);
    }
  }

  finish(): void {
    this.draw(true);
  }
}

/** Where the reporter sends what it learns: the drive's main side (harness/runner/drive.ts). */
export interface CellSink {
  result(r: CellResult): void;
  /**
   * What went wrong besides the cells: a test that failed for another reason than its cells' mismatches (some of its
   * cells have no result), a module's error, or an unhandled one.
   */
  problem(p: Problem): void;
  /** The run ended: nothing follows. */
  end(): void;
}

/** The vitest reporter: each test's cell result, or the failure of a test or module that has none. */
export class MatrixReporter implements Reporter {
  constructor(private readonly sink: CellSink) {}

  onTestCaseResult(testCase: TestCase): void {
    for (const r of cellsOf(testCase.meta())) this.sink.result(r);
    const result = testCase.result();
    if (result.state !== 'failed') return;
    const error = result.errors?.[0];
    // Mismatches are in the cells' results; anything else left some of the test's cells without one.
    if (error?.name !== MISMATCH) this.sink.problem({ test: testCase.fullName, message: error?.message ?? 'failed without a result' });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message?: string }>): void {
    for (const m of modules) {
      for (const e of m.errors()) this.sink.problem({ test: m.moduleId, message: e.message ?? String(e) });
    }
    for (const e of unhandled) this.sink.problem({ test: '(unhandled)', message: e.message ?? String(e) });
    this.sink.end();
  }
}

/**
 * The results of a run, as they come, with live progress once the run knows how many cells it has (the test worker
 * starts before).
 */
export class CellCollector implements CellSink {
  readonly results: CellResult[] = [];
  readonly problems: Problem[] = [];
  private stopped = false;
  private progress?: Progress;

  track(progress: Progress): void {
    this.progress = progress;
  }

  /** An interrupted run: the results so far are final; later ones (tests torn down) are ignored. */
  stop(): CellResult[] {
    this.stopped = true;
    return [...this.results];
  }

  result(r: CellResult): void {
    if (this.stopped) return;
    this.results.push(r);
    this.progress?.tick(r.pass);
  }

  problem(p: Problem): void {
    if (!this.stopped) this.problems.push(p);
  }

  end(): void {
    if (!this.stopped) this.progress?.finish();
  }
}
