/**
 * authmatrix as a library: a hand-written spec on the todo app, as a user would write one — load,
 * emulate, provision the cast, act through the models helper, assert with expect*.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthExpectationError, castWith, emulatedTarget, expectAllowed, expectDenied, expectFiltered, expectPartial,
  loadAuthModel, modelsClient, personaClient, provisionCast, startEmulator, type Emulator, type ProvisionedPersona,
} from '../harness/index.js';
import { example } from './cli/cli.js';

let emu: Emulator;
let cast: Map<string, ProvisionedPersona>;
const todos = (name: string) => modelsClient(emu.model, personaClient(cast.get(name)!, emu.url)).Todo!;

beforeAll(async () => {
  const model = await loadAuthModel(example('todo'));
  emu = await startEmulator({ model });
  const provisioned = await provisionCast(castWith(model, {}), await emulatedTarget(emu.url), model, {});
  cast = new Map(provisioned.map((p) => [p.name, p]));
});
afterAll(() => emu.stop());

describe('a hand-written spec for the todo app', () => {
  it('the owner creates and reads its todo; a stranger and anonymous callers may not', async () => {
    const created = await todos('owner').create({ content: 'milk' });
    expectAllowed(created);
    const id = String(created.item!.id);
    expectAllowed(await todos('owner').get({ id }));
    expectDenied(await todos('stranger').get({ id }), { requestLevel: false });
    expectDenied(await todos('stranger').update({ id, content: 'mine' }));
    expectDenied(await todos('anonymous').get({ id }), { requestLevel: true });
    expectFiltered(await todos('stranger').list(), [], [id]);
    expectFiltered(await todos('apiKey').list(), [id], [id]);
  });

  it('the assertions fail, with what came back, when the response says otherwise', async () => {
    const created = await todos('owner').create({ content: 'eggs' });
    const id = String(created.item!.id);
    expect(() => expectDenied(created)).toThrow(AuthExpectationError);
    expect(() => expectAllowed({ ...created, data: { getTodo: null }, errors: [{ message: 'Not Authorized to access getTodo on type Query', errorType: 'Unauthorized', path: ['getTodo'] }] }))
      .toThrow(/expected allow, got deny: Unauthorized: Not Authorized to access getTodo/);
    expect(() => expectPartial(created, ['content'])).toThrow(/expected partial on \[content\], got allow/);
    const r = await todos('stranger').get({ id });
    expect(() => expectDenied(r, { requestLevel: true })).toThrow(/expected a request-level refusal, got deny/);
    expect(() => expectFiltered(r, [id])).toThrow(AuthExpectationError);
  });
});
