/**
 * Loads a Gen 1 `schema.graphql` plus its auth-mode/transform settings from `authmatrix.gen1.json`
 * (next to the schema, or given explicitly).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { graphqlApisWithoutSchema } from './find-app.js';
import { allRules, AUTH_MODEL_VERSION, AUTH_MODES, PROVIDER_MODE, type AuthMode, type AuthModel, type AuthModes, type CustomHandler, type TransformParams } from './model.js';
import { amplifyAuthResources, type AuthResources } from './auth-resources.js';
import { gen1AuthResources, groupList } from './gen1-auth.js';
import { readGen1Project, refuseTransformerV1, type Gen1Project } from './gen1-project.js';
import { authModelFromSdl } from './sdl.js';
import type { FunctionEntry } from './sdl/context.js';
import { gen1Rest, restApisWithoutInputs } from './rest/gen1.js';
import { gen1Storage, unreadBucketCaveats } from './storage/gen1.js';

export const GEN1_CONFIG_FILE = 'authmatrix.gen1.json';

/** Defaults of a project created with a current Amplify CLI (its `cli.json` feature flags). */
export const GEN1_DEFAULT_PARAMS: TransformParams = {
  useSubUsernameForDefaultIdentityClaim: true,
  populateOwnerFieldForStaticGroupAuth: true,
  subscriptionsInheritPrimaryAuth: false,
  genericIamAccess: false,
  adminRoles: [],
  sandboxMode: false,
};

const TRANSFORM_KEYS: Record<string, keyof TransformParams> = {
  useSubUsernameForDefaultIdentityClaim: 'useSubUsernameForDefaultIdentityClaim',
  populateOwnerFieldForStaticGroupAuth: 'populateOwnerFieldForStaticGroupAuth',
  subscriptionsInheritPrimaryAuth: 'subscriptionsInheritPrimaryAuth',
  enableIamAccess: 'genericIamAccess',
  adminRoles: 'adminRoles',
  sandboxModeEnabled: 'sandboxMode',
};

/**
 * `@function(name: "fn-${env}")` names the function of the environment deployed, as the CLI substitutes it: the run
 * and its handler settings speak of `fn-main`, not `fn-${env}` (ExcitingTheory/amplify-homework-supply's `openai-${env}`).
 */
function withEnvironment(sdl: string, env: string | undefined): string {
  if (!env) return sdl;
  return sdl.replace(/(@function\s*\(\s*name\s*:\s*")([^"]*)"/g, (_, head: string, name: string) => `${head}${name.replaceAll('${env}', env)}"`);
}

/**
 * What a run must say about the admin roles of an app managed in Amplify Studio, `<pool>_Full-access` and
 * `<pool>_Manage-only`, which the CLI adds after asking the Amplify service for the Studio's user pool (amplify-category-api
 * `graphql-transformer/utils.ts` `getAdminRoles`, `isAmplifyAdminApp`): nothing in the project names the pool, so they
 * are untested unless authmatrix.gen1.json names them, and one named without the other leaves the other untested.
 */
function studioRoleCaveats(project: Gen1Project | undefined, model: AuthModel): string[] {
  if (!model.authModes.enabled.includes('iam')) return [];
  const roles = model.params.adminRoles;
  const pools = [...new Set(roles.flatMap((r) => /^(.+)_(?:Full-access|Manage-only)$/.exec(r)?.[1] ?? []))];
  if (!pools.length) {
    if (!project?.studio) return [];
    const how = project.studio === 'gqlSchemaPath' ? 'the API was built by Amplify Studio (cli-inputs.json gqlSchemaPath)' : 'the app is managed in Amplify Studio (the components it generated are in ui-components/)';
    return [`${how}: its \`<user pool id>_Full-access\` and \`_Manage-only\` roles skip the rules as admin roles, and are not tested, as the pool is known only to the Amplify service; name them in authmatrix.gen1.json, \`"transform": { "adminRoles": ["us-east-1_AbCdEf123_Full-access", "us-east-1_AbCdEf123_Manage-only"] }\`, to test them`];
  }
  return pools.flatMap((pool) => ['Full-access', 'Manage-only'].filter((kind) => !roles.includes(`${pool}_${kind}`)).map((kind) =>
    `authmatrix.gen1.json names an Amplify Studio admin role of ${pool} but not \`${pool}_${kind}\`, which the CLI adds with it: that role also skips the rules, and is not tested; add it to "transform.adminRoles"`));
}

