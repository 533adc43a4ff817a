/**
 * The models helper sends byte-for-byte the documents the real aws-amplify v6 client sends: both are
 * driven with the same calls against the emulator, and what went over the wire is compared.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import WS from 'ws';
import fc from 'fast-check';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { customClient, modelsClient } from '../../harness/client/models.js';
import { RealtimeClient } from '../../harness/client/realtime.js';
import { batchDocument, createDocument, getDocument, selectionFor, subscriptionDocument } from '../../harness/client/documents.js';
import { emulatorFor } from '../emulator/start.js';

/** What a client put on the wire: GraphQL bodies over HTTP, `start` payloads over the WebSocket. */
const wire: { query: string; variables: unknown }[] = [];

const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const text = typeof init?.body === 'string' ? init.body : input instanceof Request ? await input.clone().text() : '';
  if (text.includes('"query"')) {
    const body = JSON.parse(text) as { query: string; variables: unknown };
    wire.push({ query: body.query, variables: body.variables });
  }
  return realFetch(input, init);
}) as typeof fetch;

class RecordingWebSocket extends WS {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1/, 'ws://127.0.0.1'), protocols);
  }
  override send(data: unknown, ...rest: unknown[]): void {
    const frame = JSON.parse(String(data)) as { type: string; payload?: { data?: string } };
    if (frame.type === 'start' && frame.payload?.data) {
      const body = JSON.parse(frame.payload.data) as { query: string; variables: unknown };
      wire.push({ query: body.query, variables: body.variables });
    }
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}
(globalThis as { WebSocket?: unknown }).WebSocket = RecordingWebSocket;

type Api = Record<string, (...args: unknown[]) => unknown>;
let emu: Emulator;
let amplify: { models: Record<string, Api>; queries: Api };

/** The document aws-amplify sent for a call. */
async function sent(call: () => unknown): Promise<{ query: string; variables: unknown }> {
  wire.length = 0;
  await call();
  expect(wire).toHaveLength(1);
  return wire[0]!;
}

/** The document our client sent (its evidence records the body). */
async function ourSent(call: () => Promise<{ sent: { body: unknown } }>): Promise<unknown> {
  return (await call()).sent.body;
}

beforeAll(async () => {
  emu = await emulatorFor('blog/amplify/data/resource.ts');
  Amplify.configure(emu.outputs() as Parameters<typeof Amplify.configure>[0], {
    Auth: {
      tokenProvider: { getTokens: async () => null },
      credentialsProvider: { getCredentialsAndIdentityId: async () => undefined, clearCredentialsAndIdentityId: () => undefined },
    },
  });
  amplify = generateClient({ authMode: 'apiKey' }) as unknown as typeof amplify;
});
afterAll(() => emu.stop());

describe('the models helper builds aws-amplify’s documents', () => {
  it('create, get, update, delete, list with filter/limit/nextToken, for every model', async () => {
    const ours = modelsClient(emu.model, new GraphQLClient({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } }));
    for (const m of emu.model.models) {
      const name = m.name;
      const input = { id: 'x1', [m.fields.find((f) => f.required && !f.implicit && f.type === 'String')!.name]: 'hello' };
      const pairs: [() => unknown, () => Promise<{ sent: { body: unknown } }>][] = [
        [() => amplify.models[name]!.create!(input), () => ours[name]!.create(input)],
        [() => amplify.models[name]!.get!({ id: 'x1' }), () => ours[name]!.get({ id: 'x1' })],
        [() => amplify.models[name]!.update!({ id: 'x1', createdAt: '2026-01-01T00:00:00.000Z' }), () => ours[name]!.update({ id: 'x1', createdAt: '2026-01-01T00:00:00.000Z' })],
        [() => amplify.models[name]!.delete!({ id: 'x1' }), () => ours[name]!.delete({ id: 'x1' })],
        [() => amplify.models[name]!.list!(), () => ours[name]!.list()],
        [() => amplify.models[name]!.list!({ filter: { id: { eq: 'x1' } }, limit: 5, nextToken: 'abc' }), () => ours[name]!.list({ filter: { id: { eq: 'x1' } }, limit: 5, nextToken: 'abc' })],
      ];
      for (const [theirs, mine] of pairs) expect(await ourSent(mine as never)).toEqual(await sent(theirs));
    }
  });

  it('drops read-only timestamps from update input as aws-amplify does', async () => {
    const doc = await sent(() => amplify.models.Post!.update!({ id: 'p', title: 't', updatedAt: '2026-01-01T00:00:00.000Z' }));
    expect(doc.variables).toEqual({ input: { id: 'p', title: 't' } });
  });

  it('custom selection sets with relations', async () => {
    const ours = modelsClient(emu.model, new GraphQLClient({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } }));
    const selectionSet = ['id', 'title', 'comments.*'];
    expect(await ourSent(() => ours.Post!.get({ id: 'p' }, { selectionSet }))).toEqual(await sent(() => amplify.models.Post!.get!({ id: 'p' }, { selectionSet })));
    const child = ['id', 'post.title'];
    expect(await ourSent(() => ours.Comment!.get({ id: 'c' }, { selectionSet: child }))).toEqual(await sent(() => amplify.models.Comment!.get!({ id: 'c' }, { selectionSet: child })));
  });

  it('custom queries', async () => {
    const ours = customClient(emu.model, new GraphQLClient({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } }));
    expect(await ourSent(() => ours.echo!({ message: 'hi' }))).toEqual(await sent(() => amplify.queries.echo!({ message: 'hi' })));
  });

  it('subscriptions (aws-amplify sends no owner argument)', async () => {
    const rt = await RealtimeClient.connect({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } });
    const ours = modelsClient(emu.model, new GraphQLClient({ url: emu.url, auth: { mode: 'apiKey', apiKey: emu.apiKey! } }));
    try {
      for (const op of ['onCreate', 'onUpdate', 'onDelete'] as const) {
        wire.length = 0;
        const theirs = (amplify.models.Post![op]!({ filter: { title: { eq: 'a' } } }) as { subscribe(o: object): { unsubscribe(): void } }).subscribe({ next: () => undefined, error: () => undefined });
        for (let i = 0; i < 200 && wire.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        theirs.unsubscribe();
        const expected = wire[0]!;
        const sub = await ours.Post![op]({ filter: { title: { eq: 'a' } } }, { realtime: rt });
        await sub.stop();
        expect(subscriptionDocument(emu.model, 'Post', op, { filter: { title: { eq: 'a' } } })).toEqual({ query: expected.query, variables: expected.variables });
      }
    } finally {
      rt.close();
    }
  });
});

