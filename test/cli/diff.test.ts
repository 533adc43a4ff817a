/**
 * `authmatrix snapshot` and `authmatrix diff` end to end: small Gen 2 apps (test/fixtures/diff) that widen
 * and narrow the access of an owner-only Todo, the severities, the formats and the exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PermissionChange } from '../../harness/snapshot/permission-diff.js';
import { cli, example, fixture } from './cli.js';

const app = (name: string) => fixture('diff', name);
const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-diff-'));
const BASE = path.join(dir, 'authz.snapshot.json');

/** `severity direction persona permission record: before → after`, one per change. */
const line = (c: PermissionChange) => `${c.severity} ${c.direction} ${c.persona} ${c.permission ?? '(persona)'}${c.situation ? ` ${c.situation}` : ''}: ${c.before} → ${c.after}`;

async function diffJson(base: string, head: string, ...flags: string[]): Promise<{ code: number; changes: PermissionChange[]; summary: Record<string, number> }> {
  const r = await cli(['diff', '--base', base, '--head', head, '--format', 'json', ...flags]);
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { summary: Record<string, number>; changes: PermissionChange[] };
  return { code: r.code, ...out };
}

/** Changes to plain permissions (variants such as `(by:owner)` deliveries left aside). */
const plain = (changes: PermissionChange[]) => changes.filter((c) => !c.permission?.includes(' (')).map(line);

