/**
 * Storage: cells per second of `authmatrix run --only storage` on the photos example (a fresh process,
 * start-up, personas and fixture objects included), and GetObject latency (p50/p99, sequential, and
 * requests/s with 16 connections) of a signed GetObject on the emulated S3 endpoint against a bare
 * node:https server answering the same bytes with no signature check, IAM or store (same TLS, same agent),
 * so the difference is what S3 emulation costs. Targets are informative, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { startEmulator } from '../dist/harness/emulator/emulator.js';
import { S3Client } from '../dist/harness/client/s3.js';
import { s3Agent } from '../dist/harness/client/s3-trust.js';
import { S3_HOST, testCertificate } from '../dist/harness/emulator/s3/tls.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const BODY = Buffer.alloc(4096, 'a');

function storageRun() {
  const out = mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-storage-'));
  try {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'run', '--schema', 'examples/photos', '--only', 'storage', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
      const wallMs = performance.now() - t0;
      const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
      runs.push({ wallMs, cells: r.cells.filter((c) => c.kind === 'storage').length, mismatches: r.totals.mismatches });
    }
    const wallMs = quantile(runs.map((r) => r.wallMs), 0.5);
    return { cells: runs[0].cells, mismatches: runs.map((r) => r.mismatches), wallMs: round(wallMs), cellsPerSecond: round(runs[0].cells / (wallMs / 1000)) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Latencies of `n` sequential sends, then requests/s with `concurrency` workers for `ms`. */
async function measure(send, { n = 1500, concurrency = 16, ms = 2500 } = {}) {
  for (let i = 0; i < 200; i++) await send();
  const latencies = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await send();
    latencies.push(performance.now() - t0);
  }
  let done = 0;
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await send();
      done++;
    }
  }));
  return { p50Ms: round(quantile(latencies, 0.5), 3), p99Ms: round(quantile(latencies, 0.99), 3), requestsPerSecond: round(done / (ms / 1000)) };
}

async function getObject() {
  const model = await loadAuthModel(path.join(root, 'examples/photos'));
  const emu = await startEmulator({ model, log: () => undefined });
  const bare = await bareServer();
  try {
    const s3 = emu.s3;
    const creds = emu.credentials.identityPool({ authenticated: true, username: 'bench' });
    const client = new S3Client({ endpointHost: s3.endpointHost, region: emu.region, credentials: creds, caPem: s3.caPem });
    const bucket = s3.bucketNames.get('photos');
    const key = 'media/bench/object.bin';
    const put = await client.send({ op: 'PutObject', bucket, key, body: BODY });
    if (put.status !== 200) throw new Error(`PutObject answered ${put.status}`);
    const emulated = await measure(async () => {
      const r = await client.send({ op: 'GetObject', bucket, key });
      if (r.status !== 200 || r.body.length !== BODY.length) throw new Error(`GetObject answered ${r.status}`);
    });
    const dispatcher = s3Agent({ host: bare.host, caPem: bare.caPem });
    const url = `https://${bare.host}/${key}`;
    const baseline = await measure(async () => {
      const r = await request(url, { dispatcher });
      const body = Buffer.from(await r.body.arrayBuffer());
      if (r.statusCode !== 200 || body.length !== BODY.length) throw new Error(`bare server answered ${r.statusCode}`);
    });
    return { objectBytes: BODY.length, emulated, bareHttps: baseline, p50Ratio: round(emulated.p50Ms / baseline.p50Ms, 2), throughputShare: round(emulated.requestsPerSecond / baseline.requestsPerSecond, 2) };
  } finally {
    await bare.stop();
    await emu.stop();
  }
}

/** node:https with a certificate like the emulator's, answering every GET with the object's bytes. */
async function bareServer() {
  const cert = await testCertificate();
  const server = createServer({ cert: cert.certPem, key: cert.keyPem, keepAlive: true }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length, etag: '"bench"' });
    res.end(BODY);
  });
  const port = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  return { host: `${S3_HOST}:${port}`, caPem: cert.caPem, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const run = storageRun();
const get = await getObject();
console.log(JSON.stringify({ bench: 'storage', run, getObject: get, targetThroughputShare: 0.5 }));
