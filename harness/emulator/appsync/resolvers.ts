/**
 * The model resolvers: get/list/index queries, create/update/delete with their key conditions, field
 * resolvers (field auth, mutation-response redaction, owner display), and relations. Each calls the
 * auth functions in auth/checks.ts first, as the generated pipelines do.
 */
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { READ_OPERATIONS, type AuthModel, type Field, type Model, type Relation } from '../../schema/model.js';
import type { ApiOperation } from './api-schema.js';
import { Acm, claimOf, entityOf, nonModelFieldRoles, type AcmRole, type StaticRole } from './auth/acm.js';
import {
  adminRole,
  authorizeCreate,
  authorizeDelete,
  authorizeRead,
  authorizeRelationRead,
  authorizeSubscription,
  authorizeUpdate,
  canReadField,
  FieldsUnauthorized,
  restrictedFields,
  Unauthorized,
  type AuthEnv,
  type QueryKey,
} from './auth/checks.js';
import type { CustomOperationRunner } from './custom-operations.js';
import type { RequestContext, SubscriptionSetup } from './request.js';
import { AppSyncError, conditionalCheckFailed, notAuthorized } from './errors.js';
import { FilterError, matches, type Filter, type Item } from './filters.js';
import { BadNextToken, ConditionalCheckFailed, type Store, type Table } from './store.js';

const MUTATION = '__operation';

interface ModelInfo {
  model: Model;
  table: Table;
  acm: Acm;
  restricted: Map<string, AcmRole[]>;
  /** Owner fields that read back as the last `::` segment. */
  displayed: Set<string>;
  /** Creates that leave out `id` get a generated one. */
  autoId: boolean;
  /** Relational fields that mutation responses leave empty (they feed subscriptions). */
  redactedRelations: Set<string>;
}

export class ModelResolvers {
  private readonly models = new Map<string, ModelInfo>();
  /** `Type.field` of non-model fields with rules → the roles that may read them. */
  private readonly nonModelFields = new Map<string, StaticRole[]>();

  constructor(
    private readonly auth: AuthModel,
    store: Store,
    private readonly custom: CustomOperationRunner,
    private readonly ids: { id(): string; now(): string },
  ) {
    for (const model of auth.models) {
      const acm = new Acm(model);
      const displayed = new Set<string>();
      if (auth.params.useSubUsernameForDefaultIdentityClaim) {
        for (const r of [...model.rules, ...model.fields.flatMap((f) => f.rules ?? [])]) {
          if (r.kind === 'owner' && r.identityClaim.includes('::')) displayed.add(r.ownerField);
        }
      }
      // The create init slot defaults `id` to $util.autoId() whenever the type has an `id` of type ID or String.
      const autoId = model.fields.some((f) => f.name === 'id' && !f.list && (f.type === 'ID' || f.type === 'String'));
      this.models.set(model.name, { model, table: store.table(model.name), acm, restricted: restrictedFields(acm), displayed, autoId, redactedRelations: new Set() });
    }
    for (const info of this.models.values()) info.redactedRelations = this.relationRedactions(info);
    for (const t of auth.customTypes) {
      for (const f of t.fields) if (f.rules) this.nonModelFields.set(`${t.name}.${f.name}`, nonModelFieldRoles(t.name, f.name, f.rules));
    }
  }

  private info(name: string): ModelInfo {
    return this.models.get(name)!;
  }

  /** Does a resolver run for `type.field` (relations, field-level auth, owner display), as the transformer attaches them? */
  resolves(type: string, field: string): boolean {
    const info = this.models.get(type);
    if (!info) return false;
    return info.restricted.has(field) || info.displayed.has(field) || info.model.fields.some((f) => f.name === field && f.relation !== undefined);
  }

  // ---- root fields ---------------------------------------------------------------------------

  async root(op: ApiOperation, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo): Promise<unknown> {
    try {
      switch (op.kind) {
        case 'get':
          return this.get(this.info(op.model), args, ctx.env);
        case 'list':
          return this.list(this.info(op.model), args, ctx.env);
        case 'index':
          return this.indexQuery(this.info(op.model), op.index, args, ctx.env);
        case 'create':
        case 'update':
        case 'delete': {
          const result = await this.mutate(op.kind, this.info(op.model), args, ctx);
          ctx.published.push({ model: op.model, mutation: info.fieldName, responseKey: info.path.key as string });
          return result;
        }
        case 'custom': {
          const result = await this.custom.run(op.name, args, ctx, info);
          if (info.parentType.name === 'Mutation') ctx.published.push({ model: '', mutation: info.fieldName, responseKey: info.path.key as string });
          return result;
        }
        default:
          return null;
      }
    } catch (e) {
      throw this.translate(e, info.fieldName, info.parentType.name, ctx.requestId);
    }
  }

