import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/matrix/verdict.js';
import { isInputError } from '../../harness/schema/errors.js';
import { mergeReports } from '../../reports/merge.js';
import type { ContractOutcome, RunReport } from '../../reports/results.js';
import { cli, ROOT, sharedRun } from '../cli/cli.js';
import { noteCells, report } from './fixtures.js';

const read = (dir: string, file = 'results.json'): string => readFileSync(path.join(dir, file), 'utf8');
const results = (dir: string): RunReport => JSON.parse(read(dir)) as RunReport;

function mergeError(reports: RunReport[]): string {
  try {
    mergeReports(reports);
  } catch (e) {
    if (isInputError(e)) return e.format();
    throw e;
  }
  throw new Error('merged without complaint');
}

describe('mergeReports', () => {
  const cells = noteCells();
  // Shard 1 holds cells 0, 2, 4, 6; shard 2 the others; each knows where its cells sit.
  const part = (index: number, extra: Partial<RunReport> = {}) => {
    const mine = cells.map((c, i) => [c, i] as const).filter(([, i]) => i % 2 === index - 1);
    return report(mine.map(([c]) => c), { shard: { index, count: 2 }, positions: mine.map(([, i]) => i), ...extra });
  };

  it('puts the cells back in the unsharded order and recomputes the totals', () => {
    const a = part(1, { startedAt: '2026-11-22T10:00:01.000Z', finishedAt: '2026-11-22T10:00:09.000Z' });
    const b = part(2, { startedAt: '2026-11-22T10:00:00.500Z', finishedAt: '2026-11-22T10:00:05.000Z' });
    const merged = mergeReports([b, a]);
    expect(merged.cells.map((c) => c.id)).toEqual(cells.map((c) => c.id));
    expect(merged.totals).toEqual({ cells: 8, passed: 6, mismatches: 2, errors: 1, untested: 0 });
    expect([merged.startedAt, merged.finishedAt]).toEqual(['2026-11-22T10:00:00.500Z', '2026-11-22T10:00:09.000Z']);
    expect(merged.shard).toBeUndefined();
    expect(merged.positions).toBeUndefined();
  });

  it('combines contracts (broken in any shard is broken; unchecked only where no shard ran the cell) and judges coverage again on the whole', () => {
    const statement = (text: string, extra: Partial<ContractOutcome>): ContractOutcome => ({ contract: 'Notes', file: 'c.yaml', line: text.length, statement: text, cells: ['x', 'y'], broken: false, violations: [], ...extra });
    const half = (unchecked: string) => ({ unchecked: [unchecked], explanation: 'holds on the endpoint (1 of 2 cells observed, the rest expected)' });
    const violation = { cell: 'y', expected: 'deny', observed: 'allow', rule: null, reason: 'r', why: 'allow' };
    const gate = (failures: string[]) => ({ minCoverage: { personas: 75 }, failures });
    const a = part(1, { contracts: [statement('holds', half('y')), statement('breaks', half('y'))], gate: gate(['coverage: personas 50% is below 75% (…)']) });
    const b = part(2, {
      contracts: [statement('holds', half('x')), statement('breaks', { unchecked: ['x'], broken: 'dynamic', violations: [violation], explanation: 'broken: y allows' })],
      gate: gate(['coverage: personas 25% is below 75% (…)', '1 finding(s) at or above high: …']),
    });
    const merged = mergeReports([a, b]);
    expect(merged.contracts).toEqual([
      statement('holds', { explanation: 'holds on the endpoint (2 of 2 cells observed, the rest expected)' }),
      statement('breaks', { broken: 'dynamic', violations: [violation], explanation: 'broken: y allows' }),
    ]);
    // Every persona but anonymous ran somewhere: 75 % holds; the other failure stays.
    expect(merged.gate).toEqual({ failures: ['1 finding(s) at or above high: …'], minCoverage: { personas: 75 } });
  });

  it('refuses shards that do not make one run', () => {
    expect(mergeError([part(1), part(2, { schema: { path: 'x', hash: 'sha256:other', source: 'gen1' } })])).toMatch(/^report 2: schema hash "sha256:other" differs from "sha256:0011.*" in report 1\. Fix: merge shards of one run/);
    expect(mergeError([part(1), part(2, { tool: { name: 'authmatrix', version: '0.2.0' } })])).toMatch(/tool version "0\.2\.0" differs/);
    expect(mergeError([part(1), part(1)])).toMatch(/shard 1\/2 is given twice/);
    expect(mergeError([part(1)])).toMatch(/^shards? 2\/2 missing\. Fix: pass the results of all 2 shards/);
    expect(mergeError([part(1), report(cells)])).toMatch(/not a shard/);
    expect(mergeError([part(1), part(2, { cells: [...part(2).cells, cells[0]!], positions: [...part(2).positions!, 0] })])).toMatch(/cell Note\|create\|owner is in more than one shard/);
    expect(mergeError([])).toMatch(/nothing to merge/);
    expect(mergeError([{ ...part(1), format: 'other' } as unknown as RunReport])).toMatch(/not an authmatrix results\.json/);
  });
});

/** What must not differ between a merged and an unsharded run: everything but timings, request ids and generated ids. */
function stable(c: CellResult): unknown {
  const { latencyMs: _l, requestId: _r, evidence: _e, ...rest } = c;
  const ids = (s: string) => s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
  return { ...rest, summary: ids(rest.summary), detail: ids(rest.detail) };
}

