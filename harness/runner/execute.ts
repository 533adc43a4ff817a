/**
 * Running cells: each action becomes the request aws-amplify would send, for the cell's persona, on its
 * fixture instance; the answer is classified and judged against the cell's expectation, with the
 * evidence (request and response, secrets redacted) kept for the reports.
 */
import { randomUUID } from 'node:crypto';
import { authHeaders, type ClientAuth } from '../client/auth.js';
import { combineDocuments, createDocument, customDocument, deleteDocument, getDocument, indexDocument, listDocument, subscriptionDocument, updateDocument, type Document, type ListArgs } from '../client/documents.js';
import { GraphQLClient, type GraphQLResult, type RequestOptions } from '../client/http.js';
import { RealtimeClient, RealtimeError } from '../client/realtime.js';
import { defaultSelection } from '../rules/decide.js';
import type { Identity } from '../rules/identity.js';
import type { AuthModel, Model } from '../schema/model.js';
import { cellIdentity, type Action, type Cell } from '../matrix/cells.js';
import { classifyList, classifyRecord, classifyStart, withoutRefusalsOnCopies, type Observation, type Observed } from '../matrix/classify.js';
import { undeclaredCreateFields, uniqueKeyField, withUniqueKey } from '../matrix/fixtures.js';
import { keyFields, resolveRefs, storedKey, type CreatedRecord, type FixtureIndex } from './setup.js';
import { judge, judged, type CellResult, type Evidence } from '../matrix/verdict.js';
import { runProbe, type Probe, type ProbeRun } from '../probes/index.js';
import { personaClient } from '../../personas/client.js';
import { judgeRest, sendRest, type RestRuntime } from '../runner/rest.js';
import { runStorageCell, type CreatedObject, type S3ClientFor, type StorageFixtures, type StorageTarget } from './storage.js';

export interface RuntimePersona {
  name: string;
  kind: string;
  auth: ClientAuth;
  headers?: Record<string, string>;
  identity: Identity;
}

export interface Runtime {
  auth: AuthModel;
  /** The GraphQL endpoint, when the app has a data API. */
  url: string | undefined;
  personas: Map<string, RuntimePersona>;
  index: FixtureIndex;
  /** `Model|fixture` → the record as the oracle saw it (which fields hold a value). */
  records: Record<string, Record<string, unknown>>;
  /** Told of every record a cell creates, as soon as it exists (a deployed run deletes them at the end). */
  onCreated?: (records: CreatedRecord[]) => void | Promise<void>;
  /** Credential probes by id (harness/probes), when the run includes them. */
  probes?: Map<string, Probe>;
  /** How long to wait for a subscription event, and how long to watch when there is no sentinel. */
  eventTimeoutMs: number;
  quietMs: number;
  /** After the sentinel arrives, how long to keep listening (a deployed AppSync fans out asynchronously). */
  sentinelGraceMs: number;
  /** REST APIs' endpoints and the personas' REST credentials, when the app has REST APIs. */
  rest?: RestRuntime;
  /** Storage cells: the buckets, the objects written for the cells, an S3 client per persona. */
  storage?: { target: StorageTarget; fixtures: StorageFixtures; clientFor: S3ClientFor; onCreated: (objects: CreatedObject[]) => void | Promise<void> };
}

const clients = new WeakMap<RuntimePersona, GraphQLClient>();

function personaOf(rt: Runtime, name: string): RuntimePersona {
  const p = rt.personas.get(name);
  if (!p) throw new Error(`no persona ${name} in this run`);
  return p;
}

/** The GraphQL endpoint; only data-API cells ask for it, and an app without a data API has none of them. */
export function graphqlUrl(at: { url: string | undefined }): string {
  if (!at.url) throw new Error('this app has no data API (no GraphQL endpoint)');
  return at.url;
}

export function clientOf(rt: Runtime, p: RuntimePersona): GraphQLClient {
  let c = clients.get(p);
  if (!c) clients.set(p, (c = personaClient(p, graphqlUrl(rt))));
  return c;
}

function model(rt: Runtime, name: string): Model {
  return rt.auth.models.find((m) => m.name === name)!;
}

function keyOf(rt: Runtime, instance: string): Record<string, unknown> {
  const key = rt.index.keys[instance];
  if (!key) throw new FixtureMissing(instance, rt.index.failed[instance]);
  return key;
}