  /** The subscription resolver at `start`: auth (owner arguments, runtime filters) and the client filter. */
  async subscribe(op: ApiOperation | undefined, field: string, args: Record<string, unknown>, ctx: RequestContext): Promise<SubscriptionSetup> {
    const clientFilter = args.filter && typeof args.filter === 'object' && Object.keys(args.filter).length ? (args.filter as Filter) : null;
    const argumentFilter = Object.fromEntries(Object.entries(args).filter(([k, v]) => k !== 'filter' && v !== null && v !== undefined));
    let filter: Filter | null;
    try {
      if (op?.kind === 'onCreate' || op?.kind === 'onUpdate' || op?.kind === 'onDelete') {
        const info = this.info(op.model);
        filter = info.model.subscriptionLevel === 'public' ? clientFilter : authorizeSubscription(info.acm, ctx.env, args).filter;
      } else if (op?.kind === 'custom') {
        filter = (await this.custom.subscribe(op.name, args, ctx)) ?? clientFilter;
      } else filter = clientFilter;
    } catch (e) {
      throw this.translate(e, field, 'Subscription', ctx.requestId);
    }
    checkFilterLimits(filter);
    return { filter, argumentFilter: filter ? {} : argumentFilter };
  }

  private translate(e: unknown, field: string, type: string, requestId: string): unknown {
    if (e instanceof Unauthorized) return notAuthorized(field, type);
    if (e instanceof FieldsUnauthorized) return new AppSyncError('Unauthorized', e.message);
    if (e instanceof ConditionalCheckFailed) return conditionalCheckFailed(requestId);
    if (e instanceof FilterError) return new AppSyncError('Unrecognized Filter', 'Unable to process the filter expression');
    if (e instanceof BadNextToken) return new AppSyncError('DynamoDB:DynamoDbException', e.message);
    return e;
  }

  private key(m: Model, args: Item): Item {
    const key: Item = {};
    for (const k of [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]) key[k] = args[k];
    return key;
  }

  /** The table's key as the auth step sees it (a composite sort key is no single field). */
  private tableKey(m: Model, args: Item): QueryKey {
    const sk = m.primaryKey.sortKeys;
    return { partitionKey: m.primaryKey.partitionKey, ...(sk.length === 1 ? { sortKey: sk[0]! } : {}), args, index: false };
  }

  private get(info: ModelInfo, args: Item, env: AuthEnv): Item | null {
    const auth = authorizeRead(info.acm, env, ['get'], this.tableKey(info.model, args));
    const item = info.table.get(this.key(info.model, args));
    if (!item) return null;
    // The item exists but the auth filter drops it: scannedCount 1, no items → unauthorized.
    if (!auth.authorized && !matches(item, auth.filter)) throw new Unauthorized();
    return item;
  }

  private list(info: ModelInfo, given: Item, env: AuthEnv): { items: Item[]; nextToken: string | null } {
    const auth = authorizeRead(info.acm, env, ['list'], this.tableKey(info.model, given));
    const args = { ...given, ...auth.pinned };
    const filter = combine(auth.filter, args.filter as Filter | undefined);
    const limit = typeof args.limit === 'number' ? args.limit : 100;
    const m = info.model;
    const pk = args[m.primaryKey.partitionKey];
    if (pk !== undefined && pk !== null) {
      const sortArg = m.primaryKey.sortKeys.length === 1 ? args[m.primaryKey.sortKeys[0]!] : args[camelJoin(m.primaryKey.sortKeys)];
      return info.table.query({ partition: { field: m.primaryKey.partitionKey, value: pk }, sort: sortCondition(m.primaryKey.sortKeys, sortArg) },
        { limit, nextToken: args.nextToken as string | undefined, filter, sortDirection: args.sortDirection as 'ASC' | 'DESC' | undefined });
    }
    return info.table.scan({ limit, nextToken: args.nextToken as string | undefined, filter });
  }

