/**
 * The command's bundle (scripts/bundle.js, run by test/global-setup.ts; every CLI test runs through it). Here: it
 * names no path of the machine that built it, so the package runs wherever it is installed, and a copy of the
 * package as installed elsewhere runs a contract matrix from it; a bundle older than the compiled sources is not run.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/cli.js';

const BUNDLE = path.join(ROOT, 'dist/bundle');
const moved = mkdtempSync(path.join(tmpdir(), 'authmatrix-moved-'));
afterAll(() => rmSync(moved, { recursive: true, force: true }));

function run(bin: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: moved, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
}

describe('the bundle', () => {
  it('names no path of the checkout it was built in', () => {
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    expect(chunks).toContain('cli.js');
    for (const f of chunks) expect(readFileSync(path.join(BUNDLE, f), 'utf8').includes(ROOT), f).toBe(false);
  });

  it('runs from a copy of the package as installed elsewhere, with the spec and the stand-ins it loads by path there', async () => {
    const pkg = path.join(moved, 'authmatrix');
    // What the package ships (package.json `files`), its examples aside: no tsc build info, no bundler, no lock file.
    const { files } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(files).toContain('!dist/.tsbuildinfo*');
    for (const part of [...files.filter((f) => f !== 'examples' && !f.startsWith('!')), 'package.json']) cpSync(path.join(ROOT, part), path.join(pkg, part), { recursive: true, preserveTimestamps: true });
    for (const f of readdirSync(path.join(pkg, 'dist')).filter((f) => f.startsWith('.tsbuildinfo'))) rmSync(path.join(pkg, 'dist', f));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    const out = path.join(moved, 'out');
    // examples/blog has contracts (the builder, loaded by path) and Gen 2 resources (the backend stand-in).
    const r = await run(path.join(pkg, 'bin/authmatrix.js'), ['run', '--schema', path.join(ROOT, 'examples/blog'), '--out', out, '--only', 'Post']);
    expect(r.stderr).not.toContain('unbundled');
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { totals: { cells: number; mismatches: number } };
    expect(results.totals.cells).toBeGreaterThan(0);
    expect(results.totals.mismatches).toBe(0);

    // Compiled again after the bundle was written (tsc run alone in a checkout): the compiled sources run, and it says so.
    writeFileSync(path.join(pkg, 'dist/.tsbuildinfo'), '{}');
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(pkg, 'dist/.tsbuildinfo'), later, later);
    const stale = await run(path.join(pkg, 'bin/authmatrix.js'), ['--version']);
    expect(stale.code).toBe(0);
    expect(stale.stderr).toContain('dist/bundle/ is older than dist/; running the compiled sources unbundled');
  }, 120_000);
});
