/**
 * What a response says, in the matrix's terms: allow, deny (before the resolvers or by them), filtered
 * (with the records seen), partial (with the fields refused), invalid (the request does not validate),
 * conditionFailed (a mutation's `condition` did not hold on the stored record: no auth outcome either), or error (anything that is not an auth outcome: ConditionalCheckFailed, 5xx, timeouts, a missing
 * record…). Only AppSync's auth refusals count as deny.
 */
import type { GraphQLError, GraphQLResult } from '../client/http.js';

export type Observed = 'allow' | 'deny' | 'filtered' | 'partial' | 'invalid' | 'conditionFailed' | 'error';

export interface Observation {
  outcome: Observed;
  /** deny: refused before any resolver (401/403, a rejected subscription start) or by a resolver. */
  level?: 'request' | 'resolver';
  /** `Unauthorized on [a, b]` (deny), or the fields that came back null with an error (partial). */
  deniedFields?: string[];
  /** Selected fields that came back null without an error, where the record has a value. */
  nulledFields?: string[];
  /** Selected fields that came back null where the record holds nothing either: redaction cannot show there. */
  blankFields?: string[];
  /** Lists, relations, deliveries: the fixtures (or events) seen. */
  seen?: string[];
  /** Short, secret-free: `401 UnauthorizedException`, `Unauthorized: Not Authorized to access getPost on type Query`. */
  summary: string;
}

const AUTH_ERROR_TYPES = new Set(['Unauthorized', 'UnauthorizedException']);

export const isAuthError = (e: GraphQLError): boolean => AUTH_ERROR_TYPES.has(e.errorType ?? '');

/** AppSync's validation errors: no errorType, no path, graphql-java wording. */
export const isValidationError = (e: GraphQLError): boolean => !e.errorType && (!e.path || e.path.length === 0) && /^Validation error|Variable '|not valid|Invalid/i.test(e.message);

const isConditionFailure = (e: GraphQLError): boolean => e.errorType === 'DynamoDB:ConditionalCheckFailedException';

/** `Unauthorized on [ssn, salary]` → `['ssn', 'salary']`. */
export function unauthorizedFields(message: string): string[] | undefined {
  const m = /^Unauthorized on \[(.*)\]$/.exec(message.trim());
  return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean).sort() : undefined;
}

function errorSummary(e: GraphQLError): string {
  return `${e.errorType ?? 'error'}: ${e.message}`.slice(0, 240);
}

/** Refusals before any resolver, and failures that are not GraphQL answers at all. */
function transport(r: GraphQLResult): Observation | null {
  if (r.status === 401 || r.status === 403) {
    const e = r.errors[0];
    return { outcome: 'deny', level: 'request', summary: `${r.status} ${e?.errorType ?? ''}`.trim() };
  }
  if (r.status !== 200) return { outcome: 'error', summary: `HTTP ${r.status}${r.errors[0] ? `: ${errorSummary(r.errors[0])}` : ''}` };
  return null;
}

export interface PayloadContext {
  /** The root field to read (`getPost`). */
  root: string;
  /** Fields selected on the record, and the values the record holds (for null-without-error). */
  selected?: string[];
  record?: Readonly<Record<string, unknown>>;
}

/** A single-record answer (get, create, update, delete, custom). */
export function classifyRecord(r: GraphQLResult, ctx: PayloadContext): Observation {
  const early = transport(r);
  if (early) return early;
  const payload = r.data?.[ctx.root] ?? null;
  const auth = r.errors.filter(isAuthError);
  const other = r.errors.filter((e) => !isAuthError(e));
  if (other.length && other.every(isValidationError)) return { outcome: 'invalid', summary: errorSummary(other[0]!) };
  if (other.length && other.every(isConditionFailure)) return { outcome: 'conditionFailed', summary: errorSummary(other[0]!) };
  if (other.length) return { outcome: 'error', summary: errorSummary(other[0]!) };
  if (auth.length) {
    const fromMessage = auth.map((e) => unauthorizedFields(e.message)).find(Boolean);
    if (payload === null || payload === undefined) {
      return { outcome: 'deny', level: 'resolver', ...(fromMessage ? { deniedFields: fromMessage } : {}), summary: errorSummary(auth[0]!) };
    }
    return { outcome: 'partial', deniedFields: fieldsOf(auth), summary: errorSummary(auth[0]!) };
  }
  if (payload === null || payload === undefined) return { outcome: 'allow', summary: 'null, no error' };
  const { nulled, blank } = nulls(payload as Record<string, unknown>, ctx.selected, ctx.record);
  return { outcome: 'allow', ...(nulled.length ? { nulledFields: nulled } : {}), ...(blank.length ? { blankFields: blank } : {}), summary: nulled.length ? `data, ${nulled.join(', ')} null` : 'data' };
}

/**
 * A list answer: the fixtures seen (by id), field refusals on the items, and fields null without an
 * error on items whose fixture holds a value there.
 */
