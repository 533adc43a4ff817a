/** The permission snapshot (authz.snapshot.json) and the permission diff: format, determinism, laws. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaSnapshot } from '../../harness/commands/snapshot.js';
import { defaultCast } from '../../harness/matrix/cast.js';
import { parseAccess, renderAccess } from '../../harness/snapshot/access.js';
import { compareAccess, diffSnapshots, diffSummary, type PermissionChange } from '../../harness/snapshot/permission-diff.js';
import { SNAPSHOT_FORMAT, parseSnapshot, serializeSnapshot, snapshotOf, type Snapshot } from '../../harness/snapshot/snapshot.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { READ_OPERATIONS, type AuthModel } from '../../harness/schema/model.js';
import { ROOT, example } from '../cli/cli.js';

const BLOG = example('blog/amplify/data/resource.ts');
const COMMITTED = example('blog/authz.snapshot.json');
const REFRESH = 'node bin/authmatrix.js snapshot --schema examples/blog/amplify/data/resource.ts --out examples/blog/authz.snapshot.json';

/** Lines only one of two texts has (a line diff's + and - lines), by longest common subsequence. */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) (i++, j++);
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) removed.push(x[i++]!);
    else added.push(y[j++]!);
  }
  return { removed: [...removed, ...x.slice(i)], added: [...added, ...y.slice(j)] };
}

const withRule = (auth: AuthModel, model: string, rule: AuthModel['models'][number]['rules'][number]): AuthModel => {
  const copy = structuredClone(auth);
  copy.models.find((m) => m.name === model)!.rules.push(rule);
  return copy;
};

