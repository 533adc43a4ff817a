/**
 * The `amplify_outputs.json` an emulator writes so that a real app (and the `aws-amplify` v6 client)
 * can point at it: the `data` section with `model_introspection` (when the app has a data API), and an `auth` section.
 */
import type { AuthMode, AuthModel, Field, Model, Rule } from '../schema/model.js';
import pluralize from 'pluralize';

const OUTPUTS_MODE: Record<AuthMode, string> = {
  apiKey: 'API_KEY',
  userPool: 'AMAZON_COGNITO_USER_POOLS',
  oidc: 'OPENID_CONNECT',
  iam: 'AWS_IAM',
  lambda: 'AWS_LAMBDA',
};

export interface OutputsInput {
  /** The GraphQL endpoint, when the app has a data API. */
  url?: string;
  region: string;
  apiKey?: string;
  userPool?: { poolId: string; clientId: string };
  identityPoolId?: string;
  groups: string[];
  /** The `storage` section (harness/emulator/s3/outputs.ts), when the app has storage. */
  storage?: Record<string, unknown>;
}

export function amplifyOutputs(model: AuthModel, o: OutputsInput): Record<string, unknown> {
  const outputs: Record<string, unknown> = { version: '1.4' };
  if (o.userPool) {
    outputs.auth = {
      aws_region: o.region,
      user_pool_id: o.userPool.poolId,
      user_pool_client_id: o.userPool.clientId,
      ...(o.identityPoolId ? { identity_pool_id: o.identityPoolId, unauthenticated_identities_enabled: model.authModes.identityPool?.allowUnauthenticated ?? false } : {}),
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      mfa_configuration: 'NONE',
      groups: o.groups.map((g, i) => ({ [g]: { precedence: i } })),
    };
  }
  if (o.url) outputs.data = {
    url: o.url,
    aws_region: o.region,
    ...(o.apiKey ? { api_key: o.apiKey } : {}),
    default_authorization_type: OUTPUTS_MODE[model.authModes.default],
    authorization_types: model.authModes.enabled.filter((m) => m !== model.authModes.default).map((m) => OUTPUTS_MODE[m]),
    model_introspection: modelIntrospection(model),
  };
  if (o.storage) outputs.storage = o.storage;
  return outputs;
}

/** `model_introspection` version 1, as Amplify's model generator writes it. */
export function modelIntrospection(model: AuthModel): Record<string, unknown> {
  const models: Record<string, unknown> = {};
  for (const m of model.models) models[m.name] = introspectModel(m);
  const nonModels: Record<string, unknown> = {};
  for (const t of model.customTypes) nonModels[t.name] = { name: t.name, fields: Object.fromEntries(t.fields.map((f) => [f.name, fieldJson(f)])) };
  const enums = Object.fromEntries(model.enums.map((e) => [e.name, { name: e.name, values: e.values }]));
  const ops = (type: 'query' | 'mutation' | 'subscription') =>
    Object.fromEntries(model.customOperations.filter((o) => o.type === type).map((o) => [o.name, {
      name: o.name,
      isArray: o.returns.list,
      type: typeJson(o.returns.type, o.returns.typeKind),
      isRequired: o.returns.required,
      ...(o.returns.list ? { isArrayNullable: true } : {}),
      ...(o.arguments.length ? {
        arguments: Object.fromEntries(o.arguments.map((a) => [a.name, {
          name: a.name,
          isArray: a.list,
          type: model.enums.some((e) => e.name === a.type) ? { enum: a.type } : model.inputTypes.some((i) => i.name === a.type) ? { input: a.type } : a.type,
          isRequired: a.required,
          ...(a.list ? { isArrayNullable: !a.required } : {}),
        }])),
      } : {}),
    }]));
  const out: Record<string, unknown> = { version: 1, models, enums, nonModels };
  for (const [key, type] of [['queries', 'query'], ['mutations', 'mutation'], ['subscriptions', 'subscription']] as const) {
    const o = ops(type);
    if (Object.keys(o).length) out[key] = o;
  }
  return out;
}

function typeJson(type: string, kind: Field['typeKind']): unknown {
  if (kind === 'model') return { model: type };
  if (kind === 'enum') return { enum: type };
  if (kind === 'customType') return { nonModel: type };
  return type;
}

function fieldJson(f: Field): Record<string, unknown> {
  return {
    name: f.name,
    isArray: f.list || f.relation?.kind === 'hasMany',
    type: typeJson(f.type, f.typeKind),
    isRequired: f.required,
    attributes: [],
    ...(f.list ? { isArrayNullable: true } : {}),
  };
}

