/**
 * The REST section from synthesized CloudFormation: API Gateway REST APIs (resources, methods,
 * authorizers, API keys with their usage plans, gateway responses), the functions they call, and the IAM
 * policies attached to the identity pool's roles. Everything is read as CDK wrote it; nothing here
 * supplies a CDK default. API Gateway's own defaults (an authorizer's 300 s TTL) are applied where the
 * template leaves a property unset.
 */
import type { Templates, ResourceAt } from './cfn.js';
import {
  HTTP_METHODS, type AppClient, type GatewayResponse, type HttpApi, type Integration, type MethodAuthorization, type MethodVerb, type PolicyDocument,
  type RestApi, type RestApiKey, type RestAuthorizer, type RestFunction, type RestMethod, type RestSection, type RolePolicies, stageVariablesOf,
} from './model.js';
import { httpApiOf, type CorsParts, type HttpApiParts, type HttpAuthorizerParts } from './http-api-parts.js';

/** What the caller knows about the resources the app did not create itself. */
export interface KnownResources {
  /** Physical ids of the identity pool's roles and of each group's role (groups by precedence, first wins). */
  roles: { authenticated?: string; unauthenticated?: string; groups: Record<string, string> };
  /** Physical id of the app's user pool. */
  userPool?: string;
  /** Physical id of the app's user pool client (what its tokens name in `aud` and `client_id`). */
  userPoolClient?: string;
  /** Functions by physical id: their name in the app and handler module. */
  functions: Map<string, { name: string; entry?: string }>;
  /** `custom.API` of `backend.addOutput`, resolved: maps an API id to the name the client uses. */
  apiNames: Map<string, string>;
}

/** API Gateway's TTL for authorizer results when none is set (AWS::ApiGateway::Authorizer AuthorizerResultTtlInSeconds). */
const DEFAULT_TTL = 300;

export function restFromTemplates(t: Templates, known: KnownResources, env: { region: string; account: string }): RestSection {
  const caveats: string[] = [];
  const functions = new Map<string, RestFunction>();
  const fnFromArn = (arn: string): string => {
    const name = /:function:([^:/]+)/.exec(arn)?.[1] ?? arn;
    if (!functions.has(name)) {
      const k = known.functions.get(name);
      functions.set(name, { id: name, name: k?.name ?? name, ...(k?.entry ? { entry: k.entry } : {}), exportName: 'handler' });
    }
    return name;
  };
  const apis: RestApi[] = [];
  for (const at of t.resources('AWS::ApiGateway::RestApi')) apis.push(readApi(t, at, known, fnFromArn, caveats));
  const httpApis = [...t.resources('AWS::ApiGatewayV2::Api')].flatMap((at) => readHttpApi(t, at, known, fnFromArn, caveats));
  const rolePolicies = readRolePolicies(t, known, caveats);
  const pool = [...t.resources('AWS::Cognito::IdentityPool')][0];
  const identityPoolId = pool && t.physicalId(pool.stack, pool.logicalId);
  const appClients = readAppClients(t, known);
  return { region: env.region, account: env.account, apis, httpApis, functions: [...functions.values()], rolePolicies, ...(identityPoolId ? { identityPoolId } : {}), ...(appClients.length ? { appClients } : {}), caveats };
}

/**
 * The app user pool's clients allowed the client-credentials grant, with their `AllowedOAuthScopes`: only such a
 * client gets an access token holding a resource server's scope without a user (docs/rest.md, "Machine-to-machine app clients").
 */
