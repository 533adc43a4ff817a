/** Loading a Gen 2 resource.ts cold: a fresh Node process each time (target ≤ 400 ms). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = `
const t0 = performance.now();
const { loadAuthModel } = await import(${JSON.stringify(path.join(root, 'dist/harness/schema/load.js'))});
const m = await loadAuthModel(process.argv[1]);
console.log(JSON.stringify({ ms: performance.now() - t0, models: m.models.length }));
`;

const results = {};
for (const [name, file] of [['todo', 'examples/todo/amplify/data/resource.ts'], ['blog', 'examples/blog/amplify/data/resource.ts']]) {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', child, path.join(root, file)], { cwd: root }).toString());
    runs.push({ load: out.ms, process: performance.now() - t0 });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  results[name] = { loadMs: round(median(runs.map((r) => r.load))), processWallMs: round(median(runs.map((r) => r.process))) };
}
console.log(JSON.stringify({ bench: 'load-gen2-resource-cold', ...results, targetMs: 400 }));

function round(x) {
  return Math.round(x * 10) / 10;
}