  private indexQuery(info: ModelInfo, indexName: string, given: Item, env: AuthEnv): { items: Item[]; nextToken: string | null } {
    const ix = info.model.indexes.find((i) => i.name === indexName)!;
    const auth = authorizeRead(info.acm, env, ['list'], { partitionKey: ix.partitionKey, ...(ix.sortKeys.length === 1 ? { sortKey: ix.sortKeys[0]! } : {}), args: given, index: true });
    const args = { ...given, ...auth.pinned };
    const sortArg = ix.sortKeys.length === 1 ? args[ix.sortKeys[0]!] : args[camelJoin(ix.sortKeys)];
    return info.table.query({ partition: { field: ix.partitionKey, value: args[ix.partitionKey] }, sort: sortCondition(ix.sortKeys, sortArg) }, {
      index: ix,
      limit: typeof args.limit === 'number' ? args.limit : 100,
      nextToken: args.nextToken as string | undefined,
      filter: combine(auth.filter, args.filter as Filter | undefined),
      sortDirection: args.sortDirection as 'ASC' | 'DESC' | undefined,
    });
  }

  /**
   * Puts a record into the store as the create resolver would store it, without the auth step: the
   * emulator owns its store, so a run can have records that no caller may create (authmatrix run says so).
   */
  seed(model: string, input: Item): Item {
    const info = this.info(model);
    const item = this.stored(info, input, this.ids.now());
    info.table.put(item, { ifAbsent: true });
    return structuredClone(item);
  }

  /** The item stored under a key, as the table holds it (the run's serial cells put it back with `restore`). */
  storedItem(model: string, key: Item): Item | undefined {
    return this.info(model).table.get(key);
  }

  /** Puts an item back as it was stored, or (without one) removes whatever is stored under the key. */
  restore(model: string, key: Item, item: Item | undefined): void {
    const table = this.info(model).table;
    if (item) table.put(item);
    else if (table.get(key)) table.delete(key);
  }

  /** A create's input as the resolver stores it: generated id, timestamps, `__typename`. */
  private stored(info: ModelInfo, input: Item, now: string): Item {
    const m = info.model;
    const item: Item = { ...input };
    if (info.autoId && (item.id === undefined || item.id === null)) item.id = this.ids.id();
    if (m.timestamps.createdAt && item[m.timestamps.createdAt] === undefined) item[m.timestamps.createdAt] = now;
    if (m.timestamps.updatedAt && item[m.timestamps.updatedAt] === undefined) item[m.timestamps.updatedAt] = now;
    item.__typename = m.name;
    return item;
  }

  private async mutate(kind: 'create' | 'update' | 'delete', info: ModelInfo, args: Item, ctx: RequestContext): Promise<Item> {
    const m = info.model;
    const input = { ...(args.input as Item) };
    const condition = args.condition as Filter | undefined;
    const now = this.ids.now();
    let result: Item;
    if (kind === 'create') {
      authorizeCreate(info.acm, ctx.env, input);
      const item = this.stored(info, input, now);
      if (condition && !matches({}, condition)) throw new ConditionalCheckFailed();
      info.table.put(item, { ifAbsent: true });
      result = item;
    } else if (kind === 'update') {
      const key = this.key(m, input);
      const stored = info.table.get(key) ?? null;
      authorizeUpdate(info.acm, ctx.env, input, stored);
      if (!stored) throw new ConditionalCheckFailed();
      const item: Item = { ...stored };
      for (const [k, v] of Object.entries(input)) {
        if (v === null) delete item[k];
        else item[k] = v;
      }
      if (m.timestamps.updatedAt) item[m.timestamps.updatedAt] = now;
      info.table.put(item, { ifPresent: true, ...(condition ? { condition } : {}) });
      result = item;
    } else {
      const key = this.key(m, input);
      const stored = info.table.get(key) ?? null;
      authorizeDelete(info.acm, ctx.env, stored);
      if (!stored) throw new ConditionalCheckFailed();
      result = info.table.delete(key, condition ? { condition } : {});
    }
    return { ...result, [MUTATION]: 'Mutation' };
  }

  // ---- fields of model types -----------------------------------------------------------------

