/**
 * Runs `a.handler.custom` resolvers (APPSYNC_JS): each entry's `request(ctx)` builds a data-source
 * request, the data source answers (NONE, or a model table through DynamoDB's request format), and
 * `response(ctx)` shapes the result. Entries form a pipeline.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLResolveInfo } from 'graphql';
import { fromDynamoMap, isEarlyReturn, isResolverError, withCall, type CallState } from './appsync-js/state.js';
import { AppSyncError, FailedOffline } from './errors.js';
import { matches, type Filter, type Item } from './filters.js';
import { ConditionalCheckFailed, type Store, type Table } from './store.js';
import { loadUserModule } from '../../schema/user-module.js';
import { asHandler } from '../../schema/handler-console.js';
import type { JsEntry } from '../../schema/model.js';
import { env } from './amplify-env.js';

export interface JsResolverRuntime {
  store: Store;
  ids(): string;
  now(): Date;
}

export interface JsCall {
  arguments: Record<string, unknown>;
  identity: unknown;
  headers: Record<string, string>;
  info: GraphQLResolveInfo;
  requestId: string;
  source?: unknown;
}

interface Resolver {
  request?: (ctx: Record<string, unknown>) => unknown;
  response?: (ctx: Record<string, unknown>) => unknown;
}

const ALIASES = {
  '@aws-appsync/utils/dynamodb': fileURLToPath(new URL('./appsync-js/dynamodb.js', import.meta.url)),
  '@aws-appsync/utils': fileURLToPath(new URL('./appsync-js/utils.js', import.meta.url)),
};

const loaded = new Map<string, Promise<Resolver>>();

function load(entry: string): Promise<Resolver> {
  let p = loaded.get(entry);
  if (!p) loaded.set(entry, (p = loadResolver(entry)));
  return p;
}

/** The module loads, and its functions run, as the app's code: what they print is the handlers' (handler-console.ts). */
async function loadResolver(entry: string): Promise<Resolver> {
  const name = path.relative(process.cwd(), entry) || entry;
  const m = (await asHandler(name, () => loadUserModule(entry, ALIASES))) as Resolver;
  const as = (fn: ((ctx: Record<string, unknown>) => unknown) | undefined) => fn && ((ctx: Record<string, unknown>) => asHandler(name, () => fn(ctx)));
  return { request: as(m.request), response: as(m.response) };
}

export interface JsResult {
  value: unknown;
  subscriptionFilter?: unknown;
}

export async function runJsResolver(rt: JsResolverRuntime, entries: JsEntry[], call: JsCall): Promise<unknown> {
  return (await runJsResolverDetailed(rt, entries, call)).value;
}

