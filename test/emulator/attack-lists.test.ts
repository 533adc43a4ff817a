/**
 * Lists cost what they return (issue 13): a page reads `limit` rows of an ordered index, whatever the
 * table size, and pages stay exact while the table changes underneath. The oracle-visible semantics are
 * DynamoDB's as the generated resolvers use them: `limit` rows are read, then the filter drops some.
 */
import fc from 'fast-check';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadAuthModel, startEmulator, type Emulator } from '../../harness/index.js';
import { schema } from '../helpers.js';
import { apiKeyHeaders, blogEmulator, raw } from './attack-wire.js';

type Item = Record<string, unknown>;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the cost of a list', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await blogEmulator();
    const posts = emu.store.table('Post');
    const comments = emu.store.table('Comment');
    for (let i = 0; i < 20_000; i++) posts.put({ id: `p${i}`, title: `t${i}`, __typename: 'Post' });
    for (let i = 0; i < 20_000; i++) comments.put({ id: `c${i}`, postId: `p${i % 400}`, body: 'b', __typename: 'Comment' });
  });
  afterAll(() => emu.stop());

  const ask = async (query: string, headers: Record<string, string> = apiKeyHeaders(emu)) => {
    const r = await raw(emu.url, { body: JSON.stringify({ query }), headers: { 'content-type': 'application/json', ...headers } });
    return r.json() as { data: Record<string, { items: Item[]; nextToken: string | null }>; errors?: unknown[] };
  };

  it('a page of 10 reads about 10 rows of a 20,000-row table, and paging through reads each row once', async () => {
    const posts = emu.store.table('Post');
    let before = posts.rowsRead;
    const first = await ask('{ listPosts(limit: 10) { items { id } nextToken } }');
    expect(first.data.listPosts!.items.map((i) => i.id)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(posts.rowsRead - before).toBeLessThanOrEqual(11);
    before = posts.rowsRead;
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page = await ask(`{ listPosts(limit: 2500${token ? `, nextToken: "${token}"` : ''}) { items { id } nextToken } }`);
      seen.push(...page.data.listPosts!.items.map((i) => i.id as string));
      token = page.data.listPosts!.nextToken;
    } while (token);
    expect(seen).toHaveLength(20_000);
    expect(new Set(seen).size).toBe(20_000);
    expect(posts.rowsRead - before).toBeLessThanOrEqual(20_000 + 8);
  });

  it('a post’s comments are read through an index: 50 of 20,000 rows', async () => {
    const admin = await emu.credentials.userPool({ username: 'admin', groups: ['Admin'] });
    const comments = emu.store.table('Comment');
    const before = comments.rowsRead;
    const r = await ask('{ getPost(id: "p7") { comments { items { id } } } }', { host: new URL(emu.url).host, authorization: admin.accessToken });
    expect(r.errors).toBeUndefined();
    expect((r.data.getPost as unknown as { comments: { items: Item[] } }).comments.items).toHaveLength(50);
    expect(comments.rowsRead - before).toBeLessThanOrEqual(51);
  });
});

describe('the cost of a DynamoDB Query from an AppSync JS resolver', () => {
  it('reads one partition in sort-key order, a page at a time', async () => {
    const emu = await startEmulator({ model: await loadAuthModel(path.join(ROOT, 'test/fixtures/js-query/amplify/data/resource.ts')), log: () => undefined });
    try {
      const readings = emu.store.table('Reading');
      for (let at = 0; at < 1000; at++) for (const device of ['a', 'b', 'c']) readings.put({ device, at, value: at, __typename: 'Reading' });
      const before = readings.rowsRead;
      const seen: number[] = [];
      let token: string | null = null;
      do {
        const r = await raw(emu.url, { body: JSON.stringify({ query: 'query ($t: String) { latestReadings(device: "b", limit: 300, nextToken: $t) { items { at } nextToken } }', variables: { t: token } }), headers: { 'content-type': 'application/json', ...apiKeyHeaders(emu) } });
        const page = (r.json() as { data: { latestReadings: { items: { at: number }[]; nextToken: string | null } } }).data.latestReadings;
        seen.push(...page.items.map((i) => i.at));
        token = page.nextToken;
      } while (token);
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
      expect(readings.rowsRead - before).toBeLessThanOrEqual(1000 + 4);
    } finally {
      await emu.stop();
    }
  });
});

