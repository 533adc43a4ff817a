/**
 * The read operations of API Gateway's control plane (REST protocol, as `@aws-sdk/client-api-gateway`
 * calls them) over the emulator's loaded REST section, so that a deployed run's reading of a REST API
 * can be tested offline against the emulator as the deployed endpoint: GetRestApis, GetResources (with
 * `embed=methods`), GetAuthorizers, GetApiKeys / GetApiKey (with values when asked), GetUsagePlans,
 * GetUsagePlanKeys, and GetStages / GetStage (the stage's variables). Lists use API Gateway's wire form
 * (`{"item": [...], "position"}`). The HTTP APIs' reads (`/v2/apis…`) are in http-control-plane.ts.
 *
 * The section has no usage plans of its own: each API key in a plan is served as a plan of its own
 * (`plan-<key id>`) covering the stages the key is valid on, which is what the readers need.
 *
 * Who may read it is decided as API Gateway's control plane does (`controlPlaneAccess`): a request
 * SigV4-signed for `apigateway` with credentials the emulator issued, whose identity-based policies
 * allow `apigateway:<VERB>` on `arn:aws:apigateway:<region>::<path>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html):
 * an administrator's role, not the identity pool's roles (they hold only `execute-api:Invoke`).
 */
import { createHash } from 'node:crypto';
import type { RestApi, RestAuthorizer, RestMethod, RestSection } from '../../schema/rest/model.js';
import type { IamCaller } from '../iam/identity-pool.js';
import { accessDeniedMessage, evaluate } from '../iam/policy.js';
import type { SigV4Result } from '../iam/sigv4.js';
import { gatewayErrors, signatureRefusal } from './responses.js';

export interface ControlPlaneAnswer {
  status: number;
  body: unknown;
  /** `x-amzn-ErrorType` of a refusal (the SDK names its error after it). */
  errorType?: string;
}

export interface ControlPlaneOptions {
  section: RestSection;
  /** The value of a generated API key, by id. */
  keyValue: (keyId: string) => string | undefined;
  /** The ARNs of the user pools the gateway takes as the app's (`app` in a Cognito authorizer's pools). */
  userPoolArns: string[];
}

const NOT_FOUND = (what: string): ControlPlaneAnswer => ({ status: 404, errorType: 'NotFoundException', body: { message: `Invalid ${what} identifier specified` } });

/**
 * The refusal of a request the caller may not make (undefined when it may): unsigned, a signature that
 * fails verification, or an identity-based policy that does not allow the action on the resource.
 */
export function controlPlaneAccess(verified: SigV4Result<IamCaller>, method: string, path: string, region: string): ControlPlaneAnswer | undefined {
  const refusal = (e: { status: number; errorType: string; message: string }): ControlPlaneAnswer => ({ status: e.status, errorType: e.errorType, body: { message: e.message } });
  if (!verified.ok) return refusal(verified.failure.kind === 'missing' ? gatewayErrors.missingToken() : signatureRefusal(verified.failure));
  const { principal, role, context } = verified.principal;
  // The v2 operations' resources have no `/v2` (`arn:aws:apigateway:{region}::/apis/{id}/routes`,
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagementv2.html).
  const request = { action: `apigateway:${method}`, resource: `arn:aws:apigateway:${region}::${path.replace(/^\/v2\//, '/')}`, context };
  const decision = evaluate(role.policies, request);
  return decision.outcome === 'allow' ? undefined : refusal(gatewayErrors.accessDenied(accessDeniedMessage(principal.userArn, request, decision)));
}

/** Answers `GET <path>?<query>` below the control plane's prefix, for a caller `controlPlaneAccess` let through. */
export function controlPlane(opts: ControlPlaneOptions, method: string, url: URL): ControlPlaneAnswer {
  const parts = readPath(method, url);
  if (!Array.isArray(parts)) return parts;
  const q = url.searchParams;
  const api = (id: string) => opts.section.apis.find((a) => a.id === id);
  if (parts[0] === 'restapis' && parts.length === 1) return page(opts.section.apis.map((a) => ({ id: a.id, name: a.name, apiKeySource: a.apiKeySource, endpointConfiguration: { types: ['EDGE'] } })), q);
  if (parts[0] === 'restapis' && parts.length === 3) {
    const a = api(parts[1]!);
    if (!a) return NOT_FOUND('REST API');
    if (parts[2] === 'resources') return page(resourcesOf(opts, a, (q.get('embed') ?? '').split(',').includes('methods')), q);
    if (parts[2] === 'authorizers') return page(a.authorizers.map((x) => authorizerOf(opts, x)), q);
    // GetStages: every stage at once, not paged.
    if (parts[2] === 'stages') return { status: 200, body: { item: [stageOf(a)] } };
  }
  if (parts[0] === 'restapis' && parts.length === 4 && parts[2] === 'stages') {
    const a = api(parts[1]!);
    if (!a) return NOT_FOUND('REST API');
    return a.stage === parts[3] ? { status: 200, body: stageOf(a) } : { status: 404, errorType: 'NotFoundException', body: { message: 'Invalid stage identifier specified' } };
  }
  const keys = opts.section.apis.flatMap((a) => a.apiKeys.map((k) => ({ a, k })));
  const keyOf = ({ k }: (typeof keys)[number], withValue: boolean) => ({
    id: k.id, name: k.name, enabled: k.enabled, stageKeys: [],
    ...(withValue ? { value: k.value ?? opts.keyValue(k.id) } : {}),
  });
  if (parts[0] === 'apikeys' && parts.length === 1) return page(keys.map((x) => keyOf(x, q.get('includeValues') === 'true')), q);
  if (parts[0] === 'apikeys' && parts.length === 2) {
    const found = keys.find((x) => x.k.id === parts[1]);
    return found ? { status: 200, body: keyOf(found, q.get('includeValue') === 'true') } : NOT_FOUND('API Key');
  }
  const plans = keys.filter(({ k }) => k.stages.length).map(({ a, k }) => ({ id: `plan-${k.id}`, name: `authmatrix plan of ${k.name}`, apiStages: k.stages.map((stage) => ({ apiId: a.id, stage })), key: k }));
  if (parts[0] === 'usageplans' && parts.length === 1) {
    const keyId = q.get('keyId');
    return page(plans.filter((p) => !keyId || p.key.id === keyId).map(({ key: _key, ...p }) => p), q);
  }
  if (parts[0] === 'usageplans' && parts.length === 3 && parts[2] === 'keys') {
    const plan = plans.find((p) => p.id === parts[1]);
    return plan ? page([{ id: plan.key.id, type: 'API_KEY', name: plan.key.name }], q) : NOT_FOUND('Usage Plan ID');
  }
  return { status: 404, errorType: 'NotFoundException', body: { message: `authmatrix's API Gateway control plane does not serve GET ${url.pathname}` } };
}

