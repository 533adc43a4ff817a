/**
 * Soak (issue 13, docs/limits.md): 60 s of 50 mixed clients against one emulator process (40 owners
 * creating, reading, listing, updating and deleting their posts, 5 API-key readers paging through every
 * post, 5 realtime clients starting and stopping subscriptions), then every surviving write read back.
 * Targets: requests/s of the last 10 s ≥ 80 % of the first 10 s, RSS growth ≤ 50 MiB, no error, no lost
 * write. Then, on a fresh emulator, the distinct-large-query attack (issue 13: out of memory after 188
 * distinct 1 MB queries): RSS must stay under a fixed bound. Prints one JSON line; nothing is asserted.
 * `SOAK_MS` shortens the run (for trying it out).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION_MS = Number(process.env.SOAK_MS ?? 60_000);
const WINDOW_MS = Math.min(10_000, DURATION_MS / 3);
const MIB = 1024 * 1024;
/** Peak RSS allowed to the emulator during the distinct-large-query attack. */
const ATTACK_RSS_BOUND_MIB = 400;

async function server() {
  const child = fork(path.join(root, 'bench/_soak-server.js'), [], { cwd: root, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const info = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`_soak-server.js exited ${code}`)));
  });
  const memory = () => new Promise((resolve) => {
    child.once('message', resolve);
    child.send('memory');
  });
  return { info, memory, resetPeak: () => child.send('reset-peak'), stop: () => child.kill() };
}

const mib = (bytes) => Math.round((bytes / MIB) * 10) / 10;
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