beforeAll(async () => {
  const r = await cli(['snapshot', '--schema', app('owner-only'), '--out', BASE]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

describe('authmatrix snapshot', () => {
  it('writes a versioned snapshot and says so in one line', async () => {
    const out = path.join(dir, 'again.json');
    const r = await cli(['snapshot', '--schema', app('owner-only'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ permissions, 8 personas\\.\\n$`));
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(readFileSync(BASE, 'utf8'));
    const snapshot = JSON.parse(text);
    expect(snapshot).toMatchObject({ format: 'authmatrix permission snapshot', version: 1 });
    expect(snapshot.permissions['Todo.update']).toEqual({
      iamAdmin: { owned: 'allow', unowned: 'allow' },
      owner: { owned: 'allow', unowned: 'deny' },
    });
  });
});

describe('authmatrix diff: widening fails the gate', () => {
  it('+ allow.publicApiKey().to([read]): an API-key holder gains reads (high), exit 1', async () => {
    const { code, changes, summary } = await diffJson(BASE, app('public-read'));
    expect(code).toBe(1);
    expect(changes.map(line)).toEqual([
      'high widened apiKey Todo.get owned: deny → allow',
      'high widened apiKey Todo.get unowned: deny → allow',
      'high widened apiKey Todo.list: deny → allow',
      'high widened apiKey Todo.onCreate: deny → allow',
      'high widened apiKey Todo.onDelete: deny → allow',
      'high widened apiKey Todo.onUpdate: deny → allow',
    ]);
    expect(summary).toEqual({ widened: 6, changed: 0, narrowed: 0, high: 6, medium: 0, low: 0 });
    expect(changes[0]).toMatchObject({ key: 'Todo.get|apiKey|owned', model: 'Todo', operation: 'get', situation: 'owned' });
    expect(changes[0]!.explanation).toBe("apiKey gains Todo.get on owned (owner's record): deny → allow");
  });

  it('+ allow.authenticated().to([create, update, delete]): signed-in users gain writes (medium)', async () => {
    const { code, changes } = await diffJson(BASE, app('authenticated-write'));
    expect(code).toBe(1);
    expect(plain(changes)).toEqual([
      'medium widened groupMember:Auditors Todo.delete owned: deny → allow',
      'medium widened groupMember:Auditors Todo.delete unowned: deny → allow',
      'medium widened owner Todo.delete unowned: deny → allow',
      'medium widened stranger Todo.delete owned: deny → allow',
      'medium widened stranger Todo.delete unowned: deny → allow',
      'medium widened groupMember:Auditors Todo.update owned: deny → allow',
      'medium widened groupMember:Auditors Todo.update unowned: deny → allow',
      'medium widened owner Todo.update unowned: deny → allow',
      'medium widened stranger Todo.update owned: deny → allow',
      'medium widened stranger Todo.update unowned: deny → allow',
    ]);
    expect(changes.every((c) => c.direction === 'widened')).toBe(true);
  });

  it('+ allow.groups([Auditors]).to([read]): a group member gains reads (low)', async () => {
    const { code, changes } = await diffJson(BASE, app('group-read'));
    expect(code).toBe(1);
    expect(plain(changes)).toEqual([
      'low widened groupMember:Auditors Todo.get owned: deny → allow',
      'low widened groupMember:Auditors Todo.get unowned: deny → allow',
      'low widened groupMember:Auditors Todo.list: filtered (sees: none) → allow',
      'low widened groupMember:Auditors Todo.onCreate: filtered → allow',
      'low widened groupMember:Auditors Todo.onDelete: filtered → allow',
      'low widened groupMember:Auditors Todo.onUpdate: filtered → allow',
    ]);
    // Deliveries widen with the subscription: the member now receives other users' events.
    const deliveries = changes.filter((c) => c.permission?.includes(' (by:'));
    expect(deliveries.length).toBeGreaterThan(0);
    for (const c of changes) expect(c).toMatchObject({ persona: 'groupMember:Auditors', direction: 'widened', severity: 'low' });
  });

  it('a new group is one change for its new persona, with the severity of what it holds', async () => {
    const { code, changes } = await diffJson(BASE, app('admin-group'));
    expect(code).toBe(1);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ key: 'persona|groupMember:Admin', persona: 'groupMember:Admin', operation: '*', before: null, after: '8 permissions', direction: 'widened', severity: 'medium' });
    expect(changes[0]!.explanation).toMatch(/^persona groupMember:Admin \(groupMember: user-pool user in group Admin\) is new with 8 permissions: Todo\.create: allow; /);
  });

  it('--allow-widening reports the same changes and exits 0', async () => {
    const { code, changes } = await diffJson(BASE, app('public-read'), '--allow-widening');
    expect(code).toBe(0);
    expect(changes).toHaveLength(6);
    const text = await cli(['diff', '--base', BASE, '--head', app('public-read'), '--allow-widening']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Access widened; accepted (--allow-widening).');
  });

  it('prints the changes as text, grouped by severity, records merged', async () => {
    const r = await cli(['diff', '--base', BASE, '--head', app('public-all')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe([
      'Permission diff: 11 widened (high 11), 0 narrowed',
      '',
      'Widened (11 changes):',
      '  high    apiKey  Todo.create                    deny → allow',
      '  high    apiKey  Todo.delete    owned, unowned  deny → allow',
      '  high    apiKey  Todo.get       owned, unowned  deny → allow',
      '  high    apiKey  Todo.list                      deny → allow',
      '  high    apiKey  Todo.onCreate                  deny → allow',
      '  high    apiKey  Todo.onDelete                  deny → allow',
      '  high    apiKey  Todo.onUpdate                  deny → allow',
      '  high    apiKey  Todo.update    owned, unowned  deny → allow',
      '',
      'Access widened: exit 1. Review the changes, then refresh the baseline (authmatrix snapshot) or pass --allow-widening.',
      '',
    ].join('\n'));
  });
});

describe('authmatrix diff: narrowing passes', () => {
  it('full API-key access → read-only API key: writes narrowed, exit 0', async () => {
    const { code, changes } = await diffJson(app('public-all'), app('public-read'));
    expect(code).toBe(0);
    expect(changes.map(line)).toEqual([
      'high narrowed apiKey Todo.create: allow → deny',
      'high narrowed apiKey Todo.delete owned: allow → deny',
      'high narrowed apiKey Todo.delete unowned: allow → deny',
      'high narrowed apiKey Todo.update owned: allow → deny',
      'high narrowed apiKey Todo.update unowned: allow → deny',
    ]);
  });

  it('removing the group persona is one narrowed change; md lists it under Narrowed', async () => {
    const r = await cli(['diff', '--base', app('admin-group'), '--head', BASE, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('**Permission diff:** 0 widened, 1 narrowed');
    expect(r.stdout).toContain('### Narrowed (1 change)');
    expect(r.stdout).toContain('| severity | persona | permission | records | before | after |');
    expect(r.stdout).toMatch(/\| medium \| groupMember:Admin \| persona groupMember:Admin .* is gone with 8 permissions: .* \| \| 8 permissions \| absent \|/);
    expect(r.stdout).not.toContain('Widened');
  });

  it('a schema and its snapshot are the same base; the same app on both sides has no changes', async () => {
    const fromSchema = await diffJson(app('owner-only'), app('public-read'));
    const fromSnapshot = await diffJson(BASE, app('public-read'));
    expect(fromSchema.changes).toEqual(fromSnapshot.changes);
    const same = await cli(['diff', '--base', BASE, '--head', app('owner-only')]);
    expect([same.code, same.stdout]).toEqual([0, 'Permission diff: no permission changes\n']);
  });

  it('reads amplify_outputs.json as a schema, not as a snapshot', async () => {
    const r = await cli(['diff', '--base', fixture('amplify_outputs.todo.json'), '--head', example('todo/amplify/data/resource.ts')]);
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, 'Permission diff: no permission changes\n']);
  });
});

describe('authmatrix diff: bad input exits 2 with one line', () => {
  const notSnapshot = path.join(dir, 'not-a-snapshot.json');
  const broken = path.join(dir, 'broken.json');
  const future = path.join(dir, 'future.json');
  writeFileSync(notSnapshot, JSON.stringify({ name: 'something else' }));
  writeFileSync(broken, '{ "format": ');
  writeFileSync(future, JSON.stringify({ format: 'authmatrix permission snapshot', version: 99, personas: {}, permissions: {} }));

  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['--base', 'nope/authz.snapshot.json', '--head', app('owner-only')], /nope\/authz\.snapshot\.json: file not found\. Fix: pass an authz\.snapshot\.json, or a schema/],
    ['JSON that is not a snapshot', () => ['--base', notSnapshot, '--head', app('owner-only')], /not-a-snapshot\.json: not a permission snapshot \(no "format": "authmatrix permission snapshot"\)\. Fix: /],
    ['broken JSON', () => ['--base', broken, '--head', app('owner-only')], /broken\.json: invalid JSON: .*Fix: /],
    ['a snapshot of another version', () => ['--base', future, '--head', app('owner-only')], /future\.json: snapshot version 99 is not supported \(this authmatrix reads version 1\)\. Fix: regenerate it/],
    ['a broken head schema', () => ['--base', BASE, '--head', fixture('bad/groups-none/amplify/data/resource.ts')], /groups rule without groups \(rule Note#1\)/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const r = await cli(['diff', ...args()]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('snapshot of a missing schema', async () => {
    const r = await cli(['snapshot', '--schema', 'nope/resource.ts', '--out', path.join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\/resource\.ts: schema file not found/);
  });
});
