/**
 * `authmatrix.config.ts` (or .mjs/.js/.json): persona overrides and additions, token sources for OIDC
 * and Lambda personas, and deployed-target settings. Loaded with jiti; validated key by key.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HandlerMode } from './emulator/emulator.js';
import path from 'node:path';
import { importAppModule } from './schema/user-module.js';
import { InputError } from './schema/errors.js';
import { PERSONA_KINDS, type PersonaOverride } from './matrix/cast.js';

export interface AuthmatrixConfig {
  /**
   * Function and resolver handlers by function name (Gen 2 `defineFunction` name, Gen 1 `@function`
   * name) or custom operation name: `run` (default where it loads offline), `stub` (a typed placeholder
   * answers; the auth step is still tested) or `skip` (its cells cannot run, with the reason).
   */
  handlers?: Record<string, HandlerMode>;
  /** By persona name (`owner`, `groupMember:Admin`, a new name); `false` drops a persona. */
  personas?: Record<string, PersonaOverride | false>;
  oidc?: {
    /** A shell command that prints an OIDC token; run with AUTHMATRIX_PERSONA set to the persona name. */
    tokenCommand?: string;
    /** A client-credentials grant (one machine identity: used for oidcUser). */
    clientCredentials?: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string };
    /** Where the IdP publishes its keys, when not at `<issuer>/.well-known/openid-configuration` (the probes forge with them). */
    jwksUrl?: string;
  };
  deployed?: {
    /** How user-pool personas sign in; default: the first flow the app client allows. */
    authFlow?: 'ADMIN_USER_PASSWORD_AUTH' | 'USER_PASSWORD_AUTH' | 'USER_SRP_AUTH';
    /** Service endpoints for local protocol peers (e.g. cognito-local; the emulator's S3, `https://s3.localhost:<port>`). */
    endpoints?: { cognitoIdentityProvider?: string; cognitoIdentity?: string; apiGateway?: string; iam?: string; s3?: string };
    /** PEM file of the CA that signed `endpoints.s3`'s certificate (a local endpoint's test CA). */
    s3CaFile?: string;
  };
}

export const CONFIG_FILES = ['authmatrix.config.ts', 'authmatrix.config.mts', 'authmatrix.config.mjs', 'authmatrix.config.js', 'authmatrix.config.json'];

/** The config given, or the first one found in `dirs`; none is fine (defaults apply). */
export async function loadConfig(explicit: string | undefined, dirs: string[]): Promise<{ config: AuthmatrixConfig; file?: string }> {
  let file = explicit ? path.resolve(explicit) : undefined;
  if (file && !existsSync(file)) throw new InputError('config file not found', { file }, 'pass the path to authmatrix.config.ts, or drop --config');
  if (!file) {
    for (const dir of dirs) {
      file = CONFIG_FILES.map((f) => path.join(dir, f)).find((f) => existsSync(f));
      if (file) break;
    }
  }
  if (!file) return { config: {} };
  let raw: unknown;
  try {
    if (file.endsWith('.json')) raw = JSON.parse(readFileSync(file, 'utf8'));
    else {
      // Sealed: a plain cache entry would keep a copy of the tokens a config may hold.
      const mod = await importAppModule(file, { cache: 'sealed' });
      raw = mod.default ?? mod;
    }
  } catch (e) {
    throw new InputError(`the config does not load: ${String((e as Error)?.message ?? e).split('\n')[0]}`, { file }, 'export default { personas: { ... } }');
  }
  return { config: validate(raw, file), file };
}

