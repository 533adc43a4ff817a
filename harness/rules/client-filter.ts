/**
 * The `filter` argument of a list or index query as the oracle reads it: a predicate over stored values, whatever
 * field rules say about reading them (DynamoDB evaluates it before any field resolver runs). Comparisons follow
 * DynamoDB: an absent attribute fails every test but `ne`, `notContains` and `attributeExists: false`.
 */
import type { StoredRecord } from './roles.js';

export type ClientFilter = Readonly<Record<string, unknown>>;

export function passesFilter(record: StoredRecord, filter: ClientFilter | undefined | null): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, cond]) => {
    if (cond === undefined || cond === null) return true;
    if (key === 'and') return list(cond).every((f) => passesFilter(record, f as ClientFilter));
    if (key === 'or') return list(cond).length === 0 || list(cond).some((f) => passesFilter(record, f as ClientFilter));
    if (key === 'not') return !passesFilter(record, cond as ClientFilter);
    return Object.entries(cond as Record<string, unknown>).every(([op, arg]) => arg === undefined || test(record[key], op, arg));
  });
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function test(value: unknown, op: string, arg: unknown): boolean {
  const absent = value === undefined;
  const order = (a: unknown, b: unknown): number | null => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    return null;
  };
  const compared = (ok: (c: number) => boolean) => {
    const c = order(value, arg);
    return c !== null && ok(c);
  };
  switch (op) {
    case 'eq': return !absent && JSON.stringify(value) === JSON.stringify(arg);
    case 'ne': return absent || JSON.stringify(value) !== JSON.stringify(arg);
    case 'lt': return compared((c) => c < 0);
    case 'le': return compared((c) => c <= 0);
    case 'gt': return compared((c) => c > 0);
    case 'ge': return compared((c) => c >= 0);
    case 'between': {
      const [lo, hi] = list(arg);
      const a = order(value, lo);
      const b = order(value, hi);
      return a !== null && b !== null && a >= 0 && b <= 0;
    }
    case 'beginsWith': return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'contains': return typeof value === 'string' ? typeof arg === 'string' && value.includes(arg) : Array.isArray(value) && value.includes(arg);
    case 'notContains': return !absent && !(typeof value === 'string' ? typeof arg === 'string' && value.includes(arg) : Array.isArray(value) && value.includes(arg));
    case 'attributeExists': return arg ? value !== undefined && value !== null : value === undefined || value === null;
    case 'in': return list(arg).some((a) => a === value);
    case 'notIn': return !list(arg).some((a) => a === value);
    default: throw new Error(`the oracle does not read filter operator ${op}`);
  }
}