class FixtureMissing extends Error {
  constructor(instance: string, why: string | undefined) {
    super(`fixture ${instance} was not created${why ? `: ${why}` : ''}`);
  }
}

/** The fixture names of a model's shared instances, by id. */
function knownIds(rt: Runtime, modelName: string): Map<string, string> {
  return new Map(Object.entries(rt.index.names[modelName] ?? {}));
}

export function result(cell: Cell, obs: Observation, r?: GraphQLResult): CellResult {
  const out = judged(cell, obs, judge(cell, obs));
  if (!r) return out;
  out.latencyMs = Math.round(r.latencyMs * 10) / 10;
  if (r.requestId) out.requestId = r.requestId;
  out.evidence = { request: r.sent, response: { status: r.status, ...(r.requestId ? { requestId: r.requestId } : {}), body: trimmed(r.body, r.text) } };
  return out;
}


const EVIDENCE_BYTES = 4096;

/** Response bodies as evidence, cut short when long (a list of every record in a shared table). */
function trimmed(body: unknown, text = JSON.stringify(body) ?? 'null'): unknown {
  return text.length <= EVIDENCE_BYTES ? body : { $truncated: `${text.length} bytes`, preview: text.slice(0, EVIDENCE_BYTES) };
}

/** Runs one cell (any kind but delivery, which runs with its model's subscription scenario). */
export async function runCell(rt: Runtime, cell: Cell, realtime: () => Promise<RealtimeClient>): Promise<CellResult> {
  try {
    if (cell.action.type === 'subscribe') return await runStart(rt, cell, cell.action, realtime);
    if (cell.action.type === 'custom' && cell.operation === 'subscription') return await runCustomStart(rt, cell, cell.action.operation, cell.action.args, realtime);
    if (cell.action.type === 'probe') return await runProbeCell(rt, cell, cell.action.probe);
    if (cell.action.type === 'rest') return await runRestCell(rt, cell, cell.action);
    if (cell.action.type === 'storage') {
      if (!rt.storage) return result(cell, { outcome: 'error', summary: 'this run has no storage endpoint' });
      const { target, fixtures, clientFor, onCreated } = rt.storage;
      return await runStorageCell(cell, cell.action, target, fixtures, clientFor(cell.persona), onCreated);
    }
    const p = personaOf(rt, cell.persona);
    const { client, options } = cell.action.type === 'headers' ? headerPath(rt, p, cell.action) : { client: clientOf(rt, p), options: {} };
    const action = cell.action.type === 'headers' ? cell.action.base : cell.action;
    return await send(rt, cell, action, client, options);
  } catch (e) {
    return result(cell, { outcome: 'error', summary: e instanceof FixtureMissing ? e.message : `the request failed: ${(e as Error).message}` });
  }
}

/** The persona's credential as custom headers (with its own configured headers), placed as the variant says. */
function headerPath(rt: Runtime, p: RuntimePersona, action: Extract<Action, { type: 'headers' }>): { client: GraphQLClient; options: RequestOptions } {
  const credential = async (who: RuntimePersona) => ({ ...(who.headers ?? {}), ...(await authHeaders(who.auth)) });
  const none: ClientAuth = { mode: 'none' };
  switch (action.variant) {
    case 'client':
      return { client: new GraphQLClient({ url: graphqlUrl(rt), auth: none, headers: () => credential(p) }), options: {} };
    case 'request':
      return { client: new GraphQLClient({ url: graphqlUrl(rt), auth: none }), options: { headers: () => credential(p) } };
    case 'override': {
      const other = personaOf(rt, action.other!);
      return { client: new GraphQLClient({ url: graphqlUrl(rt), auth: none, headers: () => credential(other) }), options: { headers: () => credential(p) } };
    }
    case 'second-key': {
      const other = personaOf(rt, action.other!);
      return { client: new GraphQLClient({ url: graphqlUrl(rt), auth: none }), options: { headers: async () => ({ ...(await credential(p)), ...(await credential(other)) }) } };
    }
  }
}

