/** The expected matrix of a generated 50-model schema (target ≤ 100 ms). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { defaultCast } from '../dist/harness/matrix/cast.js';
import { expectedMatrix } from '../dist/harness/matrix/expected.js';
import { generatedSdl } from './schemas.js';

const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-'));
const file = path.join(dir, 'schema.graphql');
writeFileSync(file, generatedSdl(50));
writeFileSync(path.join(dir, 'authmatrix.gen1.json'), JSON.stringify({ authModes: { default: 'userPool', additional: ['apiKey', 'iam'] }, transform: { enableIamAccess: true } }));
const auth = await loadAuthModel(file);
rmSync(dir, { recursive: true, force: true });
const runs = [];
let cells = 0;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  cells = expectedMatrix(auth, defaultCast(auth)).length;
  runs.push(performance.now() - t0);
}
const first = runs[0];
const sorted = [...runs].sort((a, b) => a - b);
console.log(JSON.stringify({ bench: 'expected-matrix-50-models', models: 50, cells, firstMs: round(first), medianMs: round(sorted[3]), targetMs: 100 }));

function round(x) {
  return Math.round(x * 10) / 10;
}
