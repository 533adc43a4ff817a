/**
 * Serial cells (harness/matrix/plan.ts `SerialReset`) on a model holding one record per owner: around each, the
 * run's process puts the record under the cell's key as its fixture was made, or removes it for a create.
 */
import type { SerialReset } from '../matrix/plan.js';
import type { AuthModel } from '../schema/model.js';
import type { ResetPhase } from './broker.js';
import { resolveRefs, type FixtureIndex } from './setup.js';

type Item = Record<string, unknown>;

/** The emulator's store, as far as resets need it. */
export interface ResettableStore {
  storedItem(model: string, key: Item): Item | undefined;
  restore(model: string, key: Item, item: Item | undefined): void;
}

export function serialResets(auth: AuthModel, serial: Record<string, SerialReset>, index: FixtureIndex, store: ResettableStore): (cell: string, phase: ResetPhase) => void {
  // Each fixture's record as made, taken the first time a reset names it (serial cells run after all others).
  const made = new Map<string, Item | undefined>();
  const asMade = (model: string, fixture: string): { key: Item; item: Item | undefined } => {
    const key = index.keys[fixture];
    if (!key) throw new Error(`fixture ${fixture} was not created`);
    if (!made.has(fixture)) made.set(fixture, store.storedItem(model, key));
    return { key, item: made.get(fixture) };
  };
  return (cell, phase) => {
    const r = serial[cell];
    if (!r) throw new Error(`${cell} is not a serial cell`);
    if (r.before === 'fixture') {
      const { key, item } = asMade(r.model, r.fixture);
      return store.restore(r.model, key, item);
    }
    const key = resolveRefs(r.key, index, auth) as Item;
    const back = r.fixture ? asMade(r.model, r.fixture).item : undefined;
    store.restore(r.model, key, phase === 'before' ? undefined : back);
  };
}
