/**
 * The blog example's emulator in a process of its own, for bench/soak.js: prints its URL and credentials,
 * then answers `memory` messages with its RSS and heap (and the peak RSS sampled every 50 ms since the last
 * `reset-peak`), so that what is measured is the emulator and not the load generator.
 */
import { loadAuthModel, startEmulator } from '../dist/harness/index.js';

const model = await loadAuthModel(new URL('../examples/blog/amplify/data/resource.ts', import.meta.url).pathname);
const emu = await startEmulator({ model, log: () => undefined });
const users = [];
for (let i = 0; i < 50; i++) users.push((await emu.credentials.userPool({ username: `user${i}` })).accessToken);

let peak = 0;
setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50).unref();

process.on('message', (m) => {
  if (m === 'reset-peak') peak = process.memoryUsage().rss;
  if (m === 'memory') {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ rss, heapUsed, peakRss: Math.max(peak, rss), posts: emu.store.table('Post').size, subscriptions: emu.realtime.size, connections: emu.realtime.connections, cachedDocuments: emu.engine.documents.size, cacheBytes: emu.engine.documents.bytes });
  }
});
process.send({ url: emu.url, realtimeUrl: emu.realtimeUrl, apiKey: emu.apiKey, users });
