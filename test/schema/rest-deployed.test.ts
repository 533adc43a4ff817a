/**
 * Reading a deployed REST API with the real @aws-sdk/client-api-gateway, offline: the emulator serves
 * API Gateway's control-plane read operations from its loaded REST section, as the deployed endpoint.
 * Read back, the example's API matches its backend.ts reading (no drift); an emulator loaded with a
 * changed API shows each change as drift, and the merge takes the deployed side.
 */
import { APIGatewayClient, GetApiKeyCommand, GetApiKeysCommand, GetResourcesCommand } from '@aws-sdk/client-api-gateway';
import { signRequest, type AwsCredentials } from '../../harness/client/sigv4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { mergeDeployed, readDeployedApi, restDrift } from '../../harness/schema/rest/from-sdk.js';
import type { RestApi, RestSection } from '../../harness/schema/rest/model.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let drifted: Emulator;
let api: RestApi;
let section: RestSection;

/** A control-plane client; by default with an administrator's credentials (the emulator's IAM role with AdministratorAccess). */
const clientOf = (e: Emulator, credentials: AwsCredentials = e.credentials.iamRole()) =>
  new APIGatewayClient({ region: e.model.rest!.region, endpoint: e.restControlPlane()!, credentials, maxAttempts: 1 });

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
    const read = await readDeployedApi(client, api.id, section.functions, api.stage);
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
    const read = await readDeployedApi(client, api.id, section.functions, api.stage);
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

  it('the control plane pages its lists, and answers whatever it is sent', async () => {
    const base = emu.restControlPlane()!;
    const client = clientOf(emu);
    const first = await client.send(new GetResourcesCommand({ restApiId: api.id, limit: 2 }));
    expect(first.items).toHaveLength(2);
    expect(first.position).toBe('2');
    await expect(client.send(new GetResourcesCommand({ restApiId: 'nope' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    client.destroy();
    const admin = emu.credentials.iamRole();
    const url = new URL(`${base}/restapis/%E0%A4%A/resources`);
    const signed = await signRequest(url, {}, '', admin, emu.region, { service: 'apigateway', method: 'GET' });
    expect((await fetch(url, { headers: signed })).status).toBe(400);
  });
});

describe('who may read the control plane: SigV4 for apigateway, and apigateway:GET allowed by the caller\'s policies', () => {
  const resources = () => `arn:aws:apigateway:us-east-1::/restapis/${api.id}/resources`;
  const refusal = async (send: () => Promise<unknown>) => {
    const e = await Promise.resolve().then(send).then(() => undefined, (err: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => err);
    return e && [e.$metadata?.httpStatusCode, e.name, e.message];
  };
  const read = (credentials?: AwsCredentials) => () => clientOf(emu, credentials).send(new GetResourcesCommand({ restApiId: api.id }));

  it.each([
    ['unknown access keys', 'UnrecognizedClientException', () => ({ accessKeyId: 'AKIDAUTHMATRIXTEST', secretAccessKey: 'authmatrix-test-secret' }), /^The security token included in the request is invalid/],
    ['a wrong secret', 'InvalidSignatureException', () => ({ ...emu.credentials.iamRole(), secretAccessKey: 'forged' }), /^The request signature we calculated does not match/],
  ])('%s: 403 %s', async (_, name, credentials, message) => {
    const [status, error, text] = (await refusal(read(credentials())))!;
    expect([status, error]).toEqual([403, name]);
    expect(text).toMatch(message);
  });

  it('unsigned, a token instead of a signature, or a signature for another service: refused before anything is read', async () => {
    const url = `${emu.restControlPlane()!}/restapis/${api.id}/resources`;
    const answer = async (headers: Record<string, string>) => {
      const r = await fetch(url, { headers });
      return [r.status, r.headers.get('x-amzn-errortype'), ((await r.json()) as { message: string }).message.slice(0, 30)];
    };
    expect(await answer({})).toEqual([403, 'MissingAuthenticationTokenException', 'Missing Authentication Token']);
    expect((await answer({ authorization: 'Bearer eyJhbGciOi' })).slice(0, 2)).toEqual([403, 'IncompleteSignatureException']);
    const otherService = await signRequest(new URL(url), {}, '', emu.credentials.iamRole(), emu.region, { service: 'execute-api', method: 'GET' });
    expect((await answer(otherService)).slice(0, 2)).toEqual([403, 'InvalidSignatureException']);
  });

  it('the identity pool\'s roles (guests, signed-in users, group members) are refused: AccessDeniedException naming the action and resource', async () => {
    for (const credentials of [emu.credentials.identityPool({ authenticated: false }), emu.credentials.identityPool({ authenticated: true, username: 'owner' }), emu.credentials.identityPool({ authenticated: true, username: 'boss', groups: ['Admins'] })]) {
      const [status, error, text] = (await refusal(read(credentials)))!;
      expect([status, error]).toEqual([403, 'AccessDeniedException']);
      expect(text).toMatch(new RegExp(`^User: arn:aws:sts::\\d+:assumed-role/[^/]+/CognitoIdentityCredentials is not authorized to perform: apigateway:GET on resource: ${resources().replace(/[/.]/g, '\\$&')} because no identity-based policy allows the apigateway:GET action$`));
    }
  });

  it('a role allowed apigateway:GET on /restapis/* reads the API but not the account\'s API keys; an explicit Deny wins over AdministratorAccess', async () => {
    const reader = emu.credentials.iamRole('ApiReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:*::/restapis/*' }] }]);
    expect((await read(reader)()).items?.length).toBeGreaterThan(0);
    const keys = await refusal(() => clientOf(emu, reader).send(new GetApiKeysCommand({})));
    expect(keys).toEqual([403, 'AccessDeniedException', expect.stringContaining('apigateway:GET on resource: arn:aws:apigateway:us-east-1::/apikeys because no identity-based policy allows')]);
    const denied = emu.credentials.iamRole('NoKeys', [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:*::/apikeys*' }] },
    ]);
    expect(await refusal(() => clientOf(emu, denied).send(new GetApiKeysCommand({})))).toEqual([403, 'AccessDeniedException', expect.stringContaining('with an explicit deny in an identity-based policy')]);
    expect((await read(denied)()).items?.length).toBeGreaterThan(0);
  });
});
