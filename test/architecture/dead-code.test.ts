/**
 * Nothing unused: no file nothing imports, no dependency nothing uses, no export nothing imports
 * (knip, configured in knip.jsonc: the CLI, the spec, the benchmarks, the tests and the modules loaded
 * by path are the entries).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/cli.js';

interface KnipIssues {
  issues: ({ file: string } & Record<string, { name: string; line?: number }[] | string>)[];
}

function knip(): Promise<{ code: number; stdout: string; stderr: string }> {
  // knip's package exports no path to its bin, so it is run from where npm installs it.
  const bin = path.join(ROOT, 'node_modules/knip/bin/knip.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, '--no-progress', '--reporter', 'json'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('dead code', () => {
  it('knip finds no unused file, dependency or export', async () => {
    const r = await knip();
    const { issues } = JSON.parse(r.stdout) as KnipIssues;
    const found = issues.flatMap(({ file, ...kinds }) =>
      Object.entries(kinds).flatMap(([kind, list]) => (Array.isArray(list) ? list.map((i) => `${file}${i.line ? `:${i.line}` : ''}: unused ${kind} ${i.name}`) : [])));
    expect(found).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
});
