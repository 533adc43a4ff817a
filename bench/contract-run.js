/**
 * The full contract run of the Gen 2 all-rules example (examples/blog: every cell, subscriptions and
 * probes included), as a user runs it: `authmatrix run` in a fresh process, vitest start-up included.
 * Target: ≤ 20 s wall on a 2-core machine, ≤ 1.5 requests per cell on average.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-run-'));
const runs = [];
try {
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'run', '--schema', 'examples/blog', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
    const wallMs = performance.now() - t0;
    const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    runs.push({ wallMs, cells: r.totals.cells, mismatches: r.totals.mismatches, stats: r.stats });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wallMs = median(runs.map((r) => r.wallMs));
const { cells, stats } = runs[0];
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
console.log(JSON.stringify({
  bench: 'contract-run-blog',
  cells,
  mismatches: runs.map((r) => r.mismatches),
  wallMs: round(wallMs),
  wallRunsMs: runs.map((r) => round(r.wallMs)),
  cellsPerSecond: round(cells / (wallMs / 1000)),
  httpRequests: stats.requests,
  subscriptionStarts: stats.subscriptionStarts,
  requestsPerCell: round(stats.requests / cells, 2),
  requestsAndStartsPerCell: round((stats.requests + stats.subscriptionStarts) / cells, 2),
  fixtureRecords: stats.fixtureRecords,
  fixtureRequests: stats.fixtureRequests,
  targetWallMs: 20000,
  targetRequestsPerCell: 1.5,
}));
