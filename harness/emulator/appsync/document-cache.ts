/**
 * Parsed and validated documents kept for reuse, bounded by an estimate of their memory rather than
 * by their number: distinct large documents evict the least recently used ones, and a document too
 * large for the budget is not kept at all (docs/limits.md).
 */

/** Heap bytes per character of query text: graphql-js syntax trees with locations measured ≈ 73× on Node 20. */
const BYTES_PER_CHAR = 80;
/** A document may take at most this share of the budget. */
const MAX_SHARE = 8;

export class DocumentCache<V> {
  private readonly entries = new Map<string, { value: V; cost: number }>();
  /** Estimated bytes held. */
  bytes = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(query: string, operationName?: string | null): boolean {
    return this.entries.has(keyOf(query, operationName));
  }

  get(query: string, operationName?: string | null): V | undefined {
    const key = keyOf(query, operationName);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map iteration order is insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(query: string, operationName: string | null | undefined, value: V): void {
    const key = keyOf(query, operationName);
    const cost = key.length * BYTES_PER_CHAR;
    if (cost > this.maxBytes / MAX_SHARE || this.entries.has(key)) return;
    for (const [k, e] of this.entries) {
      if (this.bytes + cost <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.cost;
    }
    this.entries.set(key, { value, cost });
    this.bytes += cost;
  }
}

function keyOf(query: string, operationName?: string | null): string {
  return `${operationName ?? ''}\u0000${query}`;
}
