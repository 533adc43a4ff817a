/**
 * What an Amplify CLI (Gen 1) project says about its GraphQL API besides the schema: the transformer
 * feature flags in `amplify/cli.json`, the auth modes in `amplify/backend/api/<name>/cli-inputs.json`, and
 * the customisations authmatrix does not model (resolver overrides, custom stacks, `override.ts`,
 * conflict resolution), which are reported as caveats naming what they affect.
 *
 * A flag absent from `cli.json` takes the CLI's value for existing projects, not the one a new project
 * writes (aws-amplify/amplify-cli, packages/amplify-cli-core/src/feature-flags/featureFlags.ts,
 * `defaultValueForExistingProjects`): see docs/real-apps.md, class G1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonObject, readCliJson } from './cli-json.js';
import { InputError } from './errors.js';
import { AUTH_MODES, type AuthMode, type AuthModes, type TransformParams } from './model.js';

/** `defaultValueForExistingProjects` of the flags that change auth semantics. */
const EXISTING_PROJECT_FLAGS = {
  transformerversion: 1,
  usesubusernamefordefaultidentityclaim: true,
  populateownerfieldforstaticgroupauth: false,
  subscriptionsinheritprimaryauth: false,
} as const;

const FLAG_PARAMS = {
  usesubusernamefordefaultidentityclaim: 'useSubUsernameForDefaultIdentityClaim',
  populateownerfieldforstaticgroupauth: 'populateOwnerFieldForStaticGroupAuth',
  subscriptionsinheritprimaryauth: 'subscriptionsInheritPrimaryAuth',
} as const satisfies Record<string, keyof TransformParams>;

/** Directives only the v1 transformer knows; v2 replaced them (@primaryKey/@index, @hasMany…, none). */
const V1_DIRECTIVES = ['key', 'connection', 'versioned'];

export interface Gen1Project {
  /** Transform parameters read from `cli.json` (only those it decides). */
  params: Partial<TransformParams>;
  /** Auth modes read from `cli-inputs.json`, when the project has one. */
  authModes?: AuthModes;
  /** `graphqltransformer.transformerversion` (1 when `cli.json` omits it); undefined without `cli.json`. */
  transformerVersion?: number;
  /** Customisations that are not modelled, each naming what it affects. */
  caveats: string[];
  /**
   * What shows the app is managed in Amplify Studio (whose apps get two more admin roles, gen1.ts): `gqlSchemaPath`,
   * the API was built by the Studio, whose server-side CLI works in `/tmp/amplify-<uuid>/` and writes that path into
   * cli-inputs.json (mauerbac/amplify-studio-yelp-bathroom, pdichone/home-app-amplify-studio-test); `ui-components`,
   * the frontend holds components the Studio generated, which `amplify pull` writes to `<SourceDir>/ui-components/` only
   * when the Amplify service says the app is a Studio app (amplify-util-uibuilder `shouldRenderComponents`, asking the
   * same `isAmplifyAdminApp`), as in a CLI-built app managed in the Studio later (sittinprettyingeorgia/my-application-secretary-amplify).
   */
  studio?: 'gqlSchemaPath' | 'ui-components';
  /** The environment the project is checked out on (`.config/local-env-info.json`, else team-provider-info.json's first). */
  env?: string;
}

