/**
 * Recorded fidelity cases (test/fixtures/fidelity/<case>/): a schema, a sequence of requests, and what Amplify's real
 * generated resolvers answered (recorded with test/tools/fidelity-case.mjs and reftool; where the simulator behind
 * reftool differs from AppSync the step says why and `expect` follows the source). Each case is replayed against the
 * emulator, and before each request the oracle is asked the same question over the emulator's stored records: both
 * must give AppSync's answer. docs/semantics.md says which fact each case pins.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, valueFromASTUntyped, type FieldNode, type SelectionSetNode } from 'graphql';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, GraphQLClient, loadAuthModel, startEmulator, type AuthModel, type Decision, type Emulator, type GraphQLResult } from '../../harness/index.js';
import type { Identity } from '../../harness/rules/identity.js';
import type { Target } from '../../harness/rules/decide.js';
import type { ClientAuth } from '../../harness/client/auth.js';

const ROOT = path.resolve(import.meta.dirname, '../fixtures/fidelity');

type Outcome = 'allow' | 'deny' | 'partial' | 'error';

interface Answer {
  outcome: Outcome;
  errors?: { errorType?: string; path?: (string | number)[] }[];
  data?: unknown;
}

interface Step {
  label: string;
  as: string;
  query: string;
  variables?: Record<string, unknown>;
  expect: Answer;
  differs?: string;
}

interface Persona {
  kind: 'userPool' | 'apiKey';
  username?: string;
  sub?: string;
  groups?: string[];
  claims?: Record<string, unknown>;
}

interface Case {
  fact: string;
  personas: Record<string, Persona>;
  steps: Step[];
}

const cases = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe.each(cases)('%s', (name) => {
  const dir = path.join(ROOT, name);
  const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case;
  let emu: Emulator;
  let model: AuthModel;
  const callers = new Map<string, { client: GraphQLClient; identity: Identity }>();

  beforeAll(async () => {
    model = await loadAuthModel(path.join(dir, 'schema.graphql'));
    emu = await startEmulator({ model, log: () => {} });
    for (const [who, p] of Object.entries(spec.personas)) callers.set(who, await caller(emu, p));
  });
  afterAll(() => emu?.stop());

  it(spec.fact, async () => {
    for (const step of spec.steps) {
      const { client, identity } = callers.get(step.as)!;
      const asked = oracle(model, emu, identity, step);
      const r = await client.graphql({ query: step.query, variables: step.variables ?? {} });
      expect.soft(answerOf(r), `emulator: ${step.label}`).toEqual(comparable(step.expect));
      if (asked) expect.soft(asked.answer, `oracle: ${step.label}`).toEqual(oracleExpectation(step.expect, asked.keyFields));
    }
  });
});

async function caller(emu: Emulator, p: Persona): Promise<{ client: GraphQLClient; identity: Identity }> {
  let auth: ClientAuth;
  let identity: Identity;
  if (p.kind === 'apiKey') {
    auth = { mode: 'apiKey', apiKey: emu.apiKey! };
    identity = { kind: 'apiKey' };
  } else {
    const t = await emu.credentials.userPool({ username: p.username!, ...(p.sub ? { sub: p.sub } : {}), ...(p.groups ? { groups: p.groups } : {}), ...(p.claims ? { claims: p.claims } : {}) });
    auth = { mode: 'userPool', token: t.accessToken };
    identity = { kind: 'userPool', claims: decodeJwt(t.accessToken) };
  }
  return { client: new GraphQLClient({ url: emu.url, auth }), identity };
}

// ---- what came back ------------------------------------------------------------------------------

const AUTH_ERRORS = new Set(['Unauthorized', 'UnauthorizedException']);

/** The outcome as reftool classifies it, with the errors reduced to type and path. */
function answerOf(r: GraphQLResult): Answer {
  const errors = r.errors.map((e) => ({ ...(e.errorType ? { errorType: e.errorType } : {}), ...(e.path ? { path: e.path as (string | number)[] } : {}) }));
  const auth = errors.length > 0 && errors.every((e) => e.errorType && AUTH_ERRORS.has(e.errorType));
  const roots = Object.values(r.data ?? {});
  const outcome: Outcome = r.status === 401 ? 'deny'
    : r.status >= 400 ? 'error'
      : !errors.length ? 'allow'
        : auth && roots.every((v) => v === null) ? 'deny'
          : auth ? 'partial' : 'error';
  const out: Answer = { outcome };
  if (errors.length) out.errors = errors;
  if (r.data !== undefined) out.data = r.data;
  return out;
}

/** The recorded answer with generated values (`<uuid>`) matched by shape. */
function comparable(a: Answer): Answer {
  const uuid = (v: unknown): unknown => {
    if (v === '<uuid>') return expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    if (Array.isArray(v)) return v.map(uuid);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, uuid(x)]));
    return v;
  };
  const out: Answer = { outcome: a.outcome };
  if (a.errors) out.errors = a.errors.map((e) => expect.objectContaining(e));
  if (a.data !== undefined) out.data = uuid(a.data);
  return out;
}

