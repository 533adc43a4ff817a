/**
 * The emulator's tables hand out the items they hold without copying them (harness/emulator/appsync/store.ts):
 * what is put is copied once and frozen, so neither the writer nor a reader can change a stored item.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Table } from '../../harness/emulator/appsync/store.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { Model } from '../../harness/schema/model.js';

let post: Model;
beforeAll(async () => {
  post = (await loadAuthModel(path.resolve('examples/blog/amplify/data/resource.ts'))).models.find((m) => m.name === 'Post')!;
});

describe('stored items', () => {
  it('changing what was put leaves the stored item as it was', () => {
    const table = new Table(post);
    const input = { id: 'p1', title: 't', editors: ['a'] };
    table.put(input);
    input.title = 'changed';
    input.editors.push('b');
    expect(table.get({ id: 'p1' })).toEqual({ id: 'p1', title: 't', editors: ['a'] });
  });

  it('a read item, and the lists in it, cannot be changed; a scan gives the same items', () => {
    const table = new Table(post);
    table.put({ id: 'p1', title: 't', editors: ['a'] });
    const item = table.get({ id: 'p1' }) as { title: string; editors: string[] };
    expect(() => (item.title = 'x')).toThrow(TypeError);
    expect(() => item.editors.push('b')).toThrow(TypeError);
    expect(table.scan({ limit: 10 }).items[0]).toBe(item);
    expect(table.get({ id: 'p1' })).toEqual({ id: 'p1', title: 't', editors: ['a'] });
  });

  it('an update puts a new frozen item; the one read before keeps its values', () => {
    const table = new Table(post);
    table.put({ id: 'p1', title: 't' });
    const before = table.get({ id: 'p1' })!;
    table.put({ ...before, title: 'u' }, { ifPresent: true });
    expect(before.title).toBe('t');
    expect(Object.isFrozen(table.get({ id: 'p1' }))).toBe(true);
    expect(table.get({ id: 'p1' })!.title).toBe('u');
  });
});
