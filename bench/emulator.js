/**
 * Emulator performance: `authmatrix emulate` cold start to first answered request (target ≤ 500 ms),
 * in-process start (≤ 50 ms), and requests/s of an owner-authorized getPost against a bare node:http +
 * graphql-js server running the same query without auth (target ≥ 50%), plus requests/s per auth mode.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { startEmulator } from '../dist/harness/emulator/emulator.js';
import { signRequest } from '../dist/harness/client/sigv4.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

function child(script, args = []) {
  const p = spawn(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (c) => {
      out += c;
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      const line = complete.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ info: JSON.parse(line), stop: () => p.kill() });
    });
    p.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

async function coldStart() {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'am-bench-'));
    const outputs = path.join(dir, 'o.json');
    const t0 = performance.now();
    const p = spawn(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'emulate', '--schema', path.join(root, 'examples/todo'), '--port', '0', '--outputs', outputs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise((resolve) => {
      let out = '';
      p.stdout.on('data', (c) => {
        out += c;
        const m = /GraphQL\s+(\S+)/.exec(out);
        const key = /API key\s+(\S+)/.exec(out);
        if (m && key) resolve({ url: m[1], key: key[1] });
      });
    });
    const res = await fetch(url.url, { method: 'POST', headers: { 'x-api-key': url.key }, body: JSON.stringify({ query: '{ listTodos { items { id } } }' }) });
    await res.text();
    runs.push(performance.now() - t0);
    p.kill('SIGINT');
    await new Promise((resolve) => p.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  return round(median(runs));
}

async function inProcessStart() {
  const model = await loadAuthModel(path.join(root, 'examples/blog/amplify/data/resource.ts'));
  const runs = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const emu = await startEmulator({ model, log: () => undefined });
    runs.push(performance.now() - t0);
    await emu.stop();
  }
  return round(median(runs));
}

/** Requests/s with `concurrency` keep-alive connections for `ms`; `build(i)` gives headers and body. */
async function load(url, build, { ms = 2500, concurrency = 32 } = {}) {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  let done = 0;
  let failed = 0;
  const until = performance.now() + ms;
  const worker = async (w) => {
    let i = w;
    while (performance.now() < until) {
      const { headers, body } = await build(i++);
      const res = await request(url, { method: 'POST', headers, body, dispatcher: agent });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text.includes('"errors"')) failed++;
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  await agent.close();
  return { rps: Math.round(done / elapsed), failed };
}

const GET = 'query ($id: ID!) { getPost(id: $id) { id title owner } }';

async function throughput() {
  const bare = await child('bench/_bare-server.js');
  const bareBody = JSON.stringify({ query: 'query ($id: ID!) { getTodo(id: $id) { id content owner } }', variables: { id: 't1' } });
  await load(bare.info.url, () => ({ headers: { 'content-type': 'application/json' }, body: bareBody }), { ms: 500 });
  const baseline = await load(bare.info.url, () => ({ headers: { 'content-type': 'application/json' }, body: bareBody }));
  bare.stop();

  const emu = await child('bench/_emulator-server.js');
  const i = emu.info;
  const body = JSON.stringify({ query: GET, variables: { id: i.postId } });
  await load(i.url, () => ({ headers: { authorization: i.ownerToken }, body }), { ms: 500 });
  const owner = await load(i.url, () => ({ headers: { authorization: i.ownerToken }, body }));
  const ownerFreshTokens = await load(i.url, (n) => ({ headers: { authorization: i.ownerTokens[n % i.ownerTokens.length] }, body }), { ms: 1500 });
  const apiKey = await load(i.url, () => ({ headers: { 'x-api-key': i.apiKey }, body }));
  const url = new URL(i.url);
  const sigv4 = await load(i.url, async () => ({ headers: await signRequest(url, { 'content-type': 'application/json' }, body, i.iam, i.region), body }));
  emu.stop();

  const lambdaBody = JSON.stringify({ query: 'query ($id: ID!) { getTicket(id: $id) { id subject } }', variables: { id: 'none' } });
  const uncached = await child('bench/_emulator-server.js', ['lambda']);
  const lambda = await load(uncached.info.url, () => ({ headers: { authorization: 'tok-bench' }, body: lambdaBody }));
  uncached.stop();
  const cachedServer = await child('bench/_emulator-server.js', ['lambda-cached']);
  const lambdaCached = await load(cachedServer.info.url, () => ({ headers: { authorization: 'tok-bench' }, body: lambdaBody }));
  cachedServer.stop();

  return {
    baselineRps: baseline.rps,
    ownerGetRps: owner.rps,
    ratio: Math.round((owner.rps / baseline.rps) * 100) / 100,
    target: 0.5,
    perMode: {
      userPoolRS256CachedToken: owner.rps,
      userPoolRS256FreshTokens: ownerFreshTokens.rps,
      apiKey: apiKey.rps,
      sigV4ClientSignsEachRequest: sigv4.rps,
      lambdaNoCache: lambda.rps,
      lambdaTtlCache: lambdaCached.rps,
    },
    failedRequests: owner.failed + ownerFreshTokens.failed + apiKey.failed + sigv4.failed + lambda.failed + lambdaCached.failed,
  };
}

/**
 * A list of 300 posts read with the API key (every post's fields resolved and serialized): CPU milliseconds per
 * list in this process, emulator and client together. Lists of many fixtures are a run's dearest cells.
 */
async function listOf300() {
  const model = await loadAuthModel(path.join(root, 'examples/blog/amplify/data/resource.ts'));
  const emu = await startEmulator({ model, log: () => undefined });
  for (let i = 0; i < 300; i++) emu.engine.resolvers.seed('Post', { title: `t${i}`, content: 'c'.repeat(50), owner: `u${i}::u${i}`, editors: ['a', 'b'] });
  const body = JSON.stringify({ query: 'query { listPosts(limit: 1000) { items { id title content editors createdAt updatedAt owner } nextToken } }' });
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const list = async () => {
    const res = await request(emu.url, { method: 'POST', headers: { 'x-api-key': emu.apiKey, 'content-type': 'application/json' }, body, dispatcher: agent });
    return (await res.body.json()).data.listPosts.items.length;
  };
  for (let i = 0; i < 50; i++) await list();
  const n = 500;
  const cpu0 = process.cpuUsage();
  let items = 0;
  for (let i = 0; i < n; i++) items += await list();
  const cpu = process.cpuUsage(cpu0);
  await agent.close();
  await emu.stop();
  return { listOf300CpuMs: round((cpu.user + cpu.system) / 1000 / n), listOf300Items: items / n };
}

const result = { bench: 'emulator', ...(await listOf300()), coldStartToFirstAnswerMs: await coldStart(), coldStartTargetMs: 500, inProcessStartMs: await inProcessStart(), inProcessTargetMs: 50, ...(await throughput()) };
console.log(JSON.stringify(result));
process.exit(0);
