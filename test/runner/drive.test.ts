import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { example } from '../cli/cli.js';

const run = promisify(execFile);
const child = path.join(import.meta.dirname, 'drive-child.mjs');

// Each case runs in a process of its own, which must end by itself: a thread, a server or a timer the drive left
// running would keep it alive until the timeout, failing the test.
describe('the vitest drive', () => {
  it('a run whose fixtures cannot be made: the worker, which collected its tests meanwhile, runs none and ends; nothing is left', async () => {
    const { stdout } = await run(process.execPath, [child, 'fixtures-fail', example('blog')], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { cells: number; results: number; problem?: string; runDirLeft: boolean };
    expect(r.cells).toBeGreaterThan(0);
    expect(r.results).toBe(0);
    expect(r.problem).toMatch(/the run ended before its fixtures were made/);
    expect(r.runDirLeft).toBe(false);
  }, 90_000);

  it('a run file the spec cannot read: the spec fails to collect, the run says why, and nothing is left', async () => {
    const { stdout } = await run(process.execPath, [child, 'unreadable'], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { results: number; problem?: string; runDirLeft: boolean };
    expect(r.results).toBe(0);
    expect(r.problem).toMatch(/JSON/);
    expect(r.runDirLeft).toBe(false);
  }, 90_000);

  it('cells and a subscription scenario that get no answer: each an error after its time limit, every cell reported, none a problem of the run', async () => {
    const { stdout } = await run(process.execPath, [child, 'silent', example('blog')], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { cells: string[]; deliveries: string[]; results: { id: string; observed: string; pass: boolean; summary: string }[]; problem?: string; runDirLeft: boolean };
    expect(r.cells.length).toBeGreaterThan(r.deliveries.length + 4);
    expect(r.deliveries.length).toBeGreaterThan(4);
    expect(r.results.map((x) => x.id).sort()).toEqual([...r.cells].sort());
    const deliveries = new Set(r.deliveries);
    for (const x of r.results) {
      expect(x).toMatchObject({ observed: 'error', pass: false, summary: deliveries.has(x.id) ? 'its subscription scenario gave no answer within 1 s' : 'no answer within 0.3 s' });
    }
    // The tests failed on their cells' mismatches, which the results say: nothing else went wrong.
    expect(r.problem).toBeUndefined();
    expect(r.runDirLeft).toBe(false);
  }, 90_000);

  it('a signal while a cell is under way: the finished cells reported once each, the run waits for the cell under way and learns of the record it made', async () => {
    const { stdout } = await run(process.execPath, [child, 'cut', example('blog')], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { cells: string[]; results: string[]; cut: boolean; created: Record<string, unknown>[] };
    expect(r.cut).toBe(true);
    expect(r.cells).toHaveLength(12);
    // vitest reports a test it gives up on once per suite around it: each cell is still counted once.
    expect(new Set(r.results).size).toBe(r.results.length);
    expect(r.results).toHaveLength(11);
    // The create answered after the signal: its record is known to the run (a deployed run deletes it).
    expect(r.created).toEqual([{ id: 'made-after-the-signal' }]);
  }, 90_000);

  it('a drive closed before its run (an error or a signal before the cells) stops vitest and its worker at once; nothing is left', async () => {
    const { stdout } = await run(process.execPath, [child, 'abandon'], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { runDirLeft: boolean };
    expect(r.runDirLeft).toBe(false);
  }, 90_000);
});
