/** `authmatrix matrix` end to end: the examples, the formats, and every bad-input case of the issue. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, example, fixture } from './cli.js';

describe('authmatrix matrix', () => {
  it.each([
    ['the Gen 2 quick-start app', example('todo/amplify/data/resource.ts')],
    ['the Gen 2 all-rules app', example('blog/amplify/data/resource.ts')],
    ['the Gen 1 all-rules app', example('blog-gen1/schema.graphql')],
  ])('prints a table for %s within 100 columns', async (_, schema) => {
    const r = await cli(['matrix', '--schema', schema]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ allow/);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('the Gen 1 and Gen 2 blog apps give the same matrix', async () => {
    const [a, b] = await Promise.all([
      cli(['matrix', '--schema', example('blog/amplify/data/resource.ts'), '--format', 'json']),
      cli(['matrix', '--schema', example('blog-gen1/schema.graphql'), '--format', 'json']),
    ]);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });

  it('--format json gives cells with persona, model, operation, field, ownership, expected, rule and reason', async () => {
    const r = await cli(['matrix', '--schema', example('blog/amplify/data/resource.ts'), '--format', 'json']);
    const cells = JSON.parse(r.stdout) as Record<string, unknown>[];
    const stranger = cells.find((c) => c.id === 'Post|update|stranger|owned');
    expect(stranger).toMatchObject({ persona: 'stranger', model: 'Post', operation: 'update', ownership: 'other', expected: 'deny' });
    expect(stranger!.reason).toMatch(/^denied: /);
    const ssn = cells.find((c) => c.id === 'Employee|get|stranger|owned|ssn');
    expect(ssn).toMatchObject({ field: 'ssn', expected: 'partial', deniedFields: ['ssn'] });
    const echo = cells.find((c) => c.id === 'echo|query|apiKey');
    expect(echo).toMatchObject({ customOperation: 'echo', operation: 'query', expected: 'allow', rule: 'Query.echo#2' });
    const personas = new Set(cells.map((c) => c.persona));
    expect([...personas]).toEqual(expect.arrayContaining(['anonymous', 'guest', 'iamUser', 'iamAdmin', 'apiKey', 'owner', 'stranger', 'groupMember:Admin', 'groupMember:HR', 'dynamicGroupMember', 'oidcUser', 'oidcStranger', 'lambdaAllowed', 'lambdaDenied']));
  });

  it('the cast includes OIDC and Lambda personas only when those modes are configured', async () => {
    const r = await cli(['matrix', '--schema', example('todo/amplify/data/resource.ts'), '--format', 'json']);
    const personas = new Set((JSON.parse(r.stdout) as { persona: string }[]).map((c) => c.persona));
    expect([...personas].sort()).toEqual(['anonymous', 'apiKey', 'guest', 'iamAdmin', 'iamUser', 'owner', 'stranger']);
  });

  it('--format md prints Markdown tables', async () => {
    const r = await cli(['matrix', '--schema', example('todo/amplify/data/resource.ts'), '--format', 'md']);
    expect(r.stdout).toContain('### Todo');
    expect(r.stdout).toContain('| persona | create | get O | get U | list |');
    expect(r.stdout).toMatch(/\| owner \| ✓ \| ✓ \| ✗ \| ~ \|/);
  });
});

describe('bad input: one line naming the file and the fix, exit code 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing file', ['--schema', 'nope/resource.ts'], /nope\/resource\.ts: schema file not found\. Fix: pass the path/],
    ['TypeScript that does not parse', ['--schema', fixture('bad/syntax/amplify/data/resource.ts')], /bad\/syntax\/amplify\/data\/resource\.ts:\d+:\d+: the resource file does not load: .*Fix: /],
    ['TypeScript that throws', ['--schema', fixture('bad/throws/amplify/data/resource.ts')], /resource\.ts:6:\d+: the resource file does not load: boom: configuration missing\. Fix: /],
    // A validation library's error is a JSON list of issues: its first line alone was "[" (dydyxylish/knitting-belle).
    ['an environment check that throws a list of issues', ['--schema', fixture('bad/env-check/amplify/data/resource.ts')],
      /resource\.ts:\d+:\d+: the resource file does not load: EnvError: \[ \{ "path": \[ "APP_ORIGIN" \], "message": "Required" \}, \{ "path": \[ "CALLBACK_URLS" \], "message": "Required" \} \]\. Fix: fix the TypeScript so the file evaluates, or set the environment variables it reads\n/],
    ['an unknown directive argument', ['--schema', fixture('bad/unknown-arg.graphql')], /unknown-arg\.graphql:1:\d+: unknown @auth rule argument "ownerFeld" \(rule Post#1\)\. Fix: use one of allow, provider, ownerField/],
    ['an owner rule on a custom operation', ['--schema', fixture('bad/custom-owner.graphql')], /custom-owner\.graphql:6:\d+: owner rules cannot protect custom query myPosts.*Fix: use a static rule/],
    ['a groups rule without groups (Gen 2)', ['--schema', fixture('bad/nogroups/amplify/data/resource.ts')], /nogroups\/amplify\/data\/resource\.ts:4:\d+: groups rule without groups \(rule Report#1\)\. Fix: name at least one group/],
    ['a groups rule without groups (Gen 1)', ['--schema', fixture('bad/groups-empty.graphql')], /groups-empty\.graphql:1:\d+: groups rule without groups/],
    ['a groups rule naming no group', ['--schema', fixture('bad/groups-none/amplify/data/resource.ts')], /groups-none\/amplify\/data\/resource\.ts:4:\d+: groups rule without groups \(rule Note#1\)\. Fix: name at least one group/],
    ['an ownerField naming a non-string field', ['--schema', fixture('bad/int-owner.graphql')], /int-owner\.graphql:1:\d+: ownerField "ownerId" of rule Account#1 has type Int; it must be String or \[String\]\. Fix: /],
    ['an OIDC rule without an OIDC mode', ['--schema', fixture('bad/oidc/amplify/data/resource.ts')], /oidc\/amplify\/data\/resource\.ts:4:\d+: rule Ticket#1 uses provider oidc, but the oidc authorization mode is not configured\. Fix: configure an OIDC provider/],
    ['an unknown format', ['--schema', example('todo/amplify/data/resource.ts'), '--format', 'xml'], /argument 'xml' is invalid/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const r = await cli(['matrix', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (!/format/.test(_)) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the transpile cache', () => {
  it('lives in the user cache directory, not in the app, and a changed resource file is read anew', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'authmatrix-cache-'));
    try {
      const app = path.join(home, 'app');
      cpSync(fixture('gate/narrow'), app, { recursive: true });
      const resource = path.join(app, 'amplify/data/resource.ts');
      const env = { XDG_CACHE_HOME: path.join(home, 'cache') };
      const cells = async () => {
        const r = await cli(['matrix', '--schema', resource, '--format', 'json'], { env });
        expect(r.stderr).toBe('');
        return (JSON.parse(r.stdout) as { id: string; expected: string }[]).filter((c) => c.id.startsWith('Note|update|apiKey'));
      };
      const before = await cells();
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((c) => c.expected === 'deny')).toBe(true);
      expect(readdirSync(path.join(home, 'cache/authmatrix/jiti')).length).toBeGreaterThan(0);
      expect(readdirSync(app).sort()).toEqual(['amplify']);

      writeFileSync(resource, readFileSync(resource, 'utf8').replace("to(['read', 'create'])", "to(['read', 'create', 'update'])"));
      const after = await cells();
      expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
      expect(after.every((c) => c.expected === 'allow')).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
