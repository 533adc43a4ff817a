/**
 * The GraphQL API that Amplify's transformer generates for an AuthModel: model types with implicit
 * fields, inputs, filter/condition/subscription-filter inputs, connections, key and index queries,
 * relations, custom operations, and the `@aws_*` directives exactly where the transformer puts them.
 */
import pluralize from 'pluralize';
import { isStoredField, type AuthMode, type AuthModel, type CustomType, type Field, type Index, type Model, type ModelOperation, type Rule, type StaticRule } from '../../schema/model.js';
import { FILTER_SCALAR, keyConditionScalar } from '../../schema/sdl/names.js';
import { Acm } from './auth/acm.js';

/** Providers in the order the transformer walks them when emitting directives. */
const PROVIDER_ORDER = ['apiKey', 'iam', 'oidc', 'userPools', 'function'] as const;
type Provider = (typeof PROVIDER_ORDER)[number];
const DIRECTIVE: Record<Provider, string> = {
  apiKey: '@aws_api_key',
  iam: '@aws_iam',
  oidc: '@aws_oidc',
  userPools: '@aws_cognito_user_pools',
  function: '@aws_lambda',
};
const MODE_PROVIDER: Record<AuthMode, Provider> = { apiKey: 'apiKey', userPool: 'userPools', oidc: 'oidc', iam: 'iam', lambda: 'function' };

/** An `@aws_*` directive: its provider and, for `@aws_cognito_user_pools`, the groups it admits. */
interface AuthDirective {
  provider: Provider;
  groups?: readonly string[];
}

/** Directives as the SDL writes them after a field or type name: ` @aws_api_key @aws_iam`, or nothing. */
function printDirectives(directives: readonly (Provider | AuthDirective)[]): string {
  return directives
    .map((d) => (typeof d === 'string' ? { provider: d } : d))
    .map((d) => ` ${DIRECTIVE[d.provider]}${d.groups ? `(cognito_groups: ${JSON.stringify(d.groups)})` : ''}`)
    .join('');
}

