/** Choosing cells: `--only` (by model, persona, operation or kind) and `--shard i/n`. */
import { createHash } from 'node:crypto';
import { CELL_KINDS, type Cell } from '../matrix/cells.js';
import { InputError } from '../schema/errors.js';

/**
 * `--only Post --only owner,stranger --only update`: a cell is kept when, for every dimension named,
 * it matches one of the names (models and custom operations; personas; operations and cell kinds).
 */
export function onlyFilter(tokens: string[], cells: Cell[]): (c: Cell) => boolean {
  const names = tokens.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (!names.length) return () => true;
  const subjects = new Set(cells.map((c) => c.model ?? c.customOperation).filter((x): x is string => !!x));
  const personas = new Set(cells.map((c) => c.persona));
  const operations = new Set([...cells.map((c) => c.operation as string), ...CELL_KINDS]);
  const want = { subject: new Set<string>(), persona: new Set<string>(), operation: new Set<string>() };
  for (const n of names) {
    if (subjects.has(n)) want.subject.add(n);
    else if (personas.has(n)) want.persona.add(n);
    else if (operations.has(n)) want.operation.add(n);
    else {
      throw new InputError(`--only ${n} names no model, persona or operation of this run`, undefined,
        `use one of: ${[...subjects].join(', ')}; ${[...personas].join(', ')}; ${[...operations].join(', ')}`);
    }
  }
  return (c) =>
    (!want.subject.size || want.subject.has(c.model ?? c.customOperation!)) &&
    (!want.persona.size || want.persona.has(c.persona)) &&
    (!want.operation.size || want.operation.has(c.operation) || want.operation.has(c.kind));
}

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
