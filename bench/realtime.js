/**
 * Realtime: mutation-to-event latency with 100 subscribers on 10 connections (p50/p99), and the time to
 * set up 1,000 subscriptions in one process (target < 1 s).
 */
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { startEmulator } from '../dist/harness/emulator/emulator.js';
import { RealtimeClient } from '../dist/harness/client/realtime.js';
import { GraphQLClient } from '../dist/harness/client/http.js';

const model = await loadAuthModel(new URL('../examples/blog/amplify/data/resource.ts', import.meta.url).pathname);
const emu = await startEmulator({ model, log: () => undefined });
const auth = { mode: 'apiKey', apiKey: emu.apiKey };
const Q = 'subscription { onCreatePost { id title } }';

// 1,000 subscriptions on 10 connections.
const setupConnections = await Promise.all(Array.from({ length: 10 }, () => RealtimeClient.connect({ url: emu.url, auth })));
const t0 = performance.now();
await Promise.all(setupConnections.map(async (c) => {
  for (let i = 0; i < 100; i++) await c.subscribe({ query: Q });
}));
const setupMs = performance.now() - t0;
for (const c of setupConnections) c.close();

// 100 subscribers on 10 connections; latency from sending the mutation to each subscriber's event.
const connections = await Promise.all(Array.from({ length: 10 }, () => RealtimeClient.connect({ url: emu.url, auth })));
const subs = [];
for (const c of connections) for (let i = 0; i < 10; i++) subs.push(await c.subscribe({ query: Q }));
const owner = await emu.credentials.userPool({ username: 'owner' });
const actor = new GraphQLClient({ url: emu.url, auth: { mode: 'userPool', token: owner.accessToken } });
const latencies = [];
const MUTATIONS = 200;
for (let n = 0; n < MUTATIONS; n++) {
  const sent = performance.now();
  const title = `m${n}`;
  const arrivals = subs.map(async (s) => {
    for (;;) {
      const e = await s.next(5000);
      if (!e) throw new Error('event missing');
      if (e.data.onCreatePost.title === title) return performance.now() - sent;
    }
  });
  await actor.graphql({ query: 'mutation ($t: String!) { createPost(input: { title: $t }) { id title } }', variables: { t: title } });
  latencies.push(...(await Promise.all(arrivals)));
}
latencies.sort((a, b) => a - b);
const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 100) / 100;
for (const c of connections) c.close();
await emu.stop();
console.log(JSON.stringify({
  bench: 'realtime',
  subscribers: 100,
  connections: 10,
  mutations: MUTATIONS,
  latencyMs: { p50: pct(50), p99: pct(99), max: Math.round(latencies.at(-1) * 100) / 100 },
  setup1000SubscriptionsMs: Math.round(setupMs),
  setupTargetMs: 1000,
}));
process.exit(0);
