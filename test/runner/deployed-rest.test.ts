/**
 * How a deployed run finds each REST API of the definition (harness/runner/deployed-rest.ts): by the id
 * an execute-api URL in `custom.API` names, else by name with GetRestApis (the real
 * @aws-sdk/client-api-gateway against the emulator's control plane), refusing a name several APIs share.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { withDeployedRest } from '../../harness/runner/deployed-rest.js';
import { executeApiUrl } from '../../harness/schema/rest/from-sdk.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { scratchDir } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

const dir = scratchDir('authmatrix-deployed-rest-unit-');
let emu: Emulator;
let twins: Emulator;
let model: AuthModel;
const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = Object.fromEntries(CREDENTIAL_ENV.map((k) => [k, process.env[k]]));

/** The operator's credentials, which the SDK's default chain reads: an administrator role the emulator issued. */
function operatorOf(e: Emulator): void {
  const c = e.credentials.iamRole();
  [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN] = [c.accessKeyId, c.secretAccessKey, c.sessionToken];
}

beforeAll(async () => {
  emu = await emulatorFor('rest');
  model = emu.model;
  // Two APIs of the same name in one region (two sandboxes of one app, say).
  const api = model.rest!.apis[0]!;
  twins = await emulatorFor('rest', { model: { ...model, rest: { ...model.rest!, apis: [api, { ...api, id: 'twin000001' }] } } });
});
afterAll(async () => {
  await emu?.stop();
  await twins?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function outputsWith(name: string, api: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.json`);
  // The app's user pool and client: what `app` stands for in the HTTP API's JWT authorizer. No identity pool:
  // finding the APIs is tested here, reading the roles in test/schema/roles-deployed.test.ts and test/cli.
  const { identity_pool_id: _pool, ...auth } = (emu.outputs() as { auth: Record<string, unknown> }).auth;
  writeFileSync(file, JSON.stringify({ version: '1.3', auth, data: { url: emu.url, aws_region: 'us-east-1' }, custom: { API: api } }));
  return file;
}

const config = (e: Emulator) => {
  operatorOf(e);
  return { deployed: { endpoints: { apiGateway: e.restControlPlane()! } } };
};

/** The example without its HTTP API: what the REST API's finding does alone. */
const restOnly = () => ({ ...model, rest: { ...model.rest!, httpApis: [] } });

describe('finding the deployed REST API', () => {
  it.each([
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/', { id: 'a1b2c3d4e5', region: 'eu-west-1', stage: 'prod' }],
    ['https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/dev', { id: 'a1b2c3d4e5', region: 'cn-north-1', stage: 'dev' }],
    ['https://api.example.com/v1/', undefined],
    ['http://127.0.0.1:4000/restapis/a1b2c3d4e5/dev/', undefined],
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com.example.com/prod/', undefined],
    // An HTTP API's URL (HttpApi.url): its $default stage has no segment.
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/', { id: 'a1b2c3d4e5', region: 'eu-west-1', stage: '$default' }],
    ['https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com', { id: 'a1b2c3d4e5', region: 'eu-west-1', stage: '$default' }],
  ])('%s names %j', (url, named) => {
    expect(executeApiUrl(url)).toEqual(named);
  });

  it('an execute-api URL names the API; a local endpoint finds it by name; both read it without drift', async () => {
    const api = model.rest!.apis[0]!;
    const byUrl = await withDeployedRest(restOnly(), outputsWith('url', { myRestApi: { endpoint: `https://${api.id}.execute-api.us-east-1.amazonaws.com/${api.stage}/`, region: 'us-east-1' } }), config(emu));
    expect([byUrl.read, byUrl.drift]).toEqual([[`REST API myRestApi: ${api.id} in us-east-1`], []]);
    const byName = await withDeployedRest(restOnly(), outputsWith('name', (emu.outputs().custom as { API: Record<string, unknown> }).API), config(emu));
    expect([byName.read, byName.drift]).toEqual([[`REST API myRestApi: ${api.id} in us-east-1`], []]);
    expect(byName.model.rest!.apis[0]!.apiKeys[0]!.value).toMatch(/^[\w-]{20,}$/);
  });

  it('a stage other than the definition\'s, an API not deployed, or not in the outputs, is drift; a name two APIs share is refused', async () => {
    const api = model.rest!.apis[0]!;
    const otherStage = await withDeployedRest(restOnly(), outputsWith('stage', { myRestApi: { endpoint: `https://${api.id}.execute-api.us-east-1.amazonaws.com/prod/` } }), config(emu));
    expect(otherStage.drift).toEqual([`myRestApi: custom.API's endpoint is stage prod, backend.ts deploys stage ${api.stage}`]);
    const missing = await withDeployedRest({ ...model, rest: { ...model.rest!, apis: [{ ...api, name: 'otherApi' }], httpApis: [] } }, outputsWith('missing', { otherApi: { endpoint: 'https://api.example.com/' } }), config(emu));
    expect(missing.drift).toEqual(['otherApi: no REST API of that name is deployed in us-east-1; its definition in backend.ts is tested']);
    expect(missing.model.caveats).toEqual([
      'the deployed REST API differs from backend.ts (the deployed one is tested): otherApi: no REST API of that name is deployed in us-east-1; its definition in backend.ts is tested',
    ]);
    const absent = await withDeployedRest(restOnly(), outputsWith('absent', {}), config(emu));
    expect(absent.drift).toEqual(['myRestApi is defined in backend.ts, but amplify_outputs.json (custom.API) names no endpoint for it']);
    await expect(withDeployedRest(restOnly(), outputsWith('twins', { myRestApi: { endpoint: 'https://api.example.com/' } }), config(twins))).rejects.toMatchObject({
      message: `2 REST APIs are named myRestApi in us-east-1 (${api.id}, twin000001), and custom.API's endpoint https://api.example.com/ does not say which`,
    });
  });
});

