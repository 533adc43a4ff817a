/**
 * The read operations of API Gateway's v2 control plane (`/v2/apis…`, as `@aws-sdk/client-apigatewayv2` calls
 * them) over the emulator's loaded HTTP APIs: GetApis, GetApi, GetRoutes, GetAuthorizers, GetIntegrations and
 * GetStages, in the shapes of the Amazon API Gateway Version 2 API Reference
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html): lists are `{"items": [...], "nextToken"}`,
 * paged by `maxResults` and `nextToken`. Who may read is decided before, as for the REST reads (control-plane.ts).
 */
import { createHash } from 'node:crypto';
import { routeKeyOf, type HttpApi, type HttpAuthorizer, type HttpRoute, type Integration, type RestSection } from '../../schema/rest/model.js';
import { functionArn, invocationUri, readPath, type ControlPlaneAnswer } from './control-plane.js';

export interface HttpControlPlaneOptions {
  section: RestSection;
  /** The issuer and client id `app` stands for in a JWT authorizer (the app's user pool and its client). */
  appUserPool?: { issuer: string; clientId: string };
  /** Where the emulator serves the API (its `apiEndpoint`). */
  endpointOf: (api: HttpApi) => string;
}

/** Answers `GET /v2/<path>?<query>` below the control plane's prefix, for a caller `controlPlaneAccess` let through. */
export function httpControlPlane(opts: HttpControlPlaneOptions, method: string, url: URL): ControlPlaneAnswer {
  const path = readPath(method, url);
  if (!Array.isArray(path)) return path;
  const [, ...parts] = path;
  const q = url.searchParams;
  if (parts[0] !== 'apis') return notServed(parts);
  if (parts.length === 1) return page(opts.section.httpApis.map((a) => apiOf(opts, a)), q);
  const api = opts.section.httpApis.find((a) => a.id === parts[1]);
  if (!api) return { status: 404, errorType: 'NotFoundException', body: { message: `Invalid API identifier specified ${opts.section.account}:${parts[1]}`, resourceType: 'Api' } };
  if (parts.length === 2) return { status: 200, body: apiOf(opts, api) };
  if (parts.length !== 3) return notServed(parts);
  switch (parts[2]) {
    case 'routes':
      return page(api.routes.map((r) => routeOf(r)), q);
    case 'authorizers':
      return page(api.authorizers.map((a) => authorizerOf(opts, a)), q);
    case 'integrations':
      return page(integrationsOf(api).map(([id, integration]) => integrationOf(opts.section, id, integration)), q);
    case 'stages':
      return page([{ stageName: api.stage, autoDeploy: true, apiGatewayManaged: false, stageVariables: { ...api.stageVariables }, tags: {} }], q);
    default:
      return notServed(parts);
  }
}

const notServed = (parts: string[]): ControlPlaneAnswer => ({
  status: 404, errorType: 'NotFoundException', body: { message: `authmatrix's API Gateway control plane does not serve GET /v2/${parts.join('/')}` },
});

/** `maxResults` items (all when unset, at most 500) from `nextToken` (an offset here). */
function page(items: unknown[], q: URLSearchParams): ControlPlaneAnswer {
  const max = q.get('maxResults');
  const limit = max === null ? 500 : Number(max);
  const token = q.get('nextToken');
  const from = token === null ? 0 : Number(token);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return { status: 400, errorType: 'BadRequestException', body: { message: `Invalid maxResults ${max}: a whole number from 1 to 500` } };
  if (!Number.isInteger(from) || from < 0 || from > items.length) return { status: 400, errorType: 'BadRequestException', body: { message: 'Invalid nextToken' } };
  const next = from + limit < items.length ? String(from + limit) : undefined;
  return { status: 200, body: { items: items.slice(from, from + limit), ...(next ? { nextToken: next } : {}) } };
}

/** A stable id for something of the API (API Gateway's are random, 7 characters). */
const idOf = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 7);

function apiOf(opts: HttpControlPlaneOptions, a: HttpApi): Record<string, unknown> {
  const cors = a.cors;
  return {
    apiId: a.id, name: a.name, protocolType: 'HTTP', apiEndpoint: opts.endpointOf(a),
    routeSelectionExpression: '${request.method} ${request.path}', apiKeySelectionExpression: '$request.header.x-api-key',
    disableExecuteApiEndpoint: false, tags: {},
    ...(cors ? {
      corsConfiguration: {
        allowOrigins: cors.allowOrigins, allowMethods: cors.allowMethods, allowHeaders: cors.allowHeaders, exposeHeaders: cors.exposeHeaders,
        allowCredentials: cors.allowCredentials, ...(cors.maxAge !== undefined ? { maxAge: cors.maxAge } : {}),
      },
    } : {}),
  };
}

function routeOf(r: HttpRoute): Record<string, unknown> {
  const routeKey = routeKeyOf(r);
  const a = r.authorization;
  return {
    routeId: idOf('route', routeKey), routeKey, apiGatewayManaged: false, apiKeyRequired: false,
    authorizationType: a.type,
    ...(a.type === 'JWT' || a.type === 'CUSTOM' ? { authorizerId: a.authorizer } : {}),
    ...(a.type === 'JWT' && a.scopes.length ? { authorizationScopes: a.scopes } : {}),
    ...(r.integration.kind === 'other' && r.integration.type === 'none' ? {} : { target: `integrations/${integrationId(r.integration)}` }),
  };
}

const integrationId = (i: Integration) => idOf('integration', JSON.stringify(i));

/** The API's integrations, one per distinct integration its routes name (CDK shares one per function). */
function integrationsOf(api: HttpApi): [string, Integration][] {
  const out = new Map<string, Integration>();
  for (const r of api.routes) if (!(r.integration.kind === 'other' && r.integration.type === 'none')) out.set(integrationId(r.integration), r.integration);
  return [...out];
}

function integrationOf(section: RestSection, id: string, i: Integration): Record<string, unknown> {
  if (i.kind === 'lambda') {
    // CDK's HttpLambdaIntegration names the function's ARN itself (no invocation URI).
    return {
      integrationId: id, integrationType: 'AWS_PROXY', integrationMethod: 'POST', payloadFormatVersion: '2.0', connectionType: 'INTERNET', timeoutInMillis: 30000,
      integrationUri: functionArn(section, i.function),
    };
  }
  return { integrationId: id, integrationType: i.kind === 'mock' ? 'MOCK' : i.type, payloadFormatVersion: '1.0', connectionType: 'INTERNET', timeoutInMillis: 30000 };
}

function authorizerOf(opts: HttpControlPlaneOptions, a: HttpAuthorizer): Record<string, unknown> {
  if (a.type === 'JWT') {
    const app = opts.appUserPool;
    return {
      authorizerId: a.id, authorizerType: 'JWT', name: a.name, identitySource: [a.identitySource],
      jwtConfiguration: {
        issuer: a.issuer === 'app' && app ? app.issuer : a.issuer,
        audience: a.audience.map((x) => (x === 'app' && app ? app.clientId : x)),
      },
    };
  }
  return {
    authorizerId: a.id, authorizerType: 'REQUEST', name: a.name, identitySource: a.identitySources,
    authorizerUri: invocationUri(opts.section, a.function),
    authorizerPayloadFormatVersion: a.payloadVersion, authorizerResultTtlInSeconds: a.ttlSeconds,
    ...(a.payloadVersion === '2.0' ? { enableSimpleResponses: a.simpleResponses } : {}),
  };
}