async function send(rt: Runtime, cell: Cell, action: Action, client: GraphQLClient, options: RequestOptions): Promise<CellResult> {
  const auth = rt.auth;
  switch (action.type) {
    case 'get': {
      const m = model(rt, action.model);
      const select = action.select ?? defaultSelection(m);
      const r = await client.graphql(getDocument(auth, m.name, keyOf(rt, action.instance), action.select), options);
      return result(cell, classifyRecord(r, { root: m.operationNames.get!, selected: select, record: recordOf(rt, cell) }), r);
    }
    case 'list': {
      const m = model(rt, action.model);
      const queryField = action.index ? m.indexes.find((i) => i.name === action.index)!.queryField! : undefined;
      const root = queryField ?? m.operationNames.list!;
      const idField = uniqueKeyField(m);
      const only = fixturesOnly(rt, m, idField);
      const both = action.filter && only ? { and: [action.filter, only] } : action.filter ?? only;
      const filter = both ? { filter: both } : {};
      const key = action.key && (resolveRefs(action.key, rt.index, auth) as Record<string, unknown>);
      const document = (extra: ListArgs) => (queryField
        ? indexDocument(auth, m.name, queryField, { ...key, ...filter, ...extra }, action.select)
        : listDocument(auth, m.name, { ...filter, ...(key ? { key } : {}), ...extra }, action.select));
      // Follow nextToken so that every record is seen (other cells' records share the table).
      const items: unknown[] = [];
      const errors: GraphQLResult['errors'] = [];
      let r: GraphQLResult | undefined;
      let nextToken: string | null = null;
      for (let page = 0; page < 20; page++) {
        r = await client.graphql(document({ limit: PAGE, ...(nextToken ? { nextToken } : {}) }), options);
        const conn = r.data?.[root] as { items?: unknown[]; nextToken?: string | null } | null | undefined;
        const offset = items.length;
        errors.push(...r.errors.map((e) => (e.path?.[1] === 'items' && typeof e.path[2] === 'number' ? { ...e, path: [root, 'items', e.path[2] + offset, ...e.path.slice(3)] } : e)));
        items.push(...(conn?.items ?? []));
        nextToken = conn?.nextToken ?? null;
        if (!nextToken || !conn) break;
      }
      const last = r!;
      const merged: GraphQLResult = last.data?.[root] ? { ...last, data: { [root]: { items } }, errors } : { ...last, errors };
      const known = knownIds(rt, m.name);
      const records = new Map(Object.values(rt.index.names[m.name] ?? {}).map((f) => [f, rt.records[`${m.name}|${f}`] ?? {}]));
      const view = { selected: action.select ?? defaultSelection(m), records };
      return result(cell, classifyList(merged, root, known, [...records.keys()], view, idField), last);
    }
    case 'create':
    case 'update':
    case 'delete': {
      const m = model(rt, action.model);
      const { doc, input } = mutationDocument(rt, action);
      const r = await client.graphql(doc, options);
      if (action.type === 'create') await reportCreated(rt, m, r, cell.persona, input);
      const record = action.type === 'create' ? { ...input, ...cell.decision.filled } : { ...recordOf(rt, cell), ...input };
      return result(cell, classifyRecord(r, { root: m.operationNames[action.type]!, selected: action.select ?? defaultSelection(m), record }), r);
    }
    case 'relation': {
      const m = model(rt, action.model);
      const key = m.primaryKey.partitionKey;
      // A hasMany relation answers a page, 100 records unless asked for more: other cells' copies share a key holding
      // the owner's identity, and were 100 before the fixture itself on iostolaza/protos-platform-aws's invoices.
      const many = m.fields.find((f) => f.name === action.field)?.relation?.kind === 'hasMany';
      const field = many ? `${action.field}(limit: ${PAGE})` : action.field;
      const select = [key, `${field}.${action.childKey}`, ...action.childFields.map((f) => `${field}.${f}`)];
      const r = await client.graphql(getDocument(auth, m.name, keyOf(rt, action.instance), select), options);
      return result(cell, classifyRelation(rt, r, m, action.field), r);
    }
    case 'custom': {
      const op = auth.customOperations.find((o) => o.name === action.operation)!;
      const r = await client.graphql(customDocument(auth, op, resolveRefs(action.args, rt.index, auth) as Record<string, unknown>), options);
      const obs = classifyRecord(r, { root: op.name });
      // AppSync decides a custom operation's auth before its resolver runs; an error raised while resolving it
      // (a handler's failure, a non-null result field it left empty, a condition of its own DynamoDB request that
      // did not hold) means the caller got through.
      const ran = (obs.outcome === 'error' || obs.outcome === 'conditionFailed') && r.status === 200 && r.errors.some((e) => e.path?.[0] === op.name);
      return result(cell, obs.outcome === 'allow' || ran ? { outcome: 'allow', summary: ran ? `ran, then failed after auth: ${obs.summary}` : obs.summary } : obs, r);
    }
    case 'batch': {
      const parts = action.parts.map(({ alias, cell: part }) => ({ alias, part, m: model(rt, part.model!) }));
      const r = await client.graphql(combineDocuments(parts.map(({ alias, part, m }) => ({ alias, doc: getDocument(auth, m.name, keyOf(rt, (part.action as { instance: string }).instance)) }))), options);
      const seen = parts.map(({ alias, part, m }) => {
        const obs = classifyRecord(aliased(r, alias, m.operationNames.get!), { root: m.operationNames.get!, selected: defaultSelection(m), record: recordOf(rt, part) });
        return { alias, obs, verdict: judge(part, obs) };
      });
      const summary = seen.map((x) => `${x.alias}: ${x.obs.outcome} (${x.obs.summary})`).join('; ');
      const off = seen.find((x) => !x.verdict.pass && (x.obs.outcome === 'deny') === (x.alias === 'b'));
      if (off) return result(cell, { outcome: 'error', summary: `${off.alias}: ${off.verdict.detail}` }, r);
      return result(cell, { outcome: 'partial', deniedFields: seen.filter((x) => x.obs.outcome === 'deny').map((x) => x.alias), summary }, r);
    }
    default:
      throw new Error(`cannot send a ${action.type} action on its own`);
  }
}

