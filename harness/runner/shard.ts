/** `--shard i/n`: which cells a shard of a run takes. */
import { createHash } from 'node:crypto';
import type { Cell } from '../matrix/cells.js';
import { InputError } from '../schema/errors.js';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new InputError(`invalid --shard "${value}"`, undefined, 'use --shard i/n with 1 ≤ i ≤ n, e.g. --shard 2/4');
  return { index, count };
}

/**
 * Whether a cell is in a shard: by a stable hash of its id, except that the deliveries of one
 * subscription operation stay together (they share one scenario of mutations).
 */
export function inShard(shard: Shard | undefined): (c: Cell) => boolean {
  if (!shard || shard.count === 1) return () => true;
  return (c) => {
    const unit = c.kind === 'delivery' ? `${c.model}|${c.operation}|deliveries` : c.id;
    const n = createHash('sha1').update(unit).digest().readUInt32BE(0);
    return n % shard.count === shard.index - 1;
  };
}
