/**
 * The normalized AuthModel: one plain, JSON-serializable description of an Amplify Data API's
 * types and auth rules, whatever the source (Gen 2 resource.ts, Gen 1 schema.graphql, amplify_outputs.json).
 * Everything downstream (oracle, emulator, matrix) reads only this.
 */

import type { RestSection } from './rest/model.js';
import type { AuthResources } from './auth-resources.js';
import type { StorageSection } from './storage/model.js';

export const AUTH_MODEL_VERSION = 1 as const;

/** The operations a model rule can grant; `read` is expanded by the loaders. */
export const MODEL_OPERATIONS = ['create', 'update', 'delete', 'get', 'list', 'listen', 'sync', 'search'] as const;
export type ModelOperation = (typeof MODEL_OPERATIONS)[number];
export const READ_OPERATIONS: readonly ModelOperation[] = ['get', 'list', 'listen', 'sync', 'search'];

/** AppSync authorization modes. `iam` covers both Cognito identity-pool roles and plain IAM principals. */
export const AUTH_MODES = ['apiKey', 'userPool', 'oidc', 'iam', 'lambda'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Rule providers after normalization (`identityPool` is folded into `iam`). */
export type Provider = 'apiKey' | 'userPools' | 'oidc' | 'iam' | 'function';

export const PROVIDER_MODE: Record<Provider, AuthMode> = {
  apiKey: 'apiKey',
  userPools: 'userPool',
  oidc: 'oidc',
  iam: 'iam',
  function: 'lambda',
};

interface RuleBase {
  /** Stable id used in reasons and reports, e.g. `Post#2` or `Post.ssn#1` (1-based position). */
  id: string;
  operations: ModelOperation[];
}

/** `allow.publicApiKey()` (apiKey) or `allow.guest()` (iam: the identity pool's unauthenticated role). */
export interface PublicRule extends RuleBase {
  kind: 'public';
  provider: 'apiKey' | 'iam';
}

/** `allow.authenticated()` (userPools), `('oidc')`, `('identityPool')` (iam: the authenticated role). */
export interface PrivateRule extends RuleBase {
  kind: 'private';
  provider: 'userPools' | 'oidc' | 'iam';
}

/** `allow.owner()`, `ownerDefinedIn(f)`, `ownersDefinedIn(fs)`. */
export interface OwnerRule extends RuleBase {
  kind: 'owner';
  provider: 'userPools' | 'oidc';
  ownerField: string;
  /** The owner field is a `[String]` list (multi-owner). */
  multiOwner: boolean;
  /** Claim compared with the owner field; `sub::username` is the composite Gen 2 default. */
  identityClaim: string;
}

/** `allow.groups([...])`: the caller's group claim must contain one of the groups exactly. */
export interface StaticGroupRule extends RuleBase {
  kind: 'staticGroup';
  provider: 'userPools' | 'oidc';
  groups: string[];
  groupClaim: string;
}

/** `allow.groupDefinedIn(f)` / `groupsDefinedIn(fs)`: the record names the groups. */
export interface DynamicGroupRule extends RuleBase {
  kind: 'dynamicGroup';
  provider: 'userPools' | 'oidc';
  groupsField: string;
  /** The groups field is a `[String]` list. */
  multiGroup: boolean;
  groupClaim: string;
}

/** `allow.custom()`: any caller the Lambda authorizer authorized. */
export interface CustomRule extends RuleBase {
  kind: 'custom';
  provider: 'function';
}

export type Rule = PublicRule | PrivateRule | OwnerRule | StaticGroupRule | DynamicGroupRule | CustomRule;
export type StaticRule = PublicRule | PrivateRule | StaticGroupRule | CustomRule;

export type ScalarType =
  | 'ID' | 'String' | 'Int' | 'Float' | 'Boolean'
  | 'AWSDate' | 'AWSTime' | 'AWSDateTime' | 'AWSTimestamp' | 'AWSEmail' | 'AWSJSON'
  | 'AWSURL' | 'AWSPhone' | 'AWSIPAddress';

export const SCALAR_TYPES: readonly ScalarType[] = [
  'ID', 'String', 'Int', 'Float', 'Boolean', 'AWSDate', 'AWSTime', 'AWSDateTime', 'AWSTimestamp',
  'AWSEmail', 'AWSJSON', 'AWSURL', 'AWSPhone', 'AWSIPAddress',
];

export type RelationKind = 'hasMany' | 'hasOne' | 'belongsTo' | 'manyToMany';

export interface Relation {
  kind: RelationKind;
  /** The related model (for manyToMany: the other side, reached through `joinModel`). */
  model: string;
  /**
   * How a record finds its related records: those whose `remote` fields (on the related model; for manyToMany, on
   * `joinModel`) equal this record's `local` fields, element by element. belongsTo, and Gen 1 `fields` on
   * hasOne/hasMany, name local fields matched against the related model's primary key (or hasMany's `indexName`);
   * `references` name the related model's fields holding this model's primary key.
   */
  local: string[];
  remote: string[];
  joinModel?: string;
}

export type FieldTypeKind = 'scalar' | 'enum' | 'customType' | 'model';

export interface Field {
  name: string;
  type: string;
  typeKind: FieldTypeKind;
  list: boolean;
  required: boolean;
  /** Added by the transformer rather than declared (id, timestamps, undeclared owner/group fields). */
  implicit: boolean;
  relation?: Relation;
  /** Field-level rules. Absent: the model's rules apply. Present: they replace them for this field. */
  rules?: Rule[];
}

/**
 * A field records hold and writes set: not a relation, and not typed with another model without one (the
 * model transformer leaves such fields out of the create and update inputs, and nothing resolves them).
 */
export const isStoredField = (f: Field): boolean => !f.relation && f.typeKind !== 'model';

export interface Index {
  name: string;
  partitionKey: string;
  sortKeys: string[];
  queryField?: string;
}

/** Subscription level of `@model(subscriptions: ...)`: `off` removes them, `public` drops their auth. */
export type SubscriptionLevel = 'on' | 'public' | 'off';

export const API_OPERATIONS = ['get', 'list', 'create', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'] as const;
export type ApiOperation = (typeof API_OPERATIONS)[number];

/** The GraphQL field name of each generated operation, or null when `@model` disabled it. */
export type ModelOperationNames = Record<ApiOperation, string | null>;

export interface Model {
  name: string;
  fields: Field[];
  primaryKey: { partitionKey: string; sortKeys: string[] };
  indexes: Index[];
  rules: Rule[];
  operationNames: ModelOperationNames;
  subscriptionLevel: SubscriptionLevel;
  timestamps: { createdAt: string | null; updatedAt: string | null };
  /** The model has no `@auth` of its own: its rules are the Gen 1 global auth rule's (`input AMPLIFY { globalAuthRule }`). */
  rulesFromGlobal?: true;
}

/** A custom type (non-model object type); field rules on it only redact reads. */
export interface CustomType {
  name: string;
  fields: Field[];
  /**
   * Native `@aws_*` directives on the type, as static rules (Gen 2 copies a custom operation's rules onto
   * the type it returns). Absent: the type takes the modes of the models that embed it.
   */
  rules?: StaticRule[];
}

/** One function of a JS resolver's pipeline: its module and the data source it runs on. */
export interface JsEntry {
  file: string;
  dataSource?: string;
}

/** An input object type used by custom-operation arguments. */
export interface InputType {
  name: string;
  fields: Argument[];
}

export interface Enum {
  name: string;
  values: string[];
}

export interface Argument {
  name: string;
  type: string;
  list: boolean;
  required: boolean;
}

export type CustomHandler =
  /** Lambda functions run in order (a pipeline when several); `entry` is the handler module when known. */
  | { kind: 'function'; functions: { name: string; entry?: string; notRun?: string }[] }
  /** APPSYNC_JS functions run in order, each on its own data source (NONE when none is named). */
  | { kind: 'js'; entries: JsEntry[] }
  | { kind: 'none' };

export interface CustomOperation {
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  arguments: Argument[];
  returns: { type: string; typeKind: FieldTypeKind; list: boolean; required: boolean };
  /** Static rules only; dynamic rules are rejected by the loaders. */
  rules: StaticRule[];
  /**
   * `resolver`: `@auth` rules checked by a generated auth resolver (Gen 1, Gen 2 `a.handler.function`).
   * `directive`: native `@aws_*` directives only (Gen 2 `a.handler.custom`).
   */
  enforcement: 'resolver' | 'directive';
  handler: CustomHandler;
  /** For subscriptions: the mutations whose results they publish. */
  subscribesTo: string[];
}

export interface AuthModes {
  default: AuthMode;
  /** Every enabled mode, the default included, in a stable order. */
  enabled: AuthMode[];
  apiKey?: { expiresInDays: number; description?: string };
  userPool?: { appClientIdRegex?: string };
  identityPool?: { allowUnauthenticated: boolean };
  oidc?: {
    providerName: string;
    issuer: string;
    clientId?: string;
    /** Milliseconds a token stays valid after `iat` / after `auth_time` (0 or absent: unchecked). */
    iatTTL?: number;
    authTTL?: number;
  };
  lambda?: {
    /** Absolute path of the authorizer module, when known. */
    handler?: string;
    /** Where the module's imports resolve besides its own folder (a Gen 1 function's project layers: harness/schema/gen1-project.ts). */
    moduleAliases?: Record<string, string>;
    functionName?: string;
    ttlSeconds: number;
    identityValidationExpression?: string;
  };
}

export interface TransformParams {
  /** Default owner identityClaim is `sub::username` (true: Gen 2 and new Gen 1 projects) or `username`. */
  useSubUsernameForDefaultIdentityClaim: boolean;
  populateOwnerFieldForStaticGroupAuth: boolean;
  subscriptionsInheritPrimaryAuth: boolean;
  /** IAM principals that are not Cognito identities skip every `@auth` rule (always on in Gen 2). */
  genericIamAccess: boolean;
  /** IAM role names that bypass rules (Gen 1 `adminRoles`). */
  adminRoles: string[];
  /** Sandbox mode (Gen 2 without auth and without authorizationModes): API-key callers pass field rules. */
  sandboxMode: boolean;
}

export interface AuthModel {
  version: typeof AUTH_MODEL_VERSION;
  source: { kind: 'gen2' | 'gen1' | 'outputs'; path: string };
  authModes: AuthModes;
  params: TransformParams;
  models: Model[];
  customTypes: CustomType[];
  inputTypes: InputType[];
  enums: Enum[];
  customOperations: CustomOperation[];
  /** Storage buckets and their access rules (S3), when the app defines storage. */
  storage?: StorageSection;
  /** REST APIs behind API Gateway, when the app defines them. */
  rest?: RestSection;
  /** The user pool's groups, the identity pool and its IAM roles, when the source says (auth-resources.ts). */
  authResources?: AuthResources;
  /** What the source could not tell (e.g. rules that amplify_outputs.json does not record). */
  caveats?: string[];
}

/**
 * Does the app have a data API (AppSync)? Amplify builds one from a schema with a model or a custom operation;
 * an app with only storage or REST APIs has neither, and its `authModes` say only which identities its auth gives.
 */
export function hasDataApi(model: AuthModel): boolean {
  return model.models.length > 0 || model.customOperations.length > 0;
}

/** Every rule of the API: models', fields', custom types' fields' and custom operations'. */
export function allRules(model: AuthModel): Rule[] {
  return [
    ...model.models.flatMap((m) => [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]),
    ...model.customTypes.flatMap((t) => t.fields.flatMap((f) => f.rules ?? [])),
    ...model.customOperations.flatMap((o) => o.rules),
  ];
}

const modelIndex = new WeakMap<AuthModel, Map<string, Model>>();

export function findModel(model: AuthModel, name: string): Model | undefined {
  let index = modelIndex.get(model);
  if (!index) modelIndex.set(model, (index = new Map(model.models.map((m) => [m.name, m]))));
  return index.get(name);
}

