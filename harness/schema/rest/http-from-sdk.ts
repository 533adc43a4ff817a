/**
 * A deployed HTTP API (API Gateway v2) read with the v2 SDK (GetApi, GetRoutes, GetAuthorizers, GetIntegrations,
 * GetStages, each paged by `NextToken`) into the model the CDK reader produces (both go through http-api-parts.ts),
 * compared with the definition read from backend.ts (`httpDrift`) and merged into it (`mergeDeployedHttp`), as
 * from-sdk.ts does for REST APIs: the deployed routes, authorizers, stage (with its variables) and CORS configuration
 * decide a deployed run; the definition gives what the deployment cannot tell (the Lambda authorizers' handler modules).
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { all, authorizersDrift, entriesDrift, functionNamed, stageDrift } from './from-sdk.js';
import { httpApiOf } from './http-api-parts.js';
import { routeKeyOf, type HttpApi, type HttpAuthorizer, type HttpRoute, type RestFunction } from './model.js';

export interface DeployedHttpReading {
  /** The API as deployed; its `stage` is the definition's when deployed, else the first deployed. */
  api: HttpApi;
  /** Every deployed stage. */
  stages: string[];
}

/** What the reader needs of the app: its functions, and the user pool and client `app` stands for. */
export interface HttpReadContext {
  functions: RestFunction[];
  userPoolId?: string;
  userPoolClientId?: string;
}

/** Every item of a list API Gateway v2 pages by `NextToken`. */
const allItems = <T>(get: (token?: string) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> =>
  all(async (token) => {
    const page = await get(token);
    return { ...(page.Items ? { items: page.Items } : {}), ...(page.NextToken ? { position: page.NextToken } : {}) };
  });

/**
 * Reads one deployed HTTP API, named `name` in the model. `pageSize` is the `MaxResults` asked of each list
 * (API Gateway may answer fewer, with a `NextToken`).
 */
export async function readDeployedHttpApi(client: ApiGatewayV2Client, apiId: string, name: string, definedStage: string, ctx: HttpReadContext, pageSize = 100): Promise<DeployedHttpReading> {
  const sdk = await import('@aws-sdk/client-apigatewayv2');
  const paged = { ApiId: apiId, MaxResults: String(pageSize) };
  const page = (token?: string) => ({ ...paged, ...(token ? { NextToken: token } : {}) });
  const [api, routes, authorizers, integrations, stages] = await Promise.all([
    client.send(new sdk.GetApiCommand({ ApiId: apiId })),
    allItems((token) => client.send(new sdk.GetRoutesCommand(page(token)))),
    allItems((token) => client.send(new sdk.GetAuthorizersCommand(page(token)))),
    allItems((token) => client.send(new sdk.GetIntegrationsCommand(page(token)))),
    allItems((token) => client.send(new sdk.GetStagesCommand(page(token)))),
  ]);
  const stageNames = stages.map((s) => s.StageName!);
  const stage = stageNames.includes(definedStage) ? definedStage : stageNames[0];
  return {
    api: httpApiOf(name, apiId, {
      routes,
      authorizers: authorizers.map((a) => ({ ...a, id: a.AuthorizerId! })),
      integrations: new Map(integrations.map((i) => [i.IntegrationId!, i])),
      ...(stage ? { stage, stageVariables: stages.find((s) => s.StageName === stage)?.StageVariables } : {}),
      ...(api.CorsConfiguration ? { cors: api.CorsConfiguration } : {}),
    }, {
      ...(ctx.userPoolId ? { userPool: ctx.userPoolId } : {}),
      ...(ctx.userPoolClientId ? { userPoolClient: ctx.userPoolClientId } : {}),
      fn: (uri) => functionNamed(ctx.functions, uri) ?? uri,
    }),
    stages: stageNames,
  };
}

/** The ids of the HTTP APIs named `name` in the client's region (GetApis, paged). */
export async function httpApiIdsNamed(client: ApiGatewayV2Client, name: string): Promise<string[]> {
  const { GetApisCommand } = await import('@aws-sdk/client-apigatewayv2');
  const apis = await allItems((token) => client.send(new GetApisCommand({ MaxResults: '100', ...(token ? { NextToken: token } : {}) })));
  return apis.filter((a) => a.Name === name && a.ProtocolType === 'HTTP').map((a) => a.ApiId!);
}

/**
 * The differences between the definition and the deployment, one sentence each: routes only on one side or
 * authorized otherwise, authorizers (matched by name) configured otherwise, the definition's stage not deployed or
 * deployed with other variables, the CORS configuration.
 */
export function httpDrift(defined: HttpApi, deployed: DeployedHttpReading): string[] {
  const drift: string[] = [];
  const d = deployed.api;
  const describe = (authorizers: HttpAuthorizer[], r: HttpRoute) => {
    const a = r.authorization;
    const by = 'authorizer' in a ? authorizers.find((x) => x.id === a.authorizer)?.name ?? a.authorizer : undefined;
    return `${a.type}${by ? ` (${by})` : ''}${a.type === 'JWT' && a.scopes.length ? ` scopes ${[...a.scopes].sort().join(' ')}` : ''}`;
  };
  drift.push(...entriesDrift(defined.name, { entries: defined.routes, describe: (r) => describe(defined.authorizers, r) }, { entries: d.routes, describe: (r) => describe(d.authorizers, r) }, routeKeyOf));
  const settings = (a: HttpAuthorizer) => JSON.stringify(a.type === 'JWT'
    ? { type: a.type, issuer: a.issuer, audience: [...a.audience].sort(), source: a.identitySource }
    : { type: a.type, payload: a.payloadVersion, simple: a.simpleResponses, sources: [...a.identitySources].sort(), ttl: a.ttlSeconds });
  drift.push(...authorizersDrift(defined.name, defined.authorizers, d.authorizers, settings));
  drift.push(...stageDrift(defined, { stages: deployed.stages, ...(d.stageVariables ? { stageVariables: d.stageVariables } : {}) }));
  const cors = (api: HttpApi) => JSON.stringify(api.cors ?? null);
  if (cors(defined) !== cors(d)) drift.push(`${defined.name} CORS: backend.ts says ${cors(defined)}, the deployed API ${cors(d)}`);
  return drift;
}

/**
 * The API as a deployed run tests it: the deployed routes, authorizers, stage and CORS configuration, under the
 * definition's name and id (the ids the roles' policies were read with); each Lambda authorizer gets the handler
 * module of the defined authorizer of the same name, each route the defined integration of the same kind.
 */
export function mergeDeployedHttp(defined: HttpApi, deployed: DeployedHttpReading): HttpApi {
  const d = deployed.api;
  const authorizers = d.authorizers.map((a): HttpAuthorizer => {
    const own = defined.authorizers.find((x) => x.name === a.name);
    return a.type === 'REQUEST' && own?.type === 'REQUEST' ? { ...a, function: own.function } : a;
  });
  const routes = d.routes.map((r) => {
    const own = defined.routes.find((x) => x.resourcePath === r.resourcePath && x.method === r.method);
    return own && own.integration.kind === r.integration.kind ? { ...r, integration: own.integration } : r;
  });
  const { cors: _cors, stageVariables: _variables, ...rest } = defined;
  return { ...rest, stage: d.stage, ...(d.stageVariables ? { stageVariables: d.stageVariables } : {}), routes, authorizers, ...(d.cors ? { cors: d.cors } : {}) };
}