/** The decoded segments of a read's path, or the refusal of anything but a read of a well-encoded path. */
export function readPath(method: string, url: URL): string[] | ControlPlaneAnswer {
  if (method !== 'GET') return { status: 405, errorType: 'MethodNotAllowedException', body: { message: `authmatrix's API Gateway control plane only reads (${method} refused)` } };
  try {
    return url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { status: 400, errorType: 'BadRequestException', body: { message: 'Invalid path encoding' } };
  }
}

/** `limit` (default 25, at most 500) items from `position` (an offset here). */
function page(items: unknown[], q: URLSearchParams): ControlPlaneAnswer {
  const limit = Math.min(Math.max(Number(q.get('limit') ?? 25) || 25, 1), 500);
  const from = Number(q.get('position') ?? 0) || 0;
  const next = from + limit < items.length ? String(from + limit) : undefined;
  return { status: 200, body: { item: items.slice(from, from + limit), ...(next ? { position: next } : {}) } };
}

/** The API's one stage (GetStage), its variables when it has any. */
function stageOf(api: RestApi): Record<string, unknown> {
  return { stageName: api.stage, deploymentId: resourceId(`${api.id}/${api.stage}`), ...(api.stageVariables ? { variables: { ...api.stageVariables } } : {}) };
}

/** A stable resource id for a path (API Gateway's are random, 6–10 characters). */
const resourceId = (path: string) => createHash('sha256').update(path).digest('hex').slice(0, 10);

function resourcesOf(opts: ControlPlaneOptions, api: RestApi, embed: boolean): unknown[] {
  const paths = new Set<string>(['/']);
  for (const m of api.methods) {
    const segments = m.resourcePath.split('/').filter(Boolean);
    for (let i = 1; i <= segments.length; i++) paths.add(`/${segments.slice(0, i).join('/')}`);
  }
  return [...paths].sort().map((path) => {
    const parent = path === '/' ? undefined : path.slice(0, path.lastIndexOf('/')) || '/';
    const methods = api.methods.filter((m) => m.resourcePath === path);
    return {
      id: resourceId(path), path,
      ...(parent ? { parentId: resourceId(parent), pathPart: path.slice(path.lastIndexOf('/') + 1) } : {}),
      ...(methods.length ? { resourceMethods: Object.fromEntries(methods.map((m) => [m.method, embed ? methodOf(opts, m) : {}])) } : {}),
    };
  });
}

function methodOf(opts: ControlPlaneOptions, m: RestMethod): Record<string, unknown> {
  const a = m.authorization;
  const integration = m.integration;
  return {
    httpMethod: m.method,
    authorizationType: a.type,
    ...(a.type === 'COGNITO_USER_POOLS' || a.type === 'CUSTOM' ? { authorizerId: a.authorizer } : {}),
    ...(a.type === 'COGNITO_USER_POOLS' && a.scopes.length ? { authorizationScopes: a.scopes } : {}),
    apiKeyRequired: m.apiKeyRequired,
    methodIntegration: integration.kind === 'lambda'
      ? { type: 'AWS_PROXY', httpMethod: 'POST', uri: invocationUri(opts.section, integration.function) }
      : integration.kind === 'mock' ? { type: 'MOCK' } : { type: integration.type },
  };
}

function authorizerOf(opts: ControlPlaneOptions, a: RestAuthorizer): Record<string, unknown> {
  const base = { id: a.id, name: a.name, type: a.type, authorizerResultTtlInSeconds: a.ttlSeconds };
  switch (a.type) {
    case 'COGNITO_USER_POOLS':
      return { ...base, identitySource: a.identitySource, providerARNs: a.userPools.flatMap((p) => (p === 'app' ? opts.userPoolArns : [p])) };
    case 'TOKEN':
      return { ...base, identitySource: a.identitySource, authorizerUri: invocationUri(opts.section, a.function), ...(a.validationRegex ? { identityValidationExpression: a.validationRegex } : {}) };
    case 'REQUEST':
      return { ...base, identitySource: a.identitySources.join(', '), authorizerUri: invocationUri(opts.section, a.function) };
  }
}

/** How API Gateway names a Lambda integration or authorizer: the function's ARN inside an invocation URI. */
export function invocationUri(section: RestSection, fnId: string): string {
  return `arn:aws:apigateway:${section.region}:lambda:path/2015-03-31/functions/${functionArn(section, fnId)}/invocations`;
}

/** The ARN of a function of the section, by its name in the app. */
export function functionArn(section: RestSection, fnId: string): string {
  const fn = section.functions.find((f) => f.id === fnId);
  return `arn:aws:lambda:${section.region}:${section.account}:function:${fn?.name ?? fnId}`;
}
