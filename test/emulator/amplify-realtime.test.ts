/**
 * The real aws-amplify v6 client's subscriptions against the emulator. Node 20 has no global WebSocket,
 * and amplify-js always speaks wss:// to a non-AppSync host, so the global is a small `ws` subclass that
 * talks plain ws:// to the loopback emulator.
 */
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import WS from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { emulatorFor } from './start.js';

/** start_ack frames received, over every socket: how a test knows a subscription is live. */
let acks = 0;
let acksAwaited = 0;

class LoopbackWebSocket extends WS {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(String(url).replace(/^wss:\/\/127\.0\.0\.1/, 'ws://127.0.0.1'), protocols);
    this.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === 'start_ack') acks++;
    });
  }
}
(globalThis as { WebSocket?: unknown }).WebSocket = LoopbackWebSocket;

type Observable<T> = { subscribe(o: { next: (v: T) => void; error?: (e: unknown) => void }): { unsubscribe(): void } };
type Item = { id: string; content: string; owner?: string | null };
type TodoApi = {
  create(input: Record<string, unknown>, o?: Record<string, unknown>): Promise<{ data: Item | null; errors?: unknown[] }>;
  onCreate(o?: Record<string, unknown>): Observable<Item>;
  observeQuery(o?: Record<string, unknown>): Observable<{ items: Item[]; isSynced: boolean }>;
};

let emu: Emulator;
const tokens = new Map<string, string>();
let current = 'alice';

beforeAll(async () => {
  emu = await emulatorFor('todo/amplify/data/resource.ts');
  for (const u of ['alice', 'bob']) tokens.set(u, (await emu.credentials.userPool({ username: u })).accessToken);
  Amplify.configure(emu.outputs() as Parameters<typeof Amplify.configure>[0], {
    Auth: {
      tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(tokens.get(current)!) }) },
      credentialsProvider: { getCredentialsAndIdentityId: async () => undefined, clearCredentialsAndIdentityId: () => undefined },
    },
  });
});
afterAll(() => emu.stop());

function todos(authMode?: string): TodoApi {
  return (generateClient(authMode ? { authMode } as never : {}) as unknown as { models: { Todo: TodoApi } }).models.Todo;
}

