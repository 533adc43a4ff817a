/** `authmatrix lint` end to end: the formats, `--fail-on`, and bad input. */
import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../harness/commands/lint.js';
import { failsOn } from '../../harness/lint/finding.js';
import type { Finding } from '../../harness/lint/finding.js';
import { cli, example, fixture } from './cli.js';

const RISKY = fixture('risky/gen2/amplify/data/resource.ts');
const SAFE = fixture('risky/safe/amplify/data/resource.ts');

describe('authmatrix lint', () => {
  it('prints the findings grouped by severity, within 100 columns', async () => {
    const r = await cli(['lint', '--schema', RISKY]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^authmatrix lint: test\/fixtures\/risky\/gen2\/amplify\/data\/resource\.ts\n3 high, 6 medium, 1 low\n/);
    const headers = r.stdout.split('\n').filter((l) => /^(HIGH|MEDIUM|LOW) \(\d+\)$/.test(l));
    expect(headers).toEqual(['HIGH (3)', 'MEDIUM (6)', 'LOW (1)']);
    expect(r.stdout).toContain('  public-write:Guestbook#1 (rule Guestbook#1)\n  Anyone with the API key can create, update and delete Guestbook records\n    why  ');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('--format json parses: the schema, counts and every finding', async () => {
    const r = await cli(['lint', '--schema', example('blog-gen1/schema.graphql'), '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { schema: string; counts: Record<string, number>; findings: Finding[] };
    expect(out.schema).toBe('examples/blog-gen1/schema.graphql');
    expect(out.counts).toEqual({ high: 3, medium: 4, low: 4 });
    expect(out.findings.find((f) => f.id === 'owner-field-updatable:Post.editors')).toMatchObject({
      check: 'owner-field-updatable', severity: 'medium', model: 'Post', field: 'editors', rule: 'Post#2',
    });
  });

  it('--format md gives a section per severity and one per finding', async () => {
    const r = await cli(['lint', '--schema', RISKY, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^## (High|Medium|Low)$/gm)).toEqual(['## High', '## Medium', '## Low']);
    expect(r.stdout.match(/^### /gm)).toHaveLength(10);
    expect(r.stdout).toContain('`owner-field-updatable:Wiki.owner` · rule `Wiki#2`');
  });

  it('--fail-on high fails on the risky app and passes on the fixed one', async () => {
    const [risky, safe] = await Promise.all([
      cli(['lint', '--schema', RISKY, '--fail-on', 'high']),
      cli(['lint', '--schema', SAFE, '--fail-on', 'high']),
    ]);
    expect([risky.code, safe.code]).toEqual([1, 0]);
    expect(risky.stdout).toMatch(/--fail-on high: fails\n$/);
    expect(safe.stdout).toMatch(/--fail-on high: passes\n$/);
  });

  it('--fail-on low fails on generic IAM access alone', async () => {
    const r = await cli(['lint', '--schema', SAFE, '--fail-on', 'low', '--format', 'json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings.map((f) => f.id)).toEqual(['generic-iam']);
  });

  it.each([
    ['a missing schema', ['--schema', 'no/such/schema.graphql'], /^authmatrix: .*no\/such\/schema\.graphql: schema file not found\. Fix: /],
    ['a broken schema', ['--schema', fixture('bad/groups-empty.graphql')], /^authmatrix: .*groups-empty\.graphql:1:\d+: .*Fix: /],
  ])('bad input (%s) exits 2 with one line', async (_, args, message) => {
    const r = await cli(['lint', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('an unknown --fail-on severity is a usage error (exit 2)', async () => {
    const r = await cli(['lint', '--schema', SAFE, '--fail-on', 'critical']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: option '--fail-on <severity>' argument 'critical' is invalid/);
  });
});

describe('lintCommand', () => {
  it('colours the text only when asked (a terminal)', async () => {
    const plain = await lintCommand({ schema: SAFE, format: 'text', color: false });
    const coloured = await lintCommand({ schema: SAFE, format: 'text', color: true });
    expect(plain.output).not.toMatch(/\x1b\[/);
    expect(coloured.output).toMatch(/\x1b\[1m\x1b\[36mLOW \(1\)/);
    expect(coloured.output.replace(/\x1b\[\d+m/g, '')).toBe(plain.output);
  });

  it('refuses an unknown format as bad input', async () => {
    await expect(lintCommand({ schema: SAFE, format: 'xml' })).rejects.toMatchObject({ name: 'InputError', fix: 'use --format text|md|json' });
  });
});

describe('failsOn', () => {
  const finding = (severity: Finding['severity']): Finding => ({ id: severity, check: 'c', severity, title: 't', explanation: 'e', fix: 'f' });

  it.each([
    [['low'], 'high', false],
    [['low'], 'low', true],
    [['medium', 'low'], 'medium', true],
    [['medium'], 'high', false],
    [['high'], 'low', true],
    [[], 'low', false],
  ] as const)('%j with --fail-on %s: %s', (severities, threshold, fails) => {
    expect(failsOn(severities.map(finding), threshold)).toBe(fails);
  });

  it('never fails without --fail-on', () => {
    expect(failsOn([finding('high')], undefined)).toBe(false);
  });
});
