/**
 * Assertions for hand-written specs: what a response must be, in the matrix's terms. A denial counts
 * only when it is an auth denial; anything else fails with what actually came back.
 */
import type { GraphQLResult } from './client/http.js';
import { classifyRecord, type Observation } from './matrix/classify.js';

export class AuthExpectationError extends Error {
  constructor(message: string, readonly observation: Observation) {
    super(message);
    this.name = 'AuthExpectationError';
  }
}

/** The root field a single-operation response answers. */
function rootOf(r: GraphQLResult): string {
  const fromData = r.data ? Object.keys(r.data)[0] : undefined;
  const fromError = r.errors.find((e) => typeof e.path?.[0] === 'string')?.path?.[0];
  return String(fromData ?? fromError ?? '');
}

function observe(r: GraphQLResult): Observation {
  return classifyRecord(r, { root: rootOf(r) });
}

function fail(want: string, obs: Observation): never {
  throw new AuthExpectationError(`expected ${want}, got ${obs.outcome}: ${obs.summary}`, obs);
}

/** Data came back with no auth error (fields may be null where the record holds none). */
export function expectAllowed(r: GraphQLResult): void {
  const obs = observe(r);
  if (obs.outcome !== 'allow') fail('allow', obs);
}

/**
 * Refused by AppSync: before any resolver (`requestLevel`, a 401/403) or by a resolver, optionally
 * naming exactly the fields of `Unauthorized on [...]`.
 */
export function expectDenied(r: GraphQLResult, opts: { requestLevel?: boolean; fields?: string[] } = {}): void {
  const obs = observe(r);
  if (obs.outcome !== 'deny') fail('deny', obs);
  if (opts.requestLevel !== undefined && (obs.level === 'request') !== opts.requestLevel) fail(opts.requestLevel ? 'a request-level refusal' : "a resolver's refusal", obs);
  if (opts.fields && [...opts.fields].sort().join() !== (obs.deniedFields ?? []).join()) fail(`Unauthorized on [${opts.fields.join(', ')}]`, obs);
}

/** The record came back with exactly these fields null and an error for each. */
export function expectPartial(r: GraphQLResult, fields: string[]): void {
  const obs = observe(r);
  if (obs.outcome !== 'partial') fail(`partial on [${fields.join(', ')}]`, obs);
  if ([...fields].sort().join() !== (obs.deniedFields ?? []).join()) fail(`partial on [${fields.join(', ')}]`, obs);
}

/** A list returned, without auth errors, exactly these records (by `id`) among `among` (default: all it returned). */
export function expectFiltered(r: GraphQLResult, ids: string[], among?: string[]): void {
  const obs = observe(r);
  if (obs.outcome !== 'allow') fail('a filtered list', obs);
  const root = rootOf(r);
  const items = ((r.data?.[root] as { items?: ({ id?: unknown } | null)[] } | null)?.items ?? []).map((i) => String(i?.id));
  const seen = items.filter((id) => !among || among.includes(id)).sort();
  if (seen.join() !== [...ids].sort().join()) throw new AuthExpectationError(`expected the list to return [${[...ids].sort().join(', ')}], it returned [${seen.join(', ')}]`, obs);
}