/**
 * `file` is a `schema.graphql` or a `schema/` folder of them. Settings, weakest first: the defaults of a
 * new project, the project's own `amplify/cli.json` and `cli-inputs.json`, then `authmatrix.gen1.json`.
 */
export function loadGen1(file: string, configFile?: string): AuthModel {
  const folder = statSync(file).isDirectory();
  const project = readGen1Project(file);
  const sdl = withEnvironment(folder ? readSchemaFolder(file) : readFileSync(file, 'utf8'), project?.env);
  refuseTransformerV1(sdl, file, project?.transformerVersion);
  const cfgPath = configFile ?? path.join(folder ? file : path.dirname(file), GEN1_CONFIG_FILE);
  const cfg = existsSync(cfgPath) ? readConfig(cfgPath) : configFile ? missing(configFile) : undefined;
  const base: TransformParams = { ...GEN1_DEFAULT_PARAMS, ...project?.params };
  const params = cfg ? transformParams(cfg, cfgPath, base) : base;
  const handlers = cfg ? handlersFromConfig(cfg, cfgPath) : {};
  const root = projectRoot(file);
  const projectAuth = root ? gen1AuthResources(root) : undefined;
  const authModes = cfg?.authModes !== undefined ? authModesFromConfig(cfg.authModes, cfgPath) : withGuestAccess(project?.authModes, projectAuth);
  const model = authModes
    ? authModelFromSdl({ sdl, file, kind: 'gen1', authModes, params, ...handlers })
    : inferredModel(sdl, file, params, handlers);
  const storage = root ? gen1Storage(root) : undefined;
  const authResources = cfg?.userPoolGroups !== undefined
    ? amplifyAuthResources({ groups: groupList(cfg.userPoolGroups, cfgPath), ...(authModes?.identityPool ? { identityPool: authModes.identityPool } : {}) })
    : projectAuth;
  const rest = root ? gen1Rest(root, authResources) : undefined;
  const caveats = [...(model.caveats ?? []), ...(project?.caveats ?? []), ...studioRoleCaveats(project, model), ...(root ? [...schemaless(root), ...unreadBucketCaveats(root)] : []), ...(rest?.caveats ?? [])];
  return {
    ...model,
    ...(storage ? { storage } : {}),
    ...(rest ? { rest } : {}),
    ...(authResources ? { authResources } : {}),
    ...(caveats.length ? { caveats } : {}),
  };
}

/**
 * A Gen 1 project without a GraphQL API, given by its `amplify/backend/backend-config.json`: what its storage and
 * REST categories deploy. Its callers sign with the auth category's identity pool (guests where it admits them), as in
 * a Gen 2 app without a data API; an auth category without an identity pool gives its users tokens only.
 */
export function loadGen1Project(backendConfig: string): AuthModel {
  const root = path.resolve(path.dirname(backendConfig), '..', '..');
  const authResources = gen1AuthResources(root);
  const storage = gen1Storage(root);
  const rest = gen1Rest(root, authResources);
  if (!storage && !rest) {
    const unread = restApisWithoutInputs(path.join(root, 'amplify')).map((api) => `amplify/backend/api/${api}`);
    if (unread.length) {
      throw new InputError(`backend-config.json deploys the REST API${unread.length > 1 ? 's' : ''} ${unread.join(', ')}, but no REST inputs are there (a cli-inputs.json with paths, or an api-params.json), and the project has no GraphQL API or S3 storage: nothing to test`, { file: backendConfig },
        "check the API's folder out with the project (amplify pull)");
    }
    throw new InputError('this Gen 1 project has no GraphQL API, no S3 storage and no REST API in amplify/backend/: nothing to test', { file: backendConfig },
      'authmatrix tests GraphQL APIs, storage and REST APIs; point it at a project that has one of them');
  }
  // A user-pool-only auth category (`amplify add auth` without an identity pool) signs its users in, and hands out no
  // AWS credentials: no guests, no identity-pool roles.
  const pool = authResources?.identityPool;
  const caveats = [...schemaless(root), ...unreadBucketCaveats(root), ...(rest?.caveats ?? [])];
  return {
    version: AUTH_MODEL_VERSION,
    source: { kind: 'gen1', path: backendConfig },
    authModes: {
      default: 'iam',
      enabled: authResources ? ['userPool', 'iam'] : ['iam'],
      ...(pool ? { identityPool: { allowUnauthenticated: pool.allowUnauthenticated } } : {}),
    },
    params: GEN1_DEFAULT_PARAMS,
    models: [],
    customTypes: [],
    inputTypes: [],
    enums: [],
    customOperations: [],
    ...(storage ? { storage } : {}),
    ...(rest ? { rest } : {}),
    ...(authResources ? { authResources } : {}),
    ...(caveats.length ? { caveats } : {}),
  };
}

