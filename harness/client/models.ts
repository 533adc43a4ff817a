/**
 * `models.Post.create/get/list/update/delete/onCreate/…`: model operations over a GraphQLClient (and a
 * RealtimeClient for subscriptions), sending exactly the documents `aws-amplify` v6 sends. Responses
 * are the raw GraphQLResult (status, body, errors, evidence), with the operation's payload picked out.
 */
import type { AuthModel, CustomOperation } from '../schema/model.js';
import {
  createDocument,
  customDocument,
  deleteDocument,
  getDocument,
  indexDocument,
  listDocument,
  subscriptionDocument,
  updateDocument,
  type Document,
  type ListArgs,
  type SelectionSet,
  type SubscriptionOperation,
} from './documents.js';
import type { GraphQLClient, GraphQLResult, RequestOptions } from './http.js';
import type { RealtimeClient, Subscription } from './realtime.js';

export interface ModelResult<T> extends GraphQLResult {
  /** The operation's payload (`data.createPost`), or null. */
  item: T | null;
}

export interface ListResult extends GraphQLResult {
  items: (Record<string, unknown> | null)[];
  nextToken: string | null;
}

type Row = Record<string, unknown>;

export interface CallOptions extends RequestOptions {
  selectionSet?: SelectionSet;
}

export interface ModelOperations {
  create(input: Row, options?: CallOptions): Promise<ModelResult<Row>>;
  get(key: Row, options?: CallOptions): Promise<ModelResult<Row>>;
  update(input: Row, options?: CallOptions): Promise<ModelResult<Row>>;
  delete(key: Row, options?: CallOptions): Promise<ModelResult<Row>>;
  list(args?: ListArgs, options?: CallOptions): Promise<ListResult>;
  /** Every page, following nextToken (`maxPages` guards against an endless cursor). */
  listAll(args?: ListArgs, options?: CallOptions & { maxPages?: number }): Promise<ListResult & { pages: GraphQLResult[] }>;
  /** A secondary-index query by its query field. */
  index(queryField: string, args: Row & ListArgs, options?: CallOptions): Promise<ListResult>;
  onCreate(args?: SubscribeArgs, options?: SubscribeOptions): Promise<Subscription>;
  onUpdate(args?: SubscribeArgs, options?: SubscribeOptions): Promise<Subscription>;
  onDelete(args?: SubscribeArgs, options?: SubscribeOptions): Promise<Subscription>;
}

export interface SubscribeArgs {
  filter?: Row;
  ownerArgs?: Record<string, string>;
}

export interface SubscribeOptions {
  selectionSet?: SelectionSet;
  realtime: RealtimeClient;
  auth?: RequestOptions['auth'];
  headers?: RequestOptions['headers'];
}

function payload(r: GraphQLResult): unknown {
  const data = r.data;
  if (!data) return null;
  const keys = Object.keys(data);
  return keys.length === 1 ? data[keys[0]!] : null;
}

function asModelResult(r: GraphQLResult): ModelResult<Row> {
  return { ...r, item: (payload(r) as Row | null) ?? null };
}

function asListResult(r: GraphQLResult): ListResult {
  const conn = payload(r) as { items?: (Row | null)[]; nextToken?: string | null } | null;
  return { ...r, items: conn?.items ?? [], nextToken: conn?.nextToken ?? null };
}

export function modelsClient(auth: AuthModel, client: GraphQLClient): Record<string, ModelOperations> {
  const out: Record<string, ModelOperations> = {};
  for (const m of auth.models) {
    const send = (doc: Document, options: CallOptions = {}) => client.graphql(doc, options);
    const subscribe = (op: SubscriptionOperation) => (args: SubscribeArgs = {}, options?: SubscribeOptions) => {
      if (!options?.realtime) throw new Error(`${m.name}.${op} needs a realtime client`);
      const doc = subscriptionDocument(auth, m.name, op, args, options.selectionSet);
      return options.realtime.subscribe(doc, { ...(options.auth ? { auth: options.auth } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    };
    const ops: ModelOperations = {
      create: async (input, o) => asModelResult(await send(createDocument(auth, m.name, input, o?.selectionSet), o)),
      get: async (key, o) => asModelResult(await send(getDocument(auth, m.name, key, o?.selectionSet), o)),
      update: async (input, o) => asModelResult(await send(updateDocument(auth, m.name, input, o?.selectionSet), o)),
      delete: async (key, o) => asModelResult(await send(deleteDocument(auth, m.name, key, o?.selectionSet), o)),
      list: async (args, o) => asListResult(await send(listDocument(auth, m.name, args, o?.selectionSet), o)),
      listAll: async (args = {}, o = {}) => {
        const pages: GraphQLResult[] = [];
        const items: (Row | null)[] = [];
        let nextToken: string | null | undefined = args.nextToken ?? null;
        let last: ListResult | undefined;
        do {
          last = await ops.list({ ...args, nextToken }, o);
          pages.push(last);
          items.push(...last.items);
          nextToken = last.nextToken;
        } while (nextToken && !last.errors.length && pages.length < (o.maxPages ?? 50));
        return { ...last, items, nextToken: nextToken ?? null, pages };
      },
      index: async (queryField, args, o) => asListResult(await send(indexDocument(auth, m.name, queryField, args, o?.selectionSet), o)),
      onCreate: subscribe('onCreate'),
      onUpdate: subscribe('onUpdate'),
      onDelete: subscribe('onDelete'),
    };
    out[m.name] = ops;
  }
  return out;
}

/** Custom queries and mutations by name (`custom.echo({ message })`). */
export function customClient(auth: AuthModel, client: GraphQLClient): Record<string, (args: Row, options?: RequestOptions) => Promise<ModelResult<unknown>>> {
  const out: Record<string, (args: Row, options?: RequestOptions) => Promise<ModelResult<unknown>>> = {};
  for (const op of auth.customOperations.filter((o): o is CustomOperation => o.type !== 'subscription')) {
    out[op.name] = async (args, options) => {
      const r = await client.graphql(customDocument(auth, op, args), options);
      return { ...r, item: payload(r) };
    };
  }
  return out;
}
