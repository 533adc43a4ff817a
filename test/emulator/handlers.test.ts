/** Handlers that fail at request time get AppSync's errors; the emulator keeps serving. */
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
  it('a function handler that throws is a Lambda:Unhandled error; the next request is served', async () => {
    const c = client(emu, { mode: 'apiKey', apiKey: emu.apiKey! });
    const r = await c.graphql({ query: '{ explode }' });
    expect(r.status).toBe(200);
    expect(onlyError(r)).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'database unavailable', path: ['explode'] });
    expect(r.data).toEqual({ explode: null });
    expect((await c.graphql({ query: '{ listNotes { items { id } } }' })).errors).toEqual([]);
  });

  it('an operation whose function is not in the project returns null and says why once', async () => {
    const c = client(emu, { mode: 'apiKey', apiKey: emu.apiKey! });
    for (let i = 0; i < 2; i++) {
      const r = await c.graphql({ query: '{ elsewhere }' });
      expect(r.errors).toEqual([]);
      expect(r.data).toEqual({ elsewhere: null });
    }
    expect(log.filter((l) => l.includes('elsewhere'))).toEqual(['custom query elsewhere returns null: function a-lambda-deployed-elsewhere is not defined in this project']);
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
