/**
 * REST benchmarks: the REST example's full run (REST cells per second of the run, gateway requests per
 * REST cell) and the emulated API Gateway's latency for an IAM-authorized GET (SigV4 verified, the role's
 * policy evaluated, the app's handler run) against a bare node:http server answering the same JSON, both
 * in this process (target: the gateway's p50 no worse than 2x the bare server's, i.e. ratio ≥ 0.5).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { startEmulator } from '../dist/harness/emulator/emulator.js';
import { signRequest } from '../dist/harness/client/sigv4.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const round = (x) => Math.round(x * 100) / 100;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function fullRun() {
  const out = mkdtempSync(path.join(tmpdir(), 'am-bench-rest-'));
  let wallMs;
  let report;
  try {
    const t0 = performance.now();
    execFileSync(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'run', '--schema', path.join(root, 'examples/rest'), '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
    wallMs = performance.now() - t0;
    report = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const rest = report.cells.filter((c) => c.kind === 'rest');
  const runMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return {
    restCells: rest.length,
    allCells: report.cells.length,
    mismatches: report.totals.mismatches,
    runSeconds: round(runMs / 1000),
    wallSeconds: round(wallMs / 1000),
    cellsPerSecond: Math.round(report.cells.length / (runMs / 1000)),
    gatewayRequests: report.stats?.restRequests,
    requestsPerRestCell: round((report.stats?.restRequests ?? 0) / rest.length),
  };
}

async function latency(n = 1000) {
  const model = await loadAuthModel(path.join(root, 'examples/rest'));
  const emu = await startEmulator({ model, log: () => undefined });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ method: req.method, path: req.url, userArn: null, authorizer: null }));
    });
  });
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
  const creds = emu.credentials.identityPool({ authenticated: false });
  const gatewayUrl = new URL(`${emu.restEndpoints()[0].endpoint}items`);
  const bareUrl = new URL(`http://127.0.0.1:${bare.address().port}/items`);
  const time = async (url, headers) => {
    const t = performance.now();
    const res = await request(url, { method: 'GET', headers, dispatcher: agent });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    return performance.now() - t;
  };
  const signed = async () => signRequest(gatewayUrl, {}, '', creds, emu.region, { service: 'execute-api', method: 'GET' });
  for (let i = 0; i < 100; i++) {
    await time(gatewayUrl, await signed());
    await time(bareUrl, {});
  }
  const g = [];
  const b = [];
  // Interleaved, so that both see the same machine load.
  for (let i = 0; i < n; i++) {
    g.push(await time(gatewayUrl, await signed()));
    b.push(await time(bareUrl, {}));
  }
  await emu.stop();
  bare.close();
  await agent.close();
  const gateway = { p50: round(pct(g, 0.5)), p99: round(pct(g, 0.99)) };
  const bareServer = { p50: round(pct(b, 0.5)), p99: round(pct(b, 0.99)) };
  return { requests: n, gatewayMs: gateway, bareMs: bareServer, ratioP50: round(bareServer.p50 / gateway.p50), ratioP99: round(bareServer.p99 / gateway.p99), target: 'ratio ≥ 0.5' };
}

const run = fullRun();
console.log(JSON.stringify({ bench: 'rest-run', ...run }));
console.log(JSON.stringify({ bench: 'rest-gateway-latency', ...(await latency()) }));
