import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe("the matrix spec's test runner (no expect state per test)", () => {
  it('still fails a test that throws, with its message, and passes one that does not', async () => {
    const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, 'cell-runner-child.mjs')], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      passes: { state: 'passed' },
      throws: { state: 'failed', error: 'expected deny, observed allow' },
      'throws concurrently': { state: 'failed', error: 'expected allow, observed error' },
    });
  }, 90_000);
});
