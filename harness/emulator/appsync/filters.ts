/**
 * Amplify model filters (`ModelXFilterInput`, `ModelXConditionInput`, subscription filters and the
 * resolvers' auth filters) evaluated against stored items, with DynamoDB's comparison semantics.
 */

export type Item = Record<string, unknown>;
export type Filter = Record<string, unknown>;

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

const COMPARATORS = new Set([
  'eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'between', 'beginsWith',
  'attributeExists', 'attributeType', 'size', 'in', 'notIn', 'containsAny',
]);

export function matches(item: Item, filter: Filter | null | undefined): boolean {
  if (!filter) return true;
  for (const [key, cond] of Object.entries(filter)) {
    if (cond === undefined) continue;
    if (key === 'and') {
      if (!asList(cond).every((f) => matches(item, f as Filter))) return false;
    } else if (key === 'or') {
      const list = asList(cond);
      if (list.length && !list.some((f) => matches(item, f as Filter))) return false;
    } else if (key === 'not') {
      if (cond && matches(item, cond as Filter)) return false;
    } else if (!fieldMatches(item[key], cond as Record<string, unknown> | null)) return false;
  }
  return true;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
}

function fieldMatches(value: unknown, cond: Record<string, unknown> | null): boolean {
  if (cond === null) return true;
  for (const [op, arg] of Object.entries(cond)) {
    if (arg === undefined) continue;
    if (!COMPARATORS.has(op)) throw new FilterError(`Unrecognized filter operator ${op}`);
    if (!compare(value, op, arg)) return false;
  }
  return true;
}

const missing = (v: unknown) => v === undefined;

function compare(value: unknown, op: string, arg: unknown): boolean {
  switch (op) {
    case 'eq':
      return !missing(value) && equal(value, arg);
    case 'ne':
      return missing(value) || !equal(value, arg);
    case 'le':
      return ordered(value, arg, (c) => c <= 0);
    case 'lt':
      return ordered(value, arg, (c) => c < 0);
    case 'ge':
      return ordered(value, arg, (c) => c >= 0);
    case 'gt':
      return ordered(value, arg, (c) => c > 0);
    case 'between': {
      const [lo, hi] = asList(arg);
      return ordered(value, lo, (c) => c >= 0) && ordered(value, hi, (c) => c <= 0);
    }
    case 'beginsWith':
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'contains':
      return contains(value, arg);
    case 'notContains':
      return !missing(value) && !contains(value, arg);
    case 'attributeExists':
      return arg ? !missing(value) && value !== null : missing(value) || value === null;
    case 'attributeType':
      return typeOf(value) === arg;
    case 'size': {
      const n = size(value);
      return n !== undefined && fieldMatches(n, arg as Record<string, unknown>);
    }
    case 'in':
      return asList(arg).some((a) => equal(value, a));
    case 'notIn':
      return !asList(arg).some((a) => equal(value, a));
    case 'containsAny':
      return Array.isArray(value) && asList(arg).some((a) => value.some((v) => equal(v, a)));
  }
  return false;
}

function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return a === b;
}

function ordered(value: unknown, arg: unknown, test: (c: number) => boolean): boolean {
  if (missing(value) || value === null || arg === null || arg === undefined) return false;
  if (typeof value === 'number' && typeof arg === 'number') return test(value - arg);
  if (typeof value === 'string' && typeof arg === 'string') return test(value < arg ? -1 : value > arg ? 1 : 0);
  return false;
}

function contains(value: unknown, arg: unknown): boolean {
  if (typeof value === 'string') return typeof arg === 'string' && value.includes(arg);
  if (Array.isArray(value)) return value.some((v) => equal(v, arg));
  return false;
}

function size(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function typeOf(value: unknown): string | undefined {
  if (value === null) return '_null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return undefined;
}