export function classifyList(r: GraphQLResult, root: string, known: Map<string, string>, all: string[], view: { selected: string[]; records: Map<string, Readonly<Record<string, unknown>>> }, idField = 'id'): Observation {
  const early = transport(r);
  if (early) return early;
  const conn = r.data?.[root] as { items?: (Record<string, unknown> | null)[] } | null | undefined;
  const auth = r.errors.filter(isAuthError);
  const other = r.errors.filter((e) => !isAuthError(e));
  if (other.length && other.every(isValidationError)) return { outcome: 'invalid', summary: errorSummary(other[0]!) };
  if (other.length) return { outcome: 'error', summary: errorSummary(other[0]!) };
  if (!conn) return auth.length ? { outcome: 'deny', level: 'resolver', summary: errorSummary(auth[0]!) } : { outcome: 'error', summary: `${root} is null without an error` };
  const seen = seenFixtures(conn.items ?? [], known, idField);
  // Other cells' records share the table: only refusals on the run's fixtures count.
  const onFixtures = auth.filter((e) => {
    const i = e.path?.[2];
    if (e.path?.[1] !== 'items' || typeof i !== 'number') return true;
    const item = conn.items?.[i];
    return !!item && known.has(String(item[idField] ?? ''));
  });
  if (onFixtures.length) return { outcome: 'partial', deniedFields: fieldsOf(onFixtures), seen, summary: errorSummary(onFixtures[0]!) };
  const everything = all.every((f) => seen.includes(f));
  const nulled = new Set<string>();
  const blank = new Set<string>();
  for (const item of conn.items ?? []) {
    const name = item ? known.get(String(item[idField] ?? '')) : undefined;
    if (!item || !name) continue;
    const n = nulls(item, view.selected, view.records.get(name));
    n.nulled.forEach((f) => nulled.add(f));
    n.blank.forEach((f) => blank.add(f));
  }
  for (const f of nulled) blank.delete(f);
  return {
    outcome: everything ? 'allow' : 'filtered',
    seen,
    ...(nulled.size ? { nulledFields: [...nulled].sort() } : {}),
    ...(blank.size ? { blankFields: [...blank].sort() } : {}),
    summary: `${seen.length} of ${all.length} fixtures${nulled.size ? `, ${[...nulled].sort().join(', ')} null` : ''}`,
  };
}

/**
 * A relation's answer without the refusals on related records that are not the run's fixtures: other cells' private
 * copies meet in a relation whose key holds the owner's identity (every copy names the owner there), and other cells
 * change them (a transfer hands a copy to the reader). As in a list (classifyList), only refusals on the run's
 * fixtures count. `known` maps the fixtures' keys (`childKey`) to their names.
 */
export function withoutRefusalsOnCopies(r: GraphQLResult, at: { root: string; field: string; many: boolean; known: Map<string, string>; childKey: string }): GraphQLResult {
  const value = (r.data?.[at.root] as Record<string, unknown> | null | undefined)?.[at.field] as { items?: (Record<string, unknown> | null)[] } | Record<string, unknown> | null | undefined;
  const itemOf = (path: readonly (string | number)[]): Record<string, unknown> | null | undefined => at.many
    ? (path[2] === 'items' && typeof path[3] === 'number' ? (value as { items?: (Record<string, unknown> | null)[] } | null)?.items?.[path[3]] : undefined)
    : (value as Record<string, unknown> | null);
  const onCopy = (path: readonly (string | number)[] | null | undefined): boolean => {
    if (!path || path[0] !== at.root || path[1] !== at.field || path.length < 3) return false;
    const item = itemOf(path);
    return !!item && !at.known.has(String(item[at.childKey] ?? ''));
  };
  const errors = r.errors.filter((e) => !(isAuthError(e) && onCopy(e.path)));
  return errors.length === r.errors.length ? r : { ...r, errors };
}

/**
 * Fixture names for the items whose key the run knows (`idField`: the key field that tells the run's
 * records apart); other records (other cells' creations) are ignored.
 */
export function seenFixtures(items: (Record<string, unknown> | null)[], known: Map<string, string>, idField = 'id'): string[] {
  const out: string[] = [];
  for (const item of items) {
    const name = item ? known.get(String(item[idField] ?? '')) : undefined;
    if (name && !out.includes(name)) out.push(name);
  }
  return out.sort();
}

/**
 * The fields errors point at, as paths inside the record (`['getEmployee', 'ssn']` → `ssn`,
 * `['listX', 'items', 0, 'info', 'secret']` → `info.secret`): list positions and connection `items` left out.
 */
function fieldsOf(errors: GraphQLError[]): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    const inside = (e.path ?? []).slice(1).filter((p, i, all) => typeof p === 'string' && !(p === 'items' && typeof all[i + 1] === 'number'));
    if (inside.length) out.add(inside.join('.'));
    for (const f of unauthorizedFields(e.message) ?? []) out.add(f);
  }
  return [...out].sort();
}

const ALWAYS_SET = new Set(['id', 'createdAt', 'updatedAt', '__typename']);

/** Selected fields that are null: where the record holds a value (nulled), and where it holds none (blank). */
export function nulls(payload: Record<string, unknown>, selected: string[] | undefined, record: Readonly<Record<string, unknown>> | undefined): { nulled: string[]; blank: string[] } {
  const nulled: string[] = [];
  const blank: string[] = [];
  for (const f of selected ?? Object.keys(payload)) {
    if (payload[f] !== null) continue;
    const held = record?.[f];
    (ALWAYS_SET.has(f) || (held !== null && held !== undefined) ? nulled : blank).push(f);
  }
  return { nulled: nulled.sort(), blank: blank.sort() };
}

/** A subscription start: acknowledged, or refused with an error. */
export function classifyStart(result: { ok: true } | { ok: false; errors: { errorType?: string; message?: string }[]; connection?: boolean }): Observation {
  if (result.ok) return { outcome: 'allow', summary: 'start_ack' };
  const e = result.errors[0];
  const auth = result.errors.some((x) => AUTH_ERROR_TYPES.has(x.errorType ?? '') || /unauthorized|not authorized/i.test(x.message ?? ''));
  const summary = `${result.connection ? 'connection_error' : 'error'} ${e?.errorType ?? ''}: ${e?.message ?? ''}`.trim().slice(0, 240);
  return auth ? { outcome: 'deny', level: 'request', summary } : { outcome: 'error', summary };
}
