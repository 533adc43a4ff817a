/**
 * Reading a deployed REST API with the real @aws-sdk/client-api-gateway, offline: the emulator serves
 * API Gateway's control-plane read operations from its loaded REST section, as the deployed endpoint.
 * Read back, the example's API matches its backend.ts reading (no drift); an emulator loaded with a
 * changed API shows each change as drift, and the merge takes the deployed side.
 */
import { APIGatewayClient, GetApiKeyCommand, GetResourcesCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { mergeDeployed, readDeployedApi, restDrift } from '../../harness/schema/rest/from-sdk.js';
import type { RestApi, RestSection } from '../../harness/schema/rest/model.js';
import { emulatorFor } from '../emulator/start.js';

const CREDENTIALS = { accessKeyId: 'AKIDAUTHMATRIXTEST', secretAccessKey: 'authmatrix-test-secret' };
let emu: Emulator;
let drifted: Emulator;
let api: RestApi;
let section: RestSection;

const clientOf = (e: Emulator) => new APIGatewayClient({ region: e.model.rest!.region, endpoint: e.restControlPlane()!, credentials: CREDENTIALS, maxAttempts: 1 });

beforeAll(async () => {
  emu = await emulatorFor('rest');
  section = emu.model.rest!;
  api = section.apis[0]!;
  // The same app deployed from another version of backend.ts: /admin GET opened, DELETE /admin gone,
  // the partner authorizer's cache changed.
  const changed: RestApi = {
    ...api,
    methods: api.methods.filter((m) => !(m.resourcePath === '/admin' && m.method === 'DELETE'))
      .map((m) => (m.resourcePath === '/admin' && m.method === 'GET' ? { ...m, authorization: { type: 'NONE' as const } } : m)),
    authorizers: api.authorizers.map((a) => (a.type === 'TOKEN' ? { ...a, ttlSeconds: 0 } : a)),
  };
  drifted = await emulatorFor('rest', { model: { ...emu.model, rest: { ...section, apis: [changed] } } });
});
afterAll(async () => {
  await emu?.stop();
  await drifted?.stop();
});

describe('a deployed REST API read with the API Gateway SDK', () => {
  it('reads what backend.ts defines: no drift, and the merge keeps the definition', async () => {
    const client = clientOf(emu);
    const read = await readDeployedApi(client, api.id, section.functions);
    expect(read.methods.map((m) => `${m.method} ${m.resourcePath}`).sort()).toEqual(api.methods.map((m) => `${m.method} ${m.resourcePath}`).sort());
    expect(restDrift(api, read)).toEqual([]);
    const described = (await (await fetch(`${emu.url.replace(/\/graphql$/, '')}/.authmatrix/`)).json()) as { userPool: { poolId: string }; rest: { apis: { apiKeys: string[] }[] } };
    const merged = mergeDeployed(api, read, described.userPool.poolId);
    const byKey = (methods: RestApi['methods']) => [...methods].sort((a, b) => `${a.resourcePath} ${a.method}`.localeCompare(`${b.resourcePath} ${b.method}`));
    expect(byKey(merged.methods)).toEqual(byKey(api.methods));
    expect(merged.authorizers).toEqual(api.authorizers);
    // The generated API key's value, as GetApiKeys with includeValues gives it, in its usage plan's stage.
    expect(read.apiKeys.map((k) => [k.value, k.stages])).toEqual([[described.rest.apis[0]!.apiKeys[0], [api.stage]]]);
    expect((await client.send(new GetApiKeyCommand({ apiKey: read.apiKeys[0]!.id, includeValue: true }))).value).toBe(read.apiKeys[0]!.value);
    client.destroy();
  });

  it('names every difference as drift, and the merge takes the deployed side', async () => {
    const client = clientOf(drifted);
    const read = await readDeployedApi(client, api.id, section.functions);
    const partner = api.authorizers.find((a) => a.type === 'TOKEN')!;
    expect(restDrift(api, read)).toEqual([
      'myRestApi DELETE /admin is defined in backend.ts but not deployed',
      'myRestApi GET /admin: backend.ts says AWS_IAM, the deployed API NONE',
      `myRestApi authorizer ${partner.name}: backend.ts says {"type":"TOKEN","ttl":300,"source":"method.request.header.Authorization","regex":"^Bearer [-a-z0-9]+$"}, the deployed API {"type":"TOKEN","ttl":0,"source":"method.request.header.Authorization","regex":"^Bearer [-a-z0-9]+$"}`,
    ]);
    const merged = mergeDeployed(api, read);
    expect(merged.methods.find((m) => m.resourcePath === '/admin' && m.method === 'GET')!.authorization).toEqual({ type: 'NONE' });
    expect(merged.authorizers.find((a) => a.name === partner.name)).toEqual({ ...partner, ttlSeconds: 0 });
    client.destroy();
  });

  it('the control plane answers only signed reads, and pages its lists', async () => {
    const base = emu.restControlPlane()!;
    expect((await fetch(`${base}/restapis/${api.id}/resources`)).status).toBe(403);
    // Whatever it is sent, it answers and stays up.
    expect((await fetch(`${base}/restapis/%E0%A4%A/resources`, { headers: { authorization: 'AWS4-HMAC-SHA256 x' } })).status).toBe(400);
    const client = clientOf(emu);
    const first = await client.send(new GetResourcesCommand({ restApiId: api.id, limit: 2 }));
    expect(first.items).toHaveLength(2);
    expect(first.position).toBe('2');
    await expect(client.send(new GetResourcesCommand({ restApiId: 'nope' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    client.destroy();
  });
});