// ---- what the oracle says -----------------------------------------------------------------------

interface OracleAnswer {
  outcome: Outcome;
  /** list: the keys of the records returned. */
  ids?: string[];
}

/**
 * The oracle's decision for a step, asked over the records the emulator holds at that moment. Validation errors
 * (no errorType) are not the oracle's to decide; a data-layer refusal (ConditionalCheckFailed) comes after the
 * auth check allowed.
 */
function oracle(model: AuthModel, emu: Emulator, identity: Identity, step: Step): { answer: OracleAnswer; keyFields: string[] } | null {
  if (step.expect.outcome === 'error' && !step.expect.errors?.some((e) => e.errorType)) return null;
  const doc = parse(step.query);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = op.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)!;
  const args = Object.fromEntries((root.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, step.variables ?? {})]));
  const found = operationOf(model, root.name.value);
  if (!found) throw new Error(`${step.label}: ${root.name.value} is no model operation`);
  const m = model.models.find((x) => x.name === found.model)!;
  const keyFields = [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys];
  const table = emu.store.table(m.name);
  const records = table.scan({ limit: Number.MAX_SAFE_INTEGER }).items;
  const select = selection(found.op === 'list' ? itemsOf(root.selectionSet) : root.selectionSet);
  const keyOf = (x: Record<string, unknown>) => Object.fromEntries(keyFields.map((k) => [k, x[k]]));
  let target: Target;
  switch (found.op) {
    case 'create':
      target = { type: m.name, input: args.input as Record<string, unknown>, select, ...(args.condition ? { condition: args.condition } : {}) };
      break;
    case 'get': {
      const record = table.get(keyOf(args));
      target = { type: m.name, args, select, ...(record ? { record } : {}) };
      break;
    }
    case 'update':
    case 'delete': {
      const input = args.input as Record<string, unknown>;
      const record = table.get(keyOf(input));
      target = { type: m.name, input, select, args: keyOf(input), ...(record ? { record } : {}), ...(args.condition ? { condition: args.condition } : {}) };
      break;
    }
    case 'list':
      target = { type: m.name, records, select, args, ...(found.index ? { index: found.index } : {}), ...(args.filter ? { filter: args.filter as Record<string, unknown> } : {}) };
      break;
  }
  const d: Decision = decide(model, identity, found.op, target);
  const out: OracleAnswer = { outcome: d.outcome === 'filtered' ? 'allow' : d.outcome };
  if (found.op === 'list' && d.outcome !== 'deny') out.ids = (d.visibleIds ?? []).map(displayedKey).sort();
  return { answer: out, keyFields };
}

function operationOf(model: AuthModel, field: string): { model: string; op: 'create' | 'get' | 'update' | 'delete' | 'list'; index?: string } | undefined {
  for (const m of model.models) {
    for (const op of ['create', 'get', 'update', 'delete', 'list'] as const) if (m.operationNames[op] === field) return { model: m.name, op };
    const ix = m.indexes.find((i) => i.queryField === field);
    if (ix) return { model: m.name, op: 'list', index: ix.name };
  }
  return undefined;
}

function itemsOf(set: SelectionSetNode | undefined): SelectionSetNode | undefined {
  return set?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'items')?.selectionSet;
}

/** Selected fields, nested ones as dotted paths (`info.secret`). */
function selection(set: SelectionSetNode | undefined, prefix = ''): string[] {
  const out: string[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind !== Kind.FIELD || s.name.value === '__typename') continue;
    const name = prefix + s.name.value;
    if (s.selectionSet) out.push(...selection(s.selectionSet, `${name}.`));
    else out.push(name);
  }
  return out;
}

/**
 * What the oracle must say for a recorded answer: a list's returned keys (as the oracle writes them, key fields
 * joined by `#`; the cases select them), and a data-layer error as an allow.
 */
function oracleExpectation(a: Answer, keyFields: string[]): OracleAnswer {
  const outcome: Outcome = a.outcome === 'error' ? 'allow' : a.outcome;
  const out: OracleAnswer = { outcome };
  const root = a.data && typeof a.data === 'object' ? Object.values(a.data)[0] : undefined;
  const items = root && typeof root === 'object' && 'items' in root ? (root as { items: Record<string, unknown>[] }).items : undefined;
  if (items && outcome !== 'deny') out.ids = items.map((i) => displayedKey(keyFields.map((k) => String(i[k])).join('#'))).sort();
  return out;
}

/** A record key as responses show it: an owner value in the key reads back as its last `::` segment. */
function displayedKey(key: string): string {
  return key.split('#').map((part) => part.split('::').at(-1)).join('#');
}