export function readAppClients(t: Templates, known: Pick<KnownResources, 'userPool'>): AppClient[] {
  const out: AppClient[] = [];
  for (const at of t.resources('AWS::Cognito::UserPoolClient')) {
    if (!known.userPool || t.prop(at, 'UserPoolId') !== known.userPool) continue;
    const flows = t.prop(at, 'AllowedOAuthFlows');
    if (!Array.isArray(flows) || !flows.includes('client_credentials')) continue;
    const scopes = t.prop(at, 'AllowedOAuthScopes');
    const cdkPath = at.resource.Metadata?.['aws:cdk:path'];
    // `<stack>/…/<construct id>/Resource`: the id the app gave addClient.
    const constructId = typeof cdkPath === 'string' ? cdkPath.split('/').slice(-2, -1)[0] : undefined;
    const name = t.prop(at, 'ClientName');
    out.push({ name: typeof name === 'string' && name ? name : constructId || at.logicalId, scopes: Array.isArray(scopes) ? scopes.map(String) : [] });
  }
  return out;
}

function readApi(t: Templates, api: ResourceAt, known: KnownResources, fnFromArn: (arn: string) => string, caveats: string[]): RestApi {
  const id = t.physicalId(api.stack, api.logicalId);
  const declaredName = String(t.prop(api, 'Name') ?? api.logicalId);
  const name = known.apiNames.get(id) ?? declaredName;
  if (t.prop(api, 'Policy') !== undefined) caveats.push(`REST API ${name} has a resource policy: authmatrix does not evaluate resource policies`);
  const belongs = (at: ResourceAt) => t.prop(at, 'RestApiId') === id;

  // Resource ids → paths (the root is `<apiId>/`, see cfn.ts).
  const parents = new Map<string, { parent: string; part: string }>();
  for (const at of t.resources('AWS::ApiGateway::Resource')) {
    if (belongs(at)) parents.set(t.physicalId(at.stack, at.logicalId), { parent: String(t.prop(at, 'ParentId')), part: String(t.prop(at, 'PathPart')) });
  }
  const pathOf = (resourceId: string): string => {
    const parts: string[] = [];
    for (let cur = resourceId, guard = 0; parents.has(cur) && guard < 100; guard++) {
      const p = parents.get(cur)!;
      parts.unshift(p.part);
      cur = p.parent;
    }
    return `/${parts.join('/')}`;
  };

  const authorizers: RestAuthorizer[] = [];
  for (const at of t.resources('AWS::ApiGateway::Authorizer')) {
    if (!belongs(at)) continue;
    const base = {
      id: t.physicalId(at.stack, at.logicalId),
      name: String(t.prop(at, 'Name') ?? at.logicalId),
      ttlSeconds: typeof t.prop(at, 'AuthorizerResultTtlInSeconds') === 'number' ? (t.prop(at, 'AuthorizerResultTtlInSeconds') as number) : DEFAULT_TTL,
    };
    const type = String(t.prop(at, 'Type'));
    const identitySource = typeof t.prop(at, 'IdentitySource') === 'string' ? (t.prop(at, 'IdentitySource') as string) : '';
    if (type === 'COGNITO_USER_POOLS') {
      const arns = (t.prop(at, 'ProviderARNs') as string[] | undefined) ?? [];
      const userPools = arns.map((arn) => (known.userPool && arn.endsWith(`:userpool/${known.userPool}`) ? 'app' : arn));
      authorizers.push({ ...base, type, userPools, identitySource: identitySource || 'method.request.header.Authorization' });
    } else {
      const uri = String(t.prop(at, 'AuthorizerUri') ?? '');
      const fnArn = /functions\/(.+)\/invocations$/.exec(uri)?.[1] ?? uri;
      const fn = fnFromArn(fnArn);
      if (type === 'TOKEN') {
        const regex = t.prop(at, 'IdentityValidationExpression');
        authorizers.push({ ...base, type, function: fn, identitySource, ...(typeof regex === 'string' && regex ? { validationRegex: regex } : {}) });
      } else {
        authorizers.push({ ...base, type: 'REQUEST', function: fn, identitySources: identitySource.split(',').map((s) => s.trim()).filter(Boolean) });
      }
    }
  }

  const methods: RestMethod[] = [];
  for (const at of t.resources('AWS::ApiGateway::Method')) {
    if (!belongs(at)) continue;
    const verb = String(t.prop(at, 'HttpMethod')).toUpperCase();
    if (verb !== 'ANY' && !(HTTP_METHODS as readonly string[]).includes(verb)) continue;
    const type = String(t.prop(at, 'AuthorizationType') ?? 'NONE');
    const authorizer = t.prop(at, 'AuthorizerId') as string | undefined;
    let authorization: MethodAuthorization;
    if (type === 'AWS_IAM') authorization = { type };
    else if (type === 'COGNITO_USER_POOLS') authorization = { type, authorizer: authorizer ?? '', scopes: (t.prop(at, 'AuthorizationScopes') as string[] | undefined) ?? [] };
    else if (type === 'CUSTOM') authorization = { type, authorizer: authorizer ?? '' };
    else authorization = { type: 'NONE' };
    methods.push({
      resourcePath: pathOf(String(t.prop(at, 'ResourceId'))),
      method: verb as MethodVerb,
      authorization,
      apiKeyRequired: t.prop(at, 'ApiKeyRequired') === true,
      integration: integration(t.prop(at, 'Integration') as Record<string, unknown> | undefined, fnFromArn),
    });
  }
  methods.sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.method.localeCompare(b.method));

  const stageResources = [...t.resources('AWS::ApiGateway::Stage')].filter(belongs);
  const stages = stageResources.map((at) => String(t.prop(at, 'StageName')));
  if (stages.length > 1) caveats.push(`REST API ${name} has ${stages.length} stages (${stages.join(', ')}): authmatrix tests the first, ${stages[0]}`);
  const stage = stages[0] ?? 'prod';

  return {
    name,
    id,
    stage,
    // `deployOptions: { variables }` (CDK writes them on the stage it deploys).
    ...(stageResources[0] ? stageVariablesOf(t.prop(stageResources[0], 'Variables')) : {}),
    apiKeySource: t.prop(api, 'ApiKeySourceType') === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
    methods,
    authorizers,
    apiKeys: readApiKeys(t, id),
    gatewayResponses: [...t.resources('AWS::ApiGateway::GatewayResponse')].filter(belongs).map((at) => gatewayResponse(t, at)),
  };
}

