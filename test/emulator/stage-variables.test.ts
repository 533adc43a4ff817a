/**
 * Stage variables in the emulated gateways (app shape stage-variables: a REST API whose stage `dev` defines
 * `tenant`, an HTTP API whose `$default` stage does too): the Lambda authorizers and the integrations get them in
 * their events, an identity source naming one the stage defines is read from the stage, and one naming a variable
 * the stage does not define is 401 without invoking the authorizer. A stage that defines none gives a REST
 * integration `stageVariables: null` and an HTTP API's none. Read back through the control planes with the real SDKs, the stages'
 * variables are what backend.ts gave.
 */
import { APIGatewayClient, GetStageCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetStagesCommand as GetHttpStagesCommand } from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { mergeDeployed, readDeployedApi, restDrift } from '../../harness/schema/rest/from-sdk.js';
import { httpDrift, mergeDeployedHttp, readDeployedHttpApi } from '../../harness/schema/rest/http-from-sdk.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from './start.js';

let emu: Emulator;
let plain: Emulator;
const endpoint = (e: Emulator, name: string) => e.restEndpoints().find((r) => r.name === name)!.endpoint;

beforeAll(async () => {
  emu = await emulatorFor(fixture('app-shapes', 'stage-variables'));
  // The same APIs deployed with stages that define no variables.
  const section = emu.model.rest!;
  const bare = <A extends { stageVariables?: unknown }>({ stageVariables: _gone, ...a }: A) => a;
  plain = await emulatorFor(fixture('app-shapes', 'stage-variables'), { model: { ...emu.model, rest: { ...section, apis: section.apis.map(bare), httpApis: section.httpApis.map(bare) } } });
});
afterAll(async () => {
  await emu?.stop();
  await plain?.stop();
});

const get = async (url: string, token?: string) => {
  const r = await fetch(url, { headers: token ? { 'x-api-token': token } : {} });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('the gateways read identity sources from the stage and pass its variables on', () => {
  const invocations = (e: Emulator, api: string, authorizer: string) => {
    const rest = api === 'tenantRestApi';
    const id = e.model.rest![rest ? 'apis' : 'httpApis'][0]!.authorizers.find((a) => a.name === authorizer)!.id;
    return (rest ? e.gateway!.authorizers : e.gateway!.httpApis.lambdaAuthorizers).invocations.get(id) ?? 0;
  };

  it.each([['tenantRestApi', 'tenantAuth'], ['tenantHttpApi', 'tenantHttpAuth']])('%s: the integration gets the stage\'s variables; the tenant\'s token passes %s, which reads them from its event', async (api, authorizer) => {
    expect(await get(`${endpoint(emu, api)}echo`)).toEqual({ status: 200, body: { stageVariables: { tenant: 'acme' } } });
    const before = invocations(emu, api, authorizer);
    expect(await get(`${endpoint(emu, api)}tenant`, 'token-acme')).toEqual({ status: 200, body: { stageVariables: { tenant: 'acme' } } });
    expect((await get(`${endpoint(emu, api)}tenant`, 'token-globex')).status).toBe(403);
    expect(invocations(emu, api, authorizer)).toBe(before + 2);
  });

  it.each([['tenantRestApi', 'regionAuth'], ['tenantHttpApi', 'regionHttpAuth']])('%s: a stage variable the stage does not define is a missing identity source, 401 without invoking %s', async (api, authorizer) => {
    const before = invocations(emu, api, authorizer);
    expect(await get(`${endpoint(emu, api)}region`, 'token-acme')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(invocations(emu, api, authorizer)).toBe(before);
  });

  it.each([['tenantRestApi', 'tenantAuth', null], ['tenantHttpApi', 'tenantHttpAuth', 'absent']])('%s with a stage that defines no variables: the integration gets none (REST: null, HTTP: no field), and `tenant` is missing too', async (api, authorizer, none) => {
    expect(await get(`${endpoint(plain, api)}echo`)).toEqual({ status: 200, body: { stageVariables: none } });
    expect(await get(`${endpoint(plain, api)}tenant`, 'token-acme')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(invocations(plain, api, authorizer)).toBe(0);
  });
});

describe('the control planes serve the stages\' variables; the deployed readers read them', () => {
  const region = () => emu.model.rest!.region;
  it('REST: GetStages and GetStage; readDeployedApi reads them, no drift, and the merge keeps them', async () => {
    const client = new APIGatewayClient({ region: region(), endpoint: emu.restControlPlane()!, credentials: emu.credentials.iamRole(), maxAttempts: 1 });
    const api = emu.model.rest!.apis[0]!;
    expect((await client.send(new GetStagesCommand({ restApiId: api.id }))).item?.map((s) => [s.stageName, s.variables])).toEqual([['dev', { tenant: 'acme' }]]);
    expect((await client.send(new GetStageCommand({ restApiId: api.id, stageName: 'dev' }))).variables).toEqual({ tenant: 'acme' });
    await expect(client.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    const read = await readDeployedApi(client, api.id, emu.model.rest!.functions, api.stage);
    expect([read.stages, read.stageVariables]).toEqual([['dev'], { tenant: 'acme' }]);
    expect(restDrift(api, read)).toEqual([]);
    // Defined without the variable (an older backend.ts): drift, and the deployed variables are tested.
    const { stageVariables: _gone, ...older } = api;
    expect(restDrift(older, read)).toEqual(['tenantRestApi stage dev variables: backend.ts says {}, the deployed API {"tenant":"acme"}']);
    expect(mergeDeployed(older, read).stageVariables).toEqual({ tenant: 'acme' });
    // A stage backend.ts names that is not deployed.
    expect(restDrift({ ...api, stage: 'prod' }, await readDeployedApi(client, api.id, emu.model.rest!.functions, 'prod'))).toContain('tenantRestApi: backend.ts deploys stage prod, the deployed API has dev');
    client.destroy();
  });

  it('HTTP: GetStages gives StageVariables; readDeployedHttpApi reads the API backend.ts defined, variables included', async () => {
    const client = new ApiGatewayV2Client({ region: region(), endpoint: emu.restControlPlane()!, credentials: emu.credentials.iamRole(), maxAttempts: 1 });
    const api = emu.model.rest!.httpApis[0]!;
    expect((await client.send(new GetHttpStagesCommand({ ApiId: api.id }))).Items?.map((s) => [s.StageName, s.StageVariables])).toEqual([['$default', { tenant: 'acme' }]]);
    const outputs = emu.outputs() as { auth: { user_pool_id: string; user_pool_client_id: string } };
    const read = await readDeployedHttpApi(client, api.id, api.name, api.stage, { functions: emu.model.rest!.functions, userPoolId: outputs.auth.user_pool_id, userPoolClientId: outputs.auth.user_pool_client_id });
    expect(read.api).toEqual(api);
    expect(read.api.stageVariables).toEqual({ tenant: 'acme' });
    expect(httpDrift(api, read)).toEqual([]);
    const { stageVariables: _gone, ...older } = api;
    expect(httpDrift(older, read)).toEqual(['tenantHttpApi stage $default variables: backend.ts says {}, the deployed API {"tenant":"acme"}']);
    expect(mergeDeployedHttp(older, read).stageVariables).toEqual({ tenant: 'acme' });
    client.destroy();
  });
});
