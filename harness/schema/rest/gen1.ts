/**
 * REST APIs of a Gen 1 project: the API category's API Gateway resources (`amplify add api` → REST), read from
 * `amplify/backend/api/<name>/cli-inputs.json` (or an older project's `api-params.json`) and turned into what the
 * Amplify CLI deploys for them (docs/rest.md, "Gen 1 REST category"):
 *
 * - each path `P` and its child `P/{proxy+}` get an `ANY` method calling the path's Lambda function, signed with
 *   SigV4 (`AWS_IAM`) unless the path's `setting` is `open` (no authorization), and an `OPTIONS` method answering
 *   the CORS preflight itself; DEFAULT_4XX and DEFAULT_5XX gateway responses carry CORS headers;
 * - the stage is the Amplify environment's name;
 * - `auth` and `guest` operations become `execute-api:Invoke` allows on the authenticated and unauthenticated roles
 *   (all four operations: every method, `*`), each path's group operations allows on the group's role (never
 *   collapsed); `{param}` segments of the path become `*` in both.
 *
 * The functions are not run: Gen 1 function folders hold their own dependencies, rarely installed (the same as
 * `@function` resolvers, docs/rest.md): the integration answers as a stub, after the gateway's authorization.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuthResources } from '../auth-resources.js';
import { backendConfigServices, jsonObject, parseCliJson, readCliJson } from '../cli-json.js';
import { InputError } from '../errors.js';
import { Templates, type Template } from './cfn.js';
import type { GatewayResponse, PolicyDocument, RestApi, RestFunction, RestMethod, RestSection } from './model.js';
import { REST_ENV } from './gen2.js';

export type CrudOperation = 'create' | 'read' | 'update' | 'delete';
const CRUD: readonly CrudOperation[] = ['create', 'read', 'update', 'delete'];
export type PermissionSetting = 'open' | 'private' | 'protected';

/** One path of the CLI's inputs, as `cli-inputs.json` writes it (older `api-params.json` converted to it). */
export interface Gen1RestPath {
  lambdaFunction: string;
  permissions: {
    /** Absent in some converted projects: anything but `open` is signed. */
    setting?: PermissionSetting;
    auth?: CrudOperation[];
    guest?: CrudOperation[];
    groups?: Record<string, CrudOperation[]>;
  };
}

/** The API the CLI builds for user management (`amplify update auth` → admin queries): a Cognito authorizer on `/{proxy+}`. */
const ADMIN_QUERIES = 'AdminQueries';

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token',
  'Access-Control-Allow-Methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
};

/**
 * The methods a policy allows for a list of operations, as execute-api ARN parts: `/POST`, `/GET`, `/PUT` and `/PATCH`,
 * `/DELETE`; with `collapse` (the authenticated and unauthenticated roles' policies) all four operations are `/*`.
 */
export function invokeMethods(ops: readonly CrudOperation[], collapse: boolean): string[] {
  const methods = [...new Set(ops)].flatMap((op) => ({ create: ['POST'], read: ['GET'], update: ['PUT', 'PATCH'], delete: ['DELETE'] })[op]);
  return collapse && CRUD.every((op) => ops.includes(op)) ? ['*'] : methods;
}

/**
 * The execute-api resources a role is allowed for one path: each method on the path and below it, `{param}` segments
 * written as `*`. (Older CLIs kept the path as written in the group roles' policies, braces and all, which matched no
 * request; amplify-category-api's apigw-stack-builder.ts replaces them in both since.)
 */
export function invokeResources(apiArn: string, stage: string, pathName: string, ops: readonly CrudOperation[], role: 'identityPool' | 'group'): string[] {
  const p = pathName.replace(/\{[A-Za-z0-9-]+\}/g, '*');
  return invokeMethods(ops, role === 'identityPool').flatMap((m) => [`${apiArn}/${stage}/${m}${childPath(p, '*')}`, `${apiArn}/${stage}/${m}${p}`]);
}

/** Two resources under one parent whose last parts are both variables (`/a/{proxy+}` and `/a/{id}`), if any. */
function siblingVariables(pathNames: string[]): [string, string] | undefined {
  const byParent = new Map<string, string>();
  for (const p of pathNames.flatMap((n) => [n, childPath(n, '{proxy+}')])) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      if (!/^\{.+\}$/.test(parts[i]!)) continue;
      const parent = `/${parts.slice(0, i).join('/')}`;
      const resource = `/${parts.slice(0, i + 1).join('/')}`;
      const seen = byParent.get(parent);
      if (seen && seen !== resource) return [seen, resource];
      byParent.set(parent, resource);
    }
  }
  return undefined;
}

