/**
 * The clients' HTTP exchange (harness/client/exchange.ts) against a real Node HTTP server: what reaches the server,
 * the whole response however it is chunked, headers as the clients read them, connections kept alive, and
 * failures rejected.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange } from '../../harness/client/exchange.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: number;
}

const seen: Seen[] = [];
const sockets = new Map<unknown, number>();
let base: string;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: sockets.get(req.socket)! });
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/chunked') {
      // "é" (c3 a9) and "€" (e2 82 ac) split across writes: the text is decoded from the whole body, not per chunk.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'set-cookie': ['a=1', 'b=2'], 'X-Amzn-RequestId': 'req-1' });
      const bytes = Buffer.from('\ufeffcafé costs 3 €', 'utf8');
      res.write(bytes.subarray(0, 4));
      res.write(bytes.subarray(4, 8));
      setTimeout(() => {
        res.write(bytes.subarray(8, bytes.length - 2));
        res.end(bytes.subarray(bytes.length - 2));
      }, 5);
      return;
    }
    if (path === '/large') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ id: String(i) })) }));
      return;
    }
    res.writeHead(path === '/denied' ? 403 : 200, { 'content-type': 'application/json', 'x-echo': req.headers['x-probe'] ?? '' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ method: req.method }));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('an HTTP exchange', () => {
  it('sends the method, path with query, headers and body as given', async () => {
    seen.length = 0;
    const r = await exchange(new URL(`${base}/graphql?x=1&y=a%20b`), 'POST', { 'content-type': 'application/json', 'x-probe': 'p1' }, '{"query":"{ a }"}');
    expect(seen).toMatchObject([{ method: 'POST', url: '/graphql?x=1&y=a%20b', body: '{"query":"{ a }"}', headers: { 'content-type': 'application/json', 'x-probe': 'p1' } }]);
    expect(r).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'application/json', 'x-echo': 'p1' }), text: '{"method":"POST"}' });
  });

  it('keeps the status of a refusal, and a HEAD has an empty text', async () => {
    expect((await exchange(new URL(`${base}/denied`), 'GET', {})).status).toBe(403);
    expect(await exchange(new URL(`${base}/denied`), 'HEAD', {})).toMatchObject({ status: 403, text: '' });
  });

  it('decodes a body written in pieces as one UTF-8 text without its byte order mark; header names lower-cased, repeated values joined', async () => {
    const r = await exchange(new URL(`${base}/chunked`), 'GET', {});
    expect(r.text).toBe('café costs 3 €');
    expect(r.headers).toMatchObject({ 'x-amzn-requestid': 'req-1', 'set-cookie': 'a=1,b=2' });
  });

  it('reads a body larger than one socket read whole', async () => {
    const r = await exchange(new URL(`${base}/large`), 'GET', {});
    expect(r.text.length).toBeGreaterThan(65_536);
    expect((JSON.parse(r.text) as { items: unknown[] }).items).toHaveLength(5000);
  });

  it('connections are kept alive: requests in turn reuse them', async () => {
    seen.length = 0;
    for (let i = 0; i < 6; i++) await exchange(new URL(`${base}/a`), 'GET', {});
    expect(new Set(seen.map((s) => s.socket)).size).toBeLessThan(seen.length);
  });

  it("sends through undici's own Pool, loaded from its file: the path (not a public entry point) still names the index's Pool", async () => {
    const { Pool } = await import('undici');
    expect(createRequire(import.meta.url)('undici/lib/dispatcher/pool.js')).toBe(Pool);
  });

  it('rejects when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(exchange(new URL(`http://127.0.0.1:${port}/`), 'GET', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
