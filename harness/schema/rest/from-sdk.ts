/**
 * A deployed REST API read with the API Gateway SDK (GetResources with `embed=methods`, GetAuthorizers,
 * GetApiKeys with their values, GetUsagePlans and GetUsagePlanKeys, GetStages), compared with the definition read
 * from backend.ts (harness/schema/rest/gen2.ts) and merged into it: the deployed methods, authorizers,
 * keys and stage variables decide a deployed run; the definition gives what the deployment cannot tell (the handler
 * modules of Lambda authorizers; the roles' policies are read from IAM, roles-from-sdk.ts). Every
 * difference is reported as drift.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { stageVariablesOf, type Integration, type MethodAuthorization, type MethodVerb, type RestApi, type RestApiKey, type RestAuthorizer, type RestFunction, type RestMethod, type StageVariables } from './model.js';

export interface DeployedReading {
  methods: RestMethod[];
  authorizers: RestAuthorizer[];
  apiKeys: RestApiKey[];
  /** Every deployed stage. */
  stages: string[];
  /** The variables of the stage read (`stage` of `readDeployedApi`), when it is deployed and defines some. */
  stageVariables?: StageVariables;
}

/** Every item of a list API Gateway pages by `position` (v1; v2 lists are adapted to it, http-from-sdk.ts). */
export async function all<T>(get: (position?: string) => Promise<{ items?: T[]; position?: string }>): Promise<T[]> {
  const out: T[] = [];
  let position: string | undefined;
  do {
    const page = await get(position);
    out.push(...(page.items ?? []));
    position = page.position;
  } while (position);
  return out;
}

/**
 * Reads one deployed API's methods, authorizers, API keys (with the stages a usage plan covers) and stages (GetStages),
 * with the variables of `stage`, the one tested.
 */
export async function readDeployedApi(client: APIGatewayClient, apiId: string, functions: RestFunction[], stage: string): Promise<DeployedReading> {
  const sdk = await import('@aws-sdk/client-api-gateway');
  const fnOf = (uri: string | undefined) => functionNamed(functions, uri);
  const [resources, authorizers, keys, plans, stages] = await Promise.all([
    all((position) => client.send(new sdk.GetResourcesCommand({ restApiId: apiId, embed: ['methods'], limit: 500, ...(position ? { position } : {}) }))),
    all((position) => client.send(new sdk.GetAuthorizersCommand({ restApiId: apiId, limit: 500, ...(position ? { position } : {}) }))),
    all((position) => client.send(new sdk.GetApiKeysCommand({ includeValues: true, limit: 500, ...(position ? { position } : {}) }))),
    all((position) => client.send(new sdk.GetUsagePlansCommand({ limit: 500, ...(position ? { position } : {}) }))),
    // GetStages is not paged.
    client.send(new sdk.GetStagesCommand({ restApiId: apiId })).then((r) => r.item ?? []),
  ]);
  const stagesOfKey = new Map<string, string[]>();
  for (const plan of plans) {
    const stages = (plan.apiStages ?? []).filter((s) => s.apiId === apiId).map((s) => s.stage!);
    if (!stages.length) continue;
    const planKeys = await all((position) => client.send(new sdk.GetUsagePlanKeysCommand({ usagePlanId: plan.id!, limit: 500, ...(position ? { position } : {}) })));
    for (const k of planKeys) stagesOfKey.set(k.id!, [...new Set([...(stagesOfKey.get(k.id!) ?? []), ...stages])]);
  }
  const methods: RestMethod[] = resources.flatMap((r) => Object.values(r.resourceMethods ?? {}).map((m): RestMethod => {
    const integration: Integration = m.methodIntegration?.type === 'AWS_PROXY' && fnOf(m.methodIntegration.uri)
      ? { kind: 'lambda', function: fnOf(m.methodIntegration.uri)! }
      : m.methodIntegration?.type === 'MOCK' ? { kind: 'mock', statusCode: 204, headers: {} } : { kind: 'other', type: m.methodIntegration?.type ?? 'none' };
    return { resourcePath: r.path!, method: m.httpMethod as MethodVerb, authorization: authorizationOf(m.authorizationType, m.authorizerId, m.authorizationScopes), apiKeyRequired: !!m.apiKeyRequired, integration };
  }));
  return {
    methods: methods.sort((a, b) => `${a.resourcePath} ${a.method}`.localeCompare(`${b.resourcePath} ${b.method}`)),
    authorizers: authorizers.map((a): RestAuthorizer => {
      const base = { id: a.id!, name: a.name!, ttlSeconds: a.authorizerResultTtlInSeconds ?? 300 };
      if (a.type === 'COGNITO_USER_POOLS') return { ...base, type: 'COGNITO_USER_POOLS', userPools: a.providerARNs ?? [], identitySource: a.identitySource ?? 'method.request.header.Authorization' };
      if (a.type === 'TOKEN') return { ...base, type: 'TOKEN', function: fnOf(a.authorizerUri) ?? '', identitySource: a.identitySource ?? 'method.request.header.Authorization', ...(a.identityValidationExpression ? { validationRegex: a.identityValidationExpression } : {}) };
      return { ...base, type: 'REQUEST', function: fnOf(a.authorizerUri) ?? '', identitySources: (a.identitySource ?? '').split(',').map((s) => s.trim()).filter(Boolean) };
    }),
    apiKeys: keys.filter((k) => stagesOfKey.has(k.id!)).map((k) => ({ id: k.id!, name: k.name ?? k.id!, enabled: !!k.enabled, stages: stagesOfKey.get(k.id!)!, ...(k.value ? { value: k.value } : {}) })),
    stages: stages.map((s) => s.stageName!),
    ...stageVariablesOf(stages.find((s) => s.stageName === stage)?.variables),
  };
}

