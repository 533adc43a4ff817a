/**
 * The in-memory tables behind one emulator: one per model, keyed by the primary key, scanned in
 * insertion order and queried by key or index like DynamoDB (the limit applies before the filter).
 */
import type { Index, Model } from '../../schema/model.js';
import { matches, type Filter, type Item } from './filters.js';

export class ConditionalCheckFailed extends Error {
  constructor() {
    super('The conditional request failed (Service: DynamoDb, Status Code: 400)');
    this.name = 'ConditionalCheckFailed';
  }
}

export interface Page {
  items: Item[];
  nextToken: string | null;
}

export interface KeyCondition {
  /** Partition-key value (required for queries). */
  partition: { field: string; value: unknown };
  /** Conditions on sort-key fields: `{ field: { eq | le | lt | ge | gt | between | beginsWith } }`. */
  sort?: Record<string, Record<string, unknown>>;
}

export class Table {
  private readonly rows = new Map<string, Item>();
  readonly keyFields: string[];

  constructor(readonly model: Model) {
    this.keyFields = [model.primaryKey.partitionKey, ...model.primaryKey.sortKeys];
  }

  keyOf(item: Item): string {
    return JSON.stringify(this.keyFields.map((k) => item[k] ?? null));
  }

  get(key: Item): Item | undefined {
    const row = this.rows.get(this.keyOf(key));
    return row ? structuredClone(row) : undefined;
  }

  /** PutItem; `ifAbsent` is the create resolver's `attribute_not_exists` key condition. */
  put(item: Item, options: { ifAbsent?: boolean; ifPresent?: boolean; condition?: Filter } = {}): void {
    const key = this.keyOf(item);
    const existing = this.rows.get(key);
    if (options.ifAbsent && existing) throw new ConditionalCheckFailed();
    if (options.ifPresent && !existing) throw new ConditionalCheckFailed();
    if (options.condition && (!existing || !matches(existing, options.condition))) throw new ConditionalCheckFailed();
    this.rows.set(key, structuredClone(item));
  }

  delete(key: Item, options: { condition?: Filter } = {}): Item {
    const k = this.keyOf(key);
    const existing = this.rows.get(k);
    if (!existing) throw new ConditionalCheckFailed();
    if (options.condition && !matches(existing, options.condition)) throw new ConditionalCheckFailed();
    this.rows.delete(k);
    return existing;
  }

  clear(): void {
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }

  /** Scan: `limit` rows are read, then the filter drops some (a page can be short and still have a token). */
  scan(options: { limit: number; nextToken?: string | null; filter?: Filter | null }): Page {
    const all = [...this.rows.values()];
    return this.page(all, options);
  }

  query(condition: KeyCondition, options: { index?: Index; limit: number; nextToken?: string | null; filter?: Filter | null; sortDirection?: 'ASC' | 'DESC' }): Page {
    const sortKeys = options.index ? options.index.sortKeys : this.model.primaryKey.sortKeys;
    let rows = [...this.rows.values()].filter((r) => r[condition.partition.field] === condition.partition.value);
    for (const [field, cond] of Object.entries(condition.sort ?? {})) rows = rows.filter((r) => matches(r, { [field]: cond }));
    if (sortKeys.length) {
      rows.sort((a, b) => {
        for (const k of sortKeys) {
          const c = compareValues(a[k], b[k]);
          if (c) return c;
        }
        return 0;
      });
      if (options.sortDirection === 'DESC') rows.reverse();
    }
    return this.page(rows, options);
  }

  private page(rows: Item[], options: { limit: number; nextToken?: string | null; filter?: Filter | null }): Page {
    let start = 0;
    if (options.nextToken) {
      const after = decodeToken(options.nextToken);
      const i = rows.findIndex((r) => this.keyOf(r) === after);
      start = i < 0 ? rows.length : i + 1;
    }
    const read = rows.slice(start, start + options.limit);
    const more = start + options.limit < rows.length;
    const items = read.filter((r) => matches(r, options.filter)).map((r) => structuredClone(r));
    return { items, nextToken: more && read.length ? encodeToken(this.keyOf(read.at(-1)!)) : null };
  }
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, key })).toString('base64url');
}

export class BadNextToken extends Error {}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v: number; key: string };
    if (parsed.v !== 1 || typeof parsed.key !== 'string') throw new Error('bad token');
    return parsed.key;
  } catch {
    throw new BadNextToken('Invalid pagination token given.');
  }
}

/** All tables of one emulator instance. */
export class Store {
  readonly tables = new Map<string, Table>();

  constructor(models: Model[]) {
    for (const m of models) this.tables.set(m.name, new Table(m));
  }

  table(name: string): Table {
    const t = this.tables.get(name);
    if (!t) throw new Error(`no table for ${name}`);
    return t;
  }

  reset(): void {
    for (const t of this.tables.values()) t.clear();
  }
}