  /** Synchronous but for relations: graphql-js completes a list of plain values without a promise per field. */
  field(parent: GraphQLObjectType, fieldName: string, source: Item, args: Item, ctx: RequestContext): unknown {
    if (!source) return null;
    const info = this.models.get(parent.name);
    if (!info) {
      // A field rule on a non-model type: its own resolver checks the static roles; the stored value, never redacted.
      const roles = this.nonModelFields.get(`${parent.name}.${fieldName}`);
      if (roles && !canReadField(ctx.env, roles, source)) throw notAuthorized(fieldName, parent.name);
      return source[fieldName];
    }
    const field = info.model.fields.find((f) => f.name === fieldName);
    if (field?.relation) return this.relation(info, field, source, args, ctx.env).catch((e: unknown) => {
      throw this.translate(e, fieldName, parent.name, ctx.requestId);
    });
    const allowedRoles = info.restricted.get(fieldName);
    const fromMutation = source[MUTATION] === 'Mutation';
    if (allowedRoles) {
      if (!canReadField(ctx.env, allowedRoles, source)) throw notAuthorized(fieldName, parent.name);
      // The display function runs last and reads the stored value, so it survives redaction.
      if (fromMutation && info.model.subscriptionLevel === 'on' && !info.displayed.has(fieldName) && !adminRole(ctx.env)) return null;
    }
    const value = source[fieldName];
    if (info.displayed.has(fieldName)) return display(value);
    return value;
  }

  private async relation(info: ModelInfo, field: Field, source: Item, args: Item, env: AuthEnv): Promise<unknown> {
    const rel = field.relation!;
    const fromMutation = source[MUTATION] === 'Mutation';
    const many = rel.kind === 'hasMany' || rel.kind === 'manyToMany';
    if (fromMutation && info.redactedRelations.has(field.name)) return many ? { items: [], nextToken: null } : null;
    const allowedRoles = info.restricted.get(field.name);
    if (allowedRoles && !canReadField(env, allowedRoles, source)) throw new Unauthorized();
    const childName = rel.kind === 'manyToMany' ? rel.joinModel! : rel.model;
    const child = this.info(childName);
    const auth = authorizeRelationRead(child.acm, env, READ_OPERATIONS, relationKeys(rel, source));
    const tag = (item: Item) => (fromMutation ? { ...item, [MUTATION]: 'Mutation' } : item);
    // The related records are those whose remote fields hold this record's local values (or the caller's claim,
    // where the auth step replaced one): a GetItem when they are the related model's primary key, otherwise a
    // query through the index the transformer adds for them.
    const values = rel.remote.map((f, i) => (f in auth.replaced ? auth.replaced[f] : source[rel.local[i]!]));
    const missing = values.some((v) => v === undefined || v === null);
    if (rel.kind === 'belongsTo' || rel.kind === 'hasOne') {
      if (missing) return null;
      const pk = [child.model.primaryKey.partitionKey, ...child.model.primaryKey.sortKeys];
      const item = pk.length === rel.remote.length && pk.every((k, i) => rel.remote[i] === k)
        ? child.table.get(Object.fromEntries(pk.map((k, i) => [k, values[i]])))
        : child.table.lookup(rel.remote, values)[0];
      if (!item) return null;
      if (!auth.authorized && !matches(item, auth.filter)) throw new Unauthorized();
      return tag(item);
    }
    const children = missing ? [] : child.table.lookup(rel.remote, values);
    const limit = typeof args.limit === 'number' ? args.limit : 100;
    const filter = combine(auth.filter, args.filter as Filter | undefined);
    const items = children.filter((c) => matches(c, filter)).slice(0, limit);
    return { items: items.map(tag), nextToken: null };
  }

  /**
   * Relational fields a mutation response leaves empty: those with their own field rules, and those
   * where some role reads both sides unless both sides have the same static roles (transformer rule).
   */
  private relationRedactions(info: ModelInfo): Set<string> {
    const out = new Set<string>();
    if (info.model.subscriptionLevel !== 'on') return out;
    const readRoles = (acm: Acm) => collapsePrivate(acm.roles.filter((r) => READ_OPERATIONS.some((op) => acm.rolesFor(op).includes(r))));
    for (const f of info.model.fields) {
      const rel = f.relation;
      if (!rel) continue;
      if (f.required && rel.kind !== 'hasMany') continue;
      if (info.restricted.has(f.name)) {
        out.add(f.name);
        continue;
      }
      if (this.auth.params.subscriptionsInheritPrimaryAuth) continue;
      const child = this.models.get(rel.kind === 'manyToMany' ? rel.joinModel! : rel.model);
      if (!child) continue;
      const parentRoles = readRoles(info.acm);
      const childRoles = readRoles(child.acm);
      const overlap = parentRoles.some((p) => childRoles.some((c) => bothSides(p, c)));
      if (!overlap) continue;
      const same = parentRoles.length === childRoles.length && childRoles.every((c) => c.static && c.strategy !== 'custom' && parentRoles.some((p) => identical(p, c)));
      if (!same) out.add(f.name);
    }
    return out;
  }
}