describe('snapshot format', () => {
  it('is the same bytes for the same schema, with nothing volatile in it', async () => {
    const first = serializeSnapshot(await schemaSnapshot(BLOG));
    const second = serializeSnapshot(await schemaSnapshot(BLOG));
    expect(second).toBe(first);
    expect(first).not.toContain(ROOT);
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    expect(first).not.toContain(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
    expect(first.endsWith('}\n')).toBe(true);
  });

  it('the Gen 2 blog app and its Gen 1 twin give identical snapshots', async () => {
    const gen2 = serializeSnapshot(await schemaSnapshot(BLOG));
    const gen1 = serializeSnapshot(await schemaSnapshot(example('blog-gen1/schema.graphql')));
    expect(gen1).toBe(gen2);
  });

  it('is JSON with sorted keys, one persona per line, and reads back to the same snapshot', async () => {
    const snapshot = await schemaSnapshot(BLOG);
    const text = serializeSnapshot(snapshot);
    expect(parseSnapshot(text, 'authz.snapshot.json')).toEqual(JSON.parse(text));
    expect(JSON.parse(text)).toEqual(snapshot);
    const keys = Object.keys(snapshot.permissions);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(Object.keys(snapshot.personas)).toContain('groupMember:Admin');
    // Each persona's access to a permission is one line: `"owner": { "owned": "allow", ... },`
    const lines = text.split('\n');
    const postGet = lines.indexOf('    "Post.get": {');
    expect(lines.slice(postGet + 1, postGet + 3)).toEqual([
      '      "apiKey": { "owned": "allow", "shared": "allow", "unowned": "allow" },',
      '      "groupMember:Admin": { "owned": "allow", "shared": "allow", "unowned": "allow" },',
    ]);
    expect(lines).toContain('    "groupMember:Admin": { "kind": "groupMember", "groups": ["Admin"], "description": "user-pool user in group Admin" },');
    expect(lines).toContain('      "shared": { "record": "owner\'s record shared with a co-owner", "own": ["owner"], "shared": ["stranger"] },');
    expect(snapshot.schema.authModes).toContain('userPool (default)');
    expect(snapshot.schema.rules.Post).toContain('#4 public access with the API key [read]');
  });

  it('covers model operations per record, field rules, custom operations and subscriptions', async () => {
    const { permissions } = await schemaSnapshot(BLOG);
    expect(permissions['Post.update']!.stranger).toEqual({ owned: 'deny', shared: 'allow', unowned: 'deny' });
    expect(permissions['Post.list']!.owner).toBe('filtered (sees: owned, shared)');
    expect(permissions['Post.onCreate']!.stranger).toBe('filtered');
    expect(permissions['Post.onCreate']!.apiKey).toBe('allow');
    expect(permissions['Post.delete']!.stranger).toBeUndefined(); // no access: left out
    expect(permissions['Employee.get.ssn']!.owner).toEqual({ owned: 'allow', unowned: 'partial (denied: ssn)' });
    expect(permissions['Employee.update.salary']!['groupMember:HR']).toEqual({ owned: 'allow', unowned: 'allow' });
    expect(permissions['Employee.create']!.stranger).toBe('partial (denied: salary; redacted: ssn)');
    expect(permissions['Query.echo']!.apiKey).toBe('allow');
    expect(permissions['Mutation.likePost']!.stranger).toBe('allow');
    expect(permissions['Subscription.onLikePost']!.owner).toBe('allow');
  });

  it('a one-rule edit gives a few-line textual diff', async () => {
    const auth = await loadAuthModel(BLOG);
    const cast = defaultCast(auth);
    const edited = withRule(auth, 'Comment', { id: 'Comment#4', kind: 'public', provider: 'apiKey', operations: [...READ_OPERATIONS] });
    const before = snapshotOf(auth, cast);
    const after = snapshotOf(edited, cast);
    const { removed, added } = lineDiff(serializeSnapshot(before), serializeSnapshot(after));
    expect(removed.length + added.length).toBeGreaterThan(0);
    expect(removed.length + added.length).toBeLessThanOrEqual(12);
    // Added lines are the new rule, apiKey's new access, or a line that gained a trailing comma.
    for (const line of added) if (!removed.includes(line.replace(/,$/, ''))) expect(line).toMatch(/"apiKey"|#4 public access with the API key/);
    expect(added).toContain('      "apiKey": "allow",');

    const changes = diffSnapshots(before, after);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) expect(c).toMatchObject({ persona: 'apiKey', direction: 'widened', severity: 'high', before: 'deny', after: 'allow' });
    expect(changes.map((c) => c.permission)).toEqual(expect.arrayContaining(['Comment.get', 'Comment.list', 'Comment.onCreate', 'Comment.onUpdate', 'Comment.onDelete']));
  });
});

describe('examples/blog/authz.snapshot.json', () => {
  it('is up to date with the schema', async () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    const snapshot = await schemaSnapshot(BLOG);
    const current = serializeSnapshot(snapshot);
    const changes = current === committed ? '' : diffSummary(diffSnapshots(parseSnapshot(committed, COMMITTED), snapshot));
    expect(current === committed, `examples/blog/authz.snapshot.json is out of date with the schema or the expected matrix (${changes}). Review the change, then run: ${REFRESH}`).toBe(true);
  });
});