/** Runs the pipeline; also reports the subscription filter a subscription resolver set. */
export async function runJsResolverDetailed(rt: JsResolverRuntime, entries: JsEntry[], call: JsCall): Promise<JsResult> {
  const resolvers = await Promise.all(entries.map((e) => load(e.file)));
  const state: CallState = { errors: [], ids: rt.ids, now: rt.now };
  const stash: Record<string, unknown> = {};
  let prev: unknown = null;
  for (const [i, r] of resolvers.entries()) {
    const ctx: Record<string, unknown> = {
      arguments: call.arguments,
      args: call.arguments,
      identity: call.identity,
      source: call.source ?? null,
      stash,
      prev: { result: prev },
      info: { fieldName: call.info.fieldName, parentTypeName: call.info.parentType.name, variables: call.info.variableValues, selectionSetList: [] },
      request: { headers: call.headers, domainName: null },
      // The API's environment variables, which backend.ts sets with CDK (not evaluated here): placeholders, as
      // for $amplify/env, so code that reads them runs on (mtliendo/fullstack-multi-tenant-with-ui's COGNITO_USER_POOL_ID).
      env,
    };
    try {
      const request = r.request ? withCall(state, () => r.request!(ctx)) : {};
      try {
        ctx.result = await dataSourceCall(rt, entries[i]!.dataSource, request as Item);
      } catch (e) {
        if (e instanceof ConditionalCheckFailed) ctx.error = { message: e.message, type: 'DynamoDB:ConditionalCheckFailedException' };
        else throw e;
      }
      prev = r.response ? withCall(state, () => r.response!(ctx)) : ctx.result;
    } catch (e) {
      if (isEarlyReturn(e)) return { value: e.value, subscriptionFilter: state.subscriptionFilter };
      if (isResolverError(e)) throw new AppSyncError(e.errorType ?? 'Code', e.message);
      if (e instanceof AppSyncError) throw e;
      throw new FailedOffline(`The resolver ${call.info.parentType.name}.${call.info.fieldName} failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return { value: prev, subscriptionFilter: state.subscriptionFilter };
}

async function dataSourceCall(rt: JsResolverRuntime, dataSource: string | undefined, request: Item): Promise<unknown> {
  if (!dataSource || dataSource === 'NONE_DS' || dataSource === 'NONE') return request?.payload ?? null;
  const model = dataSource.endsWith('Table') ? dataSource.slice(0, -'Table'.length) : dataSource;
  const table = rt.store.tables.get(model);
  if (!table) throw new FailedOffline(`Data source ${dataSource} is not available in the emulator (model tables and NONE are)`);
  // The app's code may change what it is given; the table's items are frozen (store.ts).
  return structuredClone(dynamoRequest(table, request));
}

// ---- the DynamoDB data source ------------------------------------------------------------------

interface Expression {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, unknown>;
}

function dynamoRequest(table: Table, req: Item): unknown {
  const key = req.key ? fromDynamoMap(req.key as Item) : {};
  switch (req.operation) {
    case 'GetItem':
      return table.get(key) ?? null;
    case 'PutItem': {
      const item = { ...key, ...fromDynamoMap((req.attributeValues ?? {}) as Item) };
      checkCondition(table.get(key), req.condition);
      table.put(item);
      return item;
    }
    case 'UpdateItem': {
      const stored = table.get(key);
      checkCondition(stored, req.condition);
      const item = applyUpdate({ ...(stored ?? key) }, req.update as Expression);
      table.put(item);
      return item;
    }
    case 'DeleteItem': {
      const stored = table.get(key);
      checkCondition(stored, req.condition);
      if (!stored) return null;
      return table.delete(key);
    }
    case 'Scan':
    case 'Query': {
      const limit = typeof req.limit === 'number' ? req.limit : 100;
      const filter = toFilter(req.filter);
      if (req.operation === 'Scan') {
        const page = table.scan({ limit, nextToken: req.nextToken as string | undefined, filter });
        return { items: page.items, nextToken: page.nextToken, scannedCount: page.scannedCount };
      }
      const terms = parseConditionTerms(req.query as Expression);
      const index = table.model.indexes.find((i) => i.name === req.index);
      const partitionKey = index ? index.partitionKey : table.model.primaryKey.partitionKey;
      const partition = terms.find((t) => (t[partitionKey] as Item | undefined)?.eq !== undefined);
      if (partition) {
        // A key condition: read the partition in sort-key order, `limit` rows, then filter (as DynamoDB).
        const sort: Record<string, Record<string, unknown>> = {};
        for (const t of terms) if (t !== partition) for (const [f, c] of Object.entries(t)) sort[f] = { ...sort[f], ...(c as Item) };
        const page = table.query({ partition: { field: partitionKey, value: (partition[partitionKey] as Item).eq }, sort }, {
          ...(index ? { index } : {}), limit, nextToken: req.nextToken as string | undefined, filter, sortDirection: req.scanIndexForward === false ? 'DESC' : 'ASC',
        });
        return { items: page.items, nextToken: page.nextToken, scannedCount: page.scannedCount };
      }
      const rows = table.scan({ limit: Number.MAX_SAFE_INTEGER, filter: { and: terms } }).items;
      const items = rows.filter((r) => matches(r, filter)).slice(0, limit);
      return { items, nextToken: null, scannedCount: rows.length };
    }
    default:
      throw new FailedOffline(`Unsupported DynamoDB operation ${String(req.operation)}`);
  }
}

function checkCondition(stored: Item | undefined, condition: unknown): void {
  if (!condition) return;
  const filter = toFilter(condition);
  if (!matches(stored ?? {}, filter)) throw new ConditionalCheckFailed();
}

function toFilter(c: unknown): Filter | null {
  if (!c) return null;
  const cond = c as { plain?: Filter } & Expression;
  if (cond.plain) return cond.plain;
  return { and: parseConditionTerms(cond) };
}

/** `#a = :a AND begins_with(#b, :b) AND attribute_not_exists(#c)` … as filters (AND only). */
function parseConditionTerms(e: Expression): Filter[] {
  const names = e.expressionNames ?? {};
  const values = fromDynamoMap((e.expressionValues ?? {}) as Item);
  const name = (n: string) => names[n] ?? n;
  const value = (v: string) => values[v];
  const terms = splitAnd(e.expression);
  return terms.map((t) => {
    let m: RegExpExecArray | null;
    if ((m = /^attribute_exists\((#?\w+)\)$/.exec(t))) return { [name(m[1]!)]: { attributeExists: true } };
    if ((m = /^attribute_not_exists\((#?\w+)\)$/.exec(t))) return { [name(m[1]!)]: { attributeExists: false } };
    if ((m = /^begins_with\((#?\w+),\s*(:\w+)\)$/.exec(t))) return { [name(m[1]!)]: { beginsWith: value(m[2]!) } };
    if ((m = /^(#?\w+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)$/i.exec(t))) return { [name(m[1]!)]: { between: [value(m[2]!), value(m[3]!)] } };
    if ((m = /^(#?\w+)\s*(=|<>|<=|<|>=|>)\s*(:\w+)$/.exec(t))) {
      const op = ({ '=': 'eq', '<>': 'ne', '<=': 'le', '<': 'lt', '>=': 'ge', '>': 'gt' } as Record<string, string>)[m[2]!]!;
      return { [name(m[1]!)]: { [op]: value(m[3]!) } };
    }
    throw new FailedOffline(`authmatrix cannot evaluate the expression term "${t}" (supported: comparisons, begins_with, BETWEEN, attribute_exists, joined by AND)`);
  });
}

function splitAnd(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  const tokens = expression.split(/(\s+AND\s+|\(|\))/i);
  let betweenPending = false;
  for (const tok of tokens) {
    if (tok === '(') depth++;
    if (tok === ')') depth--;
    if (/^\s+AND\s+$/i.test(tok) && depth === 0 && !betweenPending) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    if (/^\s+AND\s+$/i.test(tok)) betweenPending = false;
    if (/\sBETWEEN\s/i.test(tok)) betweenPending = true;
    cur += tok;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `SET #a = :a, #b = #b + :n REMOVE #c ADD #d :n`. */
function applyUpdate(item: Item, e: Expression): Item {
  const names = e.expressionNames ?? {};
  const values = fromDynamoMap((e.expressionValues ?? {}) as Item);
  const name = (n: string) => names[n.trim()] ?? n.trim();
  const operand = (o: string): unknown => {
    const t = o.trim();
    if (t.startsWith(':')) return values[t];
    let m: RegExpExecArray | null;
    if ((m = /^if_not_exists\((#?\w+),\s*(:\w+)\)$/.exec(t))) return item[name(m[1]!)] ?? values[m[2]!];
    if ((m = /^list_append\(([^,]+),\s*([^)]+)\)$/.exec(t))) return [...((operand(m[1]!) as unknown[]) ?? []), ...((operand(m[2]!) as unknown[]) ?? [])];
    return item[name(t)];
  };
  const clauses = e.expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/).map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < clauses.length; i += 2) {
    const kind = clauses[i]!;
    const body = clauses[i + 1] ?? '';
    for (const part of body.split(/,(?![^(]*\))/).map((s) => s.trim()).filter(Boolean)) {
      if (kind === 'SET') {
        const [lhs, rhs] = part.split('=').map((s) => s.trim()) as [string, string];
        const arith = /^(.+?)\s*([+-])\s*(.+)$/.exec(rhs);
        item[name(lhs)] = arith ? Number(operand(arith[1]!) ?? 0) + (arith[2] === '+' ? 1 : -1) * Number(operand(arith[3]!)) : operand(rhs);
      } else if (kind === 'REMOVE') delete item[name(part)];
      else if (kind === 'ADD') {
        const [field, v] = part.split(/\s+/) as [string, string];
        const cur = item[name(field)];
        const add = values[v];
        item[name(field)] = Array.isArray(add) ? [...new Set([...((cur as unknown[]) ?? []), ...add])] : Number(cur ?? 0) + Number(add);
      } else if (kind === 'DELETE') {
        const [field, v] = part.split(/\s+/) as [string, string];
        const remove = (values[v] as unknown[]) ?? [];
        item[name(field)] = ((item[name(field)] as unknown[]) ?? []).filter((x) => !remove.includes(x));
      }
    }
  }
  return item;
}