/** AppSync's enhanced-filter limits: `in`/`notIn` take at most 5 values, `containsAny` at most 20. */
function checkFilterLimits(filter: unknown): void {
  if (!filter || typeof filter !== 'object') return;
  for (const [k, v] of Object.entries(filter)) {
    if ((k === 'in' || k === 'notIn') && Array.isArray(v) && v.length > 5) {
      throw new AppSyncError('BadRequestException', `Subscription filter validation failed: '${k}' takes at most 5 values, got ${v.length}`);
    }
    if (k === 'containsAny' && Array.isArray(v) && v.length > 20) {
      throw new AppSyncError('BadRequestException', `Subscription filter validation failed: 'containsAny' takes at most 20 values, got ${v.length}`);
    }
    if (Array.isArray(v)) v.forEach(checkFilterLimits);
    else checkFilterLimits(v);
  }
}

function collapsePrivate(roles: AcmRole[]): AcmRole[] {
  let out = roles;
  for (const provider of ['userPools', 'oidc'] as const) {
    if (out.some((r) => r.provider === provider && r.strategy === 'private')) out = out.filter((r) => r.provider !== provider || r.strategy === 'private');
  }
  return out;
}

function identical(a: AcmRole, b: AcmRole): boolean {
  return a.provider === b.provider && a.strategy === b.strategy && a.static === b.static && claimOf(a) === claimOf(b) && entityOf(a) === entityOf(b);
}

function bothSides(a: AcmRole, b: AcmRole): boolean {
  if (identical(a, b)) return true;
  return a.provider === b.provider && ['userPools', 'oidc', 'iam'].includes(a.provider) && (a.strategy === 'private' || b.strategy === 'private');
}

function combine(a: Filter | null | undefined, b: Filter | null | undefined): Filter | null {
  if (a && b) return { and: [a, b] };
  return a ?? b ?? null;
}

function camelJoin(keys: string[]): string {
  return keys.map((k, i) => (i === 0 ? k : k.charAt(0).toUpperCase() + k.slice(1))).join('');
}

/** A sort-key condition argument as per-field conditions (composite keys compare field by field). */
function sortCondition(sortKeys: string[], arg: unknown): Record<string, Record<string, unknown>> | undefined {
  if (!arg || typeof arg !== 'object' || !sortKeys.length) return undefined;
  const cond = arg as Record<string, unknown>;
  if (sortKeys.length === 1) return { [sortKeys[0]!]: cond };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [op, value] of Object.entries(cond)) {
    if (op === 'between' && Array.isArray(value)) {
      for (const k of sortKeys) out[k] = { ...out[k], between: [(value[0] as Item)?.[k], (value[1] as Item)?.[k]] };
      continue;
    }
    const v = value as Item;
    sortKeys.forEach((k, i) => {
      if (v?.[k] === undefined) return;
      const last = i === sortKeys.length - 1 || sortKeys.slice(i + 1).every((n) => v[n] === undefined);
      out[k] = { ...out[k], [last ? op : 'eq']: v[k] };
    });
  }
  return out;
}

/** The owner field's display value: the last `::` segment (each element of a list). */
function display(value: unknown): unknown {
  const last = (s: string) => {
    const parts = s.split('::');
    while (parts.length > 1 && parts.at(-1) === '') parts.pop();
    return parts.at(-1) ?? s;
  };
  if (typeof value === 'string') return last(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? last(v) : v));
  return value;
}

/**
 * The related key attributes a relation fills from the source record (utils getRelationalPrimaryMap): its declared
 * fields matched against the related table's or index's key; a sort key over several fields is one composite
 * attribute, so only the partition key counts then. Implicit key fields hold no owner and give none.
 */
function relationKeys(rel: Relation, source: Item): Map<string, unknown> {
  const pairs = rel.remote.map((f, i) => [f, source[rel.local[i]!]] as const);
  return new Map(rel.remote.length > 2 ? pairs.slice(0, 1) : pairs);
}
