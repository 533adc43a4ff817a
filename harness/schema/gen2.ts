/**
 * Loads a Gen 2 `amplify/data/resource.ts` (or .js/.mjs) with jiti, `@aws-amplify/backend` aliased to
 * a small stand-in, and normalizes what `defineData` received.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pluralize from 'pluralize';
import { fileURLToPath } from 'node:url';
import { InputError, type SourceLocation } from './errors.js';
import { installCapture, uninstallCapture, type CapturedFunction, type Gen2Capture } from './gen2-capture.js';
import { amplifyAuthResources } from './auth-resources.js';
import { AUTH_MODEL_VERSION, AUTH_MODES, type AuthMode, type AuthModel, type AuthModes, type CustomHandler, type TransformParams } from './model.js';
import { authModelFromSdl } from './sdl.js';
import type { FunctionEntry } from './sdl/context.js';
import { gen2Storage } from './storage/gen2.js';
import { bucketsWithoutRules, type StorageSection } from './storage/model.js';
import { defineFunctionIn, escape, importDataSchema, importResource, oneLine } from './gen2-import.js';
import { backendFile, loadGen2Rest, reachableSources } from './rest/gen2.js';
import { cdkResolverFiles, factoryCall, passedToBackend, readBackend, type BackendSources } from './backend-resources.js';
import { gen2Files } from './find-app.js';
import { isGen2Preview } from './backend-version.js';

export const GEN2_PARAMS: TransformParams = {
  useSubUsernameForDefaultIdentityClaim: true,
  populateOwnerFieldForStaticGroupAuth: true,
  subscriptionsInheritPrimaryAuth: false,
  genericIamAccess: true,
  adminRoles: [],
  sandboxMode: false,
};


interface TransformResult {
  schema: string;
  /** Models of parts backed by a SQL database (`configure({ database: { engine: 'postgresql' | 'mysql' } })`). */
  sqlModels?: string[];
  jsFunctions: { typeName: string; fieldName: string; handlers: { dataSource: string; entry: { relativePath: string; importLine: string } | string }[] }[];
  lambdaFunctions: Record<string, unknown>;
}

export async function loadGen2(file: string): Promise<AuthModel> {
  return loadGen2App(file, []);
}

