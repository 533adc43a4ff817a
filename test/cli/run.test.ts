/**
 * `authmatrix run` end to end: the examples pass on the embedded emulator with every kind of cell, bad
 * input is one line and exit 2, and the gate fails (exit 1) when the endpoint does not do what the
 * schema says — here an endpoint serving a widened copy of the schema, reached as a deployed app.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coverage } from '../../reports/coverage.js';
import type { RunReport } from '../../reports/results.js';
import { BIN, cli, example, fixture, sharedRun } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = (out: string): RunReport => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunReport;

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
    expect(new Set(report.cells.map((c) => c.observed))).toEqual(new Set(['allow', 'deny', 'filtered', 'partial', 'invalid']));
    expect(report.personas.map((p) => p.name)).toContain('lambdaOffsite');
    expect(report.schema.hash).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(report.target).toEqual({ kind: 'emulated', endpoint: 'embedded emulator' });
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

describe('the gate’s other checks', () => {
  it('--baseline: passes on an unchanged schema, fails when access widened (and --allow-widening lets it pass)', async () => {
    const snapshot = path.join(dir, 'narrow.snapshot.json');
    const config = ['--config', fixture('gate/authmatrix.config.json')];
    expect((await cli(['snapshot', '--schema', fixture('gate/narrow'), ...config, '--out', snapshot])).code).toBe(0);
    const same = await cli(['run', '--schema', fixture('gate/narrow'), ...config, '--baseline', snapshot, '--out', path.join(dir, 'b0')]);
    expect(same.code).toBe(0);
    expect(results(path.join(dir, 'b0')).gate?.baseline?.changes).toEqual([]);

    const wider = await cli(['run', '--schema', fixture('gate/wide'), ...config, '--baseline', snapshot, '--out', path.join(dir, 'b1')]);
    expect(wider.code).toBe(1);
    expect(wider.stdout).toMatch(/✗ access widened against .*narrow\.snapshot\.json: \d+ widened/);
    const changes = results(path.join(dir, 'b1')).gate!.baseline!.changes;
    expect(changes.map((c) => `${c.persona} ${c.operation} ${c.direction} ${c.severity}`)).toEqual(expect.arrayContaining(['apiKey update widened high', 'apiKey delete widened high']));
    expect(results(path.join(dir, 'b1')).totals.mismatches).toBe(0);

    const allowed = await cli(['run', '--schema', fixture('gate/wide'), ...config, '--baseline', snapshot, '--allow-widening', '--out', path.join(dir, 'b2')]);
    expect(allowed.code).toBe(0);
  });

  it('--fail-on: risky rules fail the gate at or above the severity', async () => {
    const config = ['--config', fixture('gate/authmatrix.config.json')];
    const risky = await cli(['run', '--schema', fixture('gate/wide'), ...config, '--fail-on', 'high', '--out', path.join(dir, 'f1')]);
    expect(risky.code).toBe(1);
    expect(risky.stdout).toMatch(/✗ \d+ finding\(s\) at or above high: /);
    expect(results(path.join(dir, 'f1')).gate!.findings!.items.some((f) => f.check === 'public-write' && f.severity === 'high')).toBe(true);
    const calm = await cli(['run', '--schema', fixture('gate/narrow'), ...config, '--fail-on', 'high', '--out', path.join(dir, 'f2')]);
    expect(calm.code).toBe(0);
  });

  it('a contract the schema breaks fails the run, naming the cells and rules to blame', async () => {
    const out = path.join(dir, 'contract');
    const r = await cli(['run', '--schema', example('blog'), '--only', 'Post', '--no-probes', '--contracts', fixture('contracts/broken.contract.yaml'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3 contract statement\(s\) broken by the schema itself/);
    const broken = results(out).contracts.filter((c) => c.broken);
    expect(broken.map((c) => `${c.statement}: ${c.broken}`)).toEqual(['apiKey deletes Post: static', 'stranger never updates Post: static', 'only groupMember:Admin may delete Post: static']);
    expect(broken[0]!.violations.map((v) => v.cell)).toContain('Post|delete|apiKey|owned');
    expect(broken[1]!.violations.map((v) => `${v.cell} ${v.rule}`)).toContain('Post|update|stranger|shared Post#2');
    expect(results(out).totals.mismatches).toBe(0);
  });

  it('--min-coverage: a run that exercises only part of the API fails the threshold it misses', async () => {
    // Operations --only left out are not selected, not missed; the API key's read rule, in force on the
    // updates it refused, was never seen allowing: that is missed.
    const partial = await cli(['run', '--schema', example('todo'), '--only', 'update', '--no-probes', '--min-coverage', 'operations=100,rules=100', '--out', path.join(dir, 'c1')]);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain('✗ coverage: rules 50% is below 100% (1 of 2 not covered: Todo#2 (never seen allowing))');
    expect(partial.stdout).not.toContain('coverage: operations');
    expect(results(path.join(dir, 'c1')).gate?.minCoverage).toEqual({ operations: 100, rules: 100 });
    const coverage = JSON.parse(readFileSync(path.join(dir, 'c1', 'coverage.json'), 'utf8')) as Coverage;
    expect(coverage.dimensions.operations).toMatchObject({ covered: 1, total: 1 });
    expect(coverage.dimensions.operations.excluded).toContainEqual({ item: 'Todo.get', why: 'not selected' });
    const whole = await cli(['run', '--schema', example('todo'), '--min-coverage', 'operations=100,personas=100', '--out', path.join(dir, 'c2')]);
    expect(whole.code).toBe(0);
    const bad = await cli(['run', '--schema', example('todo'), '--min-coverage', 'rulez=100', '--out', path.join(dir, 'c3')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-coverage: /);
  });

  it('a missing baseline is bad input', async () => {
    const r = await cli(['run', '--schema', example('todo'), '--baseline', path.join(dir, 'nope.json'), '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json: snapshot file not found\. Fix: create it with `authmatrix snapshot/);
  });
});

/** An emulator in its own process, as the "deployed" app; stops with the returned function. */
async function serve(schema: string, outputs: string): Promise<() => void> {
  const server = spawn(process.execPath, [BIN, 'emulate', '--schema', schema, '--port', '0', '--outputs', outputs], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('Press Ctrl-C')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${seen}`)));
  });
  return () => server.kill('SIGINT');
}

describe('the gate fails when the endpoint is not what the schema says', () => {
  it('a deployed API whose rule was widened behind the schema’s back: exit 1, the mismatches named', async () => {
    // The "deployed" app: an emulator serving the widened schema, in its own process.
    const outputs = path.join(dir, 'amplify_outputs.wide.json');
    const stop = await serve(fixture('gate/wide'), outputs);
    try {
      const out = path.join(dir, 'gate');
      const r = await cli(['run', '--schema', fixture('gate/narrow'), '--config', fixture('gate/authmatrix.config.json'), '--contracts', fixture('gate/contracts'), '--target', 'deployed', '--outputs', outputs, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('FAILED');
      const report = results(out);
      const failed = report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.expected} → ${c.observed}`).sort();
      expect(failed).toEqual([
        'Note|delete|apiKey|record: deny → allow',
        'Note|update|apiKey|record: deny → allow',
      ]);
      expect(r.stdout).toContain('✗ Note|update|apiKey|record');
      // The contract held against the schema; the endpoint broke it, and the report names the cell.
      const broken = report.contracts.filter((c) => c.broken).map((c) => `${c.statement}: ${c.broken} ${c.violations.map((v) => v.cell).join(', ')}`);
      expect(broken).toEqual(['apiKey never updates Note: dynamic Note|update|apiKey|record', 'apiKey never deletes Note: dynamic Note|delete|apiKey|record']);
      expect(r.stdout).toMatch(/Broken contracts \(2\)/);
    } finally {
      stop();
    }
  });

  it('the same run against an endpoint serving the schema itself passes (the gate is not always shut)', async () => {
    const outputs = path.join(dir, 'amplify_outputs.narrow.json');
    const stop = await serve(fixture('gate/narrow'), outputs);
    try {
      const r = await cli(['run', '--schema', fixture('gate/narrow'), '--config', fixture('gate/authmatrix.config.json'), '--target', 'deployed', '--outputs', outputs, '--out', path.join(dir, 'gate-ok')]);
      expect(r.stdout).toContain('PASSED');
      expect(r.code).toBe(0);
    } finally {
      stop();
    }
  });
});
