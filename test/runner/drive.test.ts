import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { example } from '../cli/cli.js';
import { PRELOADED } from '../../harness/runner/drive.js';

const run = promisify(execFile);

describe('the vitest drive', () => {
  it('preloads in the worker exactly the compiled modules the spec imports', () => {
    const spec = path.join(import.meta.dirname, '../../specs/matrix.spec.ts');
    const imported = [...readFileSync(spec, 'utf8').matchAll(/^import (?!type ).* from '(\.\.\/dist\/[^']+)';$/gm)].map((m) => pathToFileURL(path.resolve(path.dirname(spec), m[1]!)).href);
    expect(imported.length).toBeGreaterThan(0);
    // The test imports the sources; the drive, compiled, names dist/: compared below dist/ and the sources' root.
    const below = (u: string) => u.replace(/^.*?\/(dist\/)?(harness|reports)\//, '$2/');
    expect(PRELOADED.map(below).sort()).toEqual(imported.map(below).sort());
  });

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
