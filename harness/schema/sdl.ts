/**
 * Normalizes Amplify model SDL (`@model`, `@auth`, relations, keys, custom operations) into an AuthModel.
 * Gen 1 `schema.graphql` is read directly; Gen 2 schemas go through `schema.transform()` first, which
 * yields the same SDL.
 */
import {
  Kind,
  parse,
  valueFromASTUntyped,
  GraphQLError,
  type ConstDirectiveNode,
  type DocumentNode,
  type EnumTypeDefinitionNode,
  type FieldDefinitionNode,
  type InputObjectTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
  type TypeNode,
  type ASTNode,
} from 'graphql';
import pluralize from 'pluralize';
import { InputError, type SourceLocation } from './errors.js';
import {
  AUTH_MODEL_VERSION,
  MODEL_OPERATIONS,
  PROVIDER_MODE,
  READ_OPERATIONS,
  SCALAR_TYPES,
  type Argument,
  type AuthModel,
  type AuthModes,
  type CustomHandler,
  type CustomOperation,
  type CustomType,
  type Enum,
  type Field,
  type FieldTypeKind,
  type Index,
  type InputType,
  type Model,
  type ModelOperation,
  type ModelOperationNames,
  type Provider,
  type Relation,
  type Rule,
  type StaticRule,
  type SubscriptionLevel,
  type TransformParams,
} from './model.js';

export interface SdlInput {
  sdl: string;
  /** The file the user wrote: reported in errors. */
  file: string;
  kind: AuthModel['source']['kind'];
  authModes: AuthModes;
  params: TransformParams;
  /** Handlers known outside the SDL (Gen 2 JS resolvers and function entries), keyed `Query.name`. */
  handlers?: Map<string, CustomHandler>;
  /** Handler modules of `@function(name:)` functions, keyed by function name. */
  functionEntries?: Map<string, string>;
  /**
   * Maps an SDL position to the user's file. Gen 1: identity. Gen 2: the SDL is generated, so errors
   * point at the resource file, at the line naming the type or field when it can be found.
   */
  locate?: (typeName: string, fieldName?: string) => SourceLocation;
}

const KNOWN_DIRECTIVES: Record<string, readonly string[] | 'any'> = {
  model: ['queries', 'mutations', 'subscriptions', 'timestamps'],
  auth: ['rules'],
  primaryKey: ['sortKeyFields'],
  index: ['name', 'sortKeyFields', 'queryField'],
  hasMany: ['indexName', 'fields', 'limit', 'references'],
  hasOne: ['fields', 'references'],
  belongsTo: ['fields', 'references'],
  manyToMany: ['relationName', 'limit'],
  default: ['value'],
  function: ['name', 'invocationType'],
  aws_subscribe: ['mutations'],
  aws_api_key: [],
  aws_iam: [],
  aws_oidc: [],
  aws_lambda: [],
  aws_cognito_user_pools: ['cognito_groups'],
  aws_auth: ['cognito_groups'],
  // Directives with no bearing on auth: accepted and ignored.
  http: 'any',
  searchable: 'any',
  predictions: 'any',
  mapsTo: 'any',
  refersTo: 'any',
  sql: 'any',
  deprecated: 'any',
};

const RULE_KEYS = ['allow', 'provider', 'ownerField', 'identityClaim', 'groupClaim', 'groups', 'groupsField', 'operations'];
const ALLOW_VALUES = ['public', 'private', 'owner', 'groups', 'custom'] as const;
type Allow = (typeof ALLOW_VALUES)[number];

const PROVIDERS_BY_ALLOW: Record<Allow, readonly string[]> = {
  public: ['apiKey', 'iam', 'identityPool'],
  private: ['userPools', 'oidc', 'iam', 'identityPool'],
  owner: ['userPools', 'oidc'],
  groups: ['userPools', 'oidc'],
  custom: ['function'],
};
const DEFAULT_PROVIDER: Record<Allow, Provider> = {
  public: 'apiKey',
  private: 'userPools',
  owner: 'userPools',
  groups: 'userPools',
  custom: 'function',
};
const OPERATION_WORDS = ['create', 'update', 'delete', 'read', ...READ_OPERATIONS] as const;
const TYPE_LEVEL = ['Query', 'Mutation', 'Subscription'] as const;