/** `notGiven`: what the caller found left out of defineBackend (said as caveats, and in a "nothing to test" line). */
async function loadGen2App(file: string, notGiven: string[]): Promise<AuthModel> {
  // backend.ts of an app without a data API is not imported here: it builds CDK constructs (rest/gen2.ts reads it).
  const backendOnly = path.basename(file).startsWith('backend.');
  // The app's amplify/ folder: backend.ts lies in it, a data resource one level down.
  const amplifyDir = backendOnly ? path.dirname(file) : path.resolve(path.dirname(file), '..');
  // Read once for what it gives defineBackend and the resolvers it attaches (fasttify's: ~10 ms a reading).
  const found = backendFile(amplifyDir);
  const backend = found ? readBackend(found) : undefined;
  // A data resource backend.ts does not give defineBackend (a template's Todo schema left behind, seaver-choy/aerena)
  // deploys no GraphQL API: the app is what backend.ts builds.
  if (!backendOnly && backend && passedToBackend(backend, file) === false) return loadGen2App(backend.file, [notDeployed(file, 'GraphQL API')]);
  const a = await importDataSchema(file);
  const capture = installCapture(a);
  let model: AuthModel;
  try {
    const exports = backendOnly ? undefined : await importResource(file);
    if (exports && !capture.data.length && backend) await callResourceFactory(file, exports, backend);
    const dataProps = capture.data.at(-1);
    if (!dataProps && !backendOnly) {
      throw new InputError('no defineData({ schema }) call found', { file }, 'export const data = defineData({ schema }) from this file');
    }
    const loadedAuth = await loadAuthResource(amplifyDir, capture, backend);
    const auth = loadedAuth === 'not deployed' ? undefined : loadedAuth;
    model = dataProps ? normalize(file, dataProps, auth) : noDataApi(file, auth);
    const storage = await loadStorageResource(amplifyDir, file, capture, auth, backend);
    notGiven.unshift(
      ...(loadedAuth === 'not deployed' ? [notDeployed(categoryResource(amplifyDir, 'auth')!, 'user pool or identity pool')] : []),
      ...(storage === 'not deployed' ? [notDeployed(categoryResource(amplifyDir, 'storage')!, 'bucket')] : []),
    );
    const resolvers = backend && dataProps ? cdkResolverFiles(backend) : [];
    if (resolvers.length) {
      notGiven.push(`resolvers attached to the data API with CDK (${resolvers.join(', ')}) are not modelled: the fields they resolve are tested as Amplify generates them`);
    }
    const trigger = auth && dataProps ? tokenTrigger(auth, model, path.dirname(amplifyDir), backend) : undefined;
    if (trigger) notGiven.push(trigger);
    const caveats = [...(model.caveats ?? []), ...notGiven];
    model = {
      ...model,
      ...(storage && storage !== 'not deployed' ? { storage } : {}),
      ...(auth ? { authResources: gen2AuthResources(auth) } : {}),
      ...(caveats.length ? { caveats } : {}),
    };
  } finally {
    uninstallCapture();
  }
  // backend.ts is loaded on its own (a fresh capture): it imports the resource files again.
  // A backend.ts that imports aws-cdk-lib/aws-apigateway but builds no API (ludekstepan/momence) has none.
  const loadedRest = await loadGen2Rest(amplifyDir);
  const rest = loadedRest && (loadedRest.apis.length || loadedRest.httpApis.length) ? loadedRest : undefined;
  if (backendOnly && !rest && !model.storage) {
    const why = notGiven.length ? ` (${notGiven.map((c) => c.replace(/: Amplify deploys .*$/, '')).join('; ')})` : '';
    throw new InputError(`this app defines no data API (amplify/data/resource.ts), no storage (amplify/storage/resource.ts) and no API Gateway API in backend.ts: nothing to test${why}`, { file },
      'authmatrix tests data, storage and REST APIs; point it at an app that has one of them');
  }
  const empty = bucketsWithoutRules(model.storage);
  if (backendOnly && !rest && empty.length === model.storage?.buckets.length) {
    throw new InputError(`this app defines no data API and no API Gateway API, and its storage (${pluralize('bucket', empty.length)} ${empty.join(', ')}) has no access rules (defineStorage without access: no one may use it): nothing to test`, { file },
      "add access rules: defineStorage({ name, access: (allow) => ({ 'media/*': [allow.authenticated.to(['read'])] }) })");
  }
  return rest ? { ...model, rest } : model;
}

/**
 * A data resource exported as a function that backend.ts calls inside defineBackend (`data: data(authFunction)`,
 * johnpc/svelte-crossword): called as backend.ts calls it, each argument a resource file's export, a
 * `defineFunction(...)` backend.ts writes (evaluated as there) or a literal; anything else is refused in one line.
 */
async function callResourceFactory(file: string, exports: Record<string, unknown>, backend: BackendSources): Promise<void> {
  const call = factoryCall(backend, file);
  const factory = call && exports[call.exported];
  if (!call || typeof factory !== 'function') return;
  const written = `${call.exported}(${call.args.map((a) => ('imported' in a ? a.local : 'defineFunction' in a ? a.local : a.text)).join(', ')})`;
  const fail = (why: string) => new InputError(`backend.ts builds this data resource with ${written}, ${why}`, { file },
    'export const data = defineData({ schema, ... }) from this file, with what it needs defined in resource files');
  const args: unknown[] = [];
  for (const a of call.args) {
    if ('imported' in a) args.push((await importResource(a.imported.file))[a.imported.name]);
    else if ('defineFunction' in a) args.push(await defineFunctionIn(backend.file, a.defineFunction));
    else if (LITERAL.test(a.text)) args.push(a.text === 'undefined' ? undefined : JSON.parse(a.text.replace(/^'(.*)'$/, (_, x: string) => JSON.stringify(x))));
    else throw fail(`whose argument ${a.text} authmatrix does not evaluate (it reads names backend.ts imports from resource files, defineFunction calls it writes, and literals)`);
  }
  try {
    (factory as (...xs: unknown[]) => unknown)(...args);
  } catch (e) {
    throw fail(`which fails here: ${oneLine(e as Error)}`);
  }
}

