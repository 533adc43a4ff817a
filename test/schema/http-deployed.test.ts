/**
 * Reading a deployed HTTP API with the real @aws-sdk/client-apigatewayv2, offline: the emulator serves API
 * Gateway's v2 read operations (`/v2/apis…`) from its loaded HTTP APIs, as the deployed endpoint. Read back, the
 * REST example's and the http-api app shape's HTTP APIs are the very model the CDK reader made of backend.ts (no
 * drift), however small the pages; an emulator loaded with a changed API shows each change as drift, and the merge
 * takes the deployed side.
 */
import { ApiGatewayV2Client, GetApisCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { httpDrift, mergeDeployedHttp, readDeployedHttpApi, type HttpReadContext } from '../../harness/schema/rest/http-from-sdk.js';
import type { HttpApi, RestSection } from '../../harness/schema/rest/model.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let shape: Emulator;
let drifted: Emulator;
let section: RestSection;
let api: HttpApi;

/** A v2 control-plane client; by default with an administrator's credentials (the emulator's IAM role with AdministratorAccess). */
const clientOf = (e: Emulator, credentials: AwsCredentials = e.credentials.iamRole()) =>
  new ApiGatewayV2Client({ region: e.model.rest!.region, endpoint: e.restControlPlane()!, credentials, maxAttempts: 1 });

/** The app as the deployed run knows it from amplify_outputs.json: its functions, its user pool and client. */
const contextOf = (e: Emulator): HttpReadContext => {
  const outputs = e.outputs() as { auth: { user_pool_id: string; user_pool_client_id: string } };
  return { functions: e.model.rest!.functions, userPoolId: outputs.auth.user_pool_id, userPoolClientId: outputs.auth.user_pool_client_id };
};

/** The same API deployed from another version of backend.ts. */
function changed(a: HttpApi): HttpApi {
  return {
    ...a,
    routes: [
      // GET /status now needs a signature; POST /orders is gone; DELETE /orders is new.
      ...a.routes.filter((r) => !(r.resourcePath === '/orders' && r.method === 'POST'))
        .map((r) => (r.resourcePath === '/status' ? { ...r, authorization: { type: 'AWS_IAM' as const } } : r)),
      { ...a.routes.find((r) => r.resourcePath === '/orders')!, method: 'DELETE' },
    ],
    // The partner authorizer's cache off, and CORS for one origin only.
    authorizers: a.authorizers.map((x) => (x.type === 'REQUEST' ? { ...x, ttlSeconds: 0 } : x)),
    cors: { ...a.cors!, allowOrigins: ['https://shop.example.com'] },
  };
}

beforeAll(async () => {
  emu = await emulatorFor('rest');
  section = emu.model.rest!;
  api = section.httpApis[0]!;
  shape = await emulatorFor(fixture('app-shapes', 'http-api'));
  drifted = await emulatorFor('rest', { model: { ...emu.model, rest: { ...section, httpApis: [changed(api)] } } });
});
afterAll(async () => {
  await emu?.stop();
  await shape?.stop();
  await drifted?.stop();
});

describe('a deployed HTTP API read with the API Gateway v2 SDK', () => {
  it.each([
    ['the REST example\'s shopHttpApi (IAM, JWT with a scope, a simple-response Lambda authorizer, CORS)', () => emu],
    ['the http-api app shape (a greedy route, JWT without scopes, payload 1.0 and 2.0 Lambda authorizers)', () => shape],
  ])('%s: read back, it is the model backend.ts gave, whatever the page size', async (_, app) => {
    const e = app();
    const defined = e.model.rest!.httpApis[0]!;
    const client = clientOf(e);
    for (const pageSize of [100, 1]) {
      const read = await readDeployedHttpApi(client, defined.id, defined.name, defined.stage, contextOf(e), pageSize);
      expect(read.api).toEqual(defined);
      expect(read.stages).toEqual(['$default']);
      expect(httpDrift(defined, read)).toEqual([]);
      expect(mergeDeployedHttp(defined, read)).toEqual(defined);
    }
    client.destroy();
  });

  it('names every difference as drift, and the merge takes the deployed side (keeping the definition\'s authorizer modules)', async () => {
    const client = clientOf(drifted);
    const read = await readDeployedHttpApi(client, api.id, api.name, api.stage, contextOf(drifted));
    const partner = api.authorizers.find((a) => a.type === 'REQUEST')!;
    expect(httpDrift(api, read)).toEqual([
      'shopHttpApi POST /orders is defined in backend.ts but not deployed',
      'shopHttpApi GET /status: backend.ts says NONE, the deployed API AWS_IAM',
      'shopHttpApi DELETE /orders is deployed but not defined in backend.ts',
      `shopHttpApi authorizer ${partner.name}: backend.ts says {"type":"REQUEST","payload":"2.0","simple":true,"sources":["$request.header.Authorization"],"ttl":300}, the deployed API {"type":"REQUEST","payload":"2.0","simple":true,"sources":["$request.header.Authorization"],"ttl":0}`,
      'shopHttpApi CORS: backend.ts says {"allowOrigins":["*"],"allowMethods":["GET","POST"],"allowHeaders":["authorization","content-type"],"exposeHeaders":[],"allowCredentials":false}, the deployed API {"allowOrigins":["https://shop.example.com"],"allowMethods":["GET","POST"],"allowHeaders":["authorization","content-type"],"exposeHeaders":[],"allowCredentials":false}',
    ]);
    const merged = mergeDeployedHttp(api, read);
    expect(merged.routes.map((r) => `${r.method} ${r.resourcePath} ${r.authorization.type}`)).toEqual([
      'GET /inventory AWS_IAM', 'DELETE /orders JWT', 'GET /orders JWT', 'GET /partners/catalog CUSTOM', 'GET /status AWS_IAM',
    ]);
    expect(merged.authorizers.find((a) => a.name === partner.name)).toEqual({ ...partner, ttlSeconds: 0 });
    expect(merged.cors?.allowOrigins).toEqual(['https://shop.example.com']);
    expect([merged.name, merged.id, merged.stage]).toEqual([api.name, api.id, api.stage]);
    client.destroy();
  });

  it('the control plane pages its lists by MaxResults and NextToken, refuses a bad token, and answers an unknown API 404', async () => {
    const client = clientOf(emu);
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new GetRoutesCommand({ ApiId: api.id, MaxResults: '2', ...(token ? { NextToken: token } : {}) }));
      expect(page.Items!.length).toBeLessThanOrEqual(2);
      keys.push(...page.Items!.map((r) => r.RouteKey!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(api.routes.length / 2));
    expect(keys.sort()).toEqual(api.routes.map((r) => `${r.method} ${r.resourcePath}`).sort());
    const apis = await client.send(new GetApisCommand({}));
    expect(apis.Items?.map((a) => [a.ApiId, a.Name, a.ProtocolType])).toEqual([[api.id, api.name, 'HTTP']]);
    expect(apis.Items?.[0]?.ApiEndpoint).toBe(`${emu.url.replace(/\/graphql$/, '')}/apis/${api.id}`);
    await expect(client.send(new GetRoutesCommand({ ApiId: api.id, NextToken: 'nope' }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(client.send(new GetRoutesCommand({ ApiId: api.id, MaxResults: '0' }))).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(client.send(new GetRoutesCommand({ ApiId: 'nope' }))).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    client.destroy();
  });
});

describe('who may read the v2 control plane: apigateway:GET on arn:aws:apigateway:{region}::/apis/…', () => {
  const refusal = async (send: () => Promise<unknown>) => {
    const e = await Promise.resolve().then(send).then(() => undefined, (err: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => err);
    return e && [e.$metadata?.httpStatusCode, e.name, e.message];
  };
  const routes = (credentials?: AwsCredentials) => () => clientOf(emu, credentials).send(new GetRoutesCommand({ ApiId: api.id }));

  it('a role allowed /apis/* reads the routes; one allowed only /restapis/* and the identity pool\'s roles are refused, naming the resource without /v2', async () => {
    const reader = emu.credentials.iamRole('HttpApiReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:*::/apis/*' }] }]);
    expect((await routes(reader)()) as { Items: unknown[] }).toMatchObject({ Items: expect.arrayContaining([expect.objectContaining({ RouteKey: 'GET /status' })]) });
    const restOnly = emu.credentials.iamRole('RestApiReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:*::/restapis/*' }] }]);
    for (const credentials of [restOnly, emu.credentials.identityPool({ authenticated: true, username: 'owner' })]) {
      expect(await refusal(routes(credentials))).toEqual([403, 'AccessDeniedException', expect.stringContaining(`is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/apis/${api.id}/routes because no identity-based policy allows`)]);
    }
  });

  it('unsigned: refused before anything is read', async () => {
    const r = await fetch(`${emu.restControlPlane()!}/v2/apis/${api.id}/routes`);
    expect([r.status, r.headers.get('x-amzn-errortype')]).toEqual([403, 'MissingAuthenticationTokenException']);
  });
});
