/**
 * The in-memory tables behind one emulator: one per model, keyed by the primary key, scanned in
 * insertion order and queried by key or index like DynamoDB (the limit applies before the filter).
 * Every table and index is kept ordered, so a page costs the rows it reads, not the table
 * (docs/limits.md), and a `nextToken` resumes after the last row read, as DynamoDB's
 * `ExclusiveStartKey` does, even when that row is gone.
 */
import type { Index, Model } from '../../schema/model.js';
import { Answer } from './errors.js';
import { matches, type Filter, type Item } from './filters.js';

export class ConditionalCheckFailed extends Answer {
  constructor() {
    super('The conditional request failed (Service: DynamoDb, Status Code: 400)');
    this.name = 'ConditionalCheckFailed';
  }
}

/** A stored item: frozen, handed out as it is (a copy per item read was most of a list's cost). */
export type StoredItem = Readonly<Item>;

export interface Page {
  items: StoredItem[];
  nextToken: string | null;
  /** Rows read before the filter (DynamoDB's ScannedCount). */
  scannedCount: number;
}

export interface KeyCondition {
  /** Partition-key value (required for queries). */
  partition: { field: string; value: unknown };
  /** Conditions on sort-key fields: `{ field: { eq | le | lt | ge | gt | between | beginsWith } }`. */
  sort?: Record<string, Record<string, unknown>>;
}

interface PageOptions {
  limit: number;
  nextToken?: string | null;
  filter?: Filter | null;
}

/** A stored row: `seq` is its insertion position, kept when the row is overwritten. */
interface Row {
  readonly key: string;
  readonly seq: number;
  item: StoredItem;
}

export class Table {
  private readonly rows = new Map<string, Row>();
  /** Every row in insertion order (scan order). */
  private readonly inserted = new OrderedRows([]);
  /** Rows grouped by the values of some fields, ordered within a group; built on first use. */
  private readonly groups = new Map<string, Grouping>();
  private seq = 0;
  readonly keyFields: string[];
  /** Rows read by scans, queries and lookups since the table was created (tests and benchmarks read it). */
  rowsRead = 0;

  constructor(readonly model: Model) {
    this.keyFields = [model.primaryKey.partitionKey, ...model.primaryKey.sortKeys];
  }

  keyOf(item: Item): string {
    return JSON.stringify(this.keyFields.map((k) => item[k] ?? null));
  }

  get(key: Item): StoredItem | undefined {
    return this.rows.get(this.keyOf(key))?.item;
  }

  /** PutItem; `ifAbsent` is the create resolver's `attribute_not_exists` key condition. */
  put(item: Item, options: { ifAbsent?: boolean; ifPresent?: boolean; condition?: Filter } = {}): void {
    const key = this.keyOf(item);
    const existing = this.rows.get(key);
    if (options.ifAbsent && existing) throw new ConditionalCheckFailed();
    if (options.ifPresent && !existing) throw new ConditionalCheckFailed();
    if (options.condition && (!existing || !matches(existing.item, options.condition))) throw new ConditionalCheckFailed();
    if (existing) {
      for (const g of this.groups.values()) g.remove(existing);
      existing.item = frozenCopy(item);
      for (const g of this.groups.values()) g.add(existing);
      return;
    }
    const row: Row = { key, seq: ++this.seq, item: frozenCopy(item) };
    this.rows.set(key, row);
    this.inserted.add(row);
    for (const g of this.groups.values()) g.add(row);
  }

  delete(key: Item, options: { condition?: Filter } = {}): StoredItem {
    const k = this.keyOf(key);
    const existing = this.rows.get(k);
    if (!existing) throw new ConditionalCheckFailed();
    if (options.condition && !matches(existing.item, options.condition)) throw new ConditionalCheckFailed();
    this.rows.delete(k);
    this.inserted.remove(existing);
    for (const g of this.groups.values()) g.remove(existing);
    return existing.item;
  }

  clear(): void {
    this.rows.clear();
    this.inserted.clear();
    this.groups.clear();
  }

  get size(): number {
    return this.rows.size;
  }

  /** Scan: `limit` rows are read, then the filter drops some (a page can be short and still have a token). */
  scan(options: PageOptions): Page {
    return this.page(this.inserted, false, options);
  }

  query(condition: KeyCondition, options: PageOptions & { index?: Index; sortDirection?: 'ASC' | 'DESC' }): Page {
    const sortKeys = options.index ? options.index.sortKeys : this.model.primaryKey.sortKeys;
    const rows = this.grouping([condition.partition.field], sortKeys).group([condition.partition.value]);
    const sort = condition.sort;
    return this.page(rows, options.sortDirection === 'DESC', options, sort ? (r) => matches(r.item, sort) : undefined);
  }

  /** The rows whose `fields` equal `values`, in insertion order (a relation's children, through an index). */
  lookup(fields: string[], values: unknown[]): StoredItem[] {
    const rows = this.grouping(fields, []).group(values).all();
    this.rowsRead += rows.length;
    return rows.map((r) => r.item);
  }