describe('diff details', () => {
  const compare = (before: string, after: string) => compareAccess(parseAccess(before)!, parseAccess(after)!);

  it('orders access: more outcome, more records seen and fewer fields withheld are wider', () => {
    expect(compare('deny', 'allow')).toBe('widened');
    expect(compare('filtered', 'allow')).toBe('widened');
    expect(compare('allow', 'partial (denied: ssn)')).toBe('narrowed');
    expect(compare('filtered (sees: owned)', 'filtered (sees: owned, shared)')).toBe('widened');
    expect(compare('filtered (sees: owned)', 'filtered (sees: none)')).toBe('narrowed');
    expect(compare('filtered (sees: owned)', 'filtered (sees: shared)')).toBe('changed');
    expect(compare('filtered (sees: owned)', 'filtered')).toBe('changed');
    expect(compare('partial (denied: salary, ssn)', 'partial (denied: ssn)')).toBe('widened');
    expect(compare('allow', 'allow (redacted: ssn)')).toBe('narrowed');
    expect(compare('partial (denied: a)', 'filtered (sees: owned)')).toBe('changed');
    expect(compare('deny', 'invalid')).toBeNull();
    expect(compare('allow', 'allow')).toBeNull();
  });

  it('reads each access string back to the value it was written from, and refuses anything else', () => {
    for (const text of ['allow', 'deny', 'invalid', 'filtered', 'filtered (sees: none)', 'filtered (sees: owned, shared)', 'partial (denied: salary, ssn; redacted: notes)', 'allow (redacted: ssn)']) {
      expect(renderAccess(parseAccess(text)!)).toBe(text);
    }
    for (const text of ['maybe', 'allow (seen: owned)', 'partial (denied: a; denied: b)', 'allow ()', 'Allow', '']) {
      expect(parseAccess(text), text).toBeUndefined();
    }
  });

  it('a snapshot file with an access string it cannot read is bad input', () => {
    const text = JSON.stringify({ format: SNAPSHOT_FORMAT, version: 1, personas: { owner: { kind: 'owner', description: 'o' } }, permissions: { 'Post.get': { owner: 'mostly' } } });
    expect(() => parseSnapshot(text, 'authz.snapshot.json')).toThrow(/access strings/);
  });

  it('removing a field rule widens the field, compared through the model’s rules', async () => {
    const auth = await loadAuthModel(BLOG);
    const cast = defaultCast(auth);
    const edited = structuredClone(auth);
    delete edited.models.find((m) => m.name === 'Employee')!.fields.find((f) => f.name === 'ssn')!.rules;
    const changes = diffSnapshots(snapshotOf(auth, cast), snapshotOf(edited, cast));
    expect(changes.filter((c) => c.direction !== 'widened')).toEqual([]);
    const ssn = changes.find((c) => c.key === 'Employee.get.ssn|stranger|owned');
    expect(ssn).toMatchObject({ field: 'ssn', model: 'Employee', operation: 'get', before: 'partial (denied: ssn)', after: 'allow', severity: 'low' });
    expect(ssn!.explanation).toContain('Employee.get.ssn had no field rule: Employee.get applied');
    const write = changes.find((c) => c.key === 'Employee.update.ssn|owner|owned');
    expect(write).toMatchObject({ before: 'deny', after: 'allow', severity: 'medium' });
    expect(changes.find((c) => c.key === 'Employee.get|stranger|owned')).toMatchObject({ before: 'partial (denied: owner, salary, ssn)', after: 'partial (denied: owner, salary)' });
  });

  const snap = (personas: Record<string, string>, permissions: Snapshot['permissions'], fixtures: Snapshot['fixtures'] = {}): Snapshot => ({
    format: SNAPSHOT_FORMAT,
    version: 1,
    legend: [],
    schema: { authModes: [], settings: [], rules: {} },
    personas: Object.fromEntries(Object.entries(personas).map(([name, kind]) => [name, { kind, description: name }])),
    fixtures,
    permissions,
  });

  it('a record only one side has is compared with the nearest one (owned for a new shared record)', () => {
    const base = snap({ stranger: 'stranger' }, { 'Post.update': { stranger: { owned: 'deny', unowned: 'deny' } } });
    const head = snap({ stranger: 'stranger' }, { 'Post.update': { stranger: { owned: 'deny', shared: 'allow', unowned: 'deny' } } }, { Post: { shared: { record: "owner's record shared with a co-owner", shared: ['stranger'] } } });
    expect(diffSnapshots(base, head)).toEqual([{
      key: 'Post.update|stranger|shared', persona: 'stranger', permission: 'Post.update', operation: 'update', model: 'Post', situation: 'shared',
      before: 'deny', after: 'allow', direction: 'widened', severity: 'medium',
      explanation: "stranger gains Post.update on shared (owner's record shared with a co-owner): deny → allow (compared owned with shared)",
    }]);
    const todo = (records: Record<string, string>) => snap({ apiKey: 'apiKey' }, { 'Todo.get': { apiKey: records } });
    const changes = diffSnapshots(todo({ record: 'allow' }), todo({ owned: 'allow', unowned: 'deny' }));
    expect(changes.map((c) => [c.key, c.before, c.after, c.direction])).toEqual([['Todo.get|apiKey|unowned', 'allow', 'deny', 'narrowed']]);
  });

  it('a persona only one side has is one change, not one per permission', () => {
    const permissions = { 'Todo.get': { apiKey: { owned: 'allow' } }, 'Todo.update': { apiKey: { owned: 'allow' } }, 'Todo.list': { apiKey: 'allow' } };
    const changes = diffSnapshots(snap({ owner: 'owner' }, { 'Todo.get': {} }), snap({ owner: 'owner', apiKey: 'apiKey' }, permissions));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ key: 'persona|apiKey', persona: 'apiKey', permission: null, before: null, after: '3 permissions', direction: 'widened', severity: 'high' });
    expect(changes[0]!.explanation).toMatch(/^persona apiKey \(apiKey: apiKey\) is new with 3 permissions: Todo.get owned: allow; Todo.list: allow; Todo.update owned: allow$/);
  });
});