/** The page a list cell and a hasMany relation cell ask for. */
const PAGE = 1000;

/**
 * A list is judged on the run's fixtures alone (other cells' private copies share the table; classifyList ignores
 * them), so it asks for them alone: on the blog, the copies were 5 MB of the lists' answers, which the endpoint
 * completed, serialized and sent and the worker read.
 */
function fixturesOnly(rt: Runtime, m: Model, idField: string): Record<string, unknown> | undefined {
  const values = Object.values(rt.index.names[m.name] ?? {}).flatMap((f) => {
    const v = rt.index.keys[`${m.name}|${f}`]?.[idField];
    return v === undefined ? [] : [v];
  });
  return values.length ? { or: values.map((v) => ({ [idField]: { eq: v } })) } : undefined;
}

/** One part of a batched answer, as if it had been asked alone. */
function aliased(r: GraphQLResult, alias: string, root: string): GraphQLResult {
  if (r.status !== 200) return r;
  const data = r.data && alias in r.data ? { [root]: r.data[alias] } : null;
  const errors = r.errors.filter((e) => e.path?.[0] === alias).map((e) => ({ ...e, path: [root, ...(e.path ?? []).slice(1)] }));
  return { ...r, data, errors };
}

async function runRestCell(rt: Runtime, cell: Cell, action: Extract<Action, { type: 'rest' }>): Promise<CellResult> {
  if (!rt.rest) return result(cell, { outcome: 'error', summary: 'the run has no REST endpoints' });
  const { obs, result: r } = await sendRest(rt.rest, cell, action);
  const v = obs.outcome === 'error' ? { pass: false, detail: obs.summary } : judgeRest(cell, obs, rt.rest.identityIds);
  return {
    ...judged(cell, obs, v),
    latencyMs: Math.round(r.latencyMs * 10) / 10,
    ...(r.headers['x-amzn-requestid'] ? { requestId: r.headers['x-amzn-requestid'] } : {}),
    // The integration's answer is the app's (it may echo what the caller sent): only a gateway denial's body is kept.
    evidence: { request: { url: r.sent.url, headers: r.sent.headers, body: `${r.sent.method}${r.sent.signed ? ' (signed)' : ''}` }, response: { status: r.status, body: obs.outcome === 'deny' ? trimmed(r.json ?? r.body) : '(the integration\'s answer, not kept)' } },
  };
}