/** The project around a schema at `…/amplify/backend/api/<name>/schema.graphql` (or `schema/`); else nothing. */
export function readGen1Project(schema: string): Gen1Project | undefined {
  const apiDir = path.dirname(schema);
  const parts = apiDir.split(path.sep);
  const n = parts.length;
  if (n < 4 || parts[n - 2] !== 'api' || parts[n - 3] !== 'backend' || parts[n - 4] !== 'amplify') return undefined;
  const amplifyDir = parts.slice(0, n - 3).join(path.sep);
  const flags = readFlags(path.join(amplifyDir, 'cli.json'));
  const caveats: string[] = [];
  const project: Gen1Project = { params: {}, caveats };
  if (flags) {
    project.transformerVersion = Number(flags.transformerversion ?? EXISTING_PROJECT_FLAGS.transformerversion);
    for (const [flag, param] of Object.entries(FLAG_PARAMS)) {
      project.params[param] = flag in flags ? flags[flag] === true : EXISTING_PROJECT_FLAGS[flag as keyof typeof FLAG_PARAMS];
    }
  }
  const inputs = path.join(apiDir, 'cli-inputs.json');
  if (existsSync(inputs)) {
    const service = readJson(inputs).serviceConfiguration;
    if (isObject(service)) {
      const modes = authModesFromCliInputs(service, inputs);
      if (modes) project.authModes = modes;
      if (typeof service.gqlSchemaPath === 'string' && /^\/tmp\/amplify-[0-9a-f-]+\//.test(service.gqlSchemaPath)) project.studio = 'gqlSchemaPath';
      const sync = isObject(service.conflictResolution) ? syncStrategies(service.conflictResolution) : [];
      if (sync.length) {
        caveats.push(`conflict resolution (${sync.join(', ')}) is on in cli-inputs.json: writes need _version and deletes are soft on AppSync; not modelled, the update and delete of ${sync.some((x) => !x.includes(' for ')) ? 'every model' : 'those models'} are affected`);
      }
    }
  }
  if (!project.studio && hasStudioComponents(amplifyDir)) project.studio = 'ui-components';
  const env = envName(amplifyDir);
  if (env) project.env = env;
  const admins = [...functionRoleNames(amplifyDir, parts[n - 1]!, env), ...(adminRoleNames(path.join(apiDir, 'custom-roles.json'), env) ?? [])];
  if (admins.length) project.params.adminRoles = admins;
  const overrides = listFiles(path.join(apiDir, 'resolvers')).filter((f) => f.endsWith('.vtl'));
  if (overrides.length) {
    const ops = [...new Set(overrides.map((f) => f.split('.').slice(0, 2).join('.')))];
    caveats.push(`resolver overrides in resolvers/ are not modelled: ${ops.join(', ')} behave as generated`);
  }
  const stacks = listFiles(path.join(apiDir, 'stacks')).filter((f) => f.endsWith('.json') && customStack(path.join(apiDir, 'stacks', f)));
  if (stacks.length) caveats.push(`custom stacks are not modelled: ${stacks.map((s) => `stacks/${s}`).join(', ')}`);
  if (existsSync(path.join(apiDir, 'override.ts'))) caveats.push('override.ts (CDK overrides of the API) is not modelled');
  return project;
}

/**
 * The IAM roles the CLI hands the transformer as admin roles besides the functions' (amplify-category-api
 * `graphql-transformer/utils.ts` `getAdminRoles`): `custom-roles.json`'s `adminRoleNames` (a name or a list), `${env}`
 * replaced by the environment's name (left as written when the project does not say it), an assumed-role ARN cut to
 * its role, any other ARN dropped (it never matches a caller). Undefined when the file is absent.
 */
function adminRoleNames(file: string, env: string | undefined): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const raw = readJson(file).adminRoleNames;
  if (raw === undefined) return undefined;
  const names = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new InputError('adminRoleNames in custom-roles.json must be a role name or a list of them', { file }, 'write { "adminRoleNames": ["MyRole-${env}"] }');
  }
  return (names as string[]).map((n) => (env ? n.replaceAll('${env}', env) : n)).flatMap((n) => {
    const assumed = /^arn:[^:]*:sts::[^:]*:assumed-role\/(.+)$/.exec(n);
    return assumed ? [assumed[1]!] : n.startsWith('arn:') ? [] : [n];
  });
}

/**
 * The execution roles of the project's functions that depend on the API (`amplify update function` giving it API
 * access): the CLI makes each an admin role (`getAdminRoles`), its name read from the function's CloudFormation
 * template, `Fn::If` on `ShouldNotCreateEnvResources`, `Fn::Join` and `Ref: env` resolved. A name that cannot be
 * resolved without deploying is left out, as the CLI leaves it out.
 */
