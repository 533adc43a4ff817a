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

  it('cells that get no answer: each is an error of its own after its time limit, every one reported, none a problem of the run', async () => {
    const { stdout } = await run(process.execPath, [child, 'silent', example('blog')], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { cells: string[]; results: { id: string; observed: string; pass: boolean; summary: string }[]; problem?: string; runDirLeft: boolean };
    expect(r.cells.length).toBeGreaterThan(4);
    expect(r.results.map((x) => x.id).sort()).toEqual([...r.cells].sort());
    for (const x of r.results) expect(x).toMatchObject({ observed: 'error', pass: false, summary: 'no answer within 0.3 s' });
    // The tests failed on their cells' mismatches, which the results say: nothing else went wrong.
    expect(r.problem).toBeUndefined();
    expect(r.runDirLeft).toBe(false);
  }, 90_000);

  it('a drive closed before its run (an error or a signal before the cells) stops vitest and its worker at once; nothing is left', async () => {
    const { stdout } = await run(process.execPath, [child, 'abandon'], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { runDirLeft: boolean };
    expect(r.runDirLeft).toBe(false);
  }, 90_000);
});
