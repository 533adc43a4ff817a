/**
 * Attacks on the HTTP side of the emulator (issue 13), each bounded and on loopback: over-size and
 * malformed bodies, operations invoking too many resolvers, distinct documents filling the parse cache,
 * CORS on `/graphql`, and web pages driving the developer endpoints. Limits and sources: docs/limits.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/index.js';
import { apiKeyHeaders, blogEmulator, raw, type RawAnswer } from './attack-wire.js';

const EXPOSE = 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-user-agent,x-amzn-ErrorMessage,Date,x-amz-schema-version';
const STACK_LINE = /\n\s+at /;

let emu: Emulator;
const log: string[] = [];
beforeAll(async () => {
  emu = await blogEmulator({ log: (l) => log.push(l) });
});
afterAll(() => emu.stop());

const json = { 'content-type': 'application/json' };
const post = (body: string | Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  raw(emu.url, { body, headers: { ...json, ...apiKeyHeaders(emu), ...headers } });
const gql = (query: string, variables: unknown = {}, headers: Record<string, string> = {}) => post(JSON.stringify({ query, variables }), headers);

async function stillServes(): Promise<void> {
  const r = await gql('{ listPosts { items { id } } }');
  expect(r.status).toBe(200);
  expect(r.json()).toMatchObject({ data: { listPosts: { items: expect.any(Array) } } });
}

describe('bodies AppSync would not parse', () => {
  it.each([
    ['an empty body', '', 'Request body is empty.'],
    ['a body that is not JSON', 'meow', 'Unable to parse GraphQL query.'],
    ['an empty object', '{}', 'Unable to parse GraphQL query.'],
    ['trailing garbage', '{}}', 'Unable to parse GraphQL query.'],
    ['an array', '[]', 'Unable to parse GraphQL query.'],
    ['a query that is not a string', '{"query": 5}', 'Unable to parse GraphQL query.'],
    ['variables as a string', '{"query": "{ listPosts { items { id } } }", "variables": "x"}', 'Unable to parse GraphQL query.'],
    ['variables as a number', '{"query": "{ listPosts { items { id } } }", "variables": 5}', 'Unable to parse GraphQL query.'],
    ['variables as an array', '{"query": "{ listPosts { items { id } } }", "variables": []}', 'Unable to parse GraphQL query.'],
    ['an operationName that is not a string', '{"query": "{ listPosts { items { id } } }", "operationName": 5}', 'Unable to parse GraphQL query.'],
  ])('%s: 400 MalformedHttpRequestException, no stack trace anywhere', async (_name, body, message) => {
    log.length = 0;
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('MalformedHttpRequestException');
    expect(r.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message }] });
    expect(r.text).not.toMatch(STACK_LINE);
    expect(log.join('\n')).not.toMatch(STACK_LINE);
  });

  it('variables: null is the absence of variables, not a malformed body', async () => {
    const r = await post('{"query": "{ listPosts { items { id } } }", "variables": null}');
    expect(r.status).toBe(200);
  });

  it('a 10 MB body gets 413 with an AppSync error body and the connection is answered, not reset; the emulator keeps serving', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
      const r = await post(big, headers);
      expect(r.status).toBe(413);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      const body = r.json() as { errors: { errorType: string; message: string }[] };
      expect(body.errors).toHaveLength(1);
      expect(r.headers['x-amzn-errortype']).toBe(body.errors[0]!.errorType);
      expect(body.errors[0]!.message).toMatch(/size/i);
    }
    await stillServes();
  });
});

describe('resolver invocations per request (AppSync: 10,000)', () => {
  const aliases = (n: number, field = 'listPosts { items { id } }') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
  const isLimit = (e: { errorType?: string | null; message: string }) => /limit/i.test(`${e.errorType} ${e.message}`) && e.errorType !== 'Unauthorized';

  it('10,001 root resolvers are refused before anything runs, with one limit error (not a denial)', async () => {
    const r = await gql(aliases(10_001));
    expect(r.status).toBe(200);
    const body = r.json() as { data: unknown; errors: { errorType?: string; message: string }[] };
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(isLimit(body.errors[0]!)).toBe(true);
  });

  it('100,000 aliases of a list field (3.5 MB) are refused without executing, and the emulator keeps serving', async () => {
    const query = aliases(100_000);
    expect(query.length).toBeGreaterThan(3_400_000);
    const r = await gql(query);
    expect(r.status).toBe(200);
    const body = r.json() as { data: unknown; errors: { errorType?: string; message: string }[] };
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    await stillServes();
  });

  it('a document nested 30,000 deep is a syntax error, not a stack overflow in the log', async () => {
    log.length = 0;
    const depth = 30_000;
    const r = await gql(`{ listPosts { items { comments ${'{ items { post '.repeat(depth)}{ id }${' } }'.repeat(depth)} } } }`);
    expect(r.status).toBe(200);
    expect((r.json() as { errors: { message: string }[] }).errors).toEqual([{ path: null, locations: [], message: 'Invalid Syntax : Document is nested too deeply.' }]);
    expect(log).toEqual([]);
  });

  describe('with a small configured limit', () => {
    let small: Emulator;
    beforeAll(async () => {
      small = await blogEmulator({ limits: { resolverCount: 50 } });
    });
    afterAll(() => small.stop());
    const ask = (query: string, headers: Record<string, string>) => raw(small.url, { body: JSON.stringify({ query }), headers: { ...json, host: new URL(small.url).host, ...headers } });

    it('runs exactly the limit and refuses one more', async () => {
      const key = { 'x-api-key': small.apiKey! };
      const ok = (await ask(aliases(50), key)).json() as { data: Record<string, unknown>; errors?: unknown[] };
      expect(ok.errors).toBeUndefined();
      expect(Object.keys(ok.data)).toHaveLength(50);
      const over = (await ask(aliases(51), key)).json() as { data: unknown; errors: { errorType?: string; message: string }[] };
      expect(over.data).toBeNull();
      expect(isLimit(over.errors[0]!)).toBe(true);
    });

    it('a mutation over the limit writes nothing', async () => {
      const owner = { authorization: (await small.credentials.userPool({ username: 'owner' })).accessToken };
      const r = (await ask(`mutation ${aliases(51, 'createPost(input: { title: "x" }) { id }')}`, owner)).json() as { data: unknown; errors: { message: string }[] };
      expect(r.data).toBeNull();
      expect(small.store.table('Post').size).toBe(0);
    });

    it('nested list resolvers are counted as they run: past the limit the fields error, the rest of the response stands', async () => {
      const owner = await small.credentials.userPool({ username: 'owner' });
      small.store.table('Post').put({ id: 'p1', title: 'one', owner: `${owner.sub}::owner`, __typename: 'Post' });
      for (let i = 0; i < 60; i++) small.store.table('Comment').put({ id: `c${i}`, postId: 'p1', body: 'b', owner: `${owner.sub}::owner`, __typename: 'Comment' });
      const r = (await ask('{ listPosts { items { id comments { items { id post { id } } } } } }', { authorization: owner.accessToken })).json() as {
        data: { listPosts: { items: { comments: { items: { post: unknown }[] } }[] } };
        errors: { errorType?: string; message: string; path: unknown[] }[];
      };
      const comments = r.data.listPosts.items[0]!.comments.items;
      expect(comments).toHaveLength(60);
      expect(comments.filter((c) => c.post !== null).length).toBe(48);
      expect(r.errors).toHaveLength(12);
      expect(r.errors.every(isLimit)).toBe(true);
    });
  });
});

describe('query depth (AppSync: no limit unless configured)', () => {
  it('a configured depth fails deeper fields with a limit error, which moves up to the first nullable parent', async () => {
    const deep = await blogEmulator({ limits: { queryDepth: 3 } });
    try {
      const admin = await deep.credentials.userPool({ username: 'admin', groups: ['Admin'] });
      deep.store.table('Post').put({ id: 'p1', title: 'one', __typename: 'Post' });
      const r = await raw(deep.url, { body: JSON.stringify({ query: '{ listPosts { items { id comments { items { id } } } } }' }), headers: { ...json, host: new URL(deep.url).host, authorization: admin.accessToken } });
      const body = r.json() as { data: { listPosts: { items: { id: string; comments: unknown }[] } }; errors: { errorType: string; path: unknown[] }[] };
      expect(body.data.listPosts.items).toEqual([{ id: 'p1', comments: null }]);
      expect(body.errors).toMatchObject([{ errorType: 'QueryDepthLimitExceeded', path: ['listPosts', 'items', 0, 'comments', 'items'] }]);
    } finally {
      await deep.stop();
    }
  });
});

describe('the parsed-document cache is bounded by bytes', () => {
  let small: Emulator;
  const budget = 2 * 1024 * 1024;
  beforeAll(async () => {
    small = await blogEmulator({ limits: { documentCacheBytes: budget } });
  });
  afterAll(() => small.stop());
  const ask = (query: string) => raw(small.url, { body: JSON.stringify({ query }), headers: { ...json, host: new URL(small.url).host, 'x-api-key': small.apiKey! } });
  const padded = (i: number, size: number) => `query Q${i} { listPosts { items { id } } } # ${'x'.repeat(size)}`;

  it('distinct documents evict the least recently used ones and never exceed the budget', async () => {
    for (let i = 0; i < 40; i++) expect((await ask(padded(i, 3000))).status).toBe(200);
    const cache = small.engine.documents;
    expect(cache.bytes).toBeLessThanOrEqual(budget);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(40);
    expect(cache.has(padded(39, 3000))).toBe(true);
    expect(cache.has(padded(0, 3000))).toBe(false);
  });

  it('invalid documents are not cached', async () => {
    const before = small.engine.documents.size;
    for (let i = 0; i < 20; i++) {
      const r = (await ask(`{ nope${i} }`)).json() as { errors: unknown[] };
      expect(r.errors).toHaveLength(1);
    }
    expect(small.engine.documents.size).toBe(before);
    expect(small.engine.documents.has('{ nope0 }')).toBe(false);
  });

  it('a document too large for the cache is answered but not cached', async () => {
    const big = padded(1000, 200_000);
    expect((await ask(big)).status).toBe(200);
    expect(small.engine.documents.has(big)).toBe(false);
    expect(small.engine.documents.bytes).toBeLessThanOrEqual(budget);
  });
});

describe('CORS on /graphql, as AppSync answers', () => {
  it('a preflight gets 200, no body, any origin, the exposed headers and a 172800 s max-age', async () => {
    const r = await raw(emu.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-expose-headers']).toBe(EXPOSE);
    expect(r.headers['access-control-max-age']).toBe('172800');
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['access-control-allow-methods']).toBeUndefined();
    expect(r.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('a preflight asking for headers gets them allowed (the browser then sends authorization and x-api-key)', async () => {
    const asked = 'authorization,content-type,x-amz-date,x-amz-security-token,x-amz-user-agent,x-api-key';
    const r = await raw(emu.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': asked } });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-headers']).toBe(asked);
  });

  it('every answer to a POST carries the origin wildcard and the exposed headers (200, 400, 401)', async () => {
    const origin = { origin: 'https://app.example.com' };
    for (const r of [await gql('{ listPosts { items { id } } }', {}, origin), await post('meow', origin), await gql('{ listPosts { items { id } } }', {}, { ...origin, 'x-api-key': 'da2-forged' })]) {
      expect([200, 400, 401]).toContain(r.status);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.headers['access-control-expose-headers']).toBe(EXPOSE);
    }
  });
});

describe('developer endpoints cannot be driven by web pages', () => {
  const host = () => new URL(emu.url).host;
  const credentials = (headers: Record<string, string>, body = '{"kind":"iam"}') => raw(emu.url, { path: '/.authmatrix/credentials', headers, body });

  it('the endpoints still work for a local tool: loopback Host, no Origin, JSON', async () => {
    const r = await credentials({ host: host(), ...json });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ accessKeyId: expect.any(String) });
    const port = new URL(emu.url).port;
    expect((await credentials({ host: `localhost:${port}`, ...json })).status).toBe(200);
  });

  it('a DNS-rebinding page (foreign Host) gets no credentials', async () => {
    const r = await credentials({ host: 'rebind.evil.example', ...json });
    expect(r.status).toBe(403);
    expect(r.text).not.toMatch(/accessKeyId|secretAccessKey/);
    const d = await raw(emu.url, { method: 'GET', path: '/.authmatrix/', headers: { host: `rebind.evil.example:${new URL(emu.url).port}` } });
    expect(d.status).toBe(403);
    expect(d.text).not.toContain(emu.apiKey!);
  });

  it('a request from a foreign Origin is refused', async () => {
    const r = await credentials({ host: host(), origin: 'https://evil.example', ...json });
    expect(r.status).toBe(403);
    expect(r.text).not.toMatch(/accessKeyId/);
    const d = await raw(emu.url, { method: 'GET', path: '/.authmatrix/', headers: { host: host(), origin: 'https://evil.example' } });
    expect(d.status).toBe(403);
  });

  it('a cross-origin text/plain POST (no preflight) cannot empty the store', async () => {
    const owner = await emu.credentials.userPool({ username: 'owner' });
    await raw(emu.url, { body: JSON.stringify({ query: 'mutation { createPost(input: { title: "keep" }) { id } }' }), headers: { ...json, host: host(), authorization: owner.accessToken } });
    expect(emu.store.table('Post').size).toBe(1);
    for (const headers of [{ host: host(), 'content-type': 'text/plain' }, { host: host(), origin: 'https://evil.example', 'content-type': 'text/plain' }, { host: host() }] as Record<string, string>[]) {
      const r = await raw(emu.url, { path: '/.authmatrix/reset', headers, body: '{}' });
      expect([403, 415]).toContain(r.status);
    }
    expect(emu.store.table('Post').size).toBe(1);
    emu.reset();
  });

  it('no preflight is answered for them', async () => {
    const r = await raw(emu.url, { method: 'OPTIONS', path: '/.authmatrix/reset', headers: { host: host(), origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});