describe('finding the deployed HTTP API (API Gateway v2)', () => {
  const http = () => model.rest!.httpApis[0]!;

  it('by the id its execute-api URL names, or by name (GetApis): read, no drift, no caveat; beside the REST API', async () => {
    const byUrl = await withDeployedRest(model, outputsWith('http-url', {
      ...(emu.outputs().custom as { API: Record<string, unknown> }).API,
      shopHttpApi: { endpoint: `https://${http().id}.execute-api.us-east-1.amazonaws.com/`, region: 'us-east-1' },
    }), config(emu));
    expect([byUrl.read, byUrl.drift, byUrl.model.caveats]).toEqual([[`REST API myRestApi: ${model.rest!.apis[0]!.id} in us-east-1`, `HTTP API shopHttpApi: ${http().id} in us-east-1`], [], undefined]);
    expect(byUrl.model.rest!.httpApis).toEqual(model.rest!.httpApis);
    const byName = await withDeployedRest(model, outputsWith('http-name', (emu.outputs().custom as { API: Record<string, unknown> }).API), config(emu));
    expect([byName.read.at(-1), byName.drift]).toEqual([`HTTP API shopHttpApi: ${http().id} in us-east-1`, []]);
  });

  it('not in the outputs, or not deployed: drift, the definition is tested', async () => {
    const { myRestApi } = (emu.outputs().custom as { API: Record<string, unknown> }).API;
    const absent = await withDeployedRest(model, outputsWith('http-absent', { myRestApi }), config(emu));
    expect(absent.model.caveats).toEqual(['the deployed HTTP API differs from backend.ts (the deployed one is tested): shopHttpApi is defined in backend.ts, but amplify_outputs.json (custom.API) names no endpoint for it']);
    const renamed = { ...model, rest: { ...model.rest!, httpApis: [{ ...http(), name: 'otherHttpApi' }] } };
    const missing = await withDeployedRest(renamed, outputsWith('http-missing', { myRestApi, otherHttpApi: { endpoint: 'https://api.example.com/' } }), config(emu));
    expect(missing.drift).toEqual(['otherHttpApi: no HTTP API of that name is deployed in us-east-1; its definition in backend.ts is tested']);
    expect(missing.model.rest!.httpApis).toEqual(renamed.rest.httpApis);
  });

  it('a read that fails leaves the HTTP API as backend.ts defines it, with a caveat saying why', async () => {
    const custom = (emu.outputs().custom as { API: Record<string, unknown> }).API;
    // The operator may read REST APIs (and their keys and plans) but not HTTP APIs.
    const c = emu.credentials.iamRole('RestOnlyOperator', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: ['arn:aws:apigateway:*::/restapis', 'arn:aws:apigateway:*::/restapis/*', 'arn:aws:apigateway:*::/apikeys*', 'arn:aws:apigateway:*::/usageplans*'] }] }]);
    [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN] = [c.accessKeyId, c.secretAccessKey, c.sessionToken];
    const byName = await withDeployedRest(model, outputsWith('http-denied', custom), { deployed: { endpoints: { apiGateway: emu.restControlPlane()! } } });
    expect(byName.read).toEqual([`REST API myRestApi: ${model.rest!.apis[0]!.id} in us-east-1`]);
    expect(byName.model.caveats).toEqual([expect.stringMatching(/^HTTP API shopHttpApi is tested as backend\.ts defines it: its deployed routes could not be read \(finding the deployed HTTP API shopHttpApi in us-east-1 \(GetApis\): not allowed \(User: arn:aws:sts::\d+:assumed-role\/RestOnlyOperator\/[^ ]+ is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::\/apis because no identity-based policy allows the apigateway:GET action\)\)$/)]);
    expect(byName.model.rest!.httpApis).toEqual(model.rest!.httpApis);
    const byUrl = await withDeployedRest(model, outputsWith('http-denied-url', { ...custom, shopHttpApi: { endpoint: `https://${http().id}.execute-api.us-east-1.amazonaws.com/` } }), { deployed: { endpoints: { apiGateway: emu.restControlPlane()! } } });
    expect(byUrl.model.caveats).toEqual([expect.stringContaining(`its deployed routes could not be read (reading the deployed HTTP API shopHttpApi (${http().id} in us-east-1): not allowed (`)]);
  });
});