/** The GraphQL APIs backend-config.json deploys that the project holds no schema of, said as a caveat. */
function schemaless(root: string): string[] {
  return graphqlApisWithoutSchema(path.join(root, 'amplify')).map((api) =>
    `backend-config.json deploys the GraphQL API ${api}, but amplify/backend/api/${api}/ holds no schema.graphql or schema/ folder: that API is not tested, only what else the project has`);
}

/**
 * The project's identity pool (the auth category's), whether or not the API takes IAM: storage and REST callers get
 * their AWS credentials from it, as in a Gen 2 app. It admits guests only where the auth category's
 * `allowUnauthenticatedIdentities` says so.
 */
function withGuestAccess(modes: AuthModes | undefined, auth: AuthResources | undefined): AuthModes | undefined {
  if (!modes || !auth?.identityPool) return modes;
  return { ...modes, identityPool: { ...modes.identityPool, allowUnauthenticated: auth.identityPool.allowUnauthenticated } };
}

/** The Gen 1 project a schema belongs to: the nearest directory above it holding `amplify/backend`. */
function projectRoot(file: string): string | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'amplify', 'backend'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A multi-file Gen 1 schema: the `.graphql` files of the folder, in name order, as one document. */
function readSchemaFolder(dir: string): string {
  return readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

function missing(file: string): never {
  throw new InputError('config file not found', { file }, `create it or drop --config (see README, "${GEN1_CONFIG_FILE}")`);
}

function readConfig(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const pos = Number((e as Error).message.match(/position (\d+)/)?.[1]);
    const where = Number.isFinite(pos) ? lineCol(text, pos) : {};
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file, ...where }, 'correct the JSON syntax');
  }
  if (!isObject(value)) throw new InputError('the config must be a JSON object', { file }, 'write { "authModes": { "default": "userPool" } }');
  checkKeys(value, ['authModes', 'transform', 'functions', 'resolvers', 'userPoolGroups'], file, text, '');
  return value;
}

function transformParams(cfg: Record<string, unknown>, file: string, base: TransformParams): TransformParams {
  const t = cfg.transform;
  if (t === undefined) return base;
  const text = readFileSync(file, 'utf8');
  if (!isObject(t)) throw new InputError('"transform" must be an object', { file }, 'write "transform": { "useSubUsernameForDefaultIdentityClaim": true }');
  checkKeys(t, Object.keys(TRANSFORM_KEYS), file, text, 'transform.');
  const out: TransformParams = { ...base, adminRoles: [...base.adminRoles] };
  for (const [key, value] of Object.entries(t)) {
    const target = TRANSFORM_KEYS[key]!;
    if (target === 'adminRoles') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new InputError('"transform.adminRoles" must be a list of role names', { file, ...keyLocation(text, key) }, 'write "adminRoles": ["MyAdminRole"]');
      }
      out.adminRoles = value;
    } else {
      if (typeof value !== 'boolean') throw new InputError(`"transform.${key}" must be true or false`, { file, ...keyLocation(text, key) }, `write "${key}": true`);
      out[target] = value;
    }
  }
  return out;
}