function collect<T>(obs: Observable<T>): { values: T[]; errors: unknown[]; stop(): void; waitFor(n: number, ms?: number): Promise<void> } {
  const values: T[] = [];
  const errors: unknown[] = [];
  const sub = obs.subscribe({ next: (v) => values.push(v), error: (e) => errors.push(e) });
  return {
    values,
    errors,
    stop: () => sub.unsubscribe(),
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (values.length < n && errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

/** Amplify acknowledges a start asynchronously; a create is only observed once the start_ack is in. */
/** Waits for the start_acks of the subscriptions just opened (no sleeping on a guess). */
async function started(subscriptions = 1): Promise<void> {
  acksAwaited += subscriptions;
  const deadline = Date.now() + 10_000;
  while (acks < acksAwaited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (acks < acksAwaited) throw new Error('the subscription was not acknowledged within 10 s');
}

describe('aws-amplify subscriptions', () => {
  it('userPool onCreate: the owner receives its own events, a stranger receives none', async () => {
    current = 'alice';
    const aliceSub = collect(todos().onCreate());
    await started();
    current = 'bob';
    const bobSub = collect(todos().onCreate());
    await started();
    current = 'alice';
    await todos().create({ content: 'from alice' });
    current = 'bob';
    await todos().create({ content: 'sentinel from bob' });
    await aliceSub.waitFor(1);
    await bobSub.waitFor(1);
    expect(aliceSub.errors).toEqual([]);
    expect(aliceSub.values.map((v) => v.content)).toEqual(['from alice']);
    expect(bobSub.values.map((v) => v.content)).toEqual(['sentinel from bob']);
    aliceSub.stop();
    bobSub.stop();
  });

  it('apiKey onCreate receives every event (public read rule)', async () => {
    const keySub = collect(todos('apiKey').onCreate());
    await started();
    current = 'alice';
    await todos().create({ content: 'one' });
    current = 'bob';
    await todos().create({ content: 'two' });
    await keySub.waitFor(2);
    expect(keySub.values.map((v) => v.content)).toEqual(['one', 'two']);
    keySub.stop();
  });

  it('observeQuery lists then applies the caller’s own events', async () => {
    current = 'alice';
    const snapshots = collect(todos().observeQuery());
    await snapshots.waitFor(1);
    const before = snapshots.values.at(-1)!.items.length;
    await started(3); // observeQuery subscribes to onCreate, onUpdate and onDelete
    await todos().create({ content: 'observed' });
    const deadline = Date.now() + 5000;
    while (!snapshots.values.some((s) => s.items.some((i) => i.content === 'observed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const last = snapshots.values.at(-1)!;
    expect(last.items.length).toBe(before + 1);
    expect(last.items.every((i) => i.owner === 'alice')).toBe(true);
    snapshots.stop();
  });
});

describe('aws-amplify subscriptions on the all-rules app', () => {
  let blog: Emulator;
  const blogTokens = new Map<string, string>();
  let who = 'admin';
  type GraphQLApi = { graphql(o: { query: string; variables?: Record<string, unknown>; authMode?: string }): Observable<{ data: Record<string, unknown> }> | Promise<{ data: Record<string, unknown> }> };

  beforeAll(async () => {
    blog = await emulatorFor('blog/amplify/data/resource.ts');
    blogTokens.set('admin', (await blog.credentials.userPool({ username: 'admin', groups: ['Admin'] })).accessToken);
    blogTokens.set('hr', (await blog.credentials.userPool({ username: 'hr', groups: ['HR'] })).accessToken);
    blogTokens.set('owner', (await blog.credentials.userPool({ username: 'owner' })).accessToken);
    blogTokens.set('forged', 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.');
    Amplify.configure(blog.outputs() as Parameters<typeof Amplify.configure>[0], {
      Auth: {
        tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(blogTokens.get(who)!) }) },
        credentialsProvider: { getCredentialsAndIdentityId: async () => undefined, clearCredentialsAndIdentityId: () => undefined },
      },
    });
  });
  afterAll(() => blog.stop());

  const api = () => generateClient() as unknown as GraphQLApi & { models: Record<string, TodoApi> };

  it('an Admin receives every user’s Posts', async () => {
    who = 'admin';
    const s = collect(api().models.Post!.onCreate() as unknown as Observable<Item & { title: string }>);
    await started();
    who = 'owner';
    await api().models.Post!.create({ title: 'by owner' });
    await s.waitFor(1);
    expect(s.values.map((v) => (v as unknown as { title: string }).title)).toEqual(['by owner']);
    s.stop();
  });

  it('a wrong owner argument is rejected (the client sends it only in a raw document)', async () => {
    who = 'owner';
    const s = collect(api().graphql({ query: 'subscription { onCreatePost(owner: "someone-else") { id } }' }) as Observable<{ data: Record<string, unknown> }>);
    await s.waitFor(1, 3000);
    s.stop();
    expect(JSON.stringify(s.errors)).toMatch(/Not Authorized to access onCreatePost on type Subscription/);
  });

  it('redacted fields arrive null in events, as in the mutation response', async () => {
    who = 'hr';
    const s = collect(api().models.Employee!.onCreate() as unknown as Observable<Record<string, unknown>>);
    await started();
    await api().models.Employee!.create({ name: 'Eve', ssn: '999', salary: 1 });
    await s.waitFor(1);
    expect(s.values[0]).toMatchObject({ name: 'Eve', ssn: null, salary: null });
    s.stop();
  });
});

describe('aws-amplify and a forged token', () => {
  it('gets connection_error, reported by the client as a failed connection', async () => {
    const other = await emulatorFor('todo/amplify/data/resource.ts');
    try {
      Amplify.configure(other.outputs() as Parameters<typeof Amplify.configure>[0], {
        Auth: {
          tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT('eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.') }) },
          credentialsProvider: { getCredentialsAndIdentityId: async () => undefined, clearCredentialsAndIdentityId: () => undefined },
        },
      });
      const s = collect(todos().onCreate());
      await s.waitFor(1, 3000);
      s.stop();
      expect(JSON.stringify(s.errors)).toMatch(/Connection failed/);
    } finally {
      await other.stop();
    }
  });
});