  private grouping(fields: string[], sortKeys: string[]): Grouping {
    const id = JSON.stringify([fields, sortKeys]);
    let g = this.groups.get(id);
    if (!g) {
      g = new Grouping(fields, sortKeys);
      for (const row of this.inserted.all()) g.add(row);
      this.groups.set(id, g);
    }
    return g;
  }

  /** Reads `limit` rows after the token's position (those failing `keyCondition` are skipped, not read), then filters. */
  private page(rows: OrderedRows, descending: boolean, options: PageOptions, keyCondition?: (r: Row) => boolean): Page {
    const read: Row[] = [];
    let i = options.nextToken ? rows.after(decodeToken(options.nextToken, rows.width), descending) : descending ? rows.length - 1 : 0;
    const step = descending ? -1 : 1;
    const inRange = () => i >= 0 && i < rows.length;
    const seek = () => {
      while (inRange() && keyCondition && !keyCondition(rows.at(i))) i += step;
    };
    for (seek(); read.length < options.limit && inRange(); i += step, seek()) read.push(rows.at(i));
    const more = inRange();
    this.rowsRead += read.length + (more ? 1 : 0);
    const items = read.filter((r) => matches(r.item, options.filter)).map((r) => r.item);
    return { items, nextToken: more && read.length ? encodeToken(rows.position(read.at(-1)!)) : null, scannedCount: read.length };
  }
}

/** Rows ordered by some sort fields, then by insertion; a position is `[...sortValues, seq]`. */
class OrderedRows {
  private readonly rows: Row[] = [];

  constructor(private readonly sortKeys: string[]) {}

  /** Length of a position. */
  get width(): number {
    return this.sortKeys.length + 1;
  }

  get length(): number {
    return this.rows.length;
  }

  at(i: number): Row {
    return this.rows[i]!;
  }

  all(): readonly Row[] {
    return this.rows;
  }

  position(row: Row): unknown[] {
    return [...this.sortKeys.map((k) => row.item[k] ?? null), row.seq];
  }

  add(row: Row): void {
    this.rows.splice(this.firstAbove(this.position(row)), 0, row);
  }

  remove(row: Row): void {
    const i = this.firstAbove(this.position(row)) - 1;
    if (this.rows[i] === row) this.rows.splice(i, 1);
  }

  clear(): void {
    this.rows.length = 0;
  }

  /** The index of the first row after `position` in reading order (ascending, or descending). */
  after(position: unknown[], descending: boolean): number {
    return descending ? this.firstAtOrAbove(position) - 1 : this.firstAbove(position);
  }

  private firstAbove(position: unknown[]): number {
    return this.search((c) => c > 0, position);
  }

  private firstAtOrAbove(position: unknown[]): number {
    return this.search((c) => c >= 0, position);
  }

  /** Binary search for the first row whose comparison with `position` passes `test` (monotone in row order). */
  private search(test: (c: number) => boolean, position: unknown[]): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(comparePositions(this.position(this.rows[mid]!), position))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Rows grouped by the values of `fields` (rows lacking one are left out, as in a sparse index). */
class Grouping {
  private readonly byValues = new Map<string, OrderedRows>();

  constructor(
    private readonly fields: string[],
    private readonly sortKeys: string[],
  ) {}

  group(values: unknown[]): OrderedRows {
    const rows = values.some((v) => v === undefined || v === null) ? undefined : this.byValues.get(JSON.stringify(values));
    return rows ?? new OrderedRows(this.sortKeys);
  }

  add(row: Row): void {
    const id = this.idOf(row);
    if (id === undefined) return;
    let rows = this.byValues.get(id);
    if (!rows) this.byValues.set(id, (rows = new OrderedRows(this.sortKeys)));
    rows.add(row);
  }

  remove(row: Row): void {
    const id = this.idOf(row);
    const rows = id === undefined ? undefined : this.byValues.get(id);
    if (!rows) return;
    rows.remove(row);
    if (!rows.length) this.byValues.delete(id!);
  }

  private idOf(row: Row): string | undefined {
    const values = this.fields.map((f) => row.item[f]);
    return values.some((v) => v === undefined || v === null) ? undefined : JSON.stringify(values);
  }
}

function comparePositions(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function encodeToken(position: unknown[]): string {
  return Buffer.from(JSON.stringify({ v: 2, after: position })).toString('base64url');
}

export class BadNextToken extends Error {}

function decodeToken(token: string, width: number): unknown[] {
  const after = parseToken(token)?.after;
  if (!Array.isArray(after) || after.length !== width || !Number.isSafeInteger(after.at(-1))) throw new BadNextToken('Invalid pagination token given.');
  return after;
}

function parseToken(token: string): { after?: unknown } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown } | null;
    return parsed?.v === 2 ? parsed : undefined;
  } catch {
    return undefined;
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

function frozenCopy(item: Item): StoredItem {
  const freeze = (v: unknown): unknown => {
    if (v && typeof v === 'object') {
      for (const inner of Object.values(v)) freeze(inner);
      Object.freeze(v);
    }
    return v;
  };
  return freeze(structuredClone(item)) as StoredItem;
}