function authModesFromConfig(raw: unknown, file: string): AuthModes {
  const text = readFileSync(file, 'utf8');
  const at = (key: string) => ({ file, ...keyLocation(text, key) });
  if (!isObject(raw)) throw new InputError('"authModes" must be an object', at('authModes'), 'write "authModes": { "default": "userPool" }');
  checkKeys(raw, ['default', 'additional', 'apiKey', 'identityPool', 'oidc', 'lambda', 'userPool'], file, text, 'authModes.');
  const mode = (v: unknown, key: string): AuthMode => {
    if (typeof v !== 'string' || !(AUTH_MODES as readonly string[]).includes(v)) {
      throw new InputError(`unknown auth mode ${JSON.stringify(v)} in authModes.${key}`, at(key), `use one of ${AUTH_MODES.join(', ')}`);
    }
    return v as AuthMode;
  };
  if (raw.default === undefined) throw new InputError('"authModes.default" is missing', at('authModes'), 'set "default": "userPool" (or apiKey, iam, oidc, lambda)');
  const def = mode(raw.default, 'default');
  const additional = raw.additional === undefined ? [] : Array.isArray(raw.additional) ? raw.additional.map((m) => mode(m, 'additional')) : [mode(raw.additional, 'additional')];
  const enabled = new Set<AuthMode>([def, ...additional]);
  const modes: AuthModes = { default: def, enabled: AUTH_MODES.filter((m) => enabled.has(m)) };

  const section = (key: string): Record<string, unknown> | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (!isObject(v)) throw new InputError(`"authModes.${key}" must be an object`, at(key), `write "${key}": { ... }`);
    return v;
  };
  const num = (o: Record<string, unknown>, key: string, fallback?: number): number | undefined => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(`"${key}" must be a non-negative number`, at(key), `write "${key}": 7`);
    return v;
  };
  const str = (o: Record<string, unknown>, key: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v) throw new InputError(`"${key}" must be a non-empty string`, at(key), `write "${key}": "..."`);
    return v;
  };

  if (enabled.has('apiKey')) {
    const k = section('apiKey') ?? {};
    checkKeys(k, ['expiresInDays', 'description'], file, text, 'authModes.apiKey.');
    const description = str(k, 'description');
    modes.apiKey = { expiresInDays: num(k, 'expiresInDays', 7)!, ...(description ? { description } : {}) };
  }
  if (enabled.has('userPool')) {
    const u = section('userPool') ?? {};
    checkKeys(u, ['appClientIdRegex'], file, text, 'authModes.userPool.');
    const appClientIdRegex = str(u, 'appClientIdRegex');
    modes.userPool = appClientIdRegex ? { appClientIdRegex } : {};
  }
  if (enabled.has('iam')) {
    const i = section('identityPool') ?? {};
    checkKeys(i, ['allowUnauthenticated'], file, text, 'authModes.identityPool.');
    modes.identityPool = { allowUnauthenticated: i.allowUnauthenticated !== false };
  }
  if (enabled.has('oidc')) {
    const o = section('oidc');
    if (!o) throw new InputError('the oidc mode needs an "authModes.oidc" section', at('additional'), 'add "oidc": { "issuer": "https://idp.example.com", "clientId": "..." }');
    checkKeys(o, ['providerName', 'issuer', 'clientId', 'iatTTL', 'authTTL'], file, text, 'authModes.oidc.');
    const issuer = str(o, 'issuer');
    if (!issuer) throw new InputError('"authModes.oidc.issuer" is missing', at('oidc'), 'set "issuer" to the exact iss of your tokens');
    const clientId = str(o, 'clientId');
    const iatTTL = num(o, 'iatTTL');
    const authTTL = num(o, 'authTTL');
    modes.oidc = {
      providerName: str(o, 'providerName') ?? 'oidc',
      issuer,
      ...(clientId ? { clientId } : {}),
      ...(iatTTL ? { iatTTL } : {}),
      ...(authTTL ? { authTTL } : {}),
    };
  }
  if (enabled.has('lambda')) {
    const l = section('lambda') ?? {};
    checkKeys(l, ['handler', 'functionName', 'ttlSeconds', 'identityValidationExpression'], file, text, 'authModes.lambda.');
    const handler = str(l, 'handler');
    const functionName = str(l, 'functionName');
    const ive = str(l, 'identityValidationExpression');
    if (ive) {
      try {
        new RegExp(ive);
      } catch {
        throw new InputError('"identityValidationExpression" is not a valid regular expression', at('identityValidationExpression'), 'correct the pattern');
      }
    }
    modes.lambda = {
      ...(handler ? { handler: path.resolve(path.dirname(file), handler) } : {}),
      ...(functionName ? { functionName } : {}),
      ttlSeconds: num(l, 'ttlSeconds', 0)!,
      ...(ive ? { identityValidationExpression: ive } : {}),
    };
    if (handler && !existsSync(modes.lambda.handler!)) {
      throw new InputError(`Lambda authorizer module ${handler} not found`, at('handler'), `check the path (relative to ${path.basename(file)})`);
    }
  }
  return modes;
}

/**
 * Without a config file, enable exactly the modes the rules name (the transformer requires them),
 * defaulting to the user pool when rules use it. OIDC cannot be guessed: it needs an issuer.
 */
