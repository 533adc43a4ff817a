import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { example } from '../cli/cli.js';

const run = promisify(execFile);

describe('the vitest drive', () => {
  it('a run whose fixtures cannot be made: the worker, which collected its tests meanwhile, runs none and ends; nothing is left', async () => {
    const child = path.join(import.meta.dirname, 'drive-child.mjs');
    // A worker that never learnt it would keep the drive waiting for vitest's minute: the child is stopped first.
    const { stdout } = await run(process.execPath, [child, example('blog')], { timeout: 50_000 });
    const r = JSON.parse(stdout) as { cells: number; results: number; problem?: string; runDirLeft: boolean };
    expect(r.cells).toBeGreaterThan(0);
    expect(r.results).toBe(0);
    expect(r.problem).toMatch(/the run ended before its fixtures were made/);
    expect(r.runDirLeft).toBe(false);
  }, 90_000);
});