/** `P/x`, or `Px` when P ends in a slash. */
function childPath(p: string, part: string): string {
  return p.endsWith('/') ? `${p}${part}` : `${p}/${part}`;
}

/** The REST section of a Gen 1 project, or undefined when its API category has no API Gateway API. */
export function gen1Rest(projectRoot: string, auth: AuthResources | undefined): RestSection | undefined {
  const amplify = path.join(projectRoot, 'amplify');
  const names = restApiNames(amplify);
  if (!names.length) return undefined;
  const stage = envName(amplify);
  const caveats: string[] = [];
  if (!stage.known) caveats.push(`the Amplify environment's name (the REST APIs' stage) is not in amplify/team-provider-info.json or amplify/.config/local-env-info.json: the stage is taken to be ${stage.name}`);
  if (stage.several) caveats.push(`amplify/team-provider-info.json names ${stage.several.length} environments (${stage.several.join(', ')}): the REST APIs are tested on the stage of the first, ${stage.name}`);
  const apis: RestApi[] = [];
  const functions = new Map<string, RestFunction>();
  const grants = { authenticated: [] as string[], unauthenticated: [] as string[], groups: new Map<string, string[]>() };
  for (const name of names) {
    const file = inputsFile(amplify, name);
    if (!file) {
      caveats.push(`REST API ${name} has neither cli-inputs.json nor api-params.json in amplify/backend/api/${name}/: it is not tested`);
      continue;
    }
    const paths = readPaths(file, name);
    const gen1Inputs = path.basename(file) === 'api-params.json' ? 'api-params.json' : 'cli-inputs.json';
    const apiArn = `arn:aws:execute-api:${REST_ENV.region}:${REST_ENV.account}:${name}`;
    for (const fn of new Set(Object.values(paths).map((p) => p.lambdaFunction))) {
      functions.set(fn, { id: fn, name: fn, exportName: 'handler' });
    }
    if (name === ADMIN_QUERIES) {
      apis.push({ ...adminQueriesApi(name, stage.name, paths), gen1Inputs });
      caveats.push(`REST API ${ADMIN_QUERIES} takes user-pool access tokens; its function checks the caller's group itself, which is not modelled (the function is stubbed)`);
      continue;
    }
    const methods = Object.entries(paths).flatMap(([p, def]) => [p, childPath(p, '{proxy+}')].flatMap((resourcePath): RestMethod[] => [
      { resourcePath, method: 'OPTIONS', authorization: { type: 'NONE' }, apiKeyRequired: false, integration: { kind: 'mock', statusCode: 200, headers: { ...CORS_HEADERS } } },
      { resourcePath, method: 'ANY', authorization: def.permissions.setting === 'open' ? { type: 'NONE' } : { type: 'AWS_IAM' }, apiKeyRequired: false, integration: { kind: 'lambda', function: def.lambdaFunction } },
    ]));
    const clash = siblingVariables(Object.keys(paths));
    if (clash) caveats.push(`REST API ${name}: ${clash.join(' and ')} are sibling resources with variable path parts, which API Gateway refuses to create (one variable part per level; every path gets a {proxy+} child): tested as written`);
    apis.push({ name, id: name, stage: stage.name, apiKeySource: 'HEADER', methods, authorizers: [], apiKeys: [], gatewayResponses: corsResponses(), gen1Inputs });
    for (const [p, def] of Object.entries(paths)) {
      grants.authenticated.push(...invokeResources(apiArn, stage.name, p, def.permissions.auth ?? [], 'identityPool'));
      grants.unauthenticated.push(...invokeResources(apiArn, stage.name, p, def.permissions.guest ?? [], 'identityPool'));
      for (const [g, ops] of Object.entries(def.permissions.groups ?? {})) {
        grants.groups.set(g, [...(grants.groups.get(g) ?? []), ...invokeResources(apiArn, stage.name, p, ops, 'group')]);
      }
    }
  }
  if (!apis.length) return undefined;
  caveats.push(...pushedDrift(amplify, apis.map((a) => a.name), stage.name, { authenticated: grants.authenticated, unauthenticated: grants.unauthenticated }));
  if (functions.size) caveats.push(`the Lambda functions behind the Gen 1 REST APIs (${[...functions.keys()].join(', ')}) are not run: a stub answers once the gateway has let a request through`);
  const precedence = groupPrecedence(auth, [...grants.groups.keys()]);
  const groups = Object.fromEntries(precedence.map((g) => [g, [...allowDocument(grants.groups.get(g) ?? []), ...customInvokePolicies(auth, g)]]));
  return {
    ...REST_ENV,
    apis,
    httpApis: [],
    functions: [...functions.values()],
    rolePolicies: {
      authenticated: allowDocument(grants.authenticated),
      unauthenticated: allowDocument(grants.unauthenticated),
      groups,
      groupPrecedence: precedence,
    },
    caveats,
  };
}

