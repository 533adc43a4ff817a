/**
 * Reads through a key that holds an owner or group field (the primary key for get and list, an index for its
 * query). The key arguments are compared with the caller's claim before any record is read:
 *
 * | key argument for the role's field | decision |
 * |---|---|
 * | names the caller (the whole claim or one of its parts; for groups, one of the caller's groups) | every record in the key range, no filter |
 * | names anyone else | this role lets the caller in nowhere: Unauthorized unless another rule filters |
 * | left out, index query or table query with its partition key, no other rule filters | the range, narrowed to records holding the caller's claim |
 * | left out, table scan (no partition key) | a filter: the field holds one of the caller's claim values, ORed with other rules' filters |
 *
 * Only single fields count: a sort key over several fields is one composite attribute.
 */
import type { Model } from '../schema/model.js';
import { dynamicGroups, ownerClaim, type Identity } from './identity.js';
import type { Role, StoredRecord } from './roles.js';

export interface KeyedQuery {
  /** The index an index query reads (absent: the table). */
  index?: string;
  /** The query's arguments: key values, key conditions. */
  args: Record<string, unknown>;
}

export interface QueryKey {
  partitionKey: string;
  /** The single sort key field, when there is exactly one (the auth step compares only that). */
  sortKey?: string;
  /** Every sort key field (several form one composite attribute, queried through one argument). */
  sortKeys: string[];
}

export function queryKey(model: Model, index: string | undefined): QueryKey {
  const ix = index ? model.indexes.find((i) => i.name === index) : undefined;
  if (index && !ix) throw new Error(`${model.name} has no index ${index}`);
  const partitionKey = ix ? ix.partitionKey : model.primaryKey.partitionKey;
  const sortKeys = ix ? ix.sortKeys : model.primaryKey.sortKeys;
  return { partitionKey, sortKeys, ...(sortKeys.length === 1 ? { sortKey: sortKeys[0]! } : {}) };
}

/** The owner or group field of a dynamic role. */
export function fieldOf(role: Role): string | undefined {
  return role.rule.kind === 'owner' ? role.rule.ownerField : role.rule.kind === 'dynamicGroup' ? role.rule.groupsField : undefined;
}

/** The values a key argument may hold to name the caller, the last being the one a left-out argument takes; null without the claim. */
export function claimValues(role: Role, identity: Identity): string[] | null {
  const rule = role.rule;
  if (rule.kind === 'owner') {
    const claim = ownerClaim(identity, rule.identityClaim);
    return claim ? [...claim.parts, claim.value] : null;
  }
  if (rule.kind === 'dynamicGroup') {
    const raw = identity.kind === 'userPool' || identity.kind === 'oidc' ? identity.claims[rule.groupClaim] : undefined;
    return raw === undefined || raw === null ? null : dynamicGroups(identity, rule.groupClaim);
  }
  return null;
}

export type KeyedVerdict =
  /** An argument names the caller: the whole range, no filter. */
  | { kind: 'named'; role: Role; field: string }
  /** Left out: the range narrowed to records whose field holds the caller's last claim value (no other rule filters). */
  | { kind: 'pinned'; pins: { role: Role; field: string; value: string | null }[] }
  /** Left out on a scan: filter entries to OR with other rules' filters. */
  | { kind: 'entries'; entries: { role: Role; field: string; values: string[] }[] }
  /** Every key role's argument names someone else. */
  | { kind: 'others'; role: Role; field: string; arg: unknown };

/**
 * The verdict of the key roles (dynamic roles with the operation whose field is in the key and whose claim the
 * caller has); null when none is involved. `othersFilter`: whether another dynamic rule builds a filter.
 */
export function keyedVerdict(keyRoles: Role[], identity: Identity, key: QueryKey, query: KeyedQuery, othersFilter: boolean): KeyedVerdict | null {
  const absent: { role: Role; field: string; values: string[] }[] = [];
  let other: { role: Role; field: string; arg: unknown } | undefined;
  for (const role of keyRoles) {
    const field = fieldOf(role)!;
    const values = claimValues(role, identity);
    if (!values) continue;
    const arg = query.args[field];
    if (arg === undefined || arg === null) {
      absent.push({ role, field, values });
      continue;
    }
    const named = typeof arg === 'string' ? arg : (arg as Record<string, unknown>).eq;
    const namesCaller = Array.isArray(named) ? named.length > 0 && named.every((v) => values.includes(String(v))) : typeof named === 'string' && values.includes(named);
    if (namesCaller) return { kind: 'named', role, field };
    other ??= { role, field, arg };
  }
  if (absent.length) {
    const scan = !query.index && (query.args[key.partitionKey] === undefined || query.args[key.partitionKey] === null);
    if (scan) return { kind: 'entries', entries: absent };
    if (!othersFilter) return { kind: 'pinned', pins: absent.map((a) => ({ role: a.role, field: a.field, value: a.values.at(-1) ?? null })) };
    return null;
  }
  return other ? { kind: 'others', ...other } : null;
}

/**
 * Does a record lie in the key range the arguments name (partition key equal, sort-key condition met)? A composite
 * sort key is one `#`-joined value, compared with the fields the condition gives, in order.
 */
export function inKeyRange(record: StoredRecord, key: QueryKey, args: Record<string, unknown>): boolean {
  const pk = args[key.partitionKey];
  if (pk !== undefined && pk !== null && record[key.partitionKey] !== pk) return false;
  if (!key.sortKeys.length) return true;
  const composite = key.sortKeys.length > 1;
  const cond = args[composite ? camelJoin(key.sortKeys) : key.sortKeys[0]!];
  if (cond === undefined || cond === null) return true;
  if (typeof cond !== 'object') return record[key.sortKeys[0]!] === cond;
  return Object.entries(cond as Record<string, unknown>).every(([op, x]) => {
    if (!composite) return sortTest(record[key.sortKeys[0]!], op, x);
    const given = (v: unknown) => key.sortKeys.filter((k) => (v as Record<string, unknown>)?.[k] !== undefined);
    const joined = (v: unknown, fields: string[]) => fields.map((k) => String((v as Record<string, unknown>)[k])).join('#');
    if (op === 'between' && Array.isArray(x)) {
      const fields = given(x[0]);
      return sortTest(joined(record, fields), op, [joined(x[0], fields), joined(x[1], fields)]);
    }
    const fields = given(x);
    if (fields.some((k) => record[k] === undefined || record[k] === null)) return false;
    return sortTest(joined(record, fields), op, joined(x, fields));
  });
}

function camelJoin(keys: string[]): string {
  return keys.map((k, i) => (i === 0 ? k : k.charAt(0).toUpperCase() + k.slice(1))).join('');
}

function sortTest(v: unknown, op: string, x: unknown): boolean {
  if (v === undefined || v === null) return false;
  const cmp = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  switch (op) {
    case 'eq': return v === x;
    case 'lt': return cmp(v, x) < 0;
    case 'le': return cmp(v, x) <= 0;
    case 'gt': return cmp(v, x) > 0;
    case 'ge': return cmp(v, x) >= 0;
    case 'beginsWith': return typeof v === 'string' && typeof x === 'string' && v.startsWith(x);
    case 'between': return Array.isArray(x) && cmp(v, x[0]) >= 0 && cmp(v, x[1]) <= 0;
    default: throw new Error(`unknown key condition ${op}`);
  }
}
