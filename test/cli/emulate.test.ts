/** `authmatrix emulate` end to end: serves, writes outputs, answers, stops on Ctrl-C; bad input exits 2. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, example, fixture, ROOT } from './cli.js';

interface Running {
  child: ChildProcess;
  output: () => string;
  url: string;
  exited: Promise<number | null>;
}

async function emulate(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!out.includes('Press Ctrl-C') && Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulate exited early: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /GraphQL\s+(\S+)/.exec(out)?.[1] ?? '';
  return { child, output: () => out, url, exited };
}

describe('authmatrix emulate', () => {
  it('serves the API, writes amplify_outputs.json, answers with minted credentials, and stops cleanly on Ctrl-C', async () => {
    const outputs = path.join(mkdtempSync(path.join(tmpdir(), 'authmatrix-emulate-')), 'amplify_outputs.json');
    const run = await emulate(['--schema', example('todo'), '--port', '0', '--outputs', outputs]);
    try {
      expect(run.output()).toMatch(/API key\s+da2-/);
      const written = JSON.parse(readFileSync(outputs, 'utf8'));
      expect(written.data).toMatchObject({ url: run.url, default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['API_KEY', 'AWS_IAM'] });
      expect(written.data.model_introspection.models.Todo.pluralName).toBe('Todos');
      const base = run.url.replace(/\/graphql$/, '');
      const minted = await (await fetch(`${base}/.authmatrix/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'userPool', username: 'alice' }) })).json() as { accessToken: string };
      const res = await fetch(run.url, { method: 'POST', headers: { authorization: minted.accessToken }, body: JSON.stringify({ query: 'mutation { createTodo(input: { content: "x" }) { owner } }' }) });
      expect(await res.json()).toEqual({ data: { createTodo: { owner: 'alice' } } });
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Stopping the emulator.');
  });

  it('an app without a data API: the banner names its REST API and S3 endpoint and no GraphQL endpoint; the REST API answers', async () => {
    const outputs = path.join(mkdtempSync(path.join(tmpdir(), 'authmatrix-emulate-')), 'amplify_outputs.json');
    const run = await emulate(['--schema', fixture('app-shapes', 'no-data-api'), '--port', '0', '--outputs', outputs]);
    try {
      expect(run.output()).not.toMatch(/GraphQL|auth modes/);
      expect(run.output()).toMatch(/S3 +https:\/\/s3\.localhost:\d+ +\(buckets: drop;/);
      const endpoint = /REST API +shopApi +(\S+)/.exec(run.output())?.[1];
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/restapis\/\w+\/dev\/$/);
      expect(JSON.parse(readFileSync(outputs, 'utf8')).custom.API.shopApi.endpoint).toBe(endpoint);
      expect((await fetch(`${endpoint}health`)).status).toBe(200);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it('refuses the developer endpoints when bound beyond loopback', async () => {
    const outputs = path.join(mkdtempSync(path.join(tmpdir(), 'authmatrix-emulate-')), 'o.json');
    const run = await emulate(['--schema', example('todo'), '--port', '0', '--host', '0.0.0.0', '--outputs', outputs]);
    try {
      expect(run.output()).toMatch(/the \/\.authmatrix\/ endpoints are off/);
      const port = new URL(run.url).port;
      const res = await fetch(`http://127.0.0.1:${port}/.authmatrix/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"userPool","username":"x"}' });
      expect(res.status).toBe(403);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('a port in use is one line and exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await cli(['emulate', '--schema', example('todo'), '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`authmatrix: port ${port} on 127.0.0.1 is already in use. Fix: choose another --port, or stop what is listening there`);
    } finally {
      blocker.close();
    }
  });

  it('an authorizer module that throws when loaded is one line and exit 2', async () => {
    const r = await cli(['emulate', '--schema', fixture('bad/authorizer-throws/amplify/data/resource.ts'), '--port', '0', '--outputs', path.join(tmpdir(), 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/authorizer-throws\/amplify\/functions\/auth\/handler\.ts: the handler module does not load: AUTH_SECRET is not set\. Fix: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('schema errors are exit 2', async () => {
    const r = await cli(['emulate', '--schema', fixture('bad/unknown-arg.graphql'), '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown @auth rule argument "ownerFeld"/);
  });
});