const LITERAL = /^(?:'[^'\\]*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null|undefined)$/;

/**
 * A pre token generation trigger (`defineAuth({ triggers: { preTokenGeneration } })`) may add claims to the user
 * pool's tokens and override their groups, which authmatrix does not run: said where the API's rules read groups or
 * a claim of the app's own (QuarksG/heimdall's `group('Admin')` beside a trigger adding `custom:entitlements`).
 */
function tokenTrigger(auth: Record<string, unknown>, model: AuthModel, appRoot: string, backend: BackendSources | undefined): string | undefined {
  const fn = (auth.triggers as Record<string, unknown> | undefined)?.preTokenGeneration as Partial<CapturedFunction> | undefined;
  // Or set on the user pool in backend.ts (`cfnUserPool.lambdaConfig = { preTokenGenerationConfig: … }`, for the
  // access-token form of the trigger: johnpc/taskflow copies `email` into access tokens so).
  const inBackend = !!backend && [...backend.sources.values()].some((t) => /preTokenGeneration/i.test(t));
  if (fn?.kind !== 'authmatrix:function' && !inBackend) return undefined;
  const rules = [...model.models.flatMap((m) => [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]), ...model.customOperations.flatMap((o) => o.rules)];
  const reads = rules.some((r) => r.provider === 'userPools' && (r.kind === 'staticGroup' || r.kind === 'dynamicGroup' || (r.kind === 'owner' && !DEFAULT_CLAIMS.has(r.identityClaim))));
  if (!reads) return undefined;
  const where = fn?.kind === 'authmatrix:function' ? fn.entry ?? fn.cdk : backend?.file;
  return `the user pool's pre token generation trigger${where ? ` (${path.relative(appRoot, where)})` : ''} may add claims to tokens and override their groups; it is not run, so each persona's token holds only its own groups and the claims authmatrix.config.ts gives it (personas.<name>.groups, .claims): give them what the trigger adds`;
}

const DEFAULT_CLAIMS = new Set(['sub::username', 'username', 'sub', 'cognito:username']);

/** `amplify/auth/resource.*`: its presence means a user pool and an identity pool. */
async function loadAuthResource(amplifyDir: string, capture: Gen2Capture, backend: BackendSources | undefined): Promise<Record<string, unknown> | 'not deployed' | undefined> {
  const candidate = categoryResource(amplifyDir, 'auth');
  // Left out of defineBackend (`// auth,`): no user pool, no identity pool.
  if (candidate && backend && passedToBackend(backend, candidate) === false) return 'not deployed';
  if (capture.auth.length) return capture.auth.at(-1);
  if (!candidate) return undefined;
  await importResource(candidate);
  return capture.auth.at(-1) ?? {};
}

/** `amplify/storage/resource.*` (Amplify requires storage to be defined there). */
async function loadStorageResource(amplifyDir: string, file: string, capture: Gen2Capture, auth: Record<string, unknown> | undefined, backend: BackendSources | undefined): Promise<StorageSection | 'not deployed' | undefined> {
  const candidate = categoryResource(amplifyDir, 'storage') ?? (path.basename(file).startsWith('backend.') ? storageDefinedBeside(file) : undefined);
  if (candidate && backend && passedToBackend(backend, candidate) === false) return 'not deployed';
  if (candidate && !capture.storage.length) await importResource(candidate);
  const groups = auth ? authGroups(auth) : undefined;
  return gen2Storage(candidate ?? file, capture.storage, { hasAuth: auth !== undefined, ...(groups ? { groups } : {}) });
}