/** Parses SDL and normalizes it. Throws InputError for anything the transformer would reject. */
export function authModelFromSdl(input: SdlInput): AuthModel {
  const ctx = new Context(input);
  let doc: DocumentNode;
  try {
    doc = parse(input.sdl);
  } catch (e) {
    if (e instanceof GraphQLError) {
      const loc = e.locations?.[0];
      throw new InputError(`GraphQL syntax error: ${e.message.replace(/^Syntax Error: /, '')}`, {
        file: input.file,
        ...(input.kind === 'gen1' && loc ? { line: loc.line, column: loc.column } : {}),
      }, 'correct the schema syntax');
    }
    throw e;
  }
  return ctx.build(doc);
}

class Context {
  private enums = new Map<string, EnumTypeDefinitionNode>();
  private objects = new Map<string, ObjectTypeDefinitionNode>();
  private modelNames = new Set<string>();

  constructor(private readonly input: SdlInput) {}

  build(doc: DocumentNode): AuthModel {
    let globalRule: Record<string, unknown> | undefined;
    const inputs: InputObjectTypeDefinitionNode[] = [];
    const operationFields: { type: (typeof TYPE_LEVEL)[number]; node: FieldDefinitionNode }[] = [];
    for (const def of doc.definitions) {
      if (def.kind === Kind.ENUM_TYPE_DEFINITION) this.enums.set(def.name.value, def);
      else if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) {
        const name = def.name.value;
        if ((TYPE_LEVEL as readonly string[]).includes(name)) {
          for (const f of def.fields ?? []) operationFields.push({ type: name as (typeof TYPE_LEVEL)[number], node: f });
          continue;
        }
        if (def.kind === Kind.OBJECT_TYPE_EXTENSION) throw this.error(`type extensions are not supported (extend type ${name})`, def, name, undefined, 'merge the extension into the type');
        this.objects.set(name, def);
        if (def.directives?.some((d) => d.name.value === 'model')) this.modelNames.add(name);
      } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        if (def.name.value === 'AMPLIFY') globalRule = this.globalAuthRule(def);
        else inputs.push(def);
      }
    }

    const models: Model[] = [];
    const customTypes: CustomType[] = [];
    for (const [name, node] of this.objects) {
      if (this.modelNames.has(name)) models.push(this.model(node, globalRule));
      else {
        this.checkDirectives(node.directives ?? [], name);
        const rules = this.directiveRules(node.directives ?? [], name, name, false);
        customTypes.push({ name, fields: (node.fields ?? []).map((f) => this.field(name, f, false)), ...(rules.length ? { rules } : {}) });
      }
    }
    this.linkManyToMany(models);
    const enums: Enum[] = [...this.enums.values()].map((e) => ({
      name: e.name.value,
      values: (e.values ?? []).map((v) => v.name.value),
    }));
    const customOperations = operationFields
      .map(({ type, node }) => this.customOperation(type, node))
      .sort((x, y) => OPERATION_ORDER[x.type] - OPERATION_ORDER[y.type] || x.name.localeCompare(y.name));
    customTypes.sort((x, y) => x.name.localeCompare(y.name));
    const inputTypes: InputType[] = inputs
      .map((i) => ({
        name: i.name.value,
        fields: (i.fields ?? []).map((f) => {
          const t = unwrap(f.type);
          return { name: f.name.value, type: t.name, list: t.list, required: t.required };
        }),
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    enums.sort((x, y) => x.name.localeCompare(y.name));
    for (const m of models) this.checkProviders(m.rules, m.name);
    for (const m of models) for (const f of m.fields) if (f.rules) this.checkProviders(f.rules, m.name, f.name);
    for (const op of customOperations) this.checkProviders(op.rules, TYPE_NAME[op.type], op.name);

    return {
      version: AUTH_MODEL_VERSION,
      source: { kind: this.input.kind, path: this.input.file },
      authModes: this.input.authModes,
      // Gen 1: a global auth rule (`input AMPLIFY`) is what turns sandbox mode on.
      params: globalRule ? { ...this.input.params, sandboxMode: true } : this.input.params,
      models,
      customTypes,
      inputTypes,
      enums,
      customOperations,
    };
  }

  // ---- models -------------------------------------------------------------------------------

  private model(node: ObjectTypeDefinitionNode, globalRule: Record<string, unknown> | undefined): Model {
    const name = node.name.value;
    this.checkDirectives(node.directives ?? [], name);
    const modelArgs = directiveArgs(find(node.directives, 'model'));
    const authDirective = find(node.directives, 'auth');

    const declared = (node.fields ?? []).map((f) => this.field(name, f, true));
    const rulesSource = authDirective ? this.rulesArg(authDirective, name) : globalRule ? [globalRule] : [];
    const rules = rulesSource.map((r, i) => this.rule(r, `${name}#${i + 1}`, authDirective ?? node, name));

    // Primary key: @primaryKey on a field, else the implicit `id`.
    let primaryKey: Model['primaryKey'] = { partitionKey: 'id', sortKeys: [] };
    const indexes: Index[] = [];
    for (const f of node.fields ?? []) {
      const pk = find(f.directives, 'primaryKey');
      if (pk) {
        const sortKeys = stringList(directiveArgs(pk).sortKeyFields);
        primaryKey = { partitionKey: f.name.value, sortKeys };
      }
      for (const ix of (f.directives ?? []).filter((d) => d.name.value === 'index')) {
        const args = directiveArgs(ix);
        const sortKeys = stringList(args.sortKeyFields);
        const ixName = typeof args.name === 'string' ? args.name : defaultIndexName(f.name.value, sortKeys);
        const queryField = typeof args.queryField === 'string' ? args.queryField : undefined;
        indexes.push({ name: ixName, partitionKey: f.name.value, sortKeys, ...(queryField ? { queryField } : {}) });
      }
    }

    const fields: Field[] = [];
    const has = (n: string) => declared.some((f) => f.name === n) || fields.some((f) => f.name === n);
    if (!declared.some((f) => f.name === 'id') && primaryKey.partitionKey === 'id') {
      fields.push(implicitField('id', 'ID', true));
    }
    fields.push(...declared);
    const allRules = [...rules, ...declared.flatMap((f) => f.rules ?? [])];
    for (const rule of allRules) {
      const authField = rule.kind === 'owner' ? rule.ownerField : rule.kind === 'dynamicGroup' ? rule.groupsField : undefined;
      if (!authField || has(authField)) continue;
      const isDefault = rule.kind === 'owner' && authField === 'owner';
      if (!isDefault) {
        const what = rule.kind === 'owner' ? 'ownerField' : 'groupsField';
        throw this.error(`${what} "${authField}" of rule ${rule.id} is not a field of ${name}`, authDirective ?? node, name, undefined,
          `declare ${authField} on ${name} (a String, or [String] for several), or correct the name`);
      }
      fields.push(implicitField(authField, 'String', false));
    }
    const timestamps = this.timestamps(modelArgs.timestamps);
    for (const ts of [timestamps.createdAt, timestamps.updatedAt]) {
      if (ts && !has(ts)) fields.push(implicitField(ts, 'AWSDateTime', true));
    }

    // Resolve owner/group field shapes now that every field is known.
    for (const rule of allRules) {
      if (rule.kind === 'owner') {
        const f = fields.find((x) => x.name === rule.ownerField)!;
        this.checkAuthFieldType(f, name, rule.id, 'ownerField', authDirective ?? node);
        rule.multiOwner = f.list;
      } else if (rule.kind === 'dynamicGroup') {
        const f = fields.find((x) => x.name === rule.groupsField)!;
        this.checkAuthFieldType(f, name, rule.id, 'groupsField', authDirective ?? node);
        rule.multiGroup = f.list;
      }
    }

    return {
      name,
      fields,
      primaryKey,
      indexes,
      rules,
      operationNames: this.operationNames(name, modelArgs),
      subscriptionLevel: this.subscriptionLevel(modelArgs.subscriptions),
      timestamps,
    };
  }

  private checkAuthFieldType(f: Field, model: string, ruleId: string, what: string, node: ASTNode): void {
    if (f.type !== 'String' && f.type !== 'ID') {
      throw this.error(`${what} "${f.name}" of rule ${ruleId} has type ${f.list ? `[${f.type}]` : f.type}; it must be String or [String]`,
        node, model, f.name, `change ${model}.${f.name} to String (or [String] for several)`);
    }
  }

  private timestamps(arg: unknown): Model['timestamps'] {
    if (arg === null) return { createdAt: null, updatedAt: null };
    if (arg && typeof arg === 'object') {
      const t = arg as Record<string, unknown>;
      const pick = (k: string) => (k in t ? (typeof t[k] === 'string' ? (t[k] as string) : null) : k);
      return { createdAt: pick('createdAt'), updatedAt: pick('updatedAt') };
    }
    return { createdAt: 'createdAt', updatedAt: 'updatedAt' };
  }

  private operationNames(name: string, args: Record<string, unknown>): ModelOperationNames {
    const plural = pluralize(name);
    const defaults: ModelOperationNames = {
      get: `get${name}`,
      list: `list${plural}`,
      create: `create${name}`,
      update: `update${name}`,
      delete: `delete${name}`,
      onCreate: `onCreate${name}`,
      onUpdate: `onUpdate${name}`,
      onDelete: `onDelete${name}`,
    };
    const group = (key: string, ops: (keyof ModelOperationNames)[], subscription = false) => {
      if (!(key in args)) return;
      const v = args[key];
      if (v === null) {
        for (const op of ops) defaults[op] = null;
        return;
      }
      if (typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (subscription) {
        // subscriptions: { level, onCreate: [names] }
        if (o.level === 'off') for (const op of ops) defaults[op] = null;
        for (const op of ops) {
          if (op in o) {
            const list = o[op];
            defaults[op] = Array.isArray(list) && typeof list[0] === 'string' ? list[0] : null;
          }
        }
        return;
      }
      for (const op of ops) {
        if (op in o) defaults[op] = typeof o[op] === 'string' ? (o[op] as string) : null;
      }
    };
    group('queries', ['get', 'list']);
    group('mutations', ['create', 'update', 'delete']);
    group('subscriptions', ['onCreate', 'onUpdate', 'onDelete'], true);
    return defaults;
  }

  private subscriptionLevel(arg: unknown): SubscriptionLevel {
    if (arg === null) return 'off';
    if (arg && typeof arg === 'object') {
      const level = (arg as Record<string, unknown>).level;
      if (level === 'off' || level === 'public' || level === 'on') return level;
    }
    return 'on';
  }

  // ---- fields -------------------------------------------------------------------------------

  private field(parent: string, node: FieldDefinitionNode, onModel: boolean): Field {
    const name = node.name.value;
    this.checkDirectives(node.directives ?? [], parent, name);
    const t = unwrap(node.type);
    const typeKind = this.typeKind(t.name, node, parent, name);
    const field: Field = { name, type: t.name, typeKind, list: t.list, required: t.required, implicit: false };
    const relation = onModel ? this.relation(parent, node, t.name, t.list) : undefined;
    if (relation) field.relation = relation;
    const auth = find(node.directives, 'auth');
    if (auth) {
      field.rules = this.rulesArg(auth, parent, name).map((r, i) => this.rule(r, `${parent}.${name}#${i + 1}`, auth, parent, name));
    }
    return field;
  }

  private typeKind(type: string, node: ASTNode, parent: string, field: string): FieldTypeKind {
    if ((SCALAR_TYPES as readonly string[]).includes(type)) return 'scalar';
    if (this.enums.has(type)) return 'enum';
    if (this.modelNames.has(type)) return 'model';
    if (this.objects.has(type)) return 'customType';
    throw this.error(`unknown type ${type}`, node, parent, field, `define ${type} or use an AppSync scalar`);
  }

  private relation(parent: string, node: FieldDefinitionNode, target: string, list: boolean): Relation | undefined {
    const field = node.name.value;
    for (const kind of ['hasMany', 'hasOne', 'belongsTo', 'manyToMany'] as const) {
      const d = find(node.directives, kind);
      if (!d) continue;
      if (!this.modelNames.has(target)) {
        throw this.error(`@${kind} on ${parent}.${field} points at ${target}, which is not a @model`, d, parent, field, `make ${target} a model or remove @${kind}`);
      }
      const args = directiveArgs(d);
      if (kind === 'manyToMany') {
        const relationName = args.relationName;
        if (typeof relationName !== 'string') {
          throw this.error(`@manyToMany on ${parent}.${field} needs relationName`, d, parent, field, 'add relationName: "..."');
        }
        return { kind, model: target, references: [lowerFirst(parent) + 'Id'], joinModel: relationName };
      }
      let references = stringList(args.references ?? args.fields);
      if (references.length === 0) {
        // Gen 1 relations without fields/references use an implicit key named after both sides.
        references = kind === 'belongsTo'
          ? [`${lowerFirst(parent)}${capitalize(field)}Id`]
          : kind === 'hasMany'
            ? [`${lowerFirst(parent)}${capitalize(field)}Id`]
            : [`${lowerFirst(parent)}${capitalize(field)}Id`];
      }
      if ((kind === 'hasMany') !== list) {
        throw this.error(`@${kind} on ${parent}.${field} needs ${kind === 'hasMany' ? 'a list' : 'a single'} type`, d, parent, field,
          kind === 'hasMany' ? `declare it as [${target}]` : `declare it as ${target}`);
      }
      return { kind, model: target, references };
    }
    return undefined;
  }

  /** Adds the join models that `@manyToMany` implies (Gen 1). */
  private linkManyToMany(models: Model[]): void {
    const byJoin = new Map<string, { model: Model; field: Field }[]>();
    for (const m of models) {
      for (const f of m.fields) {
        if (f.relation?.kind === 'manyToMany') {
          const list = byJoin.get(f.relation.joinModel!) ?? [];
          list.push({ model: m, field: f });
          byJoin.set(f.relation.joinModel!, list);
        }
      }
    }
    for (const [join, sides] of byJoin) {
      if (sides.length !== 2) {
        const s = sides[0]!;
        throw new InputError(`@manyToMany relationName "${join}" is used ${sides.length} time(s); it must join exactly two models`,
          this.input.locate?.(s.model.name, s.field.name) ?? { file: this.input.file }, 'use the same relationName on both sides');
      }
      const [a, b] = sides as [{ model: Model; field: Field }, { model: Model; field: Field }];
      const keyA = lowerFirst(a.model.name) + 'Id';
      const keyB = lowerFirst(b.model.name) + 'Id';
      // The join model carries both sides' rules (its records are created by whoever links them).
      const rules = [...a.model.rules, ...b.model.rules].map((r, i) => ({ ...r, id: `${join}#${i + 1}` }));
      models.push({
        name: join,
        fields: [
          implicitField('id', 'ID', true),
          { ...implicitField(keyA, 'ID', true) },
          { ...implicitField(keyB, 'ID', true) },
          { ...implicitField(lowerFirst(a.model.name), a.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: a.model.name, references: [keyA] } },
          { ...implicitField(lowerFirst(b.model.name), b.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: b.model.name, references: [keyB] } },
          ...ownerAndGroupFields(rules),
          implicitField('createdAt', 'AWSDateTime', true),
          implicitField('updatedAt', 'AWSDateTime', true),
        ],
        primaryKey: { partitionKey: 'id', sortKeys: [] },
        indexes: [
          { name: `by${a.model.name}`, partitionKey: keyA, sortKeys: [] },
          { name: `by${b.model.name}`, partitionKey: keyB, sortKeys: [] },
        ],
        rules,
        operationNames: this.operationNames(join, {}),
        subscriptionLevel: 'on',
        timestamps: { createdAt: 'createdAt', updatedAt: 'updatedAt' },
      });
      a.field.relation = { kind: 'manyToMany', model: b.model.name, references: [keyA], joinModel: join };
      b.field.relation = { kind: 'manyToMany', model: a.model.name, references: [keyB], joinModel: join };
    }
  }

  // ---- rules --------------------------------------------------------------------------------

  private globalAuthRule(def: InputObjectTypeDefinitionNode): Record<string, unknown> | undefined {
    const f = def.fields?.find((x) => x.name.value === 'globalAuthRule');
    if (!f?.defaultValue) return undefined;
    const v = valueFromASTUntyped(f.defaultValue);
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      throw this.error('input AMPLIFY { globalAuthRule } must default to one rule object', def, 'AMPLIFY', 'globalAuthRule', 'write globalAuthRule: AuthRule = { allow: public }');
    }
    return v as Record<string, unknown>;
  }

  private rulesArg(d: ConstDirectiveNode, type: string, field?: string): Record<string, unknown>[] {
    const rules = directiveArgs(d).rules;
    if (!Array.isArray(rules)) throw this.error('@auth needs a rules list', d, type, field, 'write @auth(rules: [{ allow: owner }])');
    return rules.map((r) => {
      if (!r || typeof r !== 'object' || Array.isArray(r)) throw this.error('each @auth rule must be an object', d, type, field, 'write rules as { allow: ... }');
      return r as Record<string, unknown>;
    });
  }

  private rule(raw: Record<string, unknown>, id: string, node: ASTNode, type: string, field?: string): Rule {
    const fail = (msg: string, fix: string) => this.error(`${msg} (rule ${id})`, node, type, field, fix);
    for (const k of Object.keys(raw)) {
      if (k === 'queries' || k === 'mutations') throw fail(`@auth argument "${k}" is from transformer v1 and is not supported`, 'use operations: [...]');
      if (!RULE_KEYS.includes(k)) throw fail(`unknown @auth rule argument "${k}"`, `use one of ${RULE_KEYS.join(', ')}`);
    }
    const allow = raw.allow;
    if (typeof allow !== 'string' || !(ALLOW_VALUES as readonly string[]).includes(allow)) {
      throw fail(`unknown @auth strategy allow: ${String(allow)}`, `use one of ${ALLOW_VALUES.join(', ')}`);
    }
    const a = allow as Allow;
    const rawProvider = raw.provider === undefined ? DEFAULT_PROVIDER[a] : raw.provider;
    if (typeof rawProvider !== 'string' || !PROVIDERS_BY_ALLOW[a].includes(rawProvider)) {
      throw fail(`provider ${String(rawProvider)} cannot be used with allow: ${a}`, `use one of ${PROVIDERS_BY_ALLOW[a].join(', ')}`);
    }
    const provider = (rawProvider === 'identityPool' ? 'iam' : rawProvider) as Provider;
    const operations = this.operations(raw.operations, fail);
    const onlyFor = (key: string, allowed: Allow[]) => {
      if (raw[key] !== undefined && !allowed.includes(a)) throw fail(`"${key}" is not valid with allow: ${a}`, `remove ${key}`);
    };
    onlyFor('ownerField', ['owner']);
    onlyFor('identityClaim', ['owner']);
    onlyFor('groups', ['groups']);
    onlyFor('groupsField', ['groups']);
    onlyFor('groupClaim', ['groups']);
    const str = (key: string): string | undefined => {
      const v = raw[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '') throw fail(`"${key}" must be a non-empty string`, `set ${key}: "..."`);
      return v;
    };
    switch (a) {
      case 'public':
        return { id, kind: 'public', provider: provider as 'apiKey' | 'iam', operations };
      case 'private':
        return { id, kind: 'private', provider: provider as 'userPools' | 'oidc' | 'iam', operations };
      case 'custom':
        return { id, kind: 'custom', provider: 'function', operations };
      case 'owner':
        return {
          id,
          kind: 'owner',
          provider: provider as 'userPools' | 'oidc',
          ownerField: str('ownerField') ?? 'owner',
          multiOwner: false,
          identityClaim: str('identityClaim') ?? (this.input.params.useSubUsernameForDefaultIdentityClaim ? 'sub::username' : 'username'),
          operations,
        };
      case 'groups': {
        const groupClaim = str('groupClaim') ?? 'cognito:groups';
        const groupsField = str('groupsField');
        if (groupsField !== undefined) {
          if (raw.groups !== undefined) throw fail('a groups rule takes either groups or groupsField, not both', 'split it into two rules');
          return { id, kind: 'dynamicGroup', provider: provider as 'userPools' | 'oidc', groupsField, multiGroup: false, groupClaim, operations };
        }
        const groups = raw.groups;
        if (!Array.isArray(groups) || groups.length === 0) {
          throw fail('groups rule without groups', 'name at least one group: allow.groups(["Admin"]) / { allow: groups, groups: ["Admin"] }');
        }
        if (!groups.every((g) => typeof g === 'string' && g !== '')) throw fail('group names must be non-empty strings', 'quote each group name');
        return { id, kind: 'staticGroup', provider: provider as 'userPools' | 'oidc', groups: groups as string[], groupClaim, operations };
      }
    }
  }

  private operations(raw: unknown, fail: (m: string, f: string) => InputError): ModelOperation[] {
    if (raw === undefined) return [...MODEL_OPERATIONS];
    if (!Array.isArray(raw)) throw fail('operations must be a list', 'write operations: [read, create]');
    const out = new Set<ModelOperation>();
    for (const op of raw) {
      if (typeof op !== 'string' || !(OPERATION_WORDS as readonly string[]).includes(op)) {
        throw fail(`unknown operation ${String(op)}`, `use ${OPERATION_WORDS.join(', ')}`);
      }
      if (op === 'read') for (const r of READ_OPERATIONS) out.add(r);
      else out.add(op as ModelOperation);
    }
    return MODEL_OPERATIONS.filter((o) => out.has(o));
  }

  private checkProviders(rules: Rule[], type: string, field?: string): void {
    for (const r of rules) {
      const mode = PROVIDER_MODE[r.provider];
      if (!this.input.authModes.enabled.includes(mode)) {
        const loc = this.input.locate?.(type, field) ?? { file: this.input.file };
        throw new InputError(
          `rule ${r.id} uses provider ${r.provider}, but the ${mode} authorization mode is not configured`,
          loc,
          MODE_FIX[mode],
        );
      }
    }
  }

  // ---- custom operations ----------------------------------------------------------------------

  private customOperation(type: (typeof TYPE_LEVEL)[number], node: FieldDefinitionNode): CustomOperation {
    const name = node.name.value;
    this.checkDirectives(node.directives ?? [], type, name);
    const t = unwrap(node.type);
    const args: Argument[] = (node.arguments ?? []).map((a) => {
      const at = unwrap(a.type);
      return { name: a.name.value, type: at.name, list: at.list, required: at.required };
    });
    const auth = find(node.directives, 'auth');
    let rules: StaticRule[];
    let enforcement: CustomOperation['enforcement'];
    if (auth) {
      enforcement = 'resolver';
      const parsed = this.rulesArg(auth, type, name).map((r, i) => this.rule(r, `${type}.${name}#${i + 1}`, auth, type, name));
      rules = parsed.map((r) => {
        if (r.kind === 'owner' || r.kind === 'dynamicGroup') {
          throw this.error(`${r.kind === 'owner' ? 'owner' : 'dynamic group'} rules cannot protect custom ${type.toLowerCase()} ${name}: there is no record to compare with (rule ${r.id})`,
            auth, type, name, 'use a static rule (authenticated, groups, guest, publicApiKey, custom)');
        }
        return r;
      });
    } else {
      enforcement = 'directive';
      rules = this.directiveRules(node.directives ?? [], type, node.name.value, true);
    }
    const handler = this.input.handlers?.get(`${type}.${name}`) ?? functionHandler(node, this.input.functionEntries) ?? { kind: 'none' as const };
    const subscribe = find(node.directives, 'aws_subscribe');
    return {
      name,
      type: type.toLowerCase() as CustomOperation['type'],
      arguments: args,
      returns: { type: t.name, typeKind: this.typeKind(t.name, node, type, name), list: t.list, required: t.required },
      rules,
      enforcement,
      handler,
      subscribesTo: subscribe ? stringList(directiveArgs(subscribe).mutations) : [],
    };
  }

  /**
   * `@aws_*` directives as static rules. For an operation (`orDefault`), no directive means the default
   * mode only.
   */
  private directiveRules(directives: readonly ConstDirectiveNode[], type: string, name: string, orDefault: boolean): StaticRule[] {
    const out: StaticRule[] = [];
    const add = (r: RuleShape) =>
      out.push({ ...r, id: `${prefix}#${out.length + 1}`, operations: [...MODEL_OPERATIONS] } as StaticRule);
    const prefix = type === name ? name : `${type}.${name}`;
    for (const d of directives) {
      switch (d.name.value) {
        case 'aws_api_key': add({ kind: 'public', provider: 'apiKey' }); break;
        case 'aws_iam': add({ kind: 'public', provider: 'iam' }); add({ kind: 'private', provider: 'iam' }); break;
        case 'aws_oidc': add({ kind: 'private', provider: 'oidc' }); break;
        case 'aws_lambda': add({ kind: 'custom', provider: 'function' }); break;
        case 'aws_cognito_user_pools':
        case 'aws_auth': {
          const groups = stringList(directiveArgs(d).cognito_groups);
          if (groups.length) add({ kind: 'staticGroup', provider: 'userPools', groups, groupClaim: 'cognito:groups' });
          else add({ kind: 'private', provider: 'userPools' });
          break;
        }
      }
    }
    if (out.length === 0 && orDefault) {
      switch (this.input.authModes.default) {
        case 'apiKey': add({ kind: 'public', provider: 'apiKey' }); break;
        case 'userPool': add({ kind: 'private', provider: 'userPools' }); break;
        case 'oidc': add({ kind: 'private', provider: 'oidc' }); break;
        case 'iam': add({ kind: 'public', provider: 'iam' }); add({ kind: 'private', provider: 'iam' }); break;
        case 'lambda': add({ kind: 'custom', provider: 'function' }); break;
      }
    }
    return out;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private checkDirectives(directives: readonly ConstDirectiveNode[], type: string, field?: string): void {
    for (const d of directives) {
      const known = KNOWN_DIRECTIVES[d.name.value];
      if (!known) throw this.error(`unknown directive @${d.name.value}`, d, type, field, 'remove it or correct its name');
      if (known === 'any') continue;
      for (const arg of d.arguments ?? []) {
        if (!known.includes(arg.name.value)) {
          throw this.error(`unknown argument "${arg.name.value}" on @${d.name.value}`, arg, type, field,
            known.length ? `use ${known.join(', ')}` : `@${d.name.value} takes no arguments`);
        }
      }
    }
  }

  private error(message: string, node: ASTNode | undefined, type: string, field: string | undefined, fix: string): InputError {
    if (this.input.kind === 'gen1' && node?.loc) {
      const { line, column } = node.loc.startToken;
      return new InputError(message, { file: this.input.file, line, column }, fix);
    }
    return new InputError(message, this.input.locate?.(type, field) ?? { file: this.input.file }, fix);
  }
}

type RuleShape = StaticRule extends infer R ? (R extends StaticRule ? Omit<R, 'id' | 'operations'> : never) : never;

const OPERATION_ORDER = { query: 0, mutation: 1, subscription: 2 } as const;

const TYPE_NAME = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

const MODE_FIX: Record<string, string> = {
  apiKey: 'enable API key authorization (Gen 2: authorizationModes.apiKeyAuthorizationMode; Gen 1: authModes.additional)',
  userPool: 'add a Cognito user pool (Gen 2: defineAuth; Gen 1: authModes.additional: ["userPool"])',
  oidc: 'configure an OIDC provider (Gen 2: authorizationModes.oidcAuthorizationMode; Gen 1: authModes.oidc)',
  iam: 'enable IAM authorization (an identity pool)',
  lambda: 'configure a Lambda authorizer (Gen 2: authorizationModes.lambdaAuthorizationMode; Gen 1: authModes.lambda)',
};

function find(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

function directiveArgs(d: ConstDirectiveNode | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of d?.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value);
  return out;
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function unwrap(t: TypeNode): { name: string; list: boolean; required: boolean } {
  let required = false;
  let list = false;
  let cur = t;
  if (cur.kind === Kind.NON_NULL_TYPE) {
    required = true;
    cur = cur.type;
  }
  if (cur.kind === Kind.LIST_TYPE) {
    list = true;
    cur = cur.type;
    if (cur.kind === Kind.NON_NULL_TYPE) cur = cur.type;
  }
  if (cur.kind !== Kind.NAMED_TYPE) throw new Error('nested list types are not supported');
  return { name: cur.name.value, list, required };
}

function implicitField(name: string, type: string, required: boolean): Field {
  return { name, type, typeKind: 'scalar', list: false, required, implicit: true };
}

function ownerAndGroupFields(rules: Rule[]): Field[] {
  const names = new Set<string>();
  for (const r of rules) {
    if (r.kind === 'owner') names.add(r.ownerField);
    if (r.kind === 'dynamicGroup') names.add(r.groupsField);
  }
  return [...names].map((n) => implicitField(n, 'String', false));
}

function functionHandler(node: FieldDefinitionNode, entries: Map<string, string> | undefined): CustomHandler | undefined {
  const names = (node.directives ?? [])
    .filter((d) => d.name.value === 'function')
    .map((d) => directiveArgs(d).name)
    .filter((n): n is string => typeof n === 'string');
  if (!names.length) return undefined;
  return { kind: 'function', functions: names.map((name) => ({ name, ...(entries?.has(name) ? { entry: entries.get(name)! } : {}) })) };
}

function defaultIndexName(partitionKey: string, sortKeys: string[]): string {
  return ['by', partitionKey, ...sortKeys].map((p, i) => (i === 0 ? p : capitalize(p))).join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
