/**
 * Runs every benchmark (or those named on the command line) in its own process and prints one JSON
 * document with all results. Benchmarks print one JSON line each; targets are informative, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && !['run.js', 'schemas.js'].includes(f) && !f.startsWith('_'))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)));
const results = [];
for (const b of benches) {
  process.stderr.write(`bench ${b}…\n`);
  const out = execFileSync(process.execPath, [path.join(dir, b)], { cwd: path.join(dir, '..'), stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  for (const line of out.split('\n').filter(Boolean)) results.push(JSON.parse(line));
}
console.log(JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2));