/** Said of a resource file backend.ts does not give defineBackend (zcqqq/uni-scrm's `//storage, // can't co-exist with own bucket`). */
function notDeployed(resource: string, what: string): string {
  const amplifyDir = path.dirname(path.dirname(resource));
  return `${path.relative(path.dirname(amplifyDir), resource)} is not given to defineBackend in amplify/backend.ts: Amplify deploys no ${what} for it, and none is tested`;
}

/** A file backend.ts imports (directly or through others) that calls `defineStorage`, when storage is not in `amplify/storage/`. */
function storageDefinedBeside(backend: string): string | undefined {
  return [...reachableSources(backend)].find(([f, text]) => f !== backend && /\bdefineStorage\s*\(/.test(text))?.[0];
}

function authGroups(auth: Record<string, unknown>): string[] {
  return Array.isArray(auth.groups) ? auth.groups.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * `defineAuth({ groups })`: a user pool and an identity pool that admits guests, each group with its own
 * role and `precedence` equal to its index (amplify-backend `packages/auth-construct/src/construct.ts`,
 * `setupUserPoolGroups`).
 */
function gen2AuthResources(auth: Record<string, unknown>) {
  return amplifyAuthResources({
    groups: authGroups(auth).map((name, precedence) => ({ name, precedence, hasRole: true })),
    identityPool: { allowUnauthenticated: true },
  });
}

function categoryResource(amplifyDir: string, category: string): string | undefined {
  const dir = path.join(amplifyDir, category);
  return gen2Files('resource').map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

/**
 * A backend without `defineData` (storage or REST only): no GraphQL API, so no models; the identity pool's IAM is
 * the one mode its callers use.
 */
function noDataApi(file: string, auth: Record<string, unknown> | undefined): AuthModel {
  return {
    version: AUTH_MODEL_VERSION,
    source: { kind: 'gen2', path: file },
    authModes: auth ? { default: 'iam', enabled: ['userPool', 'iam'], identityPool: { allowUnauthenticated: true } } : { default: 'iam', enabled: ['iam'] },
    params: GEN2_PARAMS,
    models: [],
    customTypes: [],
    inputTypes: [],
    enums: [],
    customOperations: [],
  };
}

function normalize(file: string, props: Record<string, unknown>, auth: Record<string, unknown> | undefined): AuthModel {
  const { schema } = props;
  let transformed: TransformResult;
  try {
    transformed = transformSchema(schema);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`the schema is invalid: ${(e as Error).message}`, { file }, 'correct the schema as the message says');
  }
  const text = readFileSync(file, 'utf8');
  const { modes, sandbox } = gen2AuthModes(file, props.authorizationModes, auth !== undefined);
  const iam = iamAccess(file, props.authorizationModes, auth !== undefined);
  const params = { ...GEN2_PARAMS, ...iam.params, ...(sandbox ? { sandboxMode: true } : {}) };
  const built = authModelFromSdl({
    sdl: transformed.schema,
    file,
    kind: 'gen2',
    // The preview had no IAM mode without auth (no identity pool, and no generic access to stand in).
    authModes: iam.withoutIam ? { ...modes, enabled: modes.enabled.filter((m) => m !== 'iam') } : modes,
    params,
    handlers: handlers(transformed),
    functionEntries: functionEntries(transformed),
    locate: (type, field) => locateInSource(file, text, type, field),
  });
  const model = iam.caveat ? { ...built, caveats: [...(built.caveats ?? []), iam.caveat] } : built;
  const sql = transformed.sqlModels ?? [];
  if (!sql.length) return model;
  // Amplify generates other auth resolvers for SQL data sources (RDSAuthVTLGenerator in amplify-graphql-auth-transformer):
  // the rules become a filter of the SQL query (AppSync's util.authRules.queryAuth), whose answers are not modelled.
  const caveat = `${sql.join(', ')} ${sql.length === 1 ? 'is' : 'are'} backed by a SQL database: authmatrix tests ${sql.length === 1 ? 'it' : 'them'} with the auth semantics of DynamoDB-backed models, and Amplify's SQL resolvers apply the rules as a filter of the query (docs/semantics.md, "SQL-backed models")`;
  return { ...model, caveats: [...(model.caveats ?? []), caveat] };
}

function transformSchema(schema: unknown): TransformResult {
  if (typeof schema === 'string') return { schema, jsFunctions: [], lambdaFunctions: {} };
  const s = schema as SchemaPart & { schemas?: SchemaPart[] } | undefined;
  if (s && typeof s.transform === 'function') return transformPart(s);
  if (s && Array.isArray(s.schemas)) {
    // a.combine([...]): each part transforms on its own.
    const parts = s.schemas.map(transformPart);
    return {
      schema: parts.map((p) => p.schema).join('\n'),
      jsFunctions: parts.flatMap((p) => p.jsFunctions),
      lambdaFunctions: Object.assign({}, ...parts.map((p) => p.lambdaFunctions)),
      sqlModels: parts.flatMap((p) => p.sqlModels ?? []),
    };
  }
  throw new InputError('defineData({ schema }) must be an a.schema(...), a.combine([...]) or a GraphQL string', undefined, 'pass the schema built with a.schema');
}

interface SchemaPart {
  transform(): TransformResult;
  data?: { configuration?: { database?: { engine?: string } } };
}

function transformPart(part: SchemaPart): TransformResult {
  const out = part.transform();
  const engine = part.data?.configuration?.database?.engine;
  if (!engine || engine === 'dynamodb') return out;
  return { ...out, sqlModels: [...out.schema.matchAll(/^type (\w+)\b[^{]*@model\b/gm)].map((m) => m[1]!) };
}

function handlers(t: TransformResult): Map<string, CustomHandler> {
  const out = new Map<string, CustomHandler>();
  for (const js of t.jsFunctions) {
    // Each function of the pipeline keeps its own data source (mtliendo/fullstack-multi-tenant-with-ui: Cognito, then a table).
    const entries = js.handlers.map((h) => {
      const from = typeof h.entry === 'string' ? undefined : importLineFile(h.entry.importLine);
      const file = typeof h.entry === 'string' ? h.entry : from ? path.resolve(path.dirname(from), h.entry.relativePath) : h.entry.relativePath;
      return { file, ...(h.dataSource ? { dataSource: h.dataSource } : {}) };
    });
    out.set(`${js.typeName}.${js.fieldName}`, { kind: 'js', entries });
  }
  return out;
}

/** `lambdaFunctions` maps generated function names (`FnSendMail`) to `defineFunction` results, which carry the app's name. */
function functionEntries(t: { lambdaFunctions: Record<string, unknown> }): Map<string, FunctionEntry> {
  const out = new Map<string, FunctionEntry>();
  for (const [generated, fn] of Object.entries(t.lambdaFunctions)) {
    const f = fn as Partial<CapturedFunction>;
    if (f.kind !== 'authmatrix:function') continue;
    if (f.entry) out.set(generated, { name: f.name ?? generated, entry: f.entry });
    // One reason for all of them, so that the run says it once, naming them (harness/runner/stubbed-lines.ts).
    else if (f.cdk) out.set(generated, { name: f.name ?? generated, notRun: 'a CDK callback builds the function (`defineFunction((scope) => new Function(...))`), with a runtime and code of its own, which authmatrix does not run' });
  }
  return out;
}

function importLineFile(line: string): string | undefined {
  const m = line.match(/((?:file:\/\/)?\/[^():]+):\d+:\d+/);
  if (!m) return undefined;
  return m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
}

const GEN2_MODE: Record<string, AuthMode> = {
  iam: 'iam',
  identityPool: 'iam',
  userPool: 'userPool',
  apiKey: 'apiKey',
  oidc: 'oidc',
  lambda: 'lambda',
};

/**
 * amplify-backend's conversion (`convert_authorization_modes.ts`): IAM is always on; a user pool and an
 * identity pool exist exactly when the backend has auth; an API key only when configured, when it is the
 * default, or in sandbox mode (no auth and no authorizationModes at all).
 */
function gen2AuthModes(file: string, raw: unknown, hasAuth: boolean): { modes: AuthModes; sandbox: boolean } {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) {
    throw new InputError('authorizationModes must be an object', { file }, 'write authorizationModes: { defaultAuthorizationMode: "userPool" }');
  }
  const cfg = (raw ?? {}) as Record<string, Record<string, unknown> | string | undefined>;
  const apiKeyCfg = cfg.apiKeyAuthorizationMode as Record<string, unknown> | undefined;
  const lambdaCfg = cfg.lambdaAuthorizationMode as Record<string, unknown> | undefined;
  const oidcCfg = cfg.oidcAuthorizationMode as Record<string, unknown> | undefined;
  const requested = cfg.defaultAuthorizationMode;
  if (requested !== undefined && (typeof requested !== 'string' || !(requested in GEN2_MODE))) {
    throw new InputError(`unknown defaultAuthorizationMode "${String(requested)}"`, { file }, `use one of ${Object.keys(GEN2_MODE).join(', ')}`);
  }
  const sandbox = !hasAuth && raw === undefined;
  let defaultMode: AuthMode;
  if (requested) defaultMode = GEN2_MODE[requested]!;
  else if (raw === undefined) defaultMode = hasAuth ? 'userPool' : 'apiKey';
  else {
    const given = ['apiKeyAuthorizationMode', 'lambdaAuthorizationMode', 'oidcAuthorizationMode'].filter((k) => cfg[k] !== undefined);
    if (hasAuth || given.length !== 1 || Object.keys(cfg).length !== 1) {
      throw new InputError('a defaultAuthorizationMode is required if multiple authorization modes are configured', { file },
        'set authorizationModes.defaultAuthorizationMode (userPool, iam, apiKey, oidc or lambda)');
    }
    defaultMode = ({ apiKeyAuthorizationMode: 'apiKey', lambdaAuthorizationMode: 'lambda', oidcAuthorizationMode: 'oidc' } as const)[given[0] as 'apiKeyAuthorizationMode'];
  }
  if (defaultMode === 'userPool' && !hasAuth) {
    throw new InputError('defaultAuthorizationMode is userPool, but the backend has no auth resource', { file }, 'add amplify/auth/resource.ts with defineAuth, or choose another default');
  }
  const enabled = new Set<AuthMode>([defaultMode, 'iam']);
  if (hasAuth) enabled.add('userPool');
  if (apiKeyCfg || defaultMode === 'apiKey' || sandbox) enabled.add('apiKey');
  if (lambdaCfg || defaultMode === 'lambda') enabled.add('lambda');
  if (oidcCfg || defaultMode === 'oidc') enabled.add('oidc');

  const modes: AuthModes = { default: defaultMode, enabled: AUTH_MODES.filter((m) => enabled.has(m)) };
  if (enabled.has('apiKey')) {
    const days = apiKeyCfg?.expiresInDays;
    modes.apiKey = {
      expiresInDays: typeof days === 'number' ? days : 7,
      ...(typeof apiKeyCfg?.description === 'string' ? { description: apiKeyCfg.description } : {}),
    };
  }
  if (enabled.has('userPool')) modes.userPool = {};
  if (hasAuth) modes.identityPool = { allowUnauthenticated: true };
  if (enabled.has('oidc')) {
    if (!oidcCfg || typeof oidcCfg.oidcIssuerUrl !== 'string') {
      throw new InputError('OIDC authorization needs oidcAuthorizationMode.oidcIssuerUrl', { file }, 'set authorizationModes.oidcAuthorizationMode: { oidcProviderName, oidcIssuerUrl, clientId }');
    }
    const secs = (k: string) => (typeof oidcCfg[k] === 'number' ? (oidcCfg[k] as number) * 1000 : undefined);
    const iatTTL = secs('tokenExpireFromIssueInSeconds');
    const authTTL = secs('tokenExpiryFromAuthInSeconds');
    modes.oidc = {
      providerName: typeof oidcCfg.oidcProviderName === 'string' ? oidcCfg.oidcProviderName : 'oidc',
      issuer: oidcCfg.oidcIssuerUrl,
      ...(typeof oidcCfg.clientId === 'string' ? { clientId: oidcCfg.clientId } : {}),
      ...(iatTTL ? { iatTTL } : {}),
      ...(authTTL ? { authTTL } : {}),
    };
  }
  if (enabled.has('lambda')) {
    const fn = lambdaCfg?.function as Partial<CapturedFunction> | undefined;
    if (!fn || fn.kind !== 'authmatrix:function') {
      throw new InputError('Lambda authorization needs lambdaAuthorizationMode.function', { file }, 'set authorizationModes.lambdaAuthorizationMode: { function: defineFunction({ entry }) }');
    }
    const ttl = lambdaCfg?.timeToLiveInSeconds;
    modes.lambda = { handler: fn.entry!, functionName: fn.name!, ttlSeconds: typeof ttl === 'number' ? ttl : 60 };
  }
  return { modes, sandbox };
}

/**
 * IAM principals outside the identity pool. Since `@aws-amplify/backend` 0.13 every one of them skips the rules
 * (generic IAM access; its IAM policy is the only limit) and `authorizationModes.allowListedRoleNames` is not read
 * (amplify-backend 91dae554eb removed it; TypeScript refuses it, the deploy ignores it). In the Gen 2 preview before
 * it, generic access was off and the roles it named were the API's admin roles (`iamConfig.allowListedRoles`, the
 * transformer's `adminRoles`), which needed the backend's auth (`validate_authorization_modes.ts` of that time).
 */
function iamAccess(file: string, raw: unknown, hasAuth: boolean): { params: Partial<TransformParams>; caveat?: string; withoutIam?: true } {
  const given = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).allowListedRoleNames : undefined;
  if (given !== undefined && (!Array.isArray(given) || !given.every((r) => typeof r === 'string' && r.length > 0))) {
    throw new InputError('authorizationModes.allowListedRoleNames must be a list of IAM role names', { file }, 'write allowListedRoleNames: ["MyAdminRole"]');
  }
  const roles = (given ?? []) as string[];
  if (!isGen2Preview(file)) {
    if (!roles.length) return { params: {} };
    return {
      params: {},
      caveat: `authorizationModes.allowListedRoleNames (${roles.join(', ')}) is not an option of defineData since @aws-amplify/backend 0.13 and is ignored: those roles, like every IAM role outside the identity pool, skip the rules wherever their IAM policy allows the field (generic IAM access, tested with the iamAdmin persona)`,
    };
  }
  if (roles.length && !hasAuth) {
    throw new InputError('allowListedRoleNames needs IAM authorization, which comes with the backend\'s auth in the Gen 2 preview', { file }, 'add amplify/auth/resource.ts with defineAuth, or remove allowListedRoleNames');
  }
  return { params: { genericIamAccess: false, adminRoles: roles }, ...(hasAuth ? {} : { withoutIam: true as const }) };
}

/** The line of `Name: a.model(` or `field: a.` in the resource file, for error messages. */
export function locateInSource(file: string, text: string, type: string, field?: string): SourceLocation {
  const lines = text.split('\n');
  const typeLine = lines.findIndex((l) => new RegExp(`\\b${escape(type)}\\s*:\\s*a\\b`).test(l));
  if (typeLine < 0) return { file };
  if (field) {
    for (let i = typeLine; i < lines.length; i++) {
      const col = lines[i]!.search(new RegExp(`\\b${escape(field)}\\s*:`));
      if (col >= 0 && (i > typeLine || col > lines[typeLine]!.indexOf(type))) return { file, line: i + 1, column: col + 1 };
    }
  }
  return { file, line: typeLine + 1, column: lines[typeLine]!.search(/\S/) + 1 };
}

