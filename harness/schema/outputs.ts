/**
 * Loads a deployed Gen 2 app's `amplify_outputs.json`: auth modes from the `data` section and types and
 * model rules from `data.model_introspection`, rendered back to model SDL and normalized like any schema.
 * The introspection carries no custom-operation rules; those gaps are listed in `AuthModel.caveats`.
 */
import { readFileSync } from 'node:fs';
import { amplifyAuthResources, type AuthResources } from './auth-resources.js';
import { InputError } from './errors.js';
import { GEN2_PARAMS } from './gen2.js';
import { AUTH_MODES, type AuthMode, type AuthModel, type AuthModes } from './model.js';
import { authModelFromSdl } from './sdl.js';
import { outputsStorage } from './storage/outputs.js';

const MODE_BY_OUTPUTS: Record<string, AuthMode> = {
  AMAZON_COGNITO_USER_POOLS: 'userPool',
  AWS_IAM: 'iam',
  API_KEY: 'apiKey',
  OPENID_CONNECT: 'oidc',
  AWS_LAMBDA: 'lambda',
};

type Json = Record<string, unknown>;

interface IntrospectionField {
  name: string;
  isArray: boolean;
  type: string | { model?: string; enum?: string; nonModel?: string };
  isRequired: boolean;
  isArrayNullable?: boolean;
  isReadOnly?: boolean;
  attributes?: { type: string; properties?: Json }[];
  association?: { connectionType: 'HAS_MANY' | 'HAS_ONE' | 'BELONGS_TO'; associatedWith?: string[]; targetNames?: string[] };
  arguments?: Record<string, IntrospectionField>;
}

interface IntrospectionModel {
  name: string;
  fields: Record<string, IntrospectionField>;
  pluralName?: string;
  attributes?: { type: string; properties?: Json }[];
  primaryKeyInfo?: { primaryKeyFieldName: string; sortKeyFieldNames: string[] };
}

export function loadOutputs(file: string): AuthModel {
  let outputs: Json;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, 'pass the amplify_outputs.json that `ampx` wrote');
  }
  const data = outputs.data as Json | undefined;
  if (!data || typeof data !== 'object') {
    throw new InputError('no "data" section: this app has no Data API', { file }, 'deploy the app with defineData, or pass its amplify/data/resource.ts');
  }
  const intro = data.model_introspection as Json | undefined;
  if (!intro || typeof intro !== 'object' || typeof intro.models !== 'object') {
    throw new InputError('"data.model_introspection" is missing', { file }, 'regenerate the outputs with a current @aws-amplify/backend (npx ampx generate outputs)');
  }
  const caveats: string[] = [];
  const authModes = outputsAuthModes(file, outputs, data);
  const sdl = introspectionToSdl(intro, caveats);
  const model = authModelFromSdl({ sdl, file, kind: 'outputs', authModes, params: GEN2_PARAMS });
  const storage = outputsStorage(file, outputs);
  if (storage) caveats.push(...storage.caveats);
  const authResources = outputsAuthResources(file, outputs);
  return { ...model, ...(storage ? { storage: storage.storage } : {}), ...(authResources ? { authResources } : {}), ...(caveats.length ? { caveats } : {}) };
}

/**
 * `auth.groups` (`[{ "<name>": { "precedence": n } }]`, written by amplify-backend's auth construct) and the
 * identity pool; every Gen 2 group has a role. Role policies are not in the outputs.
 */
function outputsAuthResources(file: string, outputs: Json): AuthResources | undefined {
  const auth = outputs.auth as Json | undefined;
  if (!auth || typeof auth !== 'object') return undefined;
  const raw = auth.groups ?? [];
  if (!Array.isArray(raw)) throw new InputError('"auth.groups" must be a list', { file }, 'regenerate the outputs (npx ampx generate outputs)');
  const groups = raw.flatMap((entry: unknown) =>
    Object.entries(entry && typeof entry === 'object' ? (entry as Record<string, { precedence?: unknown }>) : {}).map(([name, v]) => ({
      name,
      ...(typeof v?.precedence === 'number' ? { precedence: v.precedence } : {}),
      hasRole: true,
    })),
  );
  return amplifyAuthResources({
    groups,
    ...(auth.identity_pool_id ? { identityPool: { allowUnauthenticated: auth.unauthenticated_identities_enabled !== false } } : {}),
  });
}

function outputsAuthModes(file: string, outputs: Json, data: Json): AuthModes {
  const toMode = (v: unknown): AuthMode => {
    const m = typeof v === 'string' ? MODE_BY_OUTPUTS[v] : undefined;
    if (!m) throw new InputError(`unknown authorization type ${JSON.stringify(v)}`, { file }, `expected one of ${Object.keys(MODE_BY_OUTPUTS).join(', ')}`);
    return m;
  };
  const def = toMode(data.default_authorization_type);
  const extra = Array.isArray(data.authorization_types) ? data.authorization_types.map(toMode) : [];
  const enabled = new Set<AuthMode>([def, ...extra]);
  const modes: AuthModes = { default: def, enabled: AUTH_MODES.filter((m) => enabled.has(m)) };
  if (enabled.has('apiKey')) modes.apiKey = { expiresInDays: 7 };
  if (enabled.has('userPool')) modes.userPool = {};
  const auth = outputs.auth as Json | undefined;
  if (auth?.identity_pool_id) modes.identityPool = { allowUnauthenticated: auth.unauthenticated_identities_enabled !== false };
  if (enabled.has('oidc')) {
    throw new InputError('amplify_outputs.json does not say which OIDC issuer the API trusts', { file },
      'load the app from amplify/data/resource.ts instead, where oidcAuthorizationMode is declared');
  }
  if (enabled.has('lambda')) modes.lambda = { ttlSeconds: 0 };
  return modes;
}