/**
 * An HTTP API (`AWS::ApiGatewayV2::Api`, protocol HTTP): its routes by route key, JWT authorizers (issuer and
 * audience; the app's own user pool and client named `app`) and Lambda authorizers, the stage and each route's
 * integration; WebSocket APIs are named in a caveat.
 */
function readHttpApi(t: Templates, at: ResourceAt, known: KnownResources, fnFromArn: (arn: string) => string, caveats: string[]): HttpApi[] {
  const id = t.physicalId(at.stack, at.logicalId);
  const name = known.apiNames.get(id) ?? String(t.prop(at, 'Name') ?? at.logicalId);
  if (t.prop(at, 'ProtocolType') !== 'HTTP') {
    caveats.push(`${String(t.prop(at, 'ProtocolType'))} API ${name} (API Gateway v2) is not modelled: its routes are not tested`);
    return [];
  }
  const of = (type: string) => [...t.resources(type)].filter((r) => t.prop(r, 'ApiId') === id);
  // The template's values, resolved; httpApiOf takes them as the SDK types them (and coerces the scalars).
  const props = <T>(r: ResourceAt, keys: readonly (keyof T & string)[]) => Object.fromEntries(keys.map((k) => [k, t.prop(r, k)])) as T;
  const stageResources = of('AWS::ApiGatewayV2::Stage');
  const stages = stageResources.map((s) => String(t.prop(s, 'StageName')));
  if (stages.length > 1) caveats.push(`HTTP API ${name} has ${stages.length} stages (${stages.join(', ')}): authmatrix tests the first, ${stages[0]}`);
  return [httpApiOf(name, id, {
    routes: of('AWS::ApiGatewayV2::Route').map((r) => props<HttpApiParts['routes'][number]>(r, ['RouteKey', 'AuthorizationType', 'AuthorizerId', 'AuthorizationScopes', 'Target'])),
    authorizers: of('AWS::ApiGatewayV2::Authorizer').map((r) => ({
      id: t.physicalId(r.stack, r.logicalId),
      ...props<HttpAuthorizerParts>(r, ['AuthorizerType', 'IdentitySource', 'JwtConfiguration', 'AuthorizerUri', 'AuthorizerPayloadFormatVersion', 'EnableSimpleResponses', 'AuthorizerResultTtlInSeconds']),
      Name: String(t.prop(r, 'Name') ?? r.logicalId),
    })),
    integrations: new Map(of('AWS::ApiGatewayV2::Integration').map((r) => [t.physicalId(r.stack, r.logicalId), props<{ IntegrationType?: string; IntegrationUri?: string }>(r, ['IntegrationType', 'IntegrationUri'])])),
    ...(stages[0] ? { stage: stages[0] } : {}),
    ...(stageResources[0] ? { stageVariables: t.prop(stageResources[0], 'StageVariables') as Record<string, unknown> | undefined } : {}),
    ...(t.prop(at, 'CorsConfiguration') ? { cors: t.prop(at, 'CorsConfiguration') as CorsParts } : {}),
  }, { ...(known.userPool ? { userPool: known.userPool } : {}), ...(known.userPoolClient ? { userPoolClient: known.userPoolClient } : {}), fn: fnFromArn })];
}