/**
 * The function a Lambda ARN or invocation URI names: the id of the app's function of that name, else the name.
 */
export function functionNamed(functions: RestFunction[], uri: string | undefined): string | undefined {
  const name = /:function:([^/:]+)/.exec(uri ?? '')?.[1];
  return name ? (functions.find((f) => f.name === name)?.id ?? name) : undefined;
}

/**
 * The API a `custom.API` endpoint names: its id, region and stage when it is an execute-api URL
 * (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`, as CDK's `RestApi.url` writes it; no stage
 * segment is an HTTP API's `$default` stage, as `HttpApi.url` writes it). Undefined for anything else (a
 * custom domain, a local endpoint): the API is then found by name.
 */
export function executeApiUrl(endpoint: string): { id: string; region: string; stage: string } | undefined {
  const m = /^https:\/\/([a-z0-9]+)\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?(?:\/([^/?#]*))?(?=[/?#]|$)/.exec(endpoint);
  return m ? { id: m[1]!, region: m[2]!, stage: m[3] || '$default' } : undefined;
}

/** The ids of the REST APIs named `name` in the client's region (GetRestApis, paged). */
export async function restApiIdsNamed(client: APIGatewayClient, name: string): Promise<string[]> {
  const { GetRestApisCommand } = await import('@aws-sdk/client-api-gateway');
  const apis = await all((position) => client.send(new GetRestApisCommand({ limit: 500, ...(position ? { position } : {}) })));
  return apis.filter((a) => a.name === name).map((a) => a.id!);
}

function authorizationOf(type: string | undefined, authorizer: string | undefined, scopes: string[] | undefined): MethodAuthorization {
  if (type === 'AWS_IAM') return { type: 'AWS_IAM' };
  if (type === 'COGNITO_USER_POOLS') return { type: 'COGNITO_USER_POOLS', authorizer: authorizer ?? '', scopes: scopes ?? [] };
  if (type === 'CUSTOM') return { type: 'CUSTOM', authorizer: authorizer ?? '' };
  return { type: 'NONE' };
}

/**
 * The differences between the definition and the deployment, one sentence each: methods only on one
 * side or authorized otherwise, authorizers (matched by name) configured otherwise, API keys missing.
 */
export function restDrift(defined: RestApi, deployed: DeployedReading): string[] {
  const drift: string[] = [];
  const key = (m: RestMethod) => `${m.method} ${m.resourcePath}`;
  const authorizerName = (authorizers: RestAuthorizer[], a: MethodAuthorization) => ('authorizer' in a ? authorizers.find((x) => x.id === a.authorizer)?.name ?? a.authorizer : undefined);
  const describe = (authorizers: RestAuthorizer[], m: RestMethod) => {
    const a = m.authorization;
    const by = authorizerName(authorizers, a);
    return `${a.type}${by ? ` (${by})` : ''}${a.type === 'COGNITO_USER_POOLS' && a.scopes.length ? ` scopes ${[...a.scopes].sort().join(' ')}` : ''}${m.apiKeyRequired ? ' + API key' : ''}`;
  };
  drift.push(...entriesDrift(defined.name, { entries: defined.methods, describe: (m) => describe(defined.authorizers, m) }, { entries: deployed.methods, describe: (m) => describe(deployed.authorizers, m) }, key));
  const settings = (a: RestAuthorizer) => JSON.stringify({ type: a.type, ttl: a.ttlSeconds, ...(a.type === 'TOKEN' ? { source: a.identitySource, regex: a.validationRegex ?? null } : a.type === 'REQUEST' ? { sources: [...a.identitySources].sort() } : { source: a.identitySource }) });
  drift.push(...authorizersDrift(defined.name, defined.authorizers, deployed.authorizers, settings));
  const definedKeyCount = defined.apiKeys.filter((k) => k.enabled && k.stages.includes(defined.stage)).length;
  const deployedKeyCount = deployed.apiKeys.filter((k) => k.enabled && k.stages.includes(defined.stage)).length;
  if (definedKeyCount !== deployedKeyCount) drift.push(`${defined.name}: backend.ts defines ${definedKeyCount} enabled API key(s) in a usage plan of stage ${defined.stage}, the deployed API has ${deployedKeyCount}`);
  drift.push(...stageDrift(defined, deployed));
  return drift;
}

/** The definition's stage not deployed, or deployed with other variables. */
export function stageDrift(defined: { name: string; stage: string; stageVariables?: StageVariables }, deployed: { stages: string[]; stageVariables?: StageVariables }): string[] {
  if (!deployed.stages.includes(defined.stage)) return [`${defined.name}: backend.ts deploys stage ${defined.stage}, the deployed API has ${deployed.stages.length ? deployed.stages.join(', ') : 'no stage'}`];
  const shown = (v: StageVariables | undefined) => JSON.stringify(Object.fromEntries(Object.entries(v ?? {}).sort(([a], [b]) => a.localeCompare(b))));
  return shown(defined.stageVariables) === shown(deployed.stageVariables) ? [] : [`${defined.name} stage ${defined.stage} variables: backend.ts says ${shown(defined.stageVariables)}, the deployed API ${shown(deployed.stageVariables)}`];
}

/** One side of a drift comparison: its methods or routes, and how it describes one's authorization. */
interface DriftSide<T> {
  entries: readonly T[];
  describe: (e: T) => string;
}

/**
 * What differs between backend.ts's and the deployed API's methods or routes, matched by `key`: those on one side
 * only, and those whose authorization each side describes otherwise.
 */
export function entriesDrift<T>(api: string, defined: DriftSide<T>, deployed: DriftSide<T>, key: (e: T) => string): string[] {
  const drift: string[] = [];
  const deployedByKey = new Map(deployed.entries.map((e) => [key(e), e]));
  for (const e of defined.entries) {
    const found = deployedByKey.get(key(e));
    if (!found) drift.push(`${api} ${key(e)} is defined in backend.ts but not deployed`);
    else if (defined.describe(e) !== deployed.describe(found)) drift.push(`${api} ${key(e)}: backend.ts says ${defined.describe(e)}, the deployed API ${deployed.describe(found)}`);
  }
  const definedKeys = new Set(defined.entries.map(key));
  for (const e of deployed.entries) if (!definedKeys.has(key(e))) drift.push(`${api} ${key(e)} is deployed but not defined in backend.ts`);
  return drift;
}

/** The authorizers of the same name whose settings differ between backend.ts and the deployed API. */
export function authorizersDrift<A extends { name: string }>(api: string, defined: readonly A[], deployed: readonly A[], settings: (a: A) => string): string[] {
  return defined.flatMap((a) => {
    const found = deployed.find((x) => x.name === a.name);
    return found && settings(a) !== settings(found) ? [`${api} authorizer ${a.name}: backend.ts says ${settings(a)}, the deployed API ${settings(found)}`] : [];
  });
}

/**
 * The API as a deployed run tests it: the deployed methods, authorizers, keys and stage variables, each Lambda authorizer
 * given the handler module of the defined authorizer of the same name.
 */
export function mergeDeployed(defined: RestApi, deployed: DeployedReading, appUserPoolId?: string): RestApi {
  const authorizers = deployed.authorizers.map((a): RestAuthorizer => {
    // The app's own pool is `app` in the model (the personas' pool).
    if (a.type === 'COGNITO_USER_POOLS') return { ...a, userPools: a.userPools.map((arn) => (appUserPoolId && arn.endsWith(`:userpool/${appUserPoolId}`) ? 'app' : arn)) };
    const own = defined.authorizers.find((x) => x.name === a.name);
    return own && own.type !== 'COGNITO_USER_POOLS' ? { ...a, function: own.function } : a;
  });
  // The deployment does not give a MOCK's answer (the CORS preflight's headers): the definition's integration stands where it is of the same kind.
  const methods = deployed.methods.map((m) => {
    const own = defined.methods.find((x) => x.resourcePath === m.resourcePath && x.method === m.method);
    return own && own.integration.kind === m.integration.kind ? { ...m, integration: own.integration } : m;
  });
  const { stageVariables: _defined, ...rest } = defined;
  return { ...rest, methods, authorizers, apiKeys: deployed.apiKeys, ...(deployed.stageVariables ? { stageVariables: deployed.stageVariables } : {}) };
}

