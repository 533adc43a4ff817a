/**
 * Attacks on the realtime endpoint (issue 13), each bounded and on loopback: reused and numeric
 * subscription ids, start bursts against the per-connection limit, repeated connection_init, silent
 * connections, and frames that are not objects. Limits and sources: docs/limits.md.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/index.js';
import { RawSocket, apiKeyHeaders, blogEmulator, raw, until } from './attack-wire.js';

let emu: Emulator;
const log: string[] = [];
const sockets: RawSocket[] = [];
beforeAll(async () => {
  emu = await blogEmulator({ keepAliveMs: 50, limits: { connectionInitTimeoutMs: 300 }, log: (l) => log.push(l) });
});
afterAll(() => emu.stop());
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await until(() => emu.realtime.size === 0);
  emu.reset();
});

async function open(init = true): Promise<RawSocket> {
  const s = await RawSocket.open(emu);
  sockets.push(s);
  if (init) await s.init();
  return s;
}

async function createPost(title: string): Promise<void> {
  const owner = await emu.credentials.userPool({ username: 'owner' });
  const r = await raw(emu.url, { body: JSON.stringify({ query: `mutation { createPost(input: { title: "${title}" }) { id title } }` }), headers: { 'content-type': 'application/json', host: new URL(emu.url).host, authorization: owner.accessToken } });
  expect(r.status).toBe(200);
}

const settled = (s: RawSocket, n: number) => () => s.ofType('start_ack').length + s.ofType('error').length >= n;

describe('subscription ids', () => {
  it('a reused id is refused with DuplicatedOperationError; the first subscription stays the only one', async () => {
    const s = await open();
    s.start(emu, 'dup');
    await until(() => s.ofType('start_ack').length === 1);
    s.start(emu, 'dup');
    await until(() => s.ofType('error').length === 1);
    expect(s.ofType('error')[0]).toEqual({ id: 'dup', type: 'error', payload: { errors: [{ errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id dup' }] } });
    expect(emu.realtime.size).toBe(1);
  });

  it('5,000 starts reusing one id leave one subscription, and one mutation sends one frame', async () => {
    const s = await open();
    for (let i = 0; i < 5000; i++) s.start(emu, 'dup');
    await until(settled(s, 5000), 30_000);
    expect(s.ofType('start_ack')).toHaveLength(1);
    expect(emu.realtime.size).toBe(1);
    await createPost('one');
    await createPost('two');
    await until(() => s.ofType('data').length >= 2);
    await createPost('three');
    await until(() => s.ofType('data').length >= 3);
    expect(s.ofType('data').map((f) => (f.payload as { data: { onCreatePost: { title: string } } }).data.onCreatePost.title)).toEqual(['one', 'two', 'three']);
  });

  it('a stopped id may be used again', async () => {
    const s = await open();
    s.start(emu, 'again');
    await until(() => s.ofType('start_ack').length === 1);
    s.send({ id: 'again', type: 'stop' });
    await until(() => s.ofType('complete').length === 1);
    expect(emu.realtime.size).toBe(0);
    s.start(emu, 'again');
    await until(() => s.ofType('start_ack').length === 2);
    expect(emu.realtime.size).toBe(1);
  });

  it.each([5, null, { a: 1 }])('a start whose id is %j (not a string) is refused and subscribes nothing', async (id) => {
    const s = await open();
    s.start(emu, id);
    await until(() => s.ofType('error').length === 1);
    expect(s.ofType('start_ack')).toEqual([]);
    expect(s.ofType('error')[0]).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'BadRequestException' }] } });
    expect(emu.realtime.size).toBe(0);
  });

  it.each(['"x"', '5', '[]'])('a start whose variables are %s (not an object) is refused and subscribes nothing', async (variables) => {
    const s = await open();
    s.start(emu, 'v', 'subscription { onCreatePost { id } }', JSON.parse(variables));
    await until(() => s.ofType('error').length === 1);
    expect(s.ofType('start_ack')).toEqual([]);
    expect(s.ofType('error')[0]).toMatchObject({ id: 'v', type: 'error' });
    expect(emu.realtime.size).toBe(0);
  });
});

describe('the per-connection limit', () => {
  it('a burst of 150 starts gets exactly 100 acknowledged', async () => {
    const s = await open();
    for (let i = 0; i < 150; i++) s.start(emu, `s${i}`);
    await until(settled(s, 150), 30_000);
    expect(s.ofType('start_ack')).toHaveLength(100);
    const errors = s.ofType('error');
    expect(errors).toHaveLength(50);
    for (const e of errors) expect(e).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'MaxSubscriptionsReachedError' }] } });
    expect(emu.realtime.size).toBe(100);
  });
});

describe('connection lifecycle', () => {
  it('repeated connection_init keeps one keep-alive timer, and closing the socket clears it', async () => {
    const s = await open(false);
    for (let i = 0; i < 20; i++) s.send({ type: 'connection_init' });
    await until(() => s.ofType('connection_ack').length >= 1);
    const from = s.ofType('ka').length;
    const t0 = performance.now();
    await until(() => s.ofType('ka').length >= from + 8);
    // Timers never fire early: 8 keep-alives at 50 ms take at least ~350 ms from one timer, ~20 ms from twenty.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
    expect(emu.realtime.keepAliveTimers).toBe(1);
    s.close();
    await until(() => emu.realtime.connections === 0);
    expect(emu.realtime.keepAliveTimers).toBe(0);
  });

  it('a connection that never sends connection_init is closed after the configured wait', async () => {
    const s = await open(false);
    await until(() => s.closed !== undefined, 10_000);
    expect(emu.realtime.connections).toBe(0);
  });

  it('an initialized connection is not closed by that wait', async () => {
    const s = await open();
    const from = s.ofType('ka').length;
    await until(() => s.ofType('ka').length >= from + 10);
    expect(s.closed).toBeUndefined();
  });

  it.each(['null', '5', '"x"', '[]', 'true'])('a %s frame is answered with an error and nothing is logged', async (frame) => {
    log.length = 0;
    const s = await open();
    s.send(frame);
    await until(() => s.ofType('error').length === 1);
    expect(s.ofType('error')[0]).toMatchObject({ type: 'error', payload: { errors: [{ errorType: expect.any(String) }] } });
    expect(log.join('\n')).not.toMatch(/TypeError|\n\s+at /);
    s.start(emu, 'after');
    await until(() => s.ofType('start_ack').length === 1);
  });

  it('a subscriber that stops reading is disconnected once its backlog passes the limit, not buffered for ever', async () => {
    const slow = await blogEmulator({ limits: { realtimeBacklogBytes: 256 * 1024 } });
    try {
      const s = await RawSocket.open(slow);
      await s.init();
      s.start(slow, 'slow');
      await until(() => s.ofType('start_ack').length === 1);
      s.ws.pause();
      const owner = await slow.credentials.userPool({ username: 'owner' });
      const body = JSON.stringify({ query: 'mutation ($t: String!) { createPost(input: { title: $t }) { id title } }', variables: { t: 'x'.repeat(1024 * 1024) } });
      for (let i = 0; i < 100 && slow.realtime.connections > 0; i++) {
        const r = await raw(slow.url, { body, headers: { 'content-type': 'application/json', host: new URL(slow.url).host, authorization: owner.accessToken } });
        expect(r.status).toBe(200);
      }
      await until(() => slow.realtime.connections === 0);
      expect(slow.realtime.size).toBe(0);
      s.close();
    } finally {
      await slow.stop();
    }
  });

  it('a frame over the message limit closes that socket (1009) and the endpoint keeps serving', async () => {
    const s = await open();
    s.send(JSON.stringify({ type: 'start', id: 'big', payload: { data: 'x'.repeat(6 * 1024 * 1024), extensions: { authorization: apiKeyHeaders(emu) } } }));
    await until(() => s.closed !== undefined);
    expect(s.closed!.code).toBe(1009);
    const t = await open();
    t.start(emu, 'fine');
    await until(() => t.ofType('start_ack').length === 1);
  });
});