function inferredModel(sdl: string, file: string, params: TransformParams, handlers: Handlers): AuthModel {
  const guess = (enabled: AuthMode[], def: AuthMode): AuthModes => {
    const modes: AuthModes = { default: def, enabled };
    if (enabled.includes('apiKey')) modes.apiKey = { expiresInDays: 7 };
    if (enabled.includes('userPool')) modes.userPool = {};
    if (enabled.includes('iam')) modes.identityPool = { allowUnauthenticated: true };
    if (enabled.includes('lambda')) modes.lambda = { ttlSeconds: 0 };
    return modes;
  };
  const all = AUTH_MODES.filter((m) => m !== 'oidc');
  const first = authModelFromSdl({ sdl, file, kind: 'gen1', authModes: guess(all, 'userPool'), params, ...handlers });
  const used = new Set<AuthMode>(allRules(first).map((r) => PROVIDER_MODE[r.provider]));
  const def = (['userPool', 'apiKey', 'iam', 'lambda'] as AuthMode[]).find((m) => used.has(m)) ?? 'apiKey';
  used.add(def);
  return authModelFromSdl({ sdl, file, kind: 'gen1', authModes: guess(AUTH_MODES.filter((m) => used.has(m)), def), params, ...handlers });
}

type Handlers = { handlers?: Map<string, CustomHandler>; functionEntries?: Map<string, FunctionEntry> };

/**
 * `functions`: `@function(name:)` names → handler modules. `resolvers`: `Type.field` → JS resolver modules
 * (what Gen 1 keeps under `resolvers/`). Paths are relative to the config file and must exist.
 */
function handlersFromConfig(cfg: Record<string, unknown>, file: string): Handlers {
  const text = readFileSync(file, 'utf8');
  const dir = path.dirname(file);
  const existing = (p: unknown, key: string): string => {
    if (typeof p !== 'string' || !p) throw new InputError(`"${key}" must be a path`, { file, ...keyLocation(text, key) }, 'give a path relative to this file');
    const abs = path.resolve(dir, p);
    if (!existsSync(abs)) throw new InputError(`${p} not found`, { file, ...keyLocation(text, key) }, `check the path (relative to ${path.basename(file)})`);
    return abs;
  };
  const out: Handlers = {};
  if (cfg.functions !== undefined) {
    if (!isObject(cfg.functions)) throw new InputError('"functions" must map function names to handler paths', { file, ...keyLocation(text, 'functions') }, 'write "functions": { "FnEcho": "./echo.ts" }');
    out.functionEntries = new Map(Object.entries(cfg.functions).map(([name, p]) => [name, { name, entry: existing(p, name) }]));
  }
  if (cfg.resolvers !== undefined) {
    if (!isObject(cfg.resolvers)) throw new InputError('"resolvers" must map Type.field to resolver settings', { file, ...keyLocation(text, 'resolvers') }, 'write "resolvers": { "Query.x": { "entries": ["./x.js"] } }');
    out.handlers = new Map();
    for (const [key, v] of Object.entries(cfg.resolvers)) {
      if (!/^(Query|Mutation|Subscription)\.\w+$/.test(key)) throw new InputError(`resolver key "${key}" must be Query.name, Mutation.name or Subscription.name`, { file, ...keyLocation(text, key) }, 'rename the key');
      if (!isObject(v) || !Array.isArray(v.entries) || v.entries.length === 0) {
        throw new InputError(`"resolvers.${key}" needs "entries": [paths]`, { file, ...keyLocation(text, key) }, 'write { "entries": ["./resolver.js"], "dataSource": "NONE_DS" }');
      }
      checkKeys(v, ['entries', 'dataSource'], file, text, `resolvers.${key}.`);
      const dataSource = typeof v.dataSource === 'string' ? v.dataSource : undefined;
      out.handlers.set(key, { kind: 'js', entries: v.entries.map((e) => ({ file: existing(e, key), ...(dataSource ? { dataSource } : {}) })) });
    }
  }
  return out;
}

function checkKeys(o: Record<string, unknown>, allowed: string[], file: string, text: string, prefix: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new InputError(`unknown setting "${prefix}${k}"`, { file, ...keyLocation(text, k) }, `use one of ${allowed.join(', ')}`);
    }
  }
}

function keyLocation(text: string, key: string): { line?: number; column?: number } {
  const i = text.indexOf(`"${key}"`);
  return i < 0 ? {} : lineCol(text, i);
}

function lineCol(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