function functionRoleNames(amplifyDir: string, api: string, env: string | undefined): string[] {
  const config = path.join(amplifyDir, 'backend', 'backend-config.json');
  const functions = existsSync(config) ? readJson(config).function : undefined;
  if (!isObject(functions) || !env) return [];
  const out: string[] = [];
  for (const [name, fn] of Object.entries(functions)) {
    const deps = isObject(fn) && Array.isArray(fn.dependsOn) ? fn.dependsOn : [];
    if (!deps.some((d) => isObject(d) && d.resourceName === api)) continue;
    const template = path.join(amplifyDir, 'backend', 'function', name, `${name}-cloudformation-template.json`);
    if (!existsSync(template)) continue;
    const resources = readJson(template).Resources;
    const role = isObject(resources) && isObject(resources.LambdaExecutionRole) ? resources.LambdaExecutionRole.Properties : undefined;
    const roleName = isObject(role) ? staticCfnValue(role.RoleName, env) : undefined;
    if (roleName) out.push(roleName);
  }
  return out;
}

/**
 * The module of a Node.js function of the project (`amplify/backend/function/<name>/src/`), from the `Handler` of its
 * CloudFormation template (`index.handler`: `src/index.js`, exporting `handler`), with where its imports of the
 * function's project layers resolve (`layerAliases`); undefined for another runtime, another export name, or a
 * function the project does not hold.
 */
function functionModule(amplifyDir: string, name: string): { file: string; aliases: Record<string, string> } | undefined {
  const dir = path.join(amplifyDir, 'backend', 'function', name);
  const template = path.join(dir, `${name}-cloudformation-template.json`);
  if (!existsSync(template)) return undefined;
  const resources = readJson(template).Resources;
  const fn = isObject(resources) && isObject(resources.LambdaFunction) ? resources.LambdaFunction.Properties : undefined;
  if (!isObject(fn) || typeof fn.Handler !== 'string' || typeof fn.Runtime !== 'string' || !fn.Runtime.startsWith('nodejs')) return undefined;
  const [base, exported] = [fn.Handler.slice(0, fn.Handler.lastIndexOf('.')), fn.Handler.slice(fn.Handler.lastIndexOf('.') + 1)];
  if (exported !== 'handler') return undefined;
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.join(dir, 'src', base + ext)).find((f) => existsSync(f));
  return file ? { file, aliases: layerAliases(amplifyDir, dir) } : undefined;
}

/**
 * Where a function's imports of its project layers (function-parameters.json `lambdaLayers`, `ProjectLayer`) resolve:
 * Lambda unpacks each layer into /opt, the layer's `opt/` at its root and its `lib/nodejs/` as /opt/nodejs, whose
 * `node_modules` are on NODE_PATH; a later layer's file replaces an earlier one's. Each `/opt/<entry>` and each
 * installed package of a layer (not one the function installs itself, found first) maps to the layer's copy
 * (Sanoodia/DatastoreDemo's authorizer requires `/opt/envHelpers`, which requires `axios` from the layer).
 */
function layerAliases(amplifyDir: string, fnDir: string): Record<string, string> {
  const params = path.join(fnDir, 'function-parameters.json');
  const layers = existsSync(params) ? readJson(params).lambdaLayers : undefined;
  const out: Record<string, string> = {};
  const own = new Set(packagesIn(path.join(fnDir, 'src', 'node_modules')));
  for (const layer of Array.isArray(layers) ? layers : []) {
    if (!isObject(layer) || layer.type !== 'ProjectLayer' || typeof layer.resourceName !== 'string') continue;
    const root = path.join(amplifyDir, 'backend', 'function', layer.resourceName);
    for (const entry of listFiles(path.join(root, 'opt'))) {
      const target = path.join(root, 'opt', entry);
      out[`/opt/${entry}`] = target;
      out[`/opt/${entry.replace(/\.[cm]?js$/, '')}`] = target.replace(/\.[cm]?js$/, '');
    }
    if (existsSync(path.join(root, 'lib', 'nodejs'))) out['/opt/nodejs'] = path.join(root, 'lib', 'nodejs');
    const modules = path.join(root, 'lib', 'nodejs', 'node_modules');
    for (const pkg of packagesIn(modules)) if (!own.has(pkg)) out[pkg] = path.join(modules, pkg);
  }
  return out;
}

/** The packages installed in a node_modules folder (`name`, `@scope/name`). */
function packagesIn(dir: string): string[] {
  return listFiles(dir).filter((e) => !e.startsWith('.')).flatMap((e) => (e.startsWith('@') ? listFiles(path.join(dir, e)).map((x) => `${e}/${x}`) : [e]));
}

