/**
 * The gate of `authmatrix run`: a baseline snapshot, risky-rule severities, contracts and coverage
 * thresholds fail it (exit 1), and so does an endpoint that does not do what the schema says — here an
 * endpoint serving a widened copy of the schema, reached as a deployed app.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../reports/coverage.js';
import { BIN, cli, example, fixture, results, scratchDir } from './cli.js';

const dir = scratchDir('authmatrix-gate-');

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