describe('pages of a changing table (DynamoDB semantics: resume after the last row read)', () => {
  const model = schema(`
    type Reading @model @auth(rules: [{ allow: public }]) {
      device: String! @primaryKey(sortKeyFields: ["at"])
      at: Int!
      kind: String @index(name: "byKind", sortKeyFields: ["at"], queryField: "readingsByKind")
      value: Int
    }`);
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ model, log: () => undefined });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const row = fc.record({ device: fc.constantFrom('a', 'b', 'c'), at: fc.integer({ min: 0, max: 30 }), kind: fc.constantFrom('x', 'y'), value: fc.integer({ min: 0, max: 9 }) });
  type Row = { device: string; at: number; kind: string; value: number };
  type Op = { put: Row } | { del: number } | { page: true };
  const op: fc.Arbitrary<Op> = fc.oneof({ arbitrary: row.map((put) => ({ put })), weight: 3 }, fc.nat().map((del) => ({ del })), fc.constant({ page: true as const }));
  const keyOf = (r: Item) => `${String(r.device)}#${String(r.at)}`;
  const filters: (Item | null)[] = [null, { value: { ge: 5 } }, { kind: { eq: 'x' } }];

  const matching = (filter: Item | null) => (r: Row) =>
    !filter || Object.entries(filter).every(([f, c]) => ('ge' in (c as Item) ? (r[f as keyof Row] as number) >= ((c as Item).ge as number) : r[f as keyof Row] === (c as Item).eq));

  /**
   * Pages of `read` interleaved with writes: no row comes twice (unless deleted and put again meanwhile:
   * a new row), and every row that was there throughout
   * (never rewritten or deleted) and matches the filter comes once. Without writes, the rows come in
   * index order (`order`, ties in insertion order), filtered.
   */
  function check(limit: number, read: (token: string | null, filter: Item | null) => { items: Item[]; nextToken: string | null }, scope: (r: Row) => boolean, order: (a: Row, b: Row) => number) {
    return fc.property(fc.array(row, { maxLength: 40 }), fc.array(op, { maxLength: 60 }), fc.constantFrom(...filters), (initial, ops, filter) => {
      emu.reset();
      const table = emu.store.table('Reading');
      for (const r of initial) table.put({ ...r, __typename: 'Reading' });
      const last = new Map<string, Row>();
      for (const r of initial) last.set(keyOf(r), r);
      const start = new Map([...last].filter(([, r]) => scope(r)));
      const stable = new Set(start.keys());
      const deleted = new Set<string>();
      const reborn = new Set<string>();
      const seen: string[] = [];
      let token: string | null = null;
      let done = false;
      const page = () => {
        if (done) return;
        const p = read(token, filter);
        expect(p.items.length).toBeLessThanOrEqual(limit);
        for (const i of p.items) seen.push(keyOf(i));
        token = p.nextToken;
        done = token === null;
      };
      page();
      for (const o of ops) {
        if ('put' in o) {
          stable.delete(keyOf(o.put));
          if (deleted.has(keyOf(o.put))) reborn.add(keyOf(o.put));
          table.put({ ...o.put, __typename: 'Reading' });
        } else if ('del' in o) {
          const keys = [...start.keys(), ...ops.flatMap((x) => ('put' in x ? [keyOf(x.put)] : []))];
          const k = keys[o.del % Math.max(keys.length, 1)];
          if (k) {
            stable.delete(k);
            deleted.add(k);
            const [device, at] = k.split('#');
            if (table.get({ device, at: Number(at) })) table.delete({ device, at: Number(at) });
          }
        } else page();
      }
      while (!done) page();
      const once = seen.filter((k) => !reborn.has(k));
      expect(new Set(once).size).toBe(once.length);
      const want = [...start.values()].filter((r) => stable.has(keyOf(r)) && matching(filter)(r));
      for (const r of want) expect(seen).toContain(keyOf(r));
      if (ops.every((o) => 'page' in o)) expect(seen).toEqual([...start.values()].sort(order).filter(matching(filter)).map(keyOf));
    });
  }

  it('a page reads `limit` rows, then filters: it can be empty and still have a next token', () => {
    const table = emu.store.table('Reading');
    for (let at = 0; at < 6; at++) table.put({ device: 'a', at, kind: 'y', value: at < 3 ? 0 : 9, __typename: 'Reading' });
    const first = table.scan({ limit: 3, filter: { value: { ge: 5 } } });
    expect(first.items).toEqual([]);
    expect(first.nextToken).not.toBeNull();
    const second = table.scan({ limit: 3, nextToken: first.nextToken, filter: { value: { ge: 5 } } });
    expect(second.items.map((i) => i.at)).toEqual([3, 4, 5]);
    expect(second.nextToken).toBeNull();
  });

  it('scans: insertion order, limit before filter', () => {
    const table = () => emu.store.table('Reading');
    const insertion = () => 0;
    fc.assert(check(3, (nextToken, filter) => table().scan({ limit: 3, nextToken, filter }), () => true, insertion), { numRuns: 150 });
  });

  it('queries on the primary key: sort-key order, both directions', () => {
    const table = () => emu.store.table('Reading');
    for (const sortDirection of ['ASC', 'DESC'] as const) {
      fc.assert(
        check(
          2,
          (nextToken, filter) => table().query({ partition: { field: 'device', value: 'a' } }, { limit: 2, nextToken, filter, sortDirection }),
          (r) => r.device === 'a',
          (x, y) => (sortDirection === 'ASC' ? x.at - y.at : y.at - x.at),
        ),
        { numRuns: 100 },
      );
    }
  });

  it('queries on a secondary index: sort-key order, ties in insertion order', () => {
    const table = () => emu.store.table('Reading');
    const index = model.models[0]!.indexes[0]!;
    fc.assert(check(4, (nextToken, filter) => table().query({ partition: { field: 'kind', value: 'x' } }, { index, limit: 4, nextToken, filter }), (r) => r.kind === 'x', (x, y) => x.at - y.at), { numRuns: 100 });
  });
});