function introspectModel(m: Model): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const ownerImplicit = new Set(m.fields.filter((f) => f.implicit && isAuthField(m, f.name)).map((f) => f.name));
  for (const f of m.fields) {
    if (ownerImplicit.has(f.name)) continue; // the generator leaves implicit owner fields to the auth rule
    const json = fieldJson(f);
    if (m.timestamps.createdAt === f.name || m.timestamps.updatedAt === f.name) Object.assign(json, { isRequired: false, isReadOnly: true });
    const rel = f.relation;
    if (rel) {
      json.isArray = rel.kind === 'hasMany' || rel.kind === 'manyToMany';
      if (rel.kind === 'hasMany' || rel.kind === 'manyToMany') {
        json.type = { model: rel.kind === 'manyToMany' ? rel.joinModel! : rel.model };
        json.isArrayNullable = true;
        json.association = { connectionType: 'HAS_MANY', associatedWith: rel.remote };
      } else if (rel.kind === 'hasOne') {
        // targetNames: this model's fields holding the related key (Gen 1's `fields` and implicit key); none with `references`.
        const holdsKey = !rel.local.every((k, i) => k === [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys][i]);
        json.association = { connectionType: 'HAS_ONE', associatedWith: rel.remote, targetNames: holdsKey ? rel.local : [] };
      } else json.association = { connectionType: 'BELONGS_TO', targetNames: rel.local };
    }
    fields[f.name] = json;
  }
  const attributes: Record<string, unknown>[] = [{ type: 'model', properties: modelProperties(m) }];
  const customKey = m.primaryKey.partitionKey !== 'id' || m.primaryKey.sortKeys.length > 0;
  if (customKey) attributes.push({ type: 'key', properties: { fields: [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys] } });
  for (const ix of m.indexes) {
    const queryField = ix.queryField ?? `${pluralize(m.name).charAt(0).toLowerCase()}${pluralize(m.name).slice(1)}By${[ix.partitionKey, ...ix.sortKeys].map((k) => k.charAt(0).toUpperCase() + k.slice(1)).join('And')}`;
    attributes.push({ type: 'key', properties: { name: ix.name, queryField, fields: [ix.partitionKey, ...ix.sortKeys] } });
  }
  if (m.rules.length) attributes.push({ type: 'auth', properties: { rules: m.rules.map(ruleJson) } });
  return {
    name: m.name,
    fields,
    syncable: true,
    pluralName: pluralize(m.name),
    attributes,
    primaryKeyInfo: { isCustomPrimaryKey: customKey, primaryKeyFieldName: m.primaryKey.partitionKey, sortKeyFieldNames: m.primaryKey.sortKeys },
  };
}

function modelProperties(m: Model): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const n = m.operationNames;
  if (!n.get && !n.list) props.queries = null;
  else if (!n.get || !n.list) props.queries = { ...(n.get ? {} : { get: null }), ...(n.list ? {} : { list: null }) };
  if (!n.create && !n.update && !n.delete) props.mutations = null;
  else if (!n.create || !n.update || !n.delete) props.mutations = Object.fromEntries((['create', 'update', 'delete'] as const).filter((k) => !n[k]).map((k) => [k, null]));
  if (m.subscriptionLevel === 'off') props.subscriptions = null;
  return props;
}

function isAuthField(m: Model, name: string): boolean {
  return [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])].some((r) => (r.kind === 'owner' && r.ownerField === name) || (r.kind === 'dynamicGroup' && r.groupsField === name));
}

function ruleJson(r: Rule): Record<string, unknown> {
  const ops = compactOps(r.operations);
  const provider = r.provider === 'iam' ? 'identityPool' : r.provider;
  switch (r.kind) {
    case 'owner':
      return { provider, ownerField: r.ownerField, allow: 'owner', identityClaim: 'cognito:username', operations: ops };
    case 'staticGroup':
      return { groupClaim: r.groupClaim, provider, allow: 'groups', groups: r.groups, operations: ops };
    case 'dynamicGroup':
      return { groupClaim: r.groupClaim, provider, allow: 'groups', groupsField: r.groupsField, groupField: 'groups', operations: ops };
    case 'public':
      return { allow: 'public', provider, operations: ops };
    case 'private':
      return { allow: 'private', provider, operations: ops };
    case 'custom':
      return { allow: 'custom', operations: ops };
  }
}

function compactOps(ops: string[]): string[] {
  const read = ['get', 'list', 'listen', 'sync', 'search'];
  const out = ops.filter((o) => !read.includes(o));
  if (read.every((o) => ops.includes(o))) out.push('read');
  else out.push(...ops.filter((o) => read.includes(o)));
  return out;
}