describe('documents aws-amplify does not build', () => {
  it('an owner argument on a subscription is declared and passed', () => {
    const doc = subscriptionDocument(emu.model, 'Post', 'onCreate', { ownerArgs: { owner: 'alice' } });
    expect(doc.query).toContain('onCreatePost(filter: $filter, owner: $owner)');
    expect(doc.variables).toEqual({ owner: 'alice' });
  });

  it('a relation asked for with arguments (`comments(limit: 1000).id`) answers past the page of 100 it gives without them', async () => {
    // iostolaza/protos-platform-aws: 100 of other cells' copies under the owner's key came before the fixture itself.
    const client = new GraphQLClient({ url: emu.url, auth: { mode: 'iam', credentials: emu.credentials.iamRole(), region: emu.region } });
    const post = await client.graphql(batchDocument(emu.model, 'Post', 'create', [{ title: 'many' }], ['id']));
    const postId = (Object.values(post.data!)[0] as { id: string }).id;
    for (let i = 0; i < 120; i += 40) {
      const r = await client.graphql(batchDocument(emu.model, 'Comment', 'create', Array.from({ length: 40 }, (_, k) => ({ postId, body: `c${i + k}` })), ['id']));
      expect(r.errors).toEqual([]);
    }
    const read = async (select: string[]) => ((await client.graphql(getDocument(emu.model, 'Post', { id: postId }, select))).data!.getPost as { comments: { items: unknown[] } }).comments.items.length;
    expect(getDocument(emu.model, 'Post', { id: postId }, ['id', 'comments(limit: 1000).id']).query).toContain('comments(limit: 1000) {');
    expect(await read(['id', 'comments.id'])).toBe(100);
    expect(await read(['id', 'comments(limit: 1000).id'])).toBe(120);
  });

  it('a batch of creates under aliases runs as one request', async () => {
    const client = new GraphQLClient({ url: emu.url, auth: { mode: 'iam', credentials: emu.credentials.iamRole(), region: emu.region } });
    const doc = batchDocument(emu.model, 'Post', 'create', [{ title: 'a' }, { title: 'b' }, { title: 'c' }], ['id', 'title']);
    const r = await client.graphql(doc);
    expect(r.errors).toEqual([]);
    expect(Object.values(r.data!).map((p) => (p as { title: string }).title)).toEqual(['a', 'b', 'c']);
    expect(createDocument(emu.model, 'Post', { title: 'a', owner: 'spoof' }).variables).toEqual({ input: { title: 'a' } });
  });

  it('a batch is the whole document as graphql-js prints it, for any model, size and selection', () => {
    // A model whose aliased fields are long enough for graphql-js to put their arguments on lines of their own.
    const post = emu.model.models.find((m) => m.name === 'Post')!;
    const long = { ...post, name: `P${'o'.repeat(58)}st`, operationNames: { ...post.operationNames, create: `create${'X'.repeat(62)}`, delete: `delete${'X'.repeat(62)}` } };
    const auth = { ...emu.model, models: [...emu.model.models, long] };
    fc.assert(
      fc.property(fc.constantFrom(...auth.models), fc.constantFrom('create' as const, 'delete' as const), fc.integer({ min: 1, max: 25 }), fc.boolean(), (m, op, n, keysOnly) => {
        const selection = keysOnly ? [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys] : undefined;
        const inputs = Array.from({ length: n }, (_, i) => ({ [m.primaryKey.partitionKey]: `k${i}` }));
        const type = `${op === 'create' ? 'Create' : 'Delete'}${m.name}Input`;
        const sel = selectionFor(auth, m, selection);
        const whole = `mutation (${inputs.map((_, i) => `$i${i}: ${type}!`).join(', ')}) { ${inputs.map((_, i) => `m${i}: ${m.operationNames[op]}(input: $i${i}) { ${sel} }`).join(' ')} }`;
        const doc = batchDocument(auth, m.name, op, inputs, selection);
        expect(doc.query).toBe(`${print(parse(whole))}\n`);
        expect(doc.variables).toEqual(Object.fromEntries(inputs.map((input, i) => [`i${i}`, input])));
      }),
    );
  });
});