function staticCfnValue(v: unknown, env: string): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  const when = v['Fn::If'];
  if (Array.isArray(when)) return when[0] === 'ShouldNotCreateEnvResources' ? staticCfnValue(env === 'NONE' ? when[1] : when[2], env) : undefined;
  const join = v['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((x: unknown) => staticCfnValue(x, env));
    return parts.every((x): x is string => x !== undefined) ? parts.join(join[0]) : undefined;
  }
  return v.Ref === 'env' ? env : undefined;
}

/** Components Amplify Studio generated, in the frontend's `ui-components/` (each file opens with a header saying so). */
function hasStudioComponents(amplifyDir: string): boolean {
  const config = path.join(amplifyDir, '.config', 'project-config.json');
  const javascript = existsSync(config) ? readJson(config).javascript : undefined;
  const settings = isObject(javascript) && isObject(javascript.config) ? javascript.config : {};
  const sourceDir = typeof settings.SourceDir === 'string' ? settings.SourceDir : 'src';
  const dir = path.join(path.dirname(amplifyDir), sourceDir, 'ui-components');
  return listFiles(dir).filter((f) => /\.[jt]sx?$/.test(f) && !f.endsWith('.d.ts')).slice(0, 5)
    .some((f) => /generated with Amplify Studio/.test(readFileSync(path.join(dir, f), 'utf8').slice(0, 400)));
}

function envName(amplifyDir: string): string | undefined {
  const local = path.join(amplifyDir, '.config', 'local-env-info.json');
  const checkedOut = existsSync(local) ? readJson(local).envName : undefined;
  if (typeof checkedOut === 'string' && checkedOut) return checkedOut;
  const team = path.join(amplifyDir, 'team-provider-info.json');
  return existsSync(team) ? Object.keys(readJson(team))[0] : undefined;
}

