/**
 * Expected against observed: a cell passes only when the observed outcome is the expected one down to
 * the detail (request-level vs resolver denial, the fields named in `Unauthorized on [...]`, the exact
 * records a list returns, the fields that come back null).
 */
import type { RuleTrace } from '../rules/decide.js';
import { cellIdentity, type Cell, type CellIdentity, type Expected } from './cells.js';
import type { Observation, Observed } from './classify.js';

/** A cell's verdict with what was observed, as results.json records it. */
export interface Evidence {
  request: { url: string; headers: Record<string, string>; body: unknown };
  response: { status: number; requestId?: string; body: unknown };
}

export interface CellResult extends CellIdentity {
  expected: Expected;
  observed: Observed;
  pass: boolean;
  rule: string | null;
  reason: string;
  /** The rules that decided the expectation (the oracle's trace): what coverage counts. */
  decidedBy?: RuleTrace;
  /** Why it failed; empty when it passed. */
  detail: string;
  /** What came back, in short (`401 UnauthorizedException`, `data, ssn null`). */
  summary: string;
  /** Observed detail: records seen (lists, relations), fields refused, fields null without an error. */
  seen?: string[];
  deniedFields?: string[];
  nulledFields?: string[];
  latencyMs: number;
  requestId?: string;
  evidence?: Evidence;
}

export interface Verdict {
  pass: boolean;
  /** Empty when it passes; otherwise what differs, in a sentence. */
  detail: string;
}

const same = (a: readonly string[] = [], b: readonly string[] = []) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
const list = (xs: readonly string[] = []) => (xs.length ? `[${[...xs].sort().join(', ')}]` : '[]');

export function judge(cell: Cell, obs: Observation): Verdict {
  const d = cell.decision;
  const fail = (detail: string): Verdict => ({ pass: false, detail });
  const ok: Verdict = { pass: true, detail: '' };
  if (obs.outcome === 'error') return fail(`expected ${cell.expected}, got an error that is not an auth outcome: ${obs.summary}`);
  if (cell.expected === 'invalid') return obs.outcome === 'invalid' ? ok : fail(`expected the request to be invalid (the input type has no such field), got ${obs.outcome}: ${obs.summary}`);
  if (obs.outcome === 'invalid') return fail(`expected ${cell.expected}, got a validation error: ${obs.summary}`);
  if (cell.expected === 'conditionFailed') return obs.outcome === 'conditionFailed' ? ok : fail(`expected the update's condition to fail on the stored value (ConditionalCheckFailed), got ${obs.outcome}: ${obs.summary}`);
  if (obs.outcome === 'conditionFailed') return fail(`expected ${cell.expected}, got ConditionalCheckFailed: ${obs.summary}`);

  if (cell.kind === 'subscription' || cell.kind === 'delivery' || cell.operation === 'subscription') return judgeSubscription(cell, obs);

  switch (cell.expected) {
    case 'deny': {
      if (obs.outcome !== 'deny') return fail(`expected deny, got ${obs.outcome}${describe(obs)}`);
      if (d.requestLevel && obs.level !== 'request') return fail(`expected a request-level refusal (401), got a resolver's: ${obs.summary}`);
      if (!d.requestLevel && obs.level === 'request') return fail(`expected the resolver to refuse, got a request-level refusal: ${obs.summary}`);
      if (d.deniedFields && !same(d.deniedFields, obs.deniedFields)) return fail(`expected Unauthorized on ${list(d.deniedFields)}, got ${obs.summary}`);
      return ok;
    }
    case 'partial': {
      if (obs.outcome !== 'partial') return fail(`expected partial (${list(d.deniedFields)} null with errors), got ${obs.outcome}${describe(obs)}`);
      if (!same(d.deniedFields, obs.deniedFields)) return fail(`expected ${list(d.deniedFields)} refused, got ${list(obs.deniedFields)} refused`);
      return seenMatches(cell, obs) ?? ok;
    }
    case 'allow':
    case 'filtered': {
      if (obs.outcome !== 'allow' && obs.outcome !== 'filtered') return fail(`expected ${cell.expected}, got ${obs.outcome}${describe(obs)}`);
      const seen = seenMatches(cell, obs);
      if (seen) return seen;
      const want = visible(d.redactedFields, obs);
      if (!same(want, obs.nulledFields)) return fail(`expected ${list(want)} to come back null without an error, got ${list(obs.nulledFields)}`);
      return ok;
    }
  }
}

/** Lists and relations: the exact set of fixtures returned. */
function seenMatches(cell: Cell, obs: Observation): Verdict | null {
  const want = cell.decision.visibleIds;
  if (!want || !obs.seen) return null;
  return same(want, obs.seen) ? null : { pass: false, detail: `expected to see ${list(want)}, saw ${list(obs.seen)}` };
}

/**
 * Subscription starts: allow and filtered both start (the delivery cells check the filtering);
 * deliveries: allow = the event arrives (with the expected fields null), deny = it does not.
 */
function judgeSubscription(cell: Cell, obs: Observation): Verdict {
  const started = obs.outcome === 'allow' || obs.outcome === 'filtered';
  if (cell.kind !== 'delivery') {
    if (cell.expected === 'deny') return started ? { pass: false, detail: `expected the subscription to be refused, it was acknowledged` } : { pass: true, detail: '' };
    return started ? { pass: true, detail: '' } : { pass: false, detail: `expected the subscription to start, it was refused: ${obs.summary}` };
  }
  if (cell.expected === 'deny') return started ? { pass: false, detail: `expected the event not to arrive, it arrived${describe(obs)}` } : { pass: true, detail: '' };
  if (!started) return { pass: false, detail: `expected the event to arrive, it did not (${obs.summary})` };
  const want = visible(cell.decision.redactedFields, obs);
  return same(want, obs.nulledFields) ? { pass: true, detail: '' } : { pass: false, detail: `expected ${list(want)} null in the event, got ${list(obs.nulledFields)}` };
}

/** Redaction can only be seen on fields that hold a value. */
function visible(redacted: readonly string[] | undefined, obs: Observation): string[] {
  return (redacted ?? []).filter((f) => !(obs.blankFields ?? []).includes(f));
}

function describe(obs: Observation): string {
  return obs.summary ? ` (${obs.summary})` : '';
}

/** A cell's result from what was observed and the verdict on it, before timing and evidence. */
export function judged(cell: Cell, obs: Observation, v: Verdict): CellResult {
  // Built in place, in results.json's key order: a spread literal per optional key cost the test worker a copy each.
  const r = cellIdentity(cell) as CellResult;
  r.expected = cell.expected;
  r.observed = obs.outcome;
  r.pass = v.pass;
  r.rule = cell.rule;
  r.reason = cell.reason;
  if (cell.decision.decidedBy) r.decidedBy = cell.decision.decidedBy;
  r.detail = v.detail;
  r.summary = obs.summary;
  if (obs.seen) r.seen = obs.seen;
  if (obs.deniedFields?.length) r.deniedFields = obs.deniedFields;
  if (obs.nulledFields?.length) r.nulledFields = obs.nulledFields;
  r.latencyMs = 0;
  return r;
}
