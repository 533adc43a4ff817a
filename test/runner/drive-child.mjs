// Run by test/runner/drive.test.ts in a process of its own (the drive owns TMPDIR, exit hooks and threads): the real
// drive, broker and compiled spec. `fixtures-fail`: a run whose fixtures could not be made. `abandon`: a drive closed
// before its run (an error or a signal before the cells). `unreadable`: a run file the spec cannot read. `silent`: cells
// sent to a server that never answers, each given 0.3 s. Each way the process must end by itself.
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startDrive } from '../../dist/harness/runner/drive.js';
import { listenForInterrupt } from '../../dist/harness/runner/interrupt.js';
import { loadAuthModel } from '../../dist/harness/schema/load.js';
import { castWith } from '../../dist/harness/matrix/cast.js';
import { expectedMatrix } from '../../dist/harness/matrix/expected.js';
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
} else if (mode === 'silent') {
  // Takes every connection and never answers.
  const sockets = [];
  const server = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  const model = await loadAuthModel(app);
  const cast = castWith(model, {});
  const cells = expectedMatrix(model, cast).filter((c) => c.kind === 'model' && c.operation === 'create' && c.expected === 'allow').slice(0, 10);
  writeFileSync(drive.runFile, JSON.stringify({
    version: 1, auth: model, url: `http://127.0.0.1:${server.address().port}/graphql`,
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, identity: p.identity })),
    cells, serial: [], scenarios: [], records: {}, concurrency: 4, cellTimeoutMs: 300, eventTimeoutMs: 1000, quietMs: 10, sentinelGraceMs: 0,
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
  process.stdout.write(JSON.stringify({ cells: cells.map((c) => c.id), results: outcome.results.map((r) => ({ id: r.id, observed: r.observed, pass: r.pass, summary: r.summary })), problem: outcome.problem, runDirLeft: existsSync(path.dirname(drive.runFile)) }));
} else {
  const model = await loadAuthModel(app);
  const cast = castWith(model, {});
  const cells = expectedMatrix(model, cast).filter((c) => c.kind === 'model').slice(0, 6);
  writeFileSync(drive.runFile, JSON.stringify({
    version: 1, auth: model, url: 'http://127.0.0.1:9/graphql',
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, identity: p.identity })),
    cells, serial: [], scenarios: [], records: {}, concurrency: 4, cellTimeoutMs: 1000, eventTimeoutMs: 1000, quietMs: 10, sentinelGraceMs: 0,
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