type IdentityPoolRole = 'authenticated' | 'unauthenticated';

/**
 * Where the built policies of the identity pool's roles differ from what the inputs give: the CLI keeps its last build
 * of them in the project (`api/APIGatewayAuthStack.json`; before it, each API's own
 * `<name>-cloudformation-template.json`), and many projects commit it. A difference means the inputs changed after the
 * last `amplify push` (or the CLI changed): the run tests the inputs, and says so.
 */
function pushedDrift(amplify: string, apis: string[], stage: string, derived: Record<IdentityPoolRole, string[]>): string[] {
  const dir = path.join(amplify, 'backend', 'api');
  const files = [path.join(dir, 'APIGatewayAuthStack.json'), ...apis.map((a) => path.join(dir, a, `${a}-cloudformation-template.json`))].filter((f) => existsSync(f));
  const built: Record<IdentityPoolRole, Set<string>> = { authenticated: new Set(), unauthenticated: new Set() };
  const read: string[] = [];
  for (const file of files) {
    const template = jsonObject(readOptional(file)) as Template | undefined;
    const policies = Object.entries(template?.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy');
    if (!template || !policies.length) continue;
    // The CLI's parameters, as the deployment fills them: the environment, each API by the id the model gives it.
    const defaults: Record<string, string> = { env: stage, authRoleName: 'authenticated', unauthRoleName: 'unauthenticated', ...Object.fromEntries(apis.map((a) => [a, a])) };
    const withDefaults: Template = { ...template, Parameters: Object.fromEntries(Object.keys({ ...template.Parameters, ...defaults }).map((k) => [k, { Default: defaults[k] ?? k }])) };
    const t = new Templates({ built: withDefaults }, REST_ENV);
    try {
      for (const [, r] of policies) {
        const roles = t.resolve('built', r.Properties?.Roles) as unknown[];
        const role = roles?.[0];
        if (role !== 'authenticated' && role !== 'unauthenticated') continue;
        const statements = [(t.resolve('built', r.Properties?.PolicyDocument) as PolicyDocument | undefined)?.Statement ?? []].flat();
        for (const st of statements) for (const res of [st.Resource ?? []].flat()) built[role].add(String(res));
      }
    } catch {
      continue; // a template this reader cannot evaluate: no evidence either way
    }
    read.push(path.relative(path.dirname(amplify), file));
  }
  if (!read.length) return [];
  return (['authenticated', 'unauthenticated'] as const).flatMap((role) => {
    const mine = new Set(derived[role]);
    const extra = [...built[role]].filter((r) => !mine.has(r));
    const missing = [...mine].filter((r) => !built[role].has(r));
    if (!extra.length && !missing.length) return [];
    const some = (xs: string[]) => `(${xs.slice(0, 2).map((x) => x.replace(/^arn:aws:execute-api:[^:]*:[^:]*:/, '')).join(', ')}${xs.length > 2 ? ', …' : ''})`;
    const differences = [
      extra.length ? `gives the ${role} role execute-api:Invoke on ${extra.length} resources the REST inputs do not ${some(extra)}` : '',
      missing.length ? `does not give ${extra.length ? 'it' : `the ${role} role execute-api:Invoke`} on ${missing.length} resources the inputs do ${some(missing)}` : '',
    ].filter(Boolean).join(' and ');
    return [`${read.join(' and ')}, the CLI's build of the last \`amplify push\`, ${differences}: the REST category changed after that push; tested as its inputs say`];
  });
}

/** The REST APIs backend-config.json deploys whose inputs (cli-inputs.json with `paths`, or api-params.json) the project lacks. */
export function restApisWithoutInputs(amplify: string): string[] {
  return restApiNames(amplify).filter((name) => !inputsFile(amplify, name));
}

/** The APIs `backend-config.json` names with service `API Gateway`; without the file, every API folder holding REST inputs. */
function restApiNames(amplify: string): string[] {
  const named = backendConfigServices(amplify, 'api', 'API Gateway');
  if (named) return named;
  const dir = path.join(amplify, 'backend', 'api');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && inputsFile(amplify, d.name)).map((d) => d.name).sort();
}

