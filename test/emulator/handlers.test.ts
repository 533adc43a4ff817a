/** Handlers that fail at request time: stubbed by default (and said so), AppSync's errors when run strictly; the emulator keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthModel } from '../../harness/schema/load.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { fixture } from '../cli/cli.js';
import { client, onlyError } from './start.js';

let emu: Emulator;
const log: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ model: await loadAuthModel(fixture('handlers/amplify/data/resource.ts')), log: (l) => log.push(l) });
});
afterAll(() => emu.stop());

describe('custom handlers', () => {
  it('a function handler that throws: by default a placeholder of its type answers and the emulator says why once; the next request is served', async () => {
    const c = client(emu, { mode: 'apiKey', apiKey: emu.apiKey! });
    for (let i = 0; i < 2; i++) {
      const r = await c.graphql({ query: '{ explode }' });
      expect(r.status).toBe(200);
      expect(r.errors).toEqual([]);
      expect(r.data).toEqual({ explode: 'authmatrix-stub' });
    }
    // Named by the app's name for the function (defineFunction's name; authmatrix.config.ts accepts it, or `explode`).
    expect(emu.stubbedHandlers.get('boom')).toBe('it failed offline: database unavailable');
    expect((await c.graphql({ query: '{ listNotes { items { id } } }' })).errors).toEqual([]);
  });

  it("with handlers: { explode: 'run' } a handler that throws is AppSync's Lambda:Unhandled error", async () => {
    const strict = await startEmulator({ model: emu.model, log: () => undefined, handlers: { explode: 'run' } });
    try {
      const r = await client(strict, { mode: 'apiKey', apiKey: strict.apiKey! }).graphql({ query: '{ explode }' });
      expect(r.status).toBe(200);
      expect(onlyError(r)).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'database unavailable', path: ['explode'] });
      expect(r.data).toEqual({ explode: null });
      expect([...strict.stubbedHandlers]).toEqual([]);
    } finally {
      await strict.stop();
    }
  });

  it('an operation whose function is not in the project is stubbed, and the emulator says so', async () => {
    const r = await client(emu, { mode: 'apiKey', apiKey: emu.apiKey! }).graphql({ query: '{ elsewhere }' });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ elsewhere: 'authmatrix-stub' });
    expect(emu.stubbedHandlers.get('a-lambda-deployed-elsewhere')).toBe('no handler module is configured');
  });

  it("a JS pipeline runs each function on its own data source, and ctx.env answers the API's variables (placeholders offline)", async () => {
    // Was: ctx.env undefined (the resolver failed offline and was stubbed), and every function ran on the first one's data source.
    const c = client(emu, { mode: 'apiKey', apiKey: emu.apiKey! });
    const created = await c.graphql({ query: 'mutation { createNote(input: { body: "hello" }) { id } }' });
    expect(created.errors).toEqual([]);
    const id = (created.data as { createNote: { id: string } }).createNote.id;
    const r = await c.graphql({ query: 'query ($id: ID!) { taggedNote(id: $id) }', variables: { id } });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ taggedNote: 'authmatrix-placeholder-REGION_NAME:hello' });
    expect(emu.stubbedHandlers.has('taggedNote')).toBe(false);
  });

  it('a Lambda authorizer that throws refuses the request (401) and the emulator keeps serving', async () => {
    const crash = await client(emu, { mode: 'lambda', token: 'crash' }).graphql({ query: '{ listNotes { items { id } } }' });
    expect(crash.status).toBe(401);
    expect(log.some((l) => l.includes('authorizer bug'))).toBe(true);
    const ok = await client(emu, { mode: 'lambda', token: 'ok' }).graphql({ query: '{ listNotes { items { id } } }' });
    expect(ok.status).toBe(200);
    expect(ok.errors).toEqual([]);
  });
});