function integration(raw: Record<string, unknown> | undefined, fnFromArn: (arn: string) => string): Integration {
  const type = String(raw?.Type ?? 'MOCK');
  if (type === 'AWS_PROXY' || type === 'AWS') {
    const fnArn = /functions\/(.+)\/invocations$/.exec(String(raw?.Uri ?? ''))?.[1];
    if (fnArn?.includes(':function:')) return { kind: 'lambda', function: fnFromArn(fnArn) };
  }
  if (type === 'MOCK') {
    const responses = (raw?.IntegrationResponses as Record<string, unknown>[] | undefined) ?? [];
    const chosen = responses.find((r) => !r.SelectionPattern) ?? responses[0];
    return {
      kind: 'mock',
      statusCode: Number(chosen?.StatusCode ?? 200),
      headers: staticHeaders(chosen?.ResponseParameters as Record<string, unknown> | undefined, 'method.response.header.'),
    };
  }
  return { kind: 'other', type };
}

/** API Gateway writes static header values in single quotes: `'*'`. Mapped (non-static) values are dropped. */
function staticHeaders(params: Record<string, unknown> | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const m = typeof v === 'string' ? /^'(.*)'$/s.exec(v) : null;
    if (k.startsWith(prefix) && m) out[k.slice(prefix.length)] = m[1]!;
  }
  return out;
}

function gatewayResponse(t: Templates, at: ResourceAt): GatewayResponse {
  const status = t.prop(at, 'StatusCode');
  return {
    type: String(t.prop(at, 'ResponseType')),
    ...(status !== undefined ? { statusCode: Number(status) } : {}),
    headers: staticHeaders(t.prop(at, 'ResponseParameters') as Record<string, unknown> | undefined, 'gatewayresponse.header.'),
  };
}