function inputsFile(amplify: string, name: string): string | undefined {
  const dir = path.join(amplify, 'backend', 'api', name);
  return ['cli-inputs.json', 'api-params.json'].map((f) => path.join(dir, f)).find((f) => existsSync(f) && (f.endsWith('api-params.json') || 'paths' in (jsonObject(readCliJson(f)) ?? {})));
}

/** `cli-inputs.json`'s `paths` map, or an `api-params.json`'s `paths` list converted as the CLI converts it. */
export function readPaths(file: string, api: string): Record<string, Gen1RestPath> {
  const raw = jsonObject(readCliJson(file));
  const where = { file };
  if (path.basename(file) === 'api-params.json') {
    if (!Array.isArray(raw?.paths) || !raw.paths.length) throw new InputError(`REST API ${api}'s api-params.json has no paths`, where, 'give "paths": [{ "name": "/items", "lambdaFunction": "fn", "privacy": { "private": true, "auth": "rw" } }]');
    return Object.fromEntries(raw.paths.map((p: unknown, i: number) => {
      const entry = jsonObject(p);
      if (!entry || typeof entry.name !== 'string' || typeof entry.lambdaFunction !== 'string') throw new InputError(`path ${i + 1} of REST API ${api} has no name or lambdaFunction`, where, 'give every path a "name" and a "lambdaFunction"');
      return [entry.name, { lambdaFunction: entry.lambdaFunction, permissions: legacyPermissions(jsonObject(entry.privacy) ?? {}) }];
    }));
  }
  const paths = jsonObject(raw?.paths);
  if (!paths || !Object.keys(paths).length) throw new InputError(`REST API ${api} has no paths`, where, 'give "paths": { "/items": { "lambdaFunction": "fn", "permissions": { "setting": "private", "auth": ["read"] } } }');
  return Object.fromEntries(Object.entries(paths).map(([name, p]) => {
    const entry = jsonObject(p);
    if (!name.startsWith('/')) throw new InputError(`path "${name}" of REST API ${api} does not start with /`, where, `write "/${name}"`);
    if (!entry || typeof entry.lambdaFunction !== 'string') throw new InputError(`path ${name} of REST API ${api} has no lambdaFunction`, where, 'give the path the function it calls: "lambdaFunction": "fn"');
    const perms = jsonObject(entry.permissions) ?? {};
    const setting = perms.setting;
    if (setting !== undefined && setting !== 'open' && setting !== 'private' && setting !== 'protected') {
      throw new InputError(`path ${name} of REST API ${api} has the permission setting ${JSON.stringify(setting)}`, where, 'use "open", "private" or "protected"');
    }
    const groups = jsonObject(perms.groups);
    return [name, {
      lambdaFunction: entry.lambdaFunction,
      permissions: {
        ...(setting ? { setting } : {}),
        ...(perms.auth !== undefined ? { auth: crud(perms.auth, `${name} auth`, where) } : {}),
        ...(perms.guest !== undefined ? { guest: crud(perms.guest, `${name} guest`, where) } : {}),
        ...(groups ? { groups: Object.fromEntries(Object.entries(groups).map(([g, ops]) => [g, crud(ops, `${name} group ${g}`, where)])) } : {}),
      },
    }];
  }));
}

function crud(raw: unknown, what: string, where: { file: string }): CrudOperation[] {
  if (!Array.isArray(raw) || !raw.every((op) => (CRUD as readonly unknown[]).includes(op))) {
    throw new InputError(`the ${what} permissions must be a list of create, read, update, delete`, where, 'write ["create", "read", "update", "delete"]');
  }
  return raw as CrudOperation[];
}

/**
 * `api-params.json`'s `privacy` as the CLI converts it: `open: true` → open, `private: true` → private, else
 * protected; `auth`/`unauth`/`userPoolGroups` either `r` / `rw` or lists of `/GET`, `/POST`, ...
 */
