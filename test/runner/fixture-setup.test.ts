/**
 * Making fixture records against a running emulator: a refused create is reported with the API's own
 * error (not "HTTP 200"), a record whose parent was not made is reported with the parent's reason instead
 * of ending the run, and records nobody may create are seeded into the emulator's store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { createFixtures } from '../../harness/runner/setup.js';
import { SEED, type FixtureSpec } from '../../harness/matrix/plan.js';
import { schema } from '../helpers.js';

const model = schema(`
  type Blog @model @auth(rules: [{ allow: public }]) { id: ID! name: String! posts: [Post] @hasMany }
  type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String! blog: Blog @belongsTo }
  type Note @model @auth(rules: [{ allow: owner }]) { id: ID! body: String! }
`);

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ model, log: () => undefined });
});
afterAll(() => emu.stop());

const clientFor = () => new GraphQLClient({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } });
const spec = (instance: string, input: Record<string, unknown>, creator = 'apiKey'): FixtureSpec => ({ instance, model: instance.split('|')[0]!, fixture: instance.split('|')[1]!, creator, input });

describe('creating fixtures', () => {
  it('a refused create carries the API error; its children name the parent and the run goes on', async () => {
    const { index } = await createFixtures(model, [
      spec('Blog|record', { name: 'b', color: 'red' }),
      spec('Post|record', { title: 't', blogPostsId: { $fixture: 'Blog|record' } }),
      spec('Post|other', { title: 'u' }),
    ], clientFor);
    expect(index.failed['Blog|record']).toMatch(/^apiKey could not create it: .*Field "color" is not defined by type "CreateBlogInput"/);
    expect(index.failed['Post|record']).toBe(`fixture Blog|record was not created: ${index.failed['Blog|record']}`);
    expect(index.keys['Post|other']).toEqual({ id: expect.any(String) });
  });

  it('a record nobody may create is seeded into the store as the create resolver stores it', async () => {
    const { index, created } = await createFixtures(model, [spec('Note|unowned', { body: 'nobody owns me' }, SEED)], clientFor, undefined,
      (m, input) => emu.engine.resolvers.seed(m, input));
    const key = index.keys['Note|unowned']!;
    const stored = emu.store.table('Note').get(key)!;
    expect(stored).toMatchObject({ body: 'nobody owns me', __typename: 'Note', createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(stored.owner).toBeUndefined();
    // It lives in the emulator only: nothing for a deployed cleanup to delete.
    expect(created).toEqual([]);
  });
});
