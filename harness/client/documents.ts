/**
 * The GraphQL documents the `aws-amplify` v6 data client builds for model and custom operations:
 * anonymous operations, variables declared for every argument, the default selection set (scalar and
 * enum fields, custom types expanded, no relations), printed by graphql-js. Pure functions.
 */
// graphql's language module alone: its index also loads validation and execution, which the test worker never uses.
import { Kind, parse, print, visit, type DocumentNode, type OperationDefinitionNode, type SelectionNode, type VariableDefinitionNode } from 'graphql/language/index.js';
import { isStoredField, type Argument, type AuthModel, type CustomOperation, type Field, type Model } from '../schema/model.js';
import { keyConditionScalar } from '../schema/sdl/names.js';
import { cached, memo2 } from '../rules/memo.js';

export interface Document {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * A selection as amplify-js takes it: dot paths, `'*'` for every scalar of a type
 * (`['id', 'title', 'comments.*', 'author.name']`). Absent: the default selection set.
 */
export type SelectionSet = readonly string[];

const TIMESTAMPS_AND_ID = new Set(['id', 'createdAt', 'updatedAt']);

const printed = new Map<string, string>();

/** graphql-js `print()` output, as amplify-js sends it (cached: documents repeat). */
function normalize(source: string): string {
  let out = printed.get(source);
  if (out === undefined) {
    out = `${print(parse(source))}\n`;
    printed.set(source, out);
  }
  return out;
}

function model(auth: AuthModel, name: string): Model {
  const m = auth.models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
}

function opName(m: Model, op: keyof Model['operationNames']): string {
  const name = m.operationNames[op];
  if (!name) throw new Error(`${m.name} has no ${op} operation`);
  return name;
}

/**
 * Scalar, enum and custom-type fields (expanded), no relations; implicit owner and group fields last,
 * as aws-amplify appends the fields its auth rules name to the introspected ones.
 */
function defaultFields(auth: AuthModel, fields: Field[], depth = 0): string {
  const plain = fields.filter(isStoredField);
  const authImplicit = (f: Field) => f.implicit && !TIMESTAMPS_AND_ID.has(f.name);
  return [...plain.filter((f) => !authImplicit(f)), ...plain.filter(authImplicit)]
    .map((f) => (f.typeKind === 'customType' ? `${f.name} { ${customTypeFields(auth, f.type, depth + 1)} }` : f.name))
    .join(' ');
}

function customTypeFields(auth: AuthModel, type: string, depth: number): string {
  const t = auth.customTypes.find((c) => c.name === type);
  if (!t || depth > 4) return '__typename';
  return defaultFields(auth, t.fields, depth) || '__typename';
}

const selections = new WeakMap<AuthModel, WeakMap<Model, Map<string, string>>>();

/** The selection for a model: default, or built from amplify-style dot paths (once per model and selection: every cell sends one). */
export function selectionFor(auth: AuthModel, m: Model, selection?: SelectionSet): string {
  return memo2(selections, auth, m, selection ? `=${selection.join('\u0000')}` : '', () => buildSelection(auth, m, selection));
}

function buildSelection(auth: AuthModel, m: Model, selection?: SelectionSet): string {
  if (!selection) return defaultFields(auth, m.fields);
  const tree = new Map<string, string[]>();
  for (const path of selection) {
    const [head, ...rest] = path.split('.');
    if (!head) continue;
    const list = tree.get(head) ?? [];
    if (rest.length) list.push(rest.join('.'));
    tree.set(head, list);
  }
  const parts: string[] = [];
  for (const [head, sub] of tree) {
    if (head === '*') {
      parts.push(defaultFields(auth, m.fields));
      continue;
    }
    // `field(limit: 1000)`: a relation with its arguments.
    const [, name = head, args = ''] = /^(\w+)(\(.*\))?$/.exec(head) ?? [];
    const f = m.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${m.name} has no field ${name}`);
    if (f.relation) {
      const child = model(auth, f.relation.model);
      const inner = selectionFor(auth, child, sub.length ? sub : ['*']);
      parts.push(f.relation.kind === 'hasMany' ? `${name}${args} { items { ${inner} } }` : `${name}${args} { ${inner} }`);
    } else if (f.typeKind === 'customType') {
      parts.push(`${name} { ${customTypeFields(auth, f.type, 1)} }`);
    } else parts.push(name);
  }
  return parts.join(' ');
}

function gqlType(a: Pick<Argument, 'type' | 'list' | 'required'>): string {
  const inner = a.list ? `[${a.type}]` : a.type;
  return a.required ? `${inner}!` : inner;
}

function keyFields(m: Model): Field[] {
  return [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].map((k) => m.fields.find((f) => f.name === k)!);
}

function pick(input: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (input[n] !== undefined) out[n] = input[n];
  return out;
}

function mutation(auth: AuthModel, m: Model, op: 'create' | 'update' | 'delete', input: Record<string, unknown>, selection?: SelectionSet, condition?: Record<string, unknown>): Document {
  const name = opName(m, op);
  const inputType = `${op[0]!.toUpperCase()}${op.slice(1)}${m.name}Input`;
  if (condition) {
    return {
      query: normalize(`mutation ($input: ${inputType}!, $condition: Model${m.name}ConditionInput) { ${name}(input: $input, condition: $condition) { ${selectionFor(auth, m, selection)} } }`),
      variables: { input, condition },
    };
  }
  return {
    query: normalize(`mutation ($input: ${inputType}!) { ${name}(input: $input) { ${selectionFor(auth, m, selection)} } }`),
    variables: { input },
  };
}

const writables = new WeakMap<Model, Set<string>>();

/** Fields amplify-js sends in create/update input: the key, and no read-only timestamps or implicit fields. */
function writable(m: Model): Set<string> {
  return cached(writables, m, () => new Set([...m.fields.filter((f) => !f.implicit && isStoredField(f)).map((f) => f.name), m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]));
}

export function createDocument(auth: AuthModel, modelName: string, input: Record<string, unknown>, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const keep = writable(m);
  return mutation(auth, m, 'create', pick(input, Object.keys(input).filter((k) => keep.has(k))), selection);
}

export function updateDocument(auth: AuthModel, modelName: string, input: Record<string, unknown>, selection?: SelectionSet, condition?: Record<string, unknown>): Document {
  const m = model(auth, modelName);
  const keep = writable(m);
  return mutation(auth, m, 'update', pick(input, Object.keys(input).filter((k) => keep.has(k))), selection, condition);
}

export function deleteDocument(auth: AuthModel, modelName: string, key: Record<string, unknown>, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  return mutation(auth, m, 'delete', pick(key, keyFields(m).map((f) => f.name)), selection);
}

export function getDocument(auth: AuthModel, modelName: string, key: Record<string, unknown>, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const keys = keyFields(m);
  const decl = keys.map((f) => `$${f.name}: ${f.type}!`).join(', ');
  const args = keys.map((f) => `${f.name}: $${f.name}`).join(', ');
  return {
    query: normalize(`query (${decl}) { ${opName(m, 'get')}(${args}) { ${selectionFor(auth, m, selection)} } }`),
    variables: pick(key, keys.map((f) => f.name)),
  };
}

export interface ListArgs {
  filter?: Record<string, unknown>;
  limit?: number;
  nextToken?: string | null;
  sortDirection?: 'ASC' | 'DESC';
  /** A table query: the partition key's value and the sort-key condition, under their argument names. */
  key?: Record<string, unknown>;
}

export function listDocument(auth: AuthModel, modelName: string, args: ListArgs = {}, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const name = opName(m, 'list');
  const sortable = m.primaryKey.sortKeys.length > 0;
  const key = args.key ? keyArguments(m, m.primaryKey.partitionKey, m.primaryKey.sortKeys, `Model${m.name}PrimaryCompositeKeyConditionInput`, false) : { decl: [], call: [], names: [] };
  const decl = [...key.decl, `$filter: Model${m.name}FilterInput`, ...(sortable ? ['$sortDirection: ModelSortDirection'] : []), '$limit: Int', '$nextToken: String'];
  const call = [...key.call, 'filter: $filter', ...(sortable ? ['sortDirection: $sortDirection'] : []), 'limit: $limit', 'nextToken: $nextToken'];
  const variables: Record<string, unknown> = {};
  for (const k of key.names) if (args.key?.[k] !== undefined && args.key[k] !== null) variables[k] = args.key[k];
  if (args.filter) variables.filter = args.filter;
  if (sortable && args.sortDirection) variables.sortDirection = args.sortDirection;
  if (args.limit !== undefined) variables.limit = args.limit;
  if (args.nextToken) variables.nextToken = args.nextToken;
  return {
    query: normalize(`query (${decl.join(', ')}) { ${name}(${call.join(', ')}) { items { ${selectionFor(auth, m, selection)} } nextToken __typename } }`),
    variables,
  };
}

/** A secondary-index query (`listPostsByAuthor`): partition key required, sort key condition optional. */
export function indexDocument(auth: AuthModel, modelName: string, queryField: string, args: Record<string, unknown> & ListArgs, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const ix = m.indexes.find((i) => i.queryField === queryField);
  if (!ix) throw new Error(`${m.name} has no index query ${queryField}`);
  const key = keyArguments(m, ix.partitionKey, ix.sortKeys, `Model${m.name}${ix.name[0]!.toUpperCase()}${ix.name.slice(1)}CompositeKeyConditionInput`, true);
  const decl = [...key.decl, `$filter: Model${m.name}FilterInput`, '$sortDirection: ModelSortDirection', '$limit: Int', '$nextToken: String'];
  const call = [...key.call, 'filter: $filter', 'sortDirection: $sortDirection', 'limit: $limit', 'nextToken: $nextToken'];
  const variables: Record<string, unknown> = {};
  for (const k of [...key.names, 'filter', 'sortDirection', 'limit', 'nextToken']) if (args[k] !== undefined && args[k] !== null) variables[k] = args[k];
  return {
    query: normalize(`query (${decl.join(', ')}) { ${queryField}(${call.join(', ')}) { items { ${selectionFor(auth, m, selection)} } nextToken __typename } }`),
    variables,
  };
}

/** The key arguments of a table or index query: the partition key, and the sort-key condition (one argument for a composite key). */
function keyArguments(m: Model, partitionKey: string, sortKeys: string[], compositeType: string, required: boolean): { decl: string[]; call: string[]; names: string[] } {
  const pk = m.fields.find((f) => f.name === partitionKey)!;
  const sk = sortKeys.length === 1 ? m.fields.find((f) => f.name === sortKeys[0]) : undefined;
  const skType = sk ? `Model${keyConditionScalar(sk)}KeyConditionInput` : sortKeys.length > 1 ? compositeType : '';
  const skName = sortKeys.length === 1 ? sortKeys[0]! : sortKeys.map((k, i) => (i === 0 ? k : k.charAt(0).toUpperCase() + k.slice(1))).join('');
  return {
    decl: [`$${pk.name}: ${pk.type}${required ? '!' : ''}`, ...(skType ? [`$${skName}: ${skType}`] : [])],
    call: [`${pk.name}: $${pk.name}`, ...(skType ? [`${skName}: $${skName}`] : [])],
    names: [pk.name, ...(skType ? [skName] : [])],
  };
}

export type SubscriptionOperation = 'onCreate' | 'onUpdate' | 'onDelete';

/**
 * `onCreatePost(filter: $filter)`; amplify-js sends no owner argument, authmatrix adds them when a
 * cell subscribes for one owner (`ownerArgs` by owner field).
 */
export function subscriptionDocument(auth: AuthModel, modelName: string, op: SubscriptionOperation, args: { filter?: Record<string, unknown>; ownerArgs?: Record<string, string> } = {}, selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const owners = Object.keys(args.ownerArgs ?? {});
  const decl = [`$filter: ModelSubscription${m.name}FilterInput`, ...owners.map((o) => `$${o}: String`)].join(', ');
  const call = ['filter: $filter', ...owners.map((o) => `${o}: $${o}`)].join(', ');
  const variables: Record<string, unknown> = { ...(args.filter ? { filter: args.filter } : {}), ...args.ownerArgs };
  return {
    query: normalize(`subscription (${decl}) { ${opName(m, op)}(${call}) { ${selectionFor(auth, m, selection)} } }`),
    variables,
  };
}

/** A custom query, mutation or subscription: every argument declared, absent optional ones omitted. */
export function customDocument(auth: AuthModel, op: CustomOperation, args: Record<string, unknown>): Document {
  const decl = op.arguments.map((a) => `$${a.name}: ${gqlType(a)}`).join(', ');
  const call = op.arguments.map((a) => `${a.name}: $${a.name}`).join(', ');
  const ret = op.returns;
  const sel = ret.typeKind === 'model' ? ` { ${defaultFields(auth, model(auth, ret.type).fields)} }` : ret.typeKind === 'customType' ? ` { ${customTypeFields(auth, ret.type, 1)} }` : '';
  const head = op.arguments.length ? `${op.type} (${decl})` : op.type;
  return {
    query: normalize(`${head} { ${op.name}${op.arguments.length ? `(${call})` : ''}${sel} }`),
    variables: pick(args, op.arguments.map((a) => a.name)),
  };
}

/**
 * Several mutations of one kind in one request, each under an alias (`m0: createPost(input: $i0)`):
 * how the runner creates fixture copies cheaply. AppSync runs them in order.
 */
export function batchDocument(auth: AuthModel, modelName: string, op: 'create' | 'delete', inputs: Record<string, unknown>[], selection?: SelectionSet): Document {
  const m = model(auth, modelName);
  const name = opName(m, op);
  const type = `${op === 'create' ? 'Create' : 'Delete'}${m.name}Input`;
  const sel = selectionFor(auth, m, selection);
  const variables: Record<string, unknown> = {};
  inputs.forEach((input, i) => (variables[`i${i}`] = input));
  const decl = inputs.map((_, i) => `$i${i}: ${type}!`).join(', ');
  // graphql-js puts a field's arguments on lines of their own past 80 columns: only below that is every alias printed
  // as the first one is, with its own index.
  const last = inputs.length - 1;
  if (`m${last}: ${name}`.length + `input: $i${last}`.length + 2 > 80) {
    return { query: normalize(`mutation (${decl}) { ${inputs.map((_, i) => `m${i}: ${name}(input: $i${i}) { ${sel} }`).join(' ')} }`), variables };
  }
  const rest = memo2(batchItems, auth, m, `${op}\u0000${sel}`, () => {
    const one = normalize(`mutation ($i0: ${type}!) { m0: ${name}(input: $i0) { ${sel} } }`);
    return one.slice(one.indexOf(`  m0: ${name}(input: $i0)`) + `  m0: ${name}(input: $i0)`.length, -'}\n'.length);
  });
  return { query: `mutation (${decl}) {\n${inputs.map((_, i) => `  m${i}: ${name}(input: $i${i})${rest}`).join('')}}\n`, variables };
}

/**
 * What follows an alias's field in a printed batch: its selection set. Printing each batch whole cost the run's process
 * 15–30 ms while it made the blog's fixtures (every batch size and model a document of its own).
 */
const batchItems = new WeakMap<AuthModel, WeakMap<Model, Map<string, string>>>();

/**
 * Several operations of one kind as one request: each root field under its alias, each variable
 * prefixed with it (`a_id`). The batch attack sends a read the caller may make beside one it may not.
 */
export function combineDocuments(parts: { alias: string; doc: Document }[]): Document {
  const variableDefinitions: VariableDefinitionNode[] = [];
  const selections: SelectionNode[] = [];
  const variables: Record<string, unknown> = {};
  let operation: OperationDefinitionNode['operation'] | undefined;
  for (const { alias, doc } of parts) {
    const op = parse(doc.query).definitions[0] as OperationDefinitionNode;
    if (operation && op.operation !== operation) throw new Error('a batch mixes operation types');
    operation = op.operation;
    const renamed = visit(op, { Variable: (node) => ({ ...node, name: { ...node.name, value: `${alias}_${node.name.value}` } }) });
    variableDefinitions.push(...(renamed.variableDefinitions ?? []));
    for (const sel of renamed.selectionSet.selections) selections.push(sel.kind === Kind.FIELD ? { ...sel, alias: { kind: Kind.NAME, value: alias } } : sel);
    for (const [k, v] of Object.entries(doc.variables)) variables[`${alias}_${k}`] = v;
  }
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: operation ?? ('query' as OperationDefinitionNode['operation']), variableDefinitions, selectionSet: { kind: Kind.SELECTION_SET, selections } }],
  };
  return { query: `${print(document)}\n`, variables };
}
