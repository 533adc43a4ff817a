// Run by test/runner/drive.test.ts in a process of its own (the drive owns TMPDIR, exit hooks and threads): the real
// drive, broker and compiled spec. `fixtures-fail`: a run whose fixtures could not be made. `abandon`: a drive closed
// before its run (an error or a signal before the cells). `unreadable`: a run file the spec cannot read. `silent`: cells
// and a model's subscription scenario sent to a server that never answers, each cell given 0.3 s and the scenario 1 s. `cut`: a SIGINT while one create of a group is unanswered,
// answered (a record made) 0.3 s after the signal. Each way the process must end by itself.
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { startDrive } from '../../dist/harness/runner/drive.js';
import { listenForInterrupt } from '../../dist/harness/runner/interrupt.js';
import { loadAuthModel } from '../../dist/harness/schema/load.js';
import { castWith } from '../../dist/harness/matrix/cast.js';
import { expectedMatrix } from '../../dist/harness/matrix/expected.js';
import { planRun } from '../../dist/harness/matrix/plan.js';
import { emptyIndex } from '../../dist/harness/runner/setup.js';

const [mode, app] = process.argv.slice(2);
const interrupt = listenForInterrupt();
const drive = startDrive({ concurrency: 4, deployed: false, out: process.stderr, interrupt });
if (mode === 'abandon') {
  await drive.close();
  interrupt.dispose();
  process.stdout.write(JSON.stringify({ runDirLeft: existsSync(path.dirname(drive.runFile)) }));
} else if (mode === 'unreadable') {
  writeFileSync(drive.runFile, '{ not json');
  const outcome = await drive.run({ auths: new Map(), fixtures: new Promise(() => undefined), onCreated: () => undefined }, 1);
  await drive.close();
  interrupt.dispose();
  process.stdout.write(JSON.stringify({ results: outcome.results.length, problem: outcome.problem, runDirLeft: existsSync(path.dirname(drive.runFile)) }));
} else if (mode === 'cut') {
  const created = [];
  let held;
  let answered = 0;
  const model = await loadAuthModel(app);
  const cast = castWith(model, {});
  const cells = expectedMatrix(model, cast).filter((c) => c.kind === 'model' && c.operation === 'create' && c.model === 'Post').slice(0, 12);
  const server = http.createServer((req, res) => {
    const answer = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!held) {
      held = () => answer({ data: { createPost: { id: 'made-after-the-signal', title: 'sample', content: 'sample', owner: 'owner' } } });
      return;
    }
    answer({ data: { createPost: null }, errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access createPost on type Mutation' }] });
    // Every other cell has its answer: the signal, and the held create's answer 0.3 s later.
    if (++answered === cells.length - 1) {
      setTimeout(() => {
        process.kill(process.pid, 'SIGINT');
        setTimeout(held, 300);
      }, 50);
    }
  }).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  writeFileSync(drive.runFile, JSON.stringify({
    version: 1, auth: model, url: `http://127.0.0.1:${server.address().port}/graphql`,
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, identity: p.identity })),
    cells, serial: [], scenarios: [], records: {}, concurrency: 4, cellTimeoutMs: 20000, scenarioTimeoutMs: 1000, eventTimeoutMs: 1000, quietMs: 10, sentinelGraceMs: 0,
  }));
  const out = await drive.run({
    auths: new Map(cast.map((p) => [p.name, { mode: 'apiKey', apiKey: 'unused' }])),
    fixtures: Promise.resolve(emptyIndex()),
    onCreated: (records) => created.push(...records),
  }, cells.length);
  await drive.close();
  interrupt.dispose();
  server.closeAllConnections();
  server.close();
  process.stdout.write(JSON.stringify({ cells: cells.map((c) => c.id), results: out.results.map((r) => r.id), cut: out.cut, created: created.map((r) => r.key) }));
} else if (mode === 'silent') {
  // Takes every connection and never answers.
  const sockets = [];
  const server = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  const model = await loadAuthModel(app);
  const cast = castWith(model, {});
  const plan = planRun(model, cast, expectedMatrix(model, cast), { nonce: 'n', seed: true });
  const scenario = plan.scenarios.find((x) => !x.serial);
  const deliveries = plan.cells.filter((c) => c.kind === 'delivery' && c.model === scenario.model).slice(0, 20);
  const cells = [...plan.cells.filter((c) => c.kind === 'model' && c.operation === 'create' && c.expected === 'allow').slice(0, 10), ...deliveries];
  writeFileSync(drive.runFile, JSON.stringify({
    version: 1, auth: model, url: `http://127.0.0.1:${server.address().port}/graphql`,
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, identity: p.identity })),
    cells, serial: [], scenarios: [scenario], records: {}, concurrency: 4, cellTimeoutMs: 300, scenarioTimeoutMs: 1000, eventTimeoutMs: 1000, quietMs: 10, sentinelGraceMs: 0,
  }));
  const outcome = await drive.run({
    auths: new Map(cast.map((p) => [p.name, { mode: 'apiKey', apiKey: 'unused' }])),
    fixtures: Promise.resolve(emptyIndex()),
    onCreated: () => undefined,
  }, cells.length);
  await drive.close();
  interrupt.dispose();
  for (const s of sockets) s.destroy();
  server.close();
  process.stdout.write(JSON.stringify({ cells: cells.map((c) => c.id), deliveries: deliveries.map((c) => c.id), results: outcome.results.map((r) => ({ id: r.id, observed: r.observed, pass: r.pass, summary: r.summary })), problem: outcome.problem, runDirLeft: existsSync(path.dirname(drive.runFile)) }));
} else {
  const model = await loadAuthModel(app);
  const cast = castWith(model, {});
  const cells = expectedMatrix(model, cast).filter((c) => c.kind === 'model').slice(0, 6);
  writeFileSync(drive.runFile, JSON.stringify({
    version: 1, auth: model, url: 'http://127.0.0.1:9/graphql',
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, identity: p.identity })),
    cells, serial: [], scenarios: [], records: {}, concurrency: 4, cellTimeoutMs: 1000, scenarioTimeoutMs: 1000, eventTimeoutMs: 1000, quietMs: 10, sentinelGraceMs: 0,
  }));
  const outcome = await drive.run({
    auths: new Map(cast.map((p) => [p.name, { mode: 'apiKey', apiKey: 'unused' }])),
    fixtures: Promise.reject(new Error('the records could not be made')),
    onCreated: () => undefined,
  }, cells.length);
  await drive.close();
  interrupt.dispose();
  process.stdout.write(JSON.stringify({ cells: cells.length, results: outcome.results.length, problem: outcome.problem, runDirLeft: existsSync(path.dirname(drive.runFile)) }));
}