describe('diff laws', () => {
  const PERSONAS: Record<string, string> = { apiKey: 'apiKey', guest: 'guest', owner: 'owner', stranger: 'stranger', 'groupMember:Admin': 'groupMember', lambdaAllowed: 'lambdaAllowed' };
  const ACCESS = [
    'allow', 'deny', 'invalid', 'filtered', 'filtered (sees: none)', 'filtered (sees: owned)', 'filtered (sees: owned, shared)', 'filtered (sees: shared)',
    'partial (denied: a)', 'partial (denied: a, b)', 'partial (denied: b)', 'allow (redacted: a)', 'partial (sees: owned; denied: a)',
  ];
  const KEYS: [string, boolean][] = [
    ['Todo.get', true], ['Todo.update', true], ['Todo.list', false], ['Todo.onCreate', false], ['Todo.onCreate (by:owner)', false],
    ['Todo.get.secret', true], ['Todo.update.secret', true], ['Query.echo', false], ['Mutation.like', false],
  ];
  const RECORDS = ['owned', 'shared', 'unowned', 'record'];

  const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
    personas: fc.subarray(Object.keys(PERSONAS)),
    keys: fc.subarray(KEYS),
    records: fc.subarray(RECORDS, { minLength: 1 }),
    picks: fc.array(fc.nat({ max: ACCESS.length * 2 }), { minLength: 64, maxLength: 64 }),
  }).map(({ personas, keys, records, picks }) => {
    let n = 0;
    // Past the end of ACCESS: the persona is left out (no access, or as the plain permission for a variant).
    const pick = () => ACCESS[picks[n++ % picks.length]!];
    const permissions: Snapshot['permissions'] = {};
    for (const [key, perRecord] of keys) {
      const entry: Snapshot['permissions'][string] = {};
      for (const p of personas) {
        if (perRecord) {
          const values = Object.fromEntries(records.flatMap((r) => {
            const a = pick();
            return a ? [[r, a]] : [];
          }));
          if (Object.keys(values).length) entry[p] = values;
        } else {
          const a = pick();
          if (a) entry[p] = a;
        }
      }
      permissions[key] = entry;
    }
    return {
      format: SNAPSHOT_FORMAT, version: 1, legend: [], schema: { authModes: [], settings: [], rules: {} },
      personas: Object.fromEntries(personas.map((p) => [p, { kind: PERSONAS[p]!, description: p }])),
      fixtures: {}, permissions,
    } satisfies Snapshot;
  });

  const FLIP = { widened: 'narrowed', narrowed: 'widened', changed: 'changed' } as const;
  const byKey = (cs: PermissionChange[]) => new Map(cs.map((c) => [c.key, c]));

  it('diff(s, s) is empty', () => {
    fc.assert(fc.property(snapshotArb, (s) => {
      expect(diffSnapshots(s, s)).toEqual([]);
      expect(diffSnapshots(s, structuredClone(s))).toEqual([]);
    }), { numRuns: 300 });
  });

  it('what diff(a, b) says widened, diff(b, a) says narrowed, for the same keys', () => {
    fc.assert(fc.property(snapshotArb, snapshotArb, (a, b) => {
      const forward = byKey(diffSnapshots(a, b));
      const backward = byKey(diffSnapshots(b, a));
      expect([...backward.keys()].sort()).toEqual([...forward.keys()].sort());
      for (const [key, c] of forward) {
        const r = backward.get(key)!;
        expect(r.direction).toBe(FLIP[c.direction]);
        expect([r.before, r.after, r.severity]).toEqual([c.after, c.before, c.severity]);
      }
    }), { numRuns: 300 });
  });
});