function legacyPermissions(privacy: Record<string, unknown>): Gen1RestPath['permissions'] {
  const ops = (v: unknown): CrudOperation[] | undefined => {
    if (v === 'r') return ['read'];
    if (v === 'rw') return [...CRUD];
    if (!Array.isArray(v)) return undefined;
    const map: Record<string, CrudOperation> = { '/POST': 'create', '/GET': 'read', '/PUT': 'update', '/PATCH': 'update', '/DELETE': 'delete' };
    return [...new Set(v.flatMap((m) => (typeof m === 'string' && map[m] ? [map[m]!] : [])))];
  };
  const auth = ops(privacy.auth);
  const guest = ops(privacy.unauth);
  const groupsRaw = jsonObject(privacy.userPoolGroups);
  const groups = groupsRaw ? Object.fromEntries(Object.entries(groupsRaw).flatMap(([g, v]) => { const o = ops(v); return o ? [[g, o]] : []; })) : undefined;
  return {
    setting: privacy.open === true ? 'open' : privacy.private === true ? 'private' : 'protected',
    ...(auth ? { auth } : {}),
    ...(guest ? { guest } : {}),
    ...(groups ? { groups } : {}),
  };
}

/** AdminQueries: `ANY /{proxy+}` behind a Cognito authorizer requiring the `aws.cognito.signin.user.admin` scope. */
function adminQueriesApi(name: string, stage: string, paths: Record<string, Gen1RestPath>): RestApi {
  const fn = Object.values(paths)[0]!.lambdaFunction;
  return {
    name, id: name, stage, apiKeySource: 'HEADER',
    methods: [
      { resourcePath: '/{proxy+}', method: 'OPTIONS', authorization: { type: 'NONE' }, apiKeyRequired: false, integration: { kind: 'mock', statusCode: 200, headers: { ...CORS_HEADERS } } },
      { resourcePath: '/{proxy+}', method: 'ANY', authorization: { type: 'COGNITO_USER_POOLS', authorizer: 'Cognito', scopes: ['aws.cognito.signin.user.admin'] }, apiKeyRequired: false, integration: { kind: 'lambda', function: fn } },
    ],
    authorizers: [{ type: 'COGNITO_USER_POOLS', id: 'Cognito', name: 'Cognito', ttlSeconds: 300, userPools: ['app'], identitySource: 'method.request.header.Authorization' }],
    apiKeys: [],
    gatewayResponses: [],
  };
}

function corsResponses(): GatewayResponse[] {
  return ['DEFAULT_4XX', 'DEFAULT_5XX'].map((type) => ({ type, headers: { ...CORS_HEADERS, 'Access-Control-Expose-Headers': 'Date,X-Amzn-ErrorType' } }));
}

function allowDocument(resources: string[]): PolicyDocument[] {
  return resources.length ? [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: resources }] }] : [];
}

/**
 * The groups by precedence as the identity pool maps their members to roles: the auth category's groups that have
 * a role (each member gets the group's role, REST policies or not), then groups only the paths name.
 */
function groupPrecedence(auth: AuthResources | undefined, named: string[]): string[] {
  const known = [...(auth?.userPool?.groups ?? [])].filter((g) => g.role)
    .sort((a, b) => (a.precedence ?? Number.POSITIVE_INFINITY) - (b.precedence ?? Number.POSITIVE_INFINITY));
  return [...new Set([...known.map((g) => g.name), ...named])];
}

/** A group's `customPolicies` (user-pool-group-precedence.json) that mention execute-api: they reach the REST APIs too. */
function customInvokePolicies(auth: AuthResources | undefined, group: string): PolicyDocument[] {
  const role = auth?.roles.find((r) => r.id === `group:${group}`);
  return (role?.policies ?? []).map((p) => p.document as PolicyDocument).filter((d) => JSON.stringify(d).includes('execute-api'));
}

/**
 * The environment whose stage the APIs are deployed to: `.config/local-env-info.json`'s `envName` (the checked-out
 * environment, usually not committed), else the first environment of `team-provider-info.json`; `dev` (the CLI's
 * suggestion) when neither says.
 */
function envName(amplify: string): { name: string; known: boolean; several?: string[] } {
  const local = jsonObject(readOptional(path.join(amplify, '.config', 'local-env-info.json')))?.envName;
  if (typeof local === 'string' && local) return { name: local, known: true };
  const envs = Object.keys(jsonObject(readOptional(path.join(amplify, 'team-provider-info.json'))) ?? {});
  if (!envs.length) return { name: 'dev', known: false };
  return envs.length === 1 ? { name: envs[0]!, known: true } : { name: envs[0]!, known: true, several: envs };
}

function readOptional(file: string): unknown {
  try {
    return parseCliJson(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
