// Run by test/runner/cell-runner.test.ts in a process of its own: vitest with the matrix spec's runner
// (dist/harness/runner/cell-runner.js) on a spec with a passing test, a throwing one and a concurrent throwing one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVitest } from 'vitest/node';

const dir = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-cell-runner-'));
try {
  writeFileSync(path.join(dir, 'cells.spec.mjs'), `
import { describe, test } from 'vitest';
describe('cells', () => {
  test('passes', () => {});
  test('throws', () => { throw new Error('expected deny, observed allow'); });
  test.concurrent('throws concurrently', async () => { throw new Error('expected allow, observed error'); });
});
`);
  const states = {};
  const vitest = await createVitest('test', {
    root: dir, config: false, include: ['cells.spec.mjs'], watch: false, pool: 'threads',
    runner: fileURLToPath(new URL('../../dist/harness/runner/cell-runner.js', import.meta.url)),
    reporters: [{ onTestCaseResult: (t) => { states[t.name] = { state: t.result().state, error: t.result().errors?.[0]?.message }; } }],
  }, { logLevel: 'silent' });
  await vitest.start();
  await vitest.close();
  process.exitCode = 0;
  process.stdout.write(JSON.stringify(states));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