function validate(raw: unknown, file: string): AuthmatrixConfig {
  const fail = (msg: string, fix: string): never => {
    throw new InputError(msg, { file }, fix);
  };
  if (!isObject(raw)) fail('the config must export an object', 'export default { personas: { owner: { username: "alice" } } }');
  const cfg = raw as Record<string, unknown>;
  for (const k of Object.keys(cfg)) if (!['personas', 'oidc', 'deployed', 'handlers'].includes(k)) fail(`unknown setting "${k}"`, 'use personas, oidc, deployed, handlers');
  if (cfg.handlers !== undefined) {
    if (!isObject(cfg.handlers)) fail('"handlers" must map function or operation names to run, stub or skip', 'handlers: { sendEmail: "stub" }');
    for (const [name, mode] of Object.entries(cfg.handlers as Record<string, unknown>)) {
      if (!['run', 'stub', 'skip'].includes(mode as string)) fail(`handler "${name}" must be "run", "stub" or "skip", not ${JSON.stringify(mode)}`, `handlers: { "${name}": "stub" }`);
    }
  }
  if (cfg.personas !== undefined) {
    if (!isObject(cfg.personas)) fail('"personas" must map persona names to settings', 'personas: { owner: { username: "alice" } }');
    for (const [name, p] of Object.entries(cfg.personas as Record<string, unknown>)) {
      if (p === false) continue;
      if (!isObject(p)) fail(`persona "${name}" must be an object or false`, `personas: { "${name}": { ... } }`);
      const o = p as Record<string, unknown>;
      const keys = ['kind', 'username', 'groups', 'claims', 'tokenUse', 'token', 'deniedFields', 'headers', 'profile', 'roleName', 'roleArn', 'policies', 'clientCredentials'];
      for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`unknown persona setting "${name}.${k}"`, `use ${keys.join(', ')}`);
      if (o.kind !== undefined && !(PERSONA_KINDS as readonly string[]).includes(o.kind as string)) fail(`persona "${name}" has unknown kind "${String(o.kind)}"`, `use ${PERSONA_KINDS.join(', ')}`);
      if (o.groups !== undefined && !(Array.isArray(o.groups) && o.groups.every((g) => typeof g === 'string'))) fail(`"${name}.groups" must be a list of group names`, 'groups: ["Admin"]');
      if (o.tokenUse !== undefined && o.tokenUse !== 'id' && o.tokenUse !== 'access') fail(`"${name}.tokenUse" must be "id" or "access"`, 'tokenUse: "id"');
      for (const k of ['username', 'token', 'profile', 'roleName', 'roleArn']) if (o[k] !== undefined && (typeof o[k] !== 'string' || !o[k])) fail(`"${name}.${k}" must be a non-empty string`, `${k}: "..."`);
      if (o.claims !== undefined && !isObject(o.claims)) fail(`"${name}.claims" must be an object`, 'claims: { tenant: "t1" }');
      if (o.headers !== undefined && !(isObject(o.headers) && Object.values(o.headers).every((v) => typeof v === 'string'))) fail(`"${name}.headers" must map header names to strings`, 'headers: { "x-tenant": "t1" }');
      if (o.policies !== undefined) checkPolicies(o.policies, name, fail);
      if (o.clientCredentials !== undefined) {
        const c = o.clientCredentials;
        const example = 'clientCredentials: { tokenUrl: "https://<domain>.auth.<region>.amazoncognito.com/oauth2/token", clientId: "…", clientSecret: "…" }';
        if (!isObject(c) || !['tokenUrl', 'clientId', 'clientSecret'].every((k) => typeof c[k] === 'string' && c[k])) fail(`"${name}.clientCredentials" needs tokenUrl, clientId and clientSecret`, example);
        if (!/^https?:\/\//.test(String((c as Record<string, unknown>).tokenUrl))) fail(`"${name}.clientCredentials.tokenUrl" must be a URL`, example);
      }
      if (o.kind === 'iamRole' && (o.roleName === undefined || o.policies === undefined)) fail(`persona "${name}" of kind iamRole needs a roleName and its policies`, `personas: { "${name}": { kind: "iamRole", roleName: "Reporting", policies: [{ Version: "2012-10-17", Statement: [...] }] } }`);
      if (o.deniedFields !== undefined && !(Array.isArray(o.deniedFields) && o.deniedFields.every((f) => typeof f === 'string' && /^\w+\.\w+$/.test(f)))) fail(`"${name}.deniedFields" must list Type.field names`, 'deniedFields: ["Ticket.owner"]');
    }
  }
  if (cfg.oidc !== undefined && !isObject(cfg.oidc)) fail('"oidc" must be an object', 'oidc: { tokenCommand: "./get-token.sh" }');
  if (cfg.deployed !== undefined && !isObject(cfg.deployed)) fail('"deployed" must be an object', 'deployed: { authFlow: "USER_PASSWORD_AUTH" }');
  return cfg as AuthmatrixConfig;
}

/**
 * A persona's policies: IAM policy documents. Their `appsync:GraphQL` resources must name the API with
 * wildcards (`arn:aws:appsync:*:*:apis/*` and what follows): the emulated API's id is not the deployed one,
 * and the oracle judges the part after the API (rules/iam.ts).
 */
function checkPolicies(raw: unknown, name: string, fail: (msg: string, fix: string) => never): void {
  const example = 'policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "appsync:GraphQL", Resource: "arn:aws:appsync:*:*:apis/*/types/Query/*" }] }]';
  if (!Array.isArray(raw) || !raw.every(isObject)) fail(`"${name}.policies" must be a list of IAM policy documents`, example);
  for (const doc of raw as Record<string, unknown>[]) {
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    for (const st of statements) {
      if (!isObject(st) || (st.Effect !== 'Allow' && st.Effect !== 'Deny')) fail(`"${name}.policies" has a statement without Effect "Allow" or "Deny"`, example);
      for (const r of [st.Resource, st.NotResource].flat()) {
        if (typeof r === 'string' && r.startsWith('arn:aws:appsync:') && !/^arn:aws:appsync:\*:\*:apis\/\*(\/|$)/.test(r)) {
          fail(`"${name}.policies" names the API in ${r}; write it with wildcards`, 'Resource: "arn:aws:appsync:*:*:apis/*/types/Query/fields/listTodos"');
        }
      }
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
