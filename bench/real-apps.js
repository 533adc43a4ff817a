/**
 * `authmatrix run` on apps laid out as real ones are, as a user runs it: from the app's root, no options,
 * a fresh process each time (start-up included). Wall time and cells per second per app.
 *
 * The apps are the committed app shapes (test/fixtures/app-shapes/) and, when AUTHMATRIX_CORPUS names a
 * directory holding checkouts of the public corpus (docs/real-apps.md lists repositories and commits; the
 * code is not committed here), every app found there one level down.
 * Targets (issue 11, 2 cores): a 5,000-cell real app in ≤ 8 s; the blog example's full run ≥ 1,000 cells/s
 * (bench/contract-run.js measures that one).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shapes = path.join(root, 'test/fixtures/app-shapes');
const apps = readdirSync(shapes)
  .filter((d) => !d.startsWith('gen1-v1') && d !== 'two-apps')
  .map((d) => ({ name: `shape:${d}`, dir: path.join(shapes, d) }));
const corpus = process.env.AUTHMATRIX_CORPUS;
if (corpus && existsSync(corpus)) for (const d of readdirSync(corpus).sort()) apps.push({ name: `corpus:${d}`, dir: path.join(corpus, d) });

const out = mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-apps-'));
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
try {
  for (const app of apps) {
    const dir = path.join(out, app.name.replace(/[^\w-]/g, '_'));
    const t0 = performance.now();
    let exitCode = 0;
    try {
      execFileSync(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'run', '--out', dir], { cwd: app.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    } catch (e) {
      exitCode = e.status ?? 1;
    }
    const wallMs = performance.now() - t0;
    const results = path.join(dir, 'results.json');
    const r = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : undefined;
    const cells = r?.totals.cells ?? 0;
    console.log(JSON.stringify({
      bench: 'real-app-run',
      app: app.name,
      exitCode,
      cells,
      couldNotRun: r?.totals.untested ?? null,
      mismatches: r?.totals.mismatches ?? null,
      wallMs: round(wallMs),
      cellsPerSecond: cells ? round(cells / (wallMs / 1000)) : null,
      targetWallMsFor5000Cells: 8000,
    }));
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
