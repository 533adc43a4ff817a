/**
 * `authmatrix run` end to end: the examples pass on the embedded emulator with every kind of cell, and
 * bad input is one line and exit 2. The gate's checks are in gate.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, example, results, scratchDir, sharedRun } from './cli.js';

const dir = scratchDir('authmatrix-run-');

describe('authmatrix run on the embedded emulator', () => {
  const blog = () => sharedRun(['run', '--schema', 'examples/blog']);

  it('the blog example: every cell matches, every kind of cell ran, and the reports say so', async () => {
    const r = await blog();
    const out = r.out;
    expect(r.stderr).toContain('personas');
    expect(r.stdout).toMatch(/PASSED {2}\d+\/\d+ cells match/);
    expect(r.code).toBe(0);
    const report = results(out);
    expect(report.totals.mismatches).toBe(0);
    expect(report.totals.cells).toBeGreaterThan(2000);
    expect(new Set(report.cells.map((c) => c.kind))).toEqual(new Set(['model', 'field', 'relation', 'subscription', 'delivery', 'custom', 'header', 'batch', 'probe']));
    // Every outcome of the matrix was observed for real, not just allow and deny.
    expect(new Set(report.cells.map((c) => c.observed))).toEqual(new Set(['allow', 'deny', 'filtered', 'partial', 'invalid', 'conditionFailed']));
    expect(report.personas.map((p) => p.name)).toContain('lambdaOffsite');
    expect(report.schema.hash).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(report.target).toEqual({ kind: 'emulated', endpoint: 'embedded emulator' });
  });

  it("lists ask for the run's fixtures alone (other cells' copies share the table), and get nothing else", async () => {
    const report = results((await blog()).out);
    const lists = report.cells.filter((c) => c.operation === 'list' && c.evidence && (c.observed === 'allow' || c.observed === 'filtered'));
    expect(lists.length).toBeGreaterThan(50);
    for (const c of lists) {
      const { filter } = (c.evidence!.request.body as { variables: { filter: { or?: { id: { eq: string } }[]; and?: { or?: { id: { eq: string } }[] }[] } } }).variables;
      const asked = (filter.or ?? filter.and!.find((f) => f.or)!.or!).map((f) => f.id.eq);
      const items = Object.values((c.evidence!.response.body as { data: Record<string, { items: { id: string }[] }> }).data)[0]!.items;
      expect(asked.length, c.id).toBeGreaterThan(0);
      for (const item of items) expect(asked, c.id).toContain(item.id);
    }
  });

  it('never writes a credential into results.json', async () => {
    const { out } = await blog();
    const text = readFileSync(path.join(out, 'results.json'), 'utf8');
    const leaks = [
      /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/, // a JWT
      /da2-[a-z0-9]{26}/, // an AppSync API key
      /"x-amz-security-token":"(?!\[redacted)/,
      /Signature=(?!\[redacted)/,
      /helpdesk-alice/, // a Lambda token from the config
    ].map((re) => re.exec(text)?.[0]).filter(Boolean);
    expect(leaks).toEqual([]);
    expect(text).toContain('[redacted');
  });

  it('--only selects cells by model, persona and operation', async () => {
    const only = await cli(['run', '--schema', example('todo'), '--only', 'Todo', '--only', 'owner,stranger', '--only', 'update', '--out', path.join(dir, 'only')]);
    expect(only.code).toBe(0);
    const picked = results(path.join(dir, 'only')).cells;
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.every((c) => c.model === 'Todo' && ['owner', 'stranger'].includes(c.persona) && c.operation === 'update')).toBe(true);
  });

  it('--shard splits the cells: the shards together are the whole run', async () => {
    const [all, one, two] = await Promise.all([
      sharedRun(['run', '--schema', 'examples/todo']),
      sharedRun(['run', '--schema', 'examples/todo', '--shard', '1/2']),
      sharedRun(['run', '--schema', 'examples/todo', '--shard', '2/2']),
    ]);
    expect([all.code, one.code, two.code]).toEqual([0, 0, 0]);
    const ids = (run: { out: string }) => results(run.out).cells.map((c) => c.id);
    const [a, s1, s2] = [ids(all), ids(one), ids(two)];
    expect(s1.length).toBeGreaterThan(0);
    expect(s2.length).toBeGreaterThan(0);
    expect(s1.filter((id) => s2.includes(id))).toEqual([]);
    expect([...s1, ...s2].sort()).toEqual([...a].sort());
  });

  it.each([
    ['an unknown --only name', ['--only', 'Nope'], /--only Nope names no model, persona or operation of this run\. Fix: use one of: Todo; anonymous, /],
    ['a bad shard', ['--shard', '3/2'], /invalid --shard "3\/2"\. Fix: use --shard i\/n/],
    ['deployed without outputs', ['--target', 'deployed'], /--target deployed needs the app's amplify_outputs\.json\. Fix: pass --outputs/],
    ['outputs without deployed', ['--outputs', 'x.json'], /--outputs is for --target deployed/],
    ['a bad concurrency', ['--concurrency', '0'], /invalid --concurrency 0/],
  ])('%s: exit 2 with one line', async (_name, args, message) => {
    const r = await cli(['run', '--schema', example('todo'), '--out', path.join(dir, 'bad'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