/** A credential attack: refused exactly as AppSync refuses it, or the cell fails. */
async function runProbeCell(rt: Runtime, cell: Cell, id: string): Promise<CellResult> {
  const probe = rt.probes?.get(id);
  if (!probe) return result(cell, { outcome: 'error', summary: `probe ${id} is not available in this run` });
  const run = await runProbe(probe);
  const accepted = /^(2\d\d|connection_ack|start_ack)/.test(run.observed);
  const observed: Observed = run.status === 'pass' ? 'deny' : run.status === 'error' ? 'error' : accepted ? 'allow' : 'deny';
  return {
    ...cellIdentity(cell),
    expected: cell.expected, observed, pass: run.pass, rule: null, reason: cell.reason, detail: run.pass ? '' : run.detail, summary: run.observed, latencyMs: 0,
    ...(run.evidence ? { evidence: { request: probeRequest(run.evidence), response: { status: 0, body: run.observed } } } : {}),
  };
}

/** A probe's request as reports show requests (a REST probe's verb, and whether it was signed, in place of the body). */
function probeRequest(sent: NonNullable<ProbeRun['evidence']>): Evidence['request'] {
  return 'method' in sent ? { url: sent.url, headers: sent.headers, body: `${sent.method}${sent.signed ? ' (signed)' : ''}` } : sent as Evidence['request'];
}

type Mutation = Extract<Action, { type: 'create' | 'update' | 'delete' }>;

/**
 * The document a mutation action sends, with fixture references and the instance's key filled in;
 * `raw` ones skip aws-amplify's input cleaning. Throws when the fixture instance does not exist.
 */
export function mutationDocument(rt: Runtime, action: Mutation): { doc: Document; input: Record<string, unknown> } {
  const m = model(rt, action.model);
  if (action.type === 'delete') return { doc: deleteDocument(rt.auth, m.name, keyOf(rt, action.instance), action.select), input: {} };
  const refs = resolveRefs(action.input, rt.index, rt.auth) as Record<string, unknown>;
  // Every create sends a key of its own (a declared id or identifier would otherwise repeat).
  const input = action.type === 'update' ? { ...refs, ...keyOf(rt, action.instance) } : withUniqueKey(m, refs, `am-${randomUUID()}`, undeclaredCreateFields(rt.auth, m));
  if (action.type === 'update' && action.condition) return { doc: updateDocument(rt.auth, m.name, input, action.select, action.condition), input };
  const build = action.type === 'create' ? createDocument : updateDocument;
  return { doc: action.raw ? rawMutation(rt.auth, m, action.type, input, action.select) : build(rt.auth, m.name, input, action.select), input };
}

/** Tells the run about the record a create made, so that a deployed run deletes it. */
export async function reportCreated(rt: Runtime, m: Model, r: GraphQLResult, by: string, input: Record<string, unknown>): Promise<void> {
  const item = r.data?.[m.operationNames.create!] as Record<string, unknown> | null | undefined;
  const keys = keyFields(rt.auth, m.name);
  if (item && keys.every((k) => item[k] !== null && item[k] !== undefined)) await rt.onCreated?.([{ model: m.name, key: storedKey(m, keys, item, input), by }]);
}

/** The fixture record a cell acts on, as the oracle saw it (for which fields hold a value). */
function recordOf(rt: Runtime, cell: Cell): Record<string, unknown> | undefined {
  return cell.model && cell.fixture ? rt.records[`${cell.model}|${cell.fixture}`] : undefined;
}

/**
 * A mutation without aws-amplify's input cleaning: the attack cells send fields the client would drop
 * (an implicit owner field), to prove the API rejects them.
 */
function rawMutation(auth: AuthModel, m: Model, op: 'create' | 'update', input: Record<string, unknown>, select?: string[]): Document {
  const base = op === 'create' ? createDocument(auth, m.name, {}, select) : updateDocument(auth, m.name, {}, select);
  return { query: base.query, variables: { input } };
}