/** AppSync's scalars, as query/condition filter inputs see them. */
export const APPSYNC_PRELUDE = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
`;

const SHARED_INPUTS = `
input AmplifyAIConversationTurnErrorInput { errorType: String! message: String! }
input ModelStringInput { ne: String eq: String le: String lt: String ge: String gt: String contains: String notContains: String between: [String] beginsWith: String attributeExists: Boolean attributeType: ModelAttributeTypes size: ModelSizeInput }
input ModelIntInput { ne: Int eq: Int le: Int lt: Int ge: Int gt: Int between: [Int] attributeExists: Boolean attributeType: ModelAttributeTypes }
input ModelFloatInput { ne: Float eq: Float le: Float lt: Float ge: Float gt: Float between: [Float] attributeExists: Boolean attributeType: ModelAttributeTypes }
input ModelBooleanInput { ne: Boolean eq: Boolean attributeExists: Boolean attributeType: ModelAttributeTypes }
input ModelIDInput { ne: ID eq: ID le: ID lt: ID ge: ID gt: ID contains: ID notContains: ID between: [ID] beginsWith: ID attributeExists: Boolean attributeType: ModelAttributeTypes size: ModelSizeInput }
input ModelSubscriptionStringInput { ne: String eq: String le: String lt: String ge: String gt: String contains: String notContains: String between: [String] beginsWith: String in: [String] notIn: [String] }
input ModelSubscriptionIntInput { ne: Int eq: Int le: Int lt: Int ge: Int gt: Int between: [Int] in: [Int] notIn: [Int] }
input ModelSubscriptionFloatInput { ne: Float eq: Float le: Float lt: Float ge: Float gt: Float between: [Float] in: [Float] notIn: [Float] }
input ModelSubscriptionBooleanInput { ne: Boolean eq: Boolean }
input ModelSubscriptionIDInput { ne: ID eq: ID le: ID lt: ID ge: ID gt: ID contains: ID notContains: ID between: [ID] beginsWith: ID in: [ID] notIn: [ID] }
enum ModelAttributeTypes { binary binarySet bool list map number numberSet string stringSet _null }
input ModelSizeInput { ne: Int eq: Int le: Int lt: Int ge: Int gt: Int between: [Int] }
enum ModelSortDirection { ASC DESC }
`;

const KEY_CONDITION: Record<string, string> = {
  String: 'input ModelStringKeyConditionInput { eq: String le: String lt: String ge: String gt: String between: [String] beginsWith: String }',
  ID: 'input ModelIDKeyConditionInput { eq: ID le: ID lt: ID ge: ID gt: ID between: [ID] beginsWith: ID }',
  Int: 'input ModelIntKeyConditionInput { eq: Int le: Int lt: Int ge: Int gt: Int between: [Int] }',
  Float: 'input ModelFloatKeyConditionInput { eq: Float le: Float lt: Float ge: Float gt: Float between: [Float] }',
};

/** What a Query/Mutation/Subscription field of the generated API does; the resolvers dispatch on it. */
export type ApiOperation =
  | { kind: 'get' | 'list' | 'create' | 'update' | 'delete'; model: string }
  | { kind: 'index'; model: string; index: string }
  | { kind: 'onCreate' | 'onUpdate' | 'onDelete'; model: string }
  | { kind: 'custom'; name: string };

export interface ApiSchema {
  sdl: string;
  /** Root field name (`Query.getTodo`) → what it does. */
  operations: Map<string, ApiOperation>;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (parts: string[]) => parts.map((p, i) => (i === 0 ? lowerFirst(p) : upperFirst(p))).join('');

export function buildApiSchema(auth: AuthModel): ApiSchema {
  return new SchemaWriter(auth).write();
}

class SchemaWriter {
  private out: string[] = [];
  private query: string[] = [];
  private mutation: string[] = [];
  private subscription: string[] = [];
  private operations = new Map<string, ApiOperation>();
  private emittedInputs = new Set<string>();
  private customTypeProviders = new Map<string, Set<Provider>>();
  private connectionProviders = new Map<string, Set<Provider>>();
  private acms = new Map<Model, Acm>();
  private readonly defaultProvider: Provider;
  /** IAM access on every model's fields: generic IAM access, or Gen 1 admin roles with the IAM mode on. */
  private readonly iamEverywhere: boolean;
  /**
   * Generic IAM access (Gen 2) also puts `@aws_iam` on non-model types, root types with custom operations and
   * directive-only operations; Gen 1 admin roles do not (reftool: a schema with `adminRoles` leaves `type Out`,
   * `type Mutation` and `ping: String @aws_cognito_user_pools` as written, `enableIamAccess` gives them `@aws_iam`).
   */
  private readonly iamOnCustom: boolean;

  constructor(private readonly auth: AuthModel) {
    this.defaultProvider = MODE_PROVIDER[auth.authModes.default];
    this.iamEverywhere = auth.params.genericIamAccess || (auth.params.adminRoles.length > 0 && auth.authModes.enabled.includes('iam'));
    this.iamOnCustom = auth.params.genericIamAccess;
  }

  write(): ApiSchema {
    this.out.push(APPSYNC_PRELUDE, SHARED_INPUTS);
    for (const e of this.auth.enums) this.out.push(`enum ${e.name} { ${e.values.join(' ')} }`);
    // A declared input replaces the one the transformer would generate under its name (it only adds inputs the schema
    // lacks); a model's mutation inputs are placed with their model (mutationInput).
    const generated = new Set(this.auth.models.flatMap((m) => MUTATION_INPUTS.map((op) => `${op}${m.name}Input`)));
    for (const i of this.auth.inputTypes.filter((x) => !generated.has(x.name))) {
      this.emitInput(i.name, `input ${i.name} { ${i.fields.map((f) => `${f.name}: ${typeRef(f.type, f.list, f.required)}`).join(' ')} }`);
    }
    for (const m of this.auth.models) this.model(m);
    for (const m of this.auth.models) this.connectionType(m);
    for (const t of this.auth.customTypes) this.customType(t);
    for (const op of this.auth.customOperations) this.customOperation(op);
    const root = (name: string, fields: string[]) => (fields.length ? `type ${name}${this.iamOnCustom && this.auth.customOperations.some((o) => upperFirst(o.type) === name) ? ' @aws_iam' : ''} {\n  ${fields.join('\n  ')}\n}` : '');
    this.out.push(root('Query', this.query), root('Mutation', this.mutation), root('Subscription', this.subscription));
    return { sdl: this.out.filter(Boolean).join('\n'), operations: this.operations };
  }

  // ---- directives (graphql-auth-transformer getServiceDirectives) -------------------------------

  /** The providers whose directives go on a field or type, in the order the transformer writes them. */
  private directives(providers: ReadonlySet<Provider>, addDefault: boolean): Provider[] {
    const p = new Set(providers);
    if (this.iamEverywhere) p.add('iam');
    if (p.size === 0) return [];
    const def = this.defaultProvider;
    const hasOther = [...p].some((x) => x !== def);
    const out = PROVIDER_ORDER.filter((provider) => p.has(provider) && (provider !== def || (hasOther && addDefault)));
    if (p.has(def) && hasOther && !out.includes(def)) out.push(def);
    // An operation no role allows, under IAM access, still names the default mode.
    if (addDefault && providers.size === 0 && this.iamEverywhere && def !== 'iam' && !out.includes(def)) out.push(def);
    return out;
  }

  /** Providers of the roles that can do `op` on a model (delete: on every field). */
  private opProviders(m: Model, op: ModelOperation, everyField = false): Set<Provider> {
    return new Set(this.acm(m).rolesFor(op, everyField).map((r) => r.provider));
  }

  private acm(m: Model): Acm {
    let acm = this.acms.get(m);
    if (!acm) this.acms.set(m, (acm = new Acm(m)));
    return acm;
  }

  private opDirectives(m: Model, op: ModelOperation, everyField = false): Provider[] {
    const providers = this.opProviders(m, op, everyField);
    const addDefault = providers.has(this.defaultProvider) || (providers.size === 0 && this.iamEverywhere && this.defaultProvider !== 'iam');
    if (!allRules(m).length) return this.unprotectedDirectives();
    return this.directives(providers, addDefault);
  }

  /** Models without any rule: IAM and sandbox API keys only (model transformer, not auth). */
  private unprotectedDirectives(): Provider[] {
    const sandbox = this.auth.params.sandboxMode;
    if (sandbox && this.auth.params.genericIamAccess) return ['apiKey', 'iam'];
    if (sandbox && this.defaultProvider !== 'apiKey') return ['apiKey'];
    if (this.auth.params.genericIamAccess && this.defaultProvider !== 'iam') return ['iam'];
    return [];
  }

  // ---- models ------------------------------------------------------------------------------------

  private model(m: Model): void {
    const name = m.name;
    const rules = allRules(m);
    const typeDirectives = rules.length ? this.directives(new Set(rules.map(providerOf)), false) : this.unprotectedDirectives();
    const ops = {
      get: this.opDirectives(m, 'get'),
      list: this.opDirectives(m, 'list'),
      create: this.opDirectives(m, 'create'),
      update: this.opDirectives(m, 'update'),
      delete: this.opDirectives(m, 'delete', true),
      listen: m.subscriptionLevel === 'public' ? [] : this.opDirectives(m, 'listen'),
    };
    // The model type collects the directives of every operation that returns it.
    const typeLevel = [...new Set([...typeDirectives, ...ops.get, ...ops.create, ...ops.update, ...ops.delete, ...ops.listen])];
    this.addConnectionProviders(name, ops.list);

    const fieldLines = m.fields.map((f) => `  ${f.name}${this.fieldArgs(f)}: ${this.fieldType(f)}`);
    this.out.push(`type ${name}${printDirectives(typeLevel)} {\n${fieldLines.join('\n')}\n}`);
    for (const f of m.fields) if (f.typeKind === 'customType') this.propagate(f.type, typeLevel);

    const scalarish = m.fields.filter((f) => !f.relation && (f.typeKind === 'scalar' || f.typeKind === 'enum'));
    this.out.push(this.enumFilterInputs(scalarish));
    this.out.push(`input Model${name}FilterInput { ${scalarish.map((f) => `${f.name}: ${this.filterInput(f)}`).join(' ')} and: [Model${name}FilterInput] or: [Model${name}FilterInput] not: Model${name}FilterInput }`);
    const keyFields = new Set([m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]);
    const condition = scalarish.filter((f) => !keyFields.has(f.name) && !(f.name === 'id' && f.type === 'ID'));
    this.out.push(`input Model${name}ConditionInput { ${condition.map((f) => `${f.name}: ${this.filterInput(f)}`).join(' ')} and: [Model${name}ConditionInput] or: [Model${name}ConditionInput] not: Model${name}ConditionInput }`);

    const writable = m.fields.filter((f) => isStoredField(f) && (!f.implicit || (f.name === 'id' && keyFields.has('id'))));
    const createFields = writable.map((f) => `${f.name}: ${this.inputType(f, keyFields.has(f.name) && f.name !== 'id' ? f.required : f.name === 'id' ? false : f.required && !isTimestamp(m, f.name))}`);
    const updateFields = writable.map((f) => `${f.name}: ${this.inputType(f, keyFields.has(f.name))}`);
    this.out.push(this.mutationInput(m, 'Create', createFields));
    this.out.push(this.mutationInput(m, 'Update', updateFields));
    this.out.push(this.mutationInput(m, 'Delete', [...keyFields].map((k) => `${k}: ${this.keyType(m, k)}!`)));

    const dynamicFields = new Set(rules.filter((r) => r.kind === 'owner' || r.kind === 'dynamicGroup').map((r) => (r.kind === 'owner' ? r.ownerField : r.kind === 'dynamicGroup' ? r.groupsField : '')));
    const ownerFields = unique(rules.filter((r) => r.kind === 'owner').map((r) => (r as Extract<Rule, { kind: 'owner' }>).ownerField));
    const subFields = scalarish.filter((f) => !dynamicFields.has(f.name)).map((f) => `${f.name}: ${this.subscriptionInput(f)}`);
    this.out.push(`input ModelSubscription${name}FilterInput { ${subFields.join(' ')} and: [ModelSubscription${name}FilterInput] or: [ModelSubscription${name}FilterInput] ${ownerFields.map((f) => `${f}: ModelStringInput`).join(' ')} }`);

    const names = m.operationNames;
    const pkArgs = [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].map((k) => `${k}: ${this.keyType(m, k)}!`).join(', ');
    if (names.get) this.root('query', names.get, `${names.get}(${pkArgs}): ${name}${printDirectives(ops.get)}`, { kind: 'get', model: name });
    if (names.list) {
      const custom = m.primaryKey.partitionKey !== 'id' || m.primaryKey.sortKeys.length > 0 || m.fields.some((f) => f.name === 'id' && !f.implicit);
      const keyArgs = custom ? `${m.primaryKey.partitionKey}: ${this.keyType(m, m.primaryKey.partitionKey)}, ${this.sortKeyArg(m, m.primaryKey.sortKeys, `Model${name}PrimaryCompositeKeyConditionInput`)}` : '';
      const tail = custom ? ', sortDirection: ModelSortDirection' : '';
      this.root('query', names.list, `${names.list}(${keyArgs}filter: Model${name}FilterInput, limit: Int, nextToken: String${tail}): Model${name}Connection${printDirectives(ops.list)}`, { kind: 'list', model: name });
    }
    for (const ix of m.indexes) this.indexQuery(m, ix, ops.list);
    const cond = `condition: Model${name}ConditionInput`;
    if (names.create) this.root('mutation', names.create, `${names.create}(input: Create${name}Input!, ${cond}): ${name}${printDirectives(ops.create)}`, { kind: 'create', model: name });
    if (names.update) this.root('mutation', names.update, `${names.update}(input: Update${name}Input!, ${cond}): ${name}${printDirectives(ops.update)}`, { kind: 'update', model: name });
    if (names.delete) this.root('mutation', names.delete, `${names.delete}(input: Delete${name}Input!, ${cond}): ${name}${printDirectives(ops.delete)}`, { kind: 'delete', model: name });
    if (m.subscriptionLevel !== 'off') {
      const ownerArgs = m.subscriptionLevel === 'on' ? this.subscriptionOwnerArgs(m) : [];
      for (const [event, mutation] of [['onCreate', 'create'], ['onUpdate', 'update'], ['onDelete', 'delete']] as const) {
        const sub = names[event];
        const mut = names[mutation];
        if (!sub || !mut) continue;
        const args = [`filter: ModelSubscription${name}FilterInput`, ...ownerArgs.map((a) => `${a}: String`)].join(', ');
        this.root('subscription', sub, `${sub}(${args}): ${name} @aws_subscribe(mutations: ["${mut}"])${printDirectives(ops.listen)}`, { kind: event, model: name });
      }
    }
  }

  /** One `String` argument per scalar owner role with listen, named after its owner field. */
  private subscriptionOwnerArgs(m: Model): string[] {
    const out: string[] = [];
    for (const r of this.acm(m).rolesFor('listen')) {
      if (r.static || r.strategy !== 'owner' || r.isList) continue;
      if (!out.includes(r.field)) out.push(r.field);
    }
    return out;
  }

  private indexQuery(m: Model, ix: Index, listDirectives: Provider[]): void {
    const queryField = ix.queryField ?? (this.auth.source.kind === 'gen1' ? undefined : camel([pluralize(m.name), 'By', ...[ix.partitionKey, ...ix.sortKeys].flatMap((k, i) => (i === 0 ? [upperFirst(k)] : ['And', upperFirst(k)]))]));
    if (!queryField) return;
    const pk = `${ix.partitionKey}: ${this.keyType(m, ix.partitionKey)}!`;
    const sk = this.sortKeyArg(m, ix.sortKeys, `Model${m.name}${upperFirst(ix.name)}CompositeKeyConditionInput`);
    this.root('query', queryField, `${queryField}(${pk}, ${sk}sortDirection: ModelSortDirection, filter: Model${m.name}FilterInput, limit: Int, nextToken: String): Model${m.name}Connection${printDirectives(listDirectives)}`, { kind: 'index', model: m.name, index: ix.name });
  }

  private sortKeyArg(m: Model, sortKeys: string[], compositeName: string): string {
    if (!sortKeys.length) return '';
    if (sortKeys.length === 1) {
      const t = keyConditionScalar(m.fields.find((x) => x.name === sortKeys[0])!);
      this.emitInput(`Model${t}KeyConditionInput`, KEY_CONDITION[t]!);
      return `${sortKeys[0]}: Model${t}KeyConditionInput, `;
    }
    const keyInput = compositeName.replace(/ConditionInput$/, 'Input');
    const fields = sortKeys.map((k, i) => {
      const f = m.fields.find((x) => x.name === k)!;
      const base = i === sortKeys.length - 1 && f.typeKind !== 'enum' ? (FILTER_SCALAR[f.type] ?? f.type) : f.type;
      return `${k}: ${base}`;
    });
    this.emitInput(keyInput, `input ${keyInput} { ${fields.join(' ')} }`);
    this.emitInput(compositeName, `input ${compositeName} { eq: ${keyInput} le: ${keyInput} lt: ${keyInput} ge: ${keyInput} gt: ${keyInput} between: [${keyInput}] beginsWith: ${keyInput} }`);
    return `${camel(sortKeys)}: ${compositeName}, `;
  }


  /**
   * A model's `<Op><Model>Input`: the generated fields, or the schema's own input of that name, which the model
   * transformer keeps (it adds the input only when the schema has no type of that name: graphql-model-transformer.ts,
   * the MutationFieldType cases; no feature flag is read there, skipOverrideMutationInputTypes is the v1
   * transformer's). On a model with a declared primary key, @primaryKey then rewrites the kept input of every
   * mutation the model enables (graphql-index-transformer/src/schema.ts updateInputObjects): a create loses `id`
   * when the model has no `id` field; an update gets its key fields required and `id` optional (or dropped without an
   * `id` field); a delete gets the key fields, required, before the other declared fields but `id`.
   */
  private mutationInput(m: Model, op: (typeof MUTATION_INPUTS)[number], generated: string[]): string {
    const name = `${op}${m.name}Input`;
    const declared = this.auth.inputTypes.find((x) => x.name === name);
    if (!declared) return `input ${name} { ${generated.join(' ')} }`;
    const keys = [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys];
    const keyed = keys.length > 1 || keys[0] !== 'id';
    const enabled = !!m.operationNames[op.toLowerCase() as 'create' | 'update' | 'delete'];
    let fields = declared.fields.map((f) => ({ name: f.name, ref: typeRef(f.type, f.list, f.required), type: f.type }));
    if (keyed && enabled) {
      const hasId = m.fields.some((f) => f.name === 'id');
      const required = (k: string) => ({ name: k, ref: `${this.keyType(m, k)}!`, type: this.keyType(m, k) });
      if (op === 'Create' && !hasId) fields = fields.filter((f) => f.name !== 'id');
      if (op === 'Update') {
        fields = fields.filter((f) => hasId || f.name !== 'id').map((f) => (keys.includes(f.name) ? required(f.name) : f.name === 'id' ? { ...f, ref: f.ref.replace(/!$/, '') } : f));
      }
      if (op === 'Delete') fields = [...keys.map(required), ...fields.filter((f) => !keys.includes(f.name) && !(f.name === 'id' && f.type === 'ID'))];
    }
    return `input ${name} { ${fields.map((f) => `${f.name}: ${f.ref}`).join(' ')} }`;
  }

  private keyType(m: Model, key: string): string {
    return m.fields.find((f) => f.name === key)?.type ?? 'ID';
  }

  private emitInput(name: string, sdl: string): void {
    if (this.emittedInputs.has(name)) return;
    this.emittedInputs.add(name);
    this.out.push(sdl);
  }

  private fieldArgs(f: Field): string {
    const rel = f.relation;
    if (!rel || (rel.kind !== 'hasMany' && rel.kind !== 'manyToMany')) return '';
    const target = rel.kind === 'manyToMany' ? rel.joinModel! : rel.model;
    return `(filter: Model${target}FilterInput, sortDirection: ModelSortDirection, limit: Int, nextToken: String)`;
  }

  private fieldType(f: Field): string {
    const rel = f.relation;
    if (rel && (rel.kind === 'hasMany' || rel.kind === 'manyToMany')) return `Model${rel.kind === 'manyToMany' ? rel.joinModel! : rel.model}Connection`;
    return typeRef(f.type, f.list, f.required);
  }

  private inputType(f: Field, required: boolean): string {
    const base = f.typeKind === 'customType' ? `${f.type}Input` : f.type;
    if (f.typeKind === 'customType') this.customTypeInput(f.type);
    return f.list ? `[${base}]${required ? '!' : ''}` : `${base}${required ? '!' : ''}`;
  }

  private customTypeInput(name: string): void {
    const t = this.auth.customTypes.find((c) => c.name === name);
    if (!t || this.emittedInputs.has(`${name}Input`)) return;
    this.emittedInputs.add(`${name}Input`);
    const fields = t.fields.filter((f) => f.typeKind !== 'model').map((f) => `${f.name}: ${this.inputType(f, f.required)}`);
    this.out.push(`input ${name}Input { ${fields.join(' ')} }`);
  }

  private filterInput(f: Field): string {
    if (f.typeKind === 'enum') return f.list ? `Model${f.type}ListInput` : `Model${f.type}Input`;
    return `Model${FILTER_SCALAR[f.type] ?? 'String'}Input`;
  }

  private subscriptionInput(f: Field): string {
    if (f.typeKind === 'enum') return 'ModelSubscriptionStringInput';
    return `ModelSubscription${FILTER_SCALAR[f.type] ?? 'String'}Input`;
  }

  private enumFilterInputs(fields: Field[]): string {
    const out: string[] = [];
    for (const f of fields) {
      if (f.typeKind !== 'enum') continue;
      const name = f.list ? `Model${f.type}ListInput` : `Model${f.type}Input`;
      if (this.emittedInputs.has(name)) continue;
      this.emittedInputs.add(name);
      out.push(f.list ? `input ${name} { eq: [${f.type}] ne: [${f.type}] contains: ${f.type} notContains: ${f.type} }` : `input ${name} { eq: ${f.type} ne: ${f.type} }`);
    }
    return out.join('\n');
  }

  private root(kind: 'query' | 'mutation' | 'subscription', name: string, line: string, op: ApiOperation): void {
    (kind === 'query' ? this.query : kind === 'mutation' ? this.mutation : this.subscription).push(line);
    this.operations.set(`${upperFirst(kind)}.${name}`, op);
  }

  /** hasMany connection types take the parent's providers too (they are nested types of the parent). */
  private addConnectionProviders(model: string, providers: Provider[]): void {
    const set = this.connectionProviders.get(model) ?? new Set<Provider>();
    for (const p of providers) set.add(p);
    this.connectionProviders.set(model, set);
  }

  private connectionType(m: Model): void {
    if (!m.operationNames.list && !m.indexes.length && !this.auth.models.some((x) => x.fields.some((f) => f.relation?.kind === 'hasMany' && f.relation.model === m.name))) return;
    // Parents with a hasMany to this model propagate their type-level providers.
    for (const parent of this.auth.models) {
      for (const f of parent.fields) {
        if ((f.relation?.kind === 'hasMany' || f.relation?.kind === 'manyToMany') && (f.relation.kind === 'manyToMany' ? f.relation.joinModel : f.relation.model) === m.name) {
          this.addConnectionProviders(m.name, this.directives(new Set(allRules(parent).map(providerOf)), false));
        }
      }
    }
    const providers = this.connectionProviders.get(m.name) ?? new Set<Provider>();
    const list = PROVIDER_ORDER.filter((p) => providers.has(p));
    this.out.push(`type Model${m.name}Connection${printDirectives(orderDefaultLast(list, this.defaultProvider))} {\n  items: [${m.name}]!\n  nextToken: String\n}`);
  }

  // ---- custom types and operations ---------------------------------------------------------------

  private propagate(typeName: string, providers: Provider[]): void {
    const set = this.customTypeProviders.get(typeName) ?? new Set<Provider>();
    for (const p of providers) set.add(p);
    this.customTypeProviders.set(typeName, set);
    const t = this.auth.customTypes.find((c) => c.name === typeName);
    for (const f of t?.fields ?? []) if (f.typeKind === 'customType' && f.type !== typeName) this.propagate(f.type, providers);
  }

  private customType(t: CustomType): void {
    const propagated = this.customTypeProviders.get(t.name) ?? new Set<Provider>();
    const list: AuthDirective[] = this.iamOnCustom ? [{ provider: 'iam' }] : [];
    const add = (d: AuthDirective) => {
      if (!list.some((x) => x.provider === d.provider)) list.push(d);
    };
    for (const d of t.rules ? nativeDirectives(t.rules) : []) add(d);
    for (const provider of PROVIDER_ORDER) if (propagated.has(provider)) add({ provider });
    const fields = t.fields.map((f) => `  ${f.name}: ${typeRef(f.type, f.list, f.required)}${f.rules ? this.fieldAuthDirectives(f.rules) : ''}`);
    this.out.push(`type ${t.name}${printDirectives(list)} {\n${fields.join('\n')}\n}`);
  }

  /** `@auth` on a non-model field: static rules only, the default added last when mixed. */
  private fieldAuthDirectives(rules: Rule[]): string {
    const statics = rules.filter((r) => r.kind !== 'owner' && r.kind !== 'dynamicGroup');
    return printDirectives(this.directives(new Set(statics.map(providerOf)), false));
  }

  private customOperation(op: AuthModel['customOperations'][number]): void {
    const args = op.arguments.length ? `(${op.arguments.map((a) => `${a.name}: ${typeRef(a.type, a.list, a.required)}`).join(', ')})` : '';
    let directives: readonly (Provider | AuthDirective)[];
    if (op.enforcement === 'directive') {
      const native = nativeDirectives(op.rules);
      if (this.iamOnCustom && !native.some((d) => d.provider === 'iam')) native.push({ provider: 'iam' });
      directives = native;
    } else directives = this.directives(new Set(op.rules.map(providerOf)), false);
    const subscribe = op.type === 'subscription' && op.subscribesTo.length ? ` @aws_subscribe(mutations: ${JSON.stringify(op.subscribesTo)})` : '';
    this.root(op.type, op.name, `${op.name}${args}: ${typeRef(op.returns.type, op.returns.list, op.returns.required)}${subscribe}${printDirectives(directives)}`, { kind: 'custom', name: op.name });
  }
}

const MUTATION_INPUTS = ['Create', 'Update', 'Delete'] as const;

function typeRef(type: string, list: boolean, required: boolean): string {
  return list ? `[${type}]${required ? '!' : ''}` : `${type}${required ? '!' : ''}`;
}

function allRules(m: Model): Rule[] {
  return [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])];
}

function providerOf(r: Rule): Provider {
  return r.provider;
}

function isTimestamp(m: Model, name: string): boolean {
  return m.timestamps.createdAt === name || m.timestamps.updatedAt === name;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function orderDefaultLast(list: Provider[], def: Provider): Provider[] {
  return list.includes(def) && list.length > 1 ? [...list.filter((d) => d !== def), def] : list;
}

/** Static rules as the native directives data-schema writes for `a.handler.custom` operations. */
function nativeDirectives(rules: StaticRule[]): AuthDirective[] {
  const out: AuthDirective[] = [];
  const groups = new Set<string>();
  let plainUserPools = false;
  for (const r of rules) {
    if (r.kind === 'staticGroup' && r.provider === 'userPools') for (const g of r.groups) groups.add(g);
    else {
      if (r.provider === 'userPools') plainUserPools = true;
      if (!out.some((d) => d.provider === r.provider)) out.push({ provider: r.provider });
    }
  }
  if (groups.size && !plainUserPools) out.push({ provider: 'userPools', groups: [...groups] });
  return out;
}