function introspectionToSdl(intro: Json, caveats: string[]): string {
  const out: string[] = [];
  for (const [name, e] of Object.entries((intro.enums ?? {}) as Record<string, { values: string[] }>)) {
    out.push(`enum ${name} { ${e.values.join(' ')} }`);
  }
  for (const [name, t] of Object.entries((intro.nonModels ?? {}) as Record<string, IntrospectionModel>)) {
    out.push(`type ${name} {\n${Object.values(t.fields).map((f) => `  ${f.name}: ${typeRef(f)}`).join('\n')}\n}`);
  }
  for (const m of Object.values(intro.models as Record<string, IntrospectionModel>)) out.push(modelSdl(m));
  for (const [kind, type] of [['queries', 'Query'], ['mutations', 'Mutation'], ['subscriptions', 'Subscription']] as const) {
    const ops = Object.values((intro[kind] ?? {}) as Record<string, IntrospectionField>);
    if (!ops.length) continue;
    caveats.push(`custom ${kind} (${ops.map((o) => o.name).join(', ')}): amplify_outputs.json does not record their rules; assumed reachable with the default auth mode only`);
    out.push(`type ${type} {\n${ops.map((o) => `  ${o.name}${args(o)}: ${typeRef(o)}`).join('\n')}\n}`);
  }
  caveats.push('field-level rules are not recorded in amplify_outputs.json; only model rules were read');
  return out.join('\n\n');
}

function modelSdl(m: IntrospectionModel): string {
  const rules = (m.attributes ?? []).find((a) => a.type === 'auth')?.properties?.rules as Json[] | undefined;
  const keys = (m.attributes ?? []).filter((a) => a.type === 'key').map((a) => a.properties ?? {});
  const primary = keys.find((k) => !k.name);
  const pkFields = (primary?.fields as string[] | undefined) ?? [m.primaryKeyInfo?.primaryKeyFieldName ?? 'id'];
  const fieldLines = Object.values(m.fields).map((f) => {
    const directives: string[] = [];
    if (f.name === pkFields[0] && (pkFields.length > 1 || f.name !== 'id')) {
      directives.push(`@primaryKey${pkFields.length > 1 ? `(sortKeyFields: ${JSON.stringify(pkFields.slice(1))})` : ''}`);
    }
    for (const k of keys) {
      const fields = k.fields as string[] | undefined;
      if (k.name && fields?.[0] === f.name) {
        const parts = [`name: ${JSON.stringify(k.name)}`];
        if (fields.length > 1) parts.push(`sortKeyFields: ${JSON.stringify(fields.slice(1))}`);
        if (typeof k.queryField === 'string') parts.push(`queryField: ${JSON.stringify(k.queryField)}`);
        directives.push(`@index(${parts.join(', ')})`);
      }
    }
    if (f.association) {
      const kind = { HAS_MANY: 'hasMany', HAS_ONE: 'hasOne', BELONGS_TO: 'belongsTo' }[f.association.connectionType];
      // A hasOne with targetNames holds the related key in its own fields (Gen 1's `fields`).
      const own = f.association.connectionType === 'HAS_ONE' && f.association.targetNames?.length;
      const refs = f.association.connectionType === 'BELONGS_TO' || own ? f.association.targetNames : f.association.associatedWith;
      directives.push(`@${kind}(${own ? 'fields' : 'references'}: ${JSON.stringify(refs ?? [])})`);
    }
    return `  ${f.name}: ${typeRef(f)}${directives.length ? ' ' + directives.join(' ') : ''}`;
  });
  const auth = rules?.length ? ` @auth(rules: [${rules.map(ruleSdl).join(', ')}])` : '';
  return `type ${m.name} @model${auth} {\n${fieldLines.join('\n')}\n}`;
}

/** Introspection rules are @auth rules as JSON; the owner identityClaim it records is not trusted (Gen 2 uses sub::username). */
function ruleSdl(r: Json): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (k === 'identityClaim' && v === 'cognito:username') continue;
    if (k === 'groupClaim' && v === 'cognito:groups') continue;
    if (k === 'allow' || k === 'provider') parts.push(`${k}: ${String(v)}`);
    else if (k === 'operations') parts.push(`operations: [${(v as string[]).join(', ')}]`);
    else parts.push(`${k}: ${JSON.stringify(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

function typeRef(f: IntrospectionField): string {
  const base = typeof f.type === 'string' ? f.type : (f.type.model ?? f.type.enum ?? f.type.nonModel ?? 'String');
  if (f.isArray) return `[${base}${f.isArrayNullable === false ? '!' : ''}]${f.isRequired ? '!' : ''}`;
  return `${base}${f.isRequired ? '!' : ''}`;
}

function args(f: IntrospectionField): string {
  const list = Object.values(f.arguments ?? {});
  return list.length ? `(${list.map((a) => `${a.name}: ${typeRef(a)}`).join(', ')})` : '';
}