function expectSameRun(merged: RunReport, unsharded: RunReport, { probesInOrder }: { probesInOrder: boolean }): void {
  const order = (r: RunReport) => r.cells.filter((c) => probesInOrder || c.kind !== 'probe').map(stable);
  expect(order(merged)).toEqual(order(unsharded));
  const probes = (r: RunReport) => r.cells.filter((c) => c.kind === 'probe').map(stable).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  expect(probes(merged)).toEqual(probes(unsharded));
  expect(merged.totals).toEqual(unsharded.totals);
  expect(merged.untested).toEqual(expect.arrayContaining(unsharded.untested));
  expect(merged.untested).toHaveLength(unsharded.untested.length);
  for (const k of ['format', 'version', 'tool', 'schema', 'model', 'target', 'personas', 'fixtures', 'contracts', 'gate'] as const) expect(merged[k]).toEqual(unsharded[k]);
}

describe('report --merge of real shards equals the unsharded run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-merge-'));
  /** Runs other test files read too are shared (test/cli/cli.ts sharedRun). */
  const shared = new Map<string, string>();
  const at = (name: string) => shared.get(name) ?? path.join(dir, name);
  const share = async (name: string, args: string[]) => {
    const r = await sharedRun(['run', ...args]);
    expect(r.code, r.stderr).toBe(0);
    shared.set(name, r.out);
  };

  describe('examples/todo, credential probes included', () => {
    beforeAll(async () => {
      await Promise.all([share('todo-A', ['--schema', 'examples/todo', '--shard', '1/2']), share('todo-B', ['--schema', 'examples/todo', '--shard', '2/2'])]);
      await share('todo-C', ['--schema', 'examples/todo']);
    }, 120_000);

    it('merges A and B into reports equal to C’s', async () => {
      const r = await cli(['report', '--merge', at('todo-B'), at('todo-A'), '--out', at('todo-M')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Merged 2 shard(s).');
      const [a, b, c, m] = ['todo-A', 'todo-B', 'todo-C', 'todo-M'].map((d) => results(at(d))) as [RunReport, RunReport, RunReport, RunReport];
      expect(a.cells.length).toBeGreaterThan(0);
      expect(b.cells.length).toBeGreaterThan(0);
      // The runner adds the credential probes after the matrix; their unsharded order is its own.
      expectSameRun(m, c, { probesInOrder: true });
      expect(m.startedAt).toBe([a.startedAt, b.startedAt].sort()[0]);
      expect(m.finishedAt).toBe([a.finishedAt, b.finishedAt].sort()[1]);
      expect(read(at('todo-M'), 'coverage.json')).toBe(read(at('todo-C'), 'coverage.json'));
      const untimed = (md: string) => md.replace(/ · [\d.]+ s/, ' · <time>');
      expect(untimed(read(at('todo-M'), 'summary.md'))).toBe(untimed(read(at('todo-C'), 'summary.md')));
      const testcases = (xml: string) => [...xml.matchAll(/<testcase name="([^"]*)" classname="([^"]*)"/g)].map((x) => `${x[2]} ${x[1]}`).sort();
      expect(testcases(read(at('todo-M'), 'junit.xml'))).toEqual(testcases(read(at('todo-C'), 'junit.xml')));
    });

    it('refuses an incomplete or doubled set of shards, and foreign results, in one line (exit 2)', async () => {
      const missing = await cli(['report', '--merge', at('todo-A'), '--out', at('x')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^authmatrix: shard 2\/2 missing\. Fix: .*\n$/);
      const twice = await cli(['report', '--merge', at('todo-A'), at('todo-A'), '--out', at('x')]);
      expect(twice.code).toBe(2);
      // The CLI names the file relative to its working directory (ROOT), wherever the clone and tmpdir are.
      expect(twice.stderr.startsWith(`authmatrix: ${path.relative(ROOT, path.join(at('todo-A'), 'results.json'))}: shard 1/2 is given twice`), twice.stderr).toBe(true);
      const other = JSON.parse(read(at('todo-B'))) as RunReport;
      writeFileSync(at('other.json'), JSON.stringify({ ...other, schema: { ...other.schema, hash: 'sha256:feed' } }));
      const foreign = await cli(['report', '--merge', at('todo-A'), at('other.json'), '--out', at('x')]);
      expect(foreign.code).toBe(2);
      expect(foreign.stderr).toMatch(/other\.json: schema hash "sha256:feed" differs/);
      expect(foreign.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('examples/blog, every cell in order', () => {
    beforeAll(async () => {
      await Promise.all([share('blog-A', ['--schema', 'examples/blog', '--shard', '1/2']), share('blog-B', ['--schema', 'examples/blog', '--shard', '2/2'])]);
      await share('blog-C', ['--schema', 'examples/blog']);
    }, 180_000);

    it('merges A and B into reports equal to C’s', async () => {
      const r = await cli(['report', '--merge', at('blog-A'), at('blog-B'), '--out', at('blog-M')]);
      expect(r.code, r.stderr).toBe(0);
      expectSameRun(results(at('blog-M')), results(at('blog-C')), { probesInOrder: true });
      expect(read(at('blog-M'), 'coverage.json')).toBe(read(at('blog-C'), 'coverage.json'));
    });
  });
});