function classifyRelation(rt: Runtime, answer: GraphQLResult, parent: Model, field: string): Observation {
  const rel = parent.fields.find((f) => f.name === field)!.relation!;
  const root = parent.operationNames.get!;
  const known = knownIds(rt, rel.model);
  const childKey = uniqueKeyField(model(rt, rel.model));
  const r = withoutRefusalsOnCopies(answer, { root, field, many: rel.kind === 'hasMany', known, childKey });
  const value = (r.data?.[root] as Record<string, unknown> | null | undefined)?.[field] as { items?: Record<string, unknown>[] } | Record<string, unknown> | null | undefined;
  const obs = classifyRecord(r, { root });
  if (obs.outcome === 'error' || obs.outcome === 'invalid' || obs.outcome === 'deny') return obs;
  const fieldRefused = obs.outcome === 'partial' && (obs.deniedFields ?? []).includes(field);
  if (value === null || value === undefined) {
    return fieldRefused ? { outcome: 'deny', level: 'resolver', summary: obs.summary } : { outcome: 'allow', seen: [], summary: `${field} null` };
  }
  const items = rel.kind === 'hasMany' ? ((value as { items?: Record<string, unknown>[] }).items ?? []) : [value as Record<string, unknown>];
  const seen = items.map((i) => known.get(String(i?.[childKey] ?? ''))).filter((x): x is string => !!x).sort();
  // Errors inside the related records name their fields under the relation (`comments.secret`).
  const childDenied = (obs.deniedFields ?? []).filter((f) => f.startsWith(`${field}.`)).map((f) => f.slice(field.length + 1));
  if (obs.outcome === 'partial') return { outcome: 'partial', deniedFields: childDenied, seen, summary: obs.summary };
  const all = Object.values(rt.index.names[rel.model] ?? {});
  return { outcome: rel.kind === 'hasMany' && seen.length < all.length ? 'filtered' : 'allow', seen, summary: `${seen.length} related record(s)` };
}

async function runStart(rt: Runtime, cell: Cell, action: Extract<Action, { type: 'subscribe' }>, realtime: () => Promise<RealtimeClient>): Promise<CellResult> {
  const p = personaOf(rt, cell.persona);
  return start(rt, cell, p, subscriptionDocument(rt.auth, action.model, action.op, action.ownerArgs ? { ownerArgs: action.ownerArgs } : {}), realtime);
}

async function runCustomStart(rt: Runtime, cell: Cell, operation: string, args: Record<string, unknown>, realtime: () => Promise<RealtimeClient>): Promise<CellResult> {
  const op = rt.auth.customOperations.find((o) => o.name === operation)!;
  return start(rt, cell, personaOf(rt, cell.persona), customDocument(rt.auth, op, resolveRefs(args, rt.index, rt.auth) as Record<string, unknown>), realtime);
}

async function start(rt: Runtime, cell: Cell, p: RuntimePersona, doc: Document, realtime: () => Promise<RealtimeClient>): Promise<CellResult> {
  const began = performance.now();
  const rtc = await realtime();
  try {
    const sub = await rtc.subscribe(doc, { auth: p.auth, ...(p.headers ? { headers: p.headers } : {}), timeoutMs: rt.eventTimeoutMs });
    await sub.stop();
    return { ...result(cell, classifyStart({ ok: true })), latencyMs: Math.round(performance.now() - began) };
  } catch (e) {
    if (!(e instanceof RealtimeError) || e.kind === 'timeout' || e.kind === 'closed') return result(cell, { outcome: 'error', summary: `subscription start failed: ${(e as Error).message}` });
    return { ...result(cell, classifyStart({ ok: false, errors: e.errors, connection: e.kind === 'connection_error' })), latencyMs: Math.round(performance.now() - began) };
  }
}

/** A lazily opened connection, shared by the subscription-start cells. */
export function sharedRealtime(rt: Runtime): { get: () => Promise<RealtimeClient>; close: () => void } {
  let conn: Promise<RealtimeClient> | undefined;
  return {
    get: () => (conn ??= connect(rt)),
    close: () => void conn?.then((c) => c.close(), () => undefined),
  };
}

/**
 * A realtime connection for the run: authorized with the first persona whose credential the API takes
 * (each start is then authorized on its own, as AppSync allows).
 */
export async function connect(rt: Runtime): Promise<RealtimeClient> {
  const order = ['apiKey', 'owner', 'stranger', 'groupMember', 'iamAdmin', 'iamUser', 'oidcUser', 'lambdaAllowed'];
  const candidates = [...rt.personas.values()].filter((p) => order.includes(p.kind)).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  let last: unknown;
  for (const p of candidates) {
    try {
      return await RealtimeClient.connect({ url: graphqlUrl(rt), auth: p.auth });
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`no persona could open a realtime connection${last ? `: ${(last as Error).message}` : ''}`);
}