/** Refuses a schema for the v1 transformer with the one thing to do about it. */
export function refuseTransformerV1(sdl: string, file: string, transformerVersion: number | undefined): void {
  const code = sdl.replace(/#.*$/gm, '');
  const used = V1_DIRECTIVES.filter((d) => new RegExp(`@${d}\\b`).test(code));
  if (!used.length && transformerVersion !== 1) return;
  const why = used.length ? `uses ${used.map((d) => `@${d}`).join(', ')}` : 'is set to transformer v1 in amplify/cli.json (transformerversion absent or 1)';
  throw new InputError(`this schema ${why}: it is written for GraphQL transformer v1, and authmatrix reads transformer v2 schemas`, { file },
    'migrate the API to transformer v2 with `amplify migrate api` (docs.amplify.aws/cli/migration/transformer-migration/), then run again');
}

function readFlags(cliJson: string): Record<string, unknown> | undefined {
  if (!existsSync(cliJson)) return undefined;
  const features = readJson(cliJson).features;
  const section = isObject(features) ? features.graphqltransformer : undefined;
  if (!isObject(section)) return {};
  return Object.fromEntries(Object.entries(section).map(([k, v]) => [k.toLowerCase(), v]));
}

const CLI_MODES: Record<string, AuthMode> = {
  AMAZON_COGNITO_USER_POOLS: 'userPool',
  API_KEY: 'apiKey',
  AWS_IAM: 'iam',
  OPENID_CONNECT: 'oidc',
  AWS_LAMBDA: 'lambda',
};

function authModesFromCliInputs(service: Record<string, unknown>, file: string): AuthModes | undefined {
  const entries = [service.defaultAuthType, ...(Array.isArray(service.additionalAuthTypes) ? service.additionalAuthTypes : [])].filter(isObject);
  if (!entries.length) return undefined;
  const mode = (e: Record<string, unknown>): AuthMode => {
    const m = CLI_MODES[String(e.mode)];
    if (!m) throw new InputError(`unknown auth mode ${JSON.stringify(e.mode)} in cli-inputs.json`, { file }, `use one of ${Object.keys(CLI_MODES).join(', ')}`);
    return m;
  };
  const def = mode(entries[0]!);
  const enabled = new Set(entries.map(mode));
  const modes: AuthModes = { default: def, enabled: AUTH_MODES.filter((m) => enabled.has(m)) };
  for (const e of entries) {
    const m = mode(e);
    if (m === 'apiKey') {
      const days = typeof e.expirationTime === 'number' ? e.expirationTime : 7;
      modes.apiKey = { expiresInDays: days, ...(typeof e.keyDescription === 'string' && e.keyDescription ? { description: e.keyDescription } : {}) };
    } else if (m === 'userPool') modes.userPool = {};
    else if (m === 'iam') modes.identityPool = { allowUnauthenticated: true };
    else if (m === 'lambda') {
      // The CLI writes the authorizer function and its TTL, seconds as a string, on the entry itself
      // (`{ "mode": "AWS_LAMBDA", "lambdaFunction": "graphQlLambdaAuthorizer6118ec67", "ttlSeconds": "300" }`,
      // Sanoodia/DatastoreDemo); the function is one of the project's, run by the emulator as AppSync runs it.
      modes.lambda = { ttlSeconds: Number(e.ttlSeconds) > 0 ? Number(e.ttlSeconds) : 0 };
      const fn = e.lambdaFunction;
      if (typeof fn === 'string' && fn) {
        modes.lambda.functionName = fn;
        const found = functionModule(path.resolve(path.dirname(file), '..', '..', '..'), fn);
        if (found) modes.lambda.handler = found.file;
        if (found && Object.keys(found.aliases).length) modes.lambda.moduleAliases = found.aliases;
      }
    } else if (m === 'oidc') {
      const issuer = typeof e.openIDIssuerURL === 'string' ? e.openIDIssuerURL : '';
      if (!issuer) throw new InputError('the OIDC auth mode in cli-inputs.json has no openIDIssuerURL', { file }, 'set it, or describe the mode in authmatrix.gen1.json');
      modes.oidc = {
        providerName: typeof e.openIDProviderName === 'string' ? e.openIDProviderName : 'oidc',
        issuer,
        ...(typeof e.openIDClientID === 'string' && e.openIDClientID ? { clientId: e.openIDClientID } : {}),
        ...(Number(e.openIDIatTTL) > 0 ? { iatTTL: Number(e.openIDIatTTL) } : {}),
        ...(Number(e.openIDAuthTTL) > 0 ? { authTTL: Number(e.openIDAuthTTL) } : {}),
      };
    }
  }
  return modes;
}

/**
 * The conflict-resolution strategies that turn sync on: the CLI maps AUTOMERGE, OPTIMISTIC_CONCURRENCY and
 * LAMBDA to a transformer SyncConfig and any other type (`NONE`) to none (amplify-category-api,
 * resolver-config-to-conflict-resolution-bi-di-mapper.ts), for the project and for each model listed.
 */
function syncStrategies(c: Record<string, unknown>): string[] {
  const on = (s: unknown): s is { type: string } => isObject(s) && typeof s.type === 'string' && ['AUTOMERGE', 'OPTIMISTIC_CONCURRENCY', 'LAMBDA'].includes(s.type);
  const byDefault = on(c.defaultResolutionStrategy) ? c.defaultResolutionStrategy.type : undefined;
  const out = byDefault ? [byDefault] : [];
  // The CLI writes a model's strategy even where it is the default's (sittinprettyingeorgia/my-application-secretary-amplify).
  for (const m of Array.isArray(c.perModelResolutionStrategy) ? c.perModelResolutionStrategy : []) {
    if (isObject(m) && on(m.resolutionStrategy) && m.resolutionStrategy.type !== byDefault) out.push(`${m.resolutionStrategy.type} for ${String(m.entityName)}`);
  }
  return out;
}

/** A stack file that defines more than the empty resource `amplify add api` writes. */
function customStack(file: string): boolean {
  const resources = readJson(file).Resources;
  return isObject(resources) && Object.keys(resources).some((k) => k !== 'EmptyResource');
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A project file that holds an object (anything else reads as an empty one); a file that does not parse is refused. */
function readJson(file: string): Record<string, unknown> {
  return jsonObject(readCliJson(file)) ?? {};
}

const isObject = (v: unknown): v is Record<string, unknown> => jsonObject(v) !== undefined;