async function soak() {
  const emu = await server();
  const { url, realtimeUrl, apiKey, users } = emu.info;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const start = await emu.memory();
  const t0 = performance.now();
  const deadline = t0 + DURATION_MS;
  const done = [];
  const latencies = [];
  const failures = [];
  const fail = (what) => {
    if (failures.length < 20) failures.push(what);
    else failures.push(null);
  };

  const gql = async (headers, query, variables) => {
    const t = performance.now();
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    const body = await res.body.json();
    const end = performance.now();
    latencies.push(end - t);
    done.push(end - t0);
    if (res.statusCode !== 200 || body.errors) fail({ status: res.statusCode, errors: body.errors });
    return body.data;
  };

  /** Each owner's posts that must survive, with their last title. */
  const live = users.map(() => new Map());
  const owner = async (u) => {
    const auth = { authorization: users[u] };
    for (let n = 0; performance.now() < deadline; n++) {
      const created = await gql(auth, 'mutation ($t: String!) { createPost(input: { title: $t }) { id title } }', { t: `u${u}-${n}` });
      if (!created?.createPost) continue;
      live[u].set(created.createPost.id, created.createPost.title);
      const got = await gql(auth, 'query ($id: ID!) { getPost(id: $id) { id title } }', { id: created.createPost.id });
      if (got?.getPost?.title !== created.createPost.title) fail({ readBack: created.createPost.id });
      await gql(auth, '{ listPosts(limit: 20) { items { id title } nextToken } }');
      const ids = [...live[u].keys()];
      const target = ids[n % ids.length];
      const title = `u${u}-${n}-updated`;
      const updated = await gql(auth, 'mutation ($id: ID!, $t: String!) { updatePost(input: { id: $id, title: $t }) { id title } }', { id: target, t: title });
      if (updated?.updatePost) live[u].set(target, title);
      if (n % 3 === 2) {
        const oldest = ids[0];
        const deleted = await gql(auth, 'mutation ($id: ID!) { deletePost(input: { id: $id }) { id } }', { id: oldest });
        if (deleted?.deletePost) live[u].delete(oldest);
      }
    }
  };

  const reader = async () => {
    const auth = { 'x-api-key': apiKey };
    while (performance.now() < deadline) {
      let token = null;
      for (let page = 0; page < 3; page++) {
        const data = await gql(auth, 'query ($t: String) { listPosts(limit: 100, nextToken: $t) { items { id title } nextToken } }', { t: token });
        token = data?.listPosts?.nextToken ?? null;
        if (!token) break;
      }
    }
  };

  const subscriber = async () => {
    const host = new URL(url).host;
    const header = Buffer.from(JSON.stringify({ host, 'x-api-key': apiKey })).toString('base64url');
    const ws = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`]);
    const waiting = new Map();
    ws.on('message', (m) => {
      const f = JSON.parse(m.toString());
      const key = `${f.type}:${f.id ?? ''}`;
      waiting.get(key)?.(f);
      if (f.type === 'error' || f.type === 'connection_error') fail({ realtime: f });
    });
    const next = (type, id = '') => new Promise((resolve) => waiting.set(`${type}:${id}`, resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    const acked = next('connection_ack');
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await acked;
    const data = JSON.stringify({ query: 'subscription { onCreatePost { id title } }', variables: {} });
    for (let n = 0; performance.now() < deadline; n++) {
      const id = `s${n}`;
      const t = performance.now();
      const ack = next('start_ack', id);
      ws.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization: { host, 'x-api-key': apiKey } } } }));
      await ack;
      const complete = next('complete', id);
      ws.send(JSON.stringify({ id, type: 'stop' }));
      await complete;
      latencies.push(performance.now() - t);
      done.push(performance.now() - t0);
    }
    ws.close();
  };

  await Promise.all([...users.slice(0, 40).map((_, u) => owner(u)), ...Array.from({ length: 5 }, reader), ...Array.from({ length: 5 }, subscriber)]);
  const elapsed = performance.now() - t0;

  // Every surviving write, read back by its owner.
  let lostWrites = 0;
  let checked = 0;
  for (let u = 0; u < 40; u++) {
    for (const [id, title] of live[u]) {
      const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', authorization: users[u] }, body: JSON.stringify({ query: 'query ($id: ID!) { getPost(id: $id) { title } }', variables: { id } }) });
      const body = await res.body.json();
      checked++;
      if (body.data?.getPost?.title !== title) lostWrites++;
    }
  }
  await agent.close();
  const end = await emu.memory();
  emu.stop();

  const inWindow = (from, to) => done.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
  const first = inWindow(0, WINDOW_MS);
  const last = inWindow(elapsed - WINDOW_MS, elapsed);
  return {
    durationS: Math.round(elapsed / 100) / 10,
    clients: { owners: 40, apiKeyReaders: 5, realtime: 5 },
    operations: done.length,
    throughput: { firstWindowRps: Math.round(first), lastWindowRps: Math.round(last), windowS: WINDOW_MS / 1000, lastOverFirst: Math.round((last / first) * 100) / 100, target: 0.8 },
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    rssMiB: { start: mib(start.rss), end: mib(end.rss), growth: mib(end.rss - start.rss), targetGrowth: 50 },
    heapMiB: { start: mib(start.heapUsed), end: mib(end.heapUsed) },
    posts: end.posts,
    errors: failures.length,
    firstErrors: failures.filter(Boolean).slice(0, 3),
    writesChecked: checked,
    lostWrites,
    openSubscriptionsAfter: end.subscriptions,
  };
}

/**
 * Distinct valid documents, each parsed in full: 24 of 1 MB (30,000 aliases; cached as before, they took
 * ≈ 70 MB of heap each) and 300 of 32 KB (1,500 aliases, small enough to be cached).
 */
async function distinctLargeQueries() {
  const emu = await server();
  const { url, apiKey } = emu.info;
  const start = await emu.memory();
  emu.resetPeak();
  const agent = new Agent({ connections: 4 });
  const doc = (i, aliases, bytes) => {
    const body = Array.from({ length: aliases }, (_, a) => `d${i}_${a}: __typename`).join(' ');
    return `{ ${body} } # ${'x'.repeat(Math.max(0, bytes - body.length))}`;
  };
  let refused = 0;
  const t0 = performance.now();
  const send = async (query) => {
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query }) });
    const body = await res.body.json();
    if (res.statusCode !== 200 || body.errors) refused++;
  };
  for (let i = 0; i < 24; i++) await send(doc(i, 30_000, 1024 * 1024));
  for (let i = 0; i < 300; i += 4) await Promise.all([0, 1, 2, 3].map((k) => send(doc(1000 + i + k, 1_500, 32 * 1024))));
  const elapsed = performance.now() - t0;
  await agent.close();
  const end = await emu.memory();
  emu.stop();
  return {
    documents: 324,
    megabytesSent: Math.round((24 * 1024 * 1024 + 300 * 32 * 1024) / MIB),
    seconds: Math.round(elapsed / 100) / 10,
    refused,
    rssMiB: { start: mib(start.rss), peak: mib(end.peakRss), end: mib(end.rss), bound: ATTACK_RSS_BOUND_MIB, withinBound: end.peakRss <= ATTACK_RSS_BOUND_MIB * MIB },
    cache: { documents: end.cachedDocuments, estimatedMiB: mib(end.cacheBytes) },
  };
}

console.log(JSON.stringify({ bench: 'soak', ...(await soak()), distinctLargeQueries: await distinctLargeQueries() }));