function readApiKeys(t: Templates, apiId: string): RestApiKey[] {
  const keys = new Map<string, RestApiKey>();
  for (const at of t.resources('AWS::ApiGateway::ApiKey')) {
    const id = t.physicalId(at.stack, at.logicalId);
    const value = t.prop(at, 'Value');
    keys.set(id, { id, name: String(t.prop(at, 'Name') ?? at.logicalId), ...(typeof value === 'string' ? { value } : {}), enabled: t.prop(at, 'Enabled') !== false, stages: [] });
  }
  const planStages = new Map<string, string[]>();
  for (const at of t.resources('AWS::ApiGateway::UsagePlan')) {
    const stages = ((t.prop(at, 'ApiStages') as { ApiId?: string; Stage?: string }[] | undefined) ?? []).filter((s) => s.ApiId === apiId).map((s) => String(s.Stage));
    planStages.set(t.physicalId(at.stack, at.logicalId), stages);
  }
  for (const at of t.resources('AWS::ApiGateway::UsagePlanKey')) {
    const key = keys.get(String(t.prop(at, 'KeyId')));
    const stages = planStages.get(String(t.prop(at, 'UsagePlanId')));
    if (key && stages) for (const s of stages) if (!key.stages.includes(s)) key.stages.push(s);
  }
  // Keys reach the API only through a usage plan of one of its stages; others are listed with no stage.
  return [...keys.values()].filter((k) => k.stages.length > 0 || keyNamesApi(t, k.id, apiId));
}

/** `StageKeys` on the key itself name the API (the older association form). */
function keyNamesApi(t: Templates, keyId: string, apiId: string): boolean {
  const at = t.byPhysicalId(keyId);
  const stageKeys = at ? ((t.prop(at, 'StageKeys') as { RestApiId?: string }[] | undefined) ?? []) : [];
  return stageKeys.some((s) => s.RestApiId === apiId);
}

/** Policies on the identity pool's roles: inline (`Policies`), `AWS::IAM::Policy`, and managed policies of the template. */
function readRolePolicies(t: Templates, known: KnownResources, caveats: string[]): RolePolicies {
  const byRole = new Map<string, PolicyDocument[]>();
  const add = (role: string, doc: unknown) => {
    if (!doc || typeof doc !== 'object') return;
    const list = byRole.get(role) ?? [];
    list.push(normalizeDocument(doc as Record<string, unknown>));
    byRole.set(role, list);
  };
  // A `Ref` to a managed policy is its ARN; here its stand-in id (cfn.ts), which a role's ManagedPolicyArns may name.
  const managed = new Map<string, unknown>();
  for (const at of t.resources('AWS::IAM::ManagedPolicy')) {
    managed.set(t.physicalId(at.stack, at.logicalId), t.prop(at, 'PolicyDocument'));
    for (const role of (t.prop(at, 'Roles') as string[] | undefined) ?? []) add(role, t.prop(at, 'PolicyDocument'));
  }
  for (const at of t.resources('AWS::IAM::Policy')) {
    for (const role of (t.prop(at, 'Roles') as string[] | undefined) ?? []) add(role, t.prop(at, 'PolicyDocument'));
  }
  const wanted = new Set([known.roles.authenticated, known.roles.unauthenticated, ...Object.values(known.roles.groups)].filter(Boolean));
  for (const at of t.resources('AWS::IAM::Role')) {
    const role = t.physicalId(at.stack, at.logicalId);
    if (!wanted.has(role)) continue;
    for (const p of (t.prop(at, 'Policies') as { PolicyDocument?: unknown }[] | undefined) ?? []) add(role, p.PolicyDocument);
    for (const arn of (t.prop(at, 'ManagedPolicyArns') as string[] | undefined) ?? []) {
      if (managed.has(arn)) add(role, managed.get(arn));
      else caveats.push(`role ${role} has the managed policy ${arn}: its statements are not known to authmatrix`);
    }
  }
  const of = (role: string | undefined) => (role ? byRole.get(role) ?? [] : []);
  return {
    authenticated: of(known.roles.authenticated),
    unauthenticated: of(known.roles.unauthenticated),
    groups: Object.fromEntries(Object.entries(known.roles.groups).map(([g, role]) => [g, of(role)])),
    groupPrecedence: Object.keys(known.roles.groups),
  };
}

/** A policy document as the model keeps it: its `Statement` always a list (IAM takes one statement alone too). */
export function normalizeDocument(doc: Record<string, unknown>): PolicyDocument {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return { ...(typeof doc.Version === 'string' ? { Version: doc.Version } : {}), Statement: statements as PolicyDocument['Statement'] };
}
