/** Ids and timestamps: random by default, deterministic with a seed (for reproducible runs). */
import { createHash, randomUUID } from 'node:crypto';

export interface IdSource {
  id(): string;
  now(): string;
  date(): Date;
}

const SEED_EPOCH = Date.parse('2026-01-01T00:00:00.000Z');

export function idSource(seed?: string | number): IdSource {
  if (seed === undefined) {
    return { id: () => randomUUID(), now: () => new Date().toISOString(), date: () => new Date() };
  }
  let ids = 0;
  let ticks = 0;
  const date = () => new Date(SEED_EPOCH + ++ticks * 1000);
  return {
    id: () => {
      const h = createHash('sha256').update(`${seed}:${ids++}`).digest('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    now: () => date().toISOString(),
    date,
  };
}
