/** Output paths are checked before any work: one line, exit 2, nothing run or served. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, example } from './cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const aFile = path.join(dir, 'results.txt');
writeFileSync(aFile, 'not a directory');

describe('output paths', () => {
  it.each([
    ['run --out naming a file', ['run', '--schema', example('todo'), '--out', aFile], /--out names a file, not a directory\. Fix: pass a directory/],
    ['run --out under a file', ['run', '--schema', example('todo'), '--out', path.join(aFile, 'reports')], /--out: .*results\.txt is a file, so the directory cannot be made under it/],
    ['snapshot --out naming a directory', ['snapshot', '--schema', example('todo'), '--out', dir], /--out names a directory, not a file\. Fix: pass a file name/],
    ['emulate --outputs in a missing directory', ['emulate', '--schema', example('todo'), '--port', '0', '--outputs', path.join(dir, 'missing', 'amplify_outputs.json')], /--outputs: the directory .*missing does not exist/],
  ])('%s: one line, exit 2, before anything runs', async (_, args, message) => {
    const r = await cli(args, { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
