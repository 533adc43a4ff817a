/**
 * From cells to a run: which fixture records to create (a shared instance per fixture for reads, a
 * private copy for every mutating cell and event, so that no cell depends on another's order), who
 * creates each one (a persona the oracle says may create exactly that record, the IAM admin first),
 * and which cells cannot run because nobody in the cast can create what they need.
 */
import { decide, type Decision } from '../rules/decide.js';
import { isStoredField, type AuthModel, type Model } from '../schema/model.js';
import type { Persona } from './cast.js';
import { COPY, instanceOf, parentFixture, type Action, type Cell, type FixtureRef } from './cells.js';
import { subscriptionScenario, type DeliveryEvent, type SubscriptionScenario } from './deliveries.js';
import { authFields, detachedValue, fixtures, foreignKeys, linksParent, NOBODY, plannedKey, undeclaredCreateFields, withUniqueKey, type ForeignKey } from './fixtures.js';

export interface FixtureSpec {
  /** `Post|owned` (shared, read-only) or `Post|owned#3` (a private copy). */
  instance: string;
  model: string;
  fixture: string;
  creator: string;
  /** The create input; fixture references (`{ $fixture }`) are replaced by ids when it is sent. */
  input: Record<string, unknown>;
}

export interface RunPlan {
  cells: Cell[];
  /** In creation order: parents before the children that reference them. */
  fixtures: FixtureSpec[];
  scenarios: SubscriptionScenario[];
  /** Cells that cannot run, and why. */
  untested: { cell: Cell; reason: string }[];
  /** `Model|fixture` → "owner's record". */
  labels: Record<string, string>;
  /** `Model|fixture` → the record as the oracle sees it. */
  records: Record<string, Record<string, unknown>>;
  /** Labels of the fixtures nobody in the cast may create, put straight into the emulator's store. */
  seeded: string[];
  /**
   * Cells run one at a time, after all others, on a model holding one record per owner: by cell id; and the
   * subscription events of such a model, by `eventResetId`.
   */
  serial: Record<string, SerialReset>;
}

/**
 * How the store is set before and after a serial cell (on the embedded emulator): the record under the cell's
 * key is put back as its fixture was made (`fixture`), or removed (`absent`, for a create naming a taken key).
 */
export type SerialReset =
  | { model: string; before: 'fixture'; fixture: string }
  | { model: string; before: 'absent'; key: Record<string, unknown>; fixture?: string };

/** The creator of a fixture that is put into the emulator's store rather than created through the API. */
export const SEED = 'seed';

/** Models ordered so that every parent comes before its children. */
function creationOrder(auth: AuthModel): Model[] {
  const fks = foreignKeys(auth);
  const done: Model[] = [];
  const visit = (m: Model, path: Set<string>) => {
    if (done.includes(m) || path.has(m.name)) return;
    path.add(m.name);
    for (const fk of fks.filter((x) => x.child === m.name && x.parent !== m.name && !x.ahead)) visit(auth.models.find((x) => x.name === fk.parent)!, path);
    done.push(m);
  };
  for (const m of auth.models) visit(m, new Set());
  return done;
}

const blank = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0);
const equal = (a: unknown, b: unknown) => (blank(a) && blank(b)) || JSON.stringify(a) === JSON.stringify(b);

/**
 * Who can create exactly this record, and with which input: the IAM admin (generic IAM access writes
 * any value), then every other persona; an owner field that auto-fill would set to the creator's claim
 * may be left out. Null when nobody in the cast can.
 */
export function creatorFor(auth: AuthModel, m: Model, record: Readonly<Record<string, unknown>>, cast: Persona[]): { creator: string; input: Record<string, unknown> } | null {
  const key = m.primaryKey.partitionKey;
  const full = withoutFields(fullInput(m, record), [...undeclaredCreateFields(auth, m)]);
  const ownerFields = [...authFields(m)];
  const ordered = [...cast.filter((p) => p.kind === 'iamAdmin'), ...cast.filter((p) => p.kind !== 'iamAdmin')];
  for (const p of ordered) {
    for (const input of [full, withoutFields(full, ownerFields)]) {
      const d: Decision = decide(auth, p.identity, 'create', { type: m.name, input, select: [key] });
      if (d.outcome !== 'allow' && d.outcome !== 'partial') continue;
      const stored = { ...input, ...d.filled };
      // The key is the run's to choose, unless it is an owner or group field: auto-filled there, it is the creator's
      // own record (Eppey/eppey's User, keyed by its owner).
      const wanted = m.fields.filter((f) => isStoredField(f) && (f.name !== key || ownerFields.includes(key)) && !['createdAt', 'updatedAt'].includes(f.name));
      if (wanted.every((f) => equal(stored[f.name], record[f.name]))) return { creator: p.name, input };
    }
  }
  return null;
}

/** Every value of a record that a create could set (its owner and group fields included). */
function fullInput(m: Model, record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const key = m.primaryKey.partitionKey;
  const full: Record<string, unknown> = {};
  for (const f of m.fields.filter((x) => !x.implicit && isStoredField(x))) if (!blank(record[f.name])) full[f.name] = record[f.name];
  if (!m.fields.find((f) => f.name === key)?.implicit) full[key] = record[key];
  return full;
}

/** A record as the store holds it: an undeclared owner or group field too, which no create input can set. */
function seedInput(m: Model, record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = fullInput(m, record);
  const auth = authFields(m);
  for (const f of m.fields.filter((x) => x.implicit && auth.has(x.name))) if (!blank(record[f.name])) out[f.name] = record[f.name];
  return out;
}

function withoutFields(input: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out = { ...input };
  for (const f of fields) delete out[f];
  return out;
}

/** Fixture references a value holds (`{ $fixture: 'Post|owned' }`), deeply. */
export function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    if ('$fixture' in value) out.add((value as FixtureRef).$fixture);
    else for (const v of Object.values(value)) refsIn(v, out);
  }
  return out;
}

/** The fixture instances an action needs (base instances; copies are numbered by the planner). */
function instancesOf(action: Action): string[] {
  switch (action.type) {
    case 'get':
    case 'update':
    case 'delete':
    case 'relation':
      return [action.instance];
    case 'custom':
      return [...refsIn(action.args, new Set())];
    case 'create':
      return [...refsIn(action.input, new Set())];
    case 'headers':
      return instancesOf(action.base);
    case 'batch':
      return action.parts.flatMap((p) => instancesOf(p.cell.action));
    default:
      return [];
  }
}

export interface PlanOptions {
  /** Makes the keys of models with a declared primary key unique per run (deployed tables keep data). */
  nonce: string;
  /** The target's store can be written directly (the embedded emulator): records nobody may create are seeded. */
  seed?: boolean;
}

export function planRun(auth: AuthModel, cast: Persona[], selected: Cell[], options: PlanOptions): RunPlan {
  const fks = foreignKeys(auth);
  const byModel = new Map(auth.models.map((m) => [m.name, fixtures(auth, m, cast)]));
  const labels: Record<string, string> = {};
  const records: Record<string, Record<string, unknown>> = {};
  for (const [model, fx] of byModel) {
    for (const f of fx) {
      labels[`${model}|${f.name}`] = f.label;
      records[`${model}|${f.name}`] = { ...f.record };
    }
  }

  // Number the private copies, in cell order, then for the subscription events.
  const copies = new Map<string, number>();
  const number = (instance: string) => {
    if (!instance.endsWith(COPY)) return instance;
    const base = instance.slice(0, -COPY.length);
    const n = (copies.get(base) ?? 0) + 1;
    copies.set(base, n);
    return `${base}#${n}`;
  };
  const renumber = <A extends Action>(a: A): A => {
    if (a.type === 'update' || a.type === 'delete') return { ...a, instance: number(a.instance) };
    if (a.type === 'headers') return { ...a, base: renumber(a.base) };
    return a;
  };
  const cells = selected.map((c) => ({ ...c, action: renumber(c.action) }));
  const scenarios = auth.models
    .filter((m) => cells.some((c) => c.kind === 'delivery' && c.model === m.name))
    .map((m) => {
      const s = subscriptionScenario(auth, m, cast);
      return { ...s, events: s.events.map((e) => ({ ...e, action: renumber(e.action) })), sentinels: s.sentinels.map((e) => ({ ...e, action: renumber(e.action) })) };
    });

  // Every instance needed: those the cells and events name, and the parents their records point at.
  const needed = new Set<string>();
  for (const c of cells) for (const i of instancesOf(c.action)) needed.add(i);
  for (const s of scenarios) for (const e of [...s.events, ...s.sentinels]) for (const i of instancesOf(e.action)) needed.add(i);
  for (const c of cells.filter(listsRecords)) for (const f of byModel.get(c.model!) ?? []) needed.add(`${c.model}|${f.name}`);
  for (const c of cells.filter((x) => x.kind === 'relation')) {
    const rel = auth.models.find((m) => m.name === c.model)!.fields.find((f) => f.name === c.field)!.relation!;
    for (const f of byModel.get(rel.model) ?? []) needed.add(`${rel.model}|${f.name}`);
    needed.add(`${rel.model}|${parentFixture(auth, auth.models.find((m) => m.name === rel.model)!, cast).name}`);
  }
  for (const i of [...needed]) {
    const [model] = i.split('|');
    for (const fk of fks.filter((x) => x.child === model)) needed.add(`${fk.parent}|${parentFixture(auth, auth.models.find((m) => m.name === fk.parent)!, cast).name}`);
  }

  const specs: FixtureSpec[] = [];
  const uncreatable = new Map<string, string>();
  /** A private copy (`Post|owned#3`) or a cell's own create (`cell:<id>`) that cannot be made, and why. */
  const cannotMake = new Map<string, string>();
  const seeded: string[] = [];
  const cellCopies = new Set(cells.flatMap((c) => instancesOf(c.action)).filter((i) => i.includes('#')));
  /** Copy → the shared instance a serial cell uses instead. */
  const serialCopies = new Map<string, string>();
  for (const m of creationOrder(auth)) {
    for (const f of byModel.get(m.name) ?? []) {
      const base = `${m.name}|${f.name}`;
      const instances = [...(needed.has(base) ? [base] : []), ...Array.from({ length: copies.get(base) ?? 0 }, (_, k) => `${base}#${k + 1}`)];
      if (!instances.length) continue;
      const who = creatorFor(auth, m, f.record, cast) ?? (options.seed ? { creator: SEED, input: seedInput(m, f.record) } : null);
      if (who?.creator === SEED) seeded.push(`${m.name}'s ${f.label}`);
      if (!who) {
        uncreatable.set(base, `nobody in the cast can create ${m.name}'s ${f.label} (try adding an iamAdmin persona or a persona whose rules allow it)`);
        continue;
      }
      const oneRecord = keyedByOwner(m);
      if (oneRecord && !ownedByNobody(m, who.input)) {
        // Its key is the owner (or group) itself: only the shared instance can exist. On the emulator a cell's or
        // an event's copy is that instance, reset around it; elsewhere it cannot run.
        for (const copy of instances.filter((i) => i.includes('#'))) {
          if (options.seed) serialCopies.set(copy, base);
          else cannotMake.set(copy, `${m.name}'s key is its owner field ${oneRecord}: one record per owner, and a second ${f.label} for this ${cellCopies.has(copy) ? 'cell' : 'subscription event'} needs the store reset around it, which only the embedded emulator allows`);
        }
        instances.splice(0, instances.length, ...instances.filter((i) => !i.includes('#')));
      }
      for (const instance of instances) specs.push({ instance, model: m.name, fixture: f.name, creator: who.creator, input: linkInput(auth, m, who.input, instance, fks, cast, options.nonce, f.name) });
    }
  }

  // A model keyed by its owner holds one record per owner: the fixtures take theirs first, and a later
  // create naming the same owner (a create cell, an event, a spoof) would only collide.
  const taken = new Map<string, string>();
  const takenBy = new Map<string, string>();
  for (const spec of specs) {
    const m = auth.models.find((x) => x.name === spec.model)!;
    if (!keyedByOwner(m)) continue;
    taken.set(ownerKey(m, spec.input), `${spec.fixture} fixture`);
    takenBy.set(ownerKey(m, spec.input), spec.instance);
  }
  /** How the store is set around an action on the one record per owner (emulator only). */
  const resetFor = (action: Action): SerialReset | undefined => {
    const copy = instancesOf(action).find((i) => serialCopies.has(i));
    const m = auth.models.find((x) => x.name === (action as { model?: string }).model);
    if (copy) return { model: m!.name, before: 'fixture', fixture: serialCopies.get(copy)! };
    if (!options.seed || action.type !== 'create' || !m || !keyedByOwner(m)) return undefined;
    const k = ownerKey(m, action.input);
    if (k.includes(NOBODY)) return undefined;
    const fixture = takenBy.get(k);
    return { model: m.name, before: 'absent', key: keyOfInput(m, action.input), ...(fixture ? { fixture } : {}) };
  };
  const serial: Record<string, SerialReset> = {};
  for (const c of cells) {
    const reset = resetFor(c.action);
    if (reset) serial[c.id] = reset;
  }
  // A scenario with such events runs with the serial cells, each of its events alone on the record, the store
  // reset around it; it needs no sentinel (harness/runner/scenario.ts waits after each event instead).
  for (const s of scenarios) {
    const resets = s.events.map((e) => resetFor(e.action));
    if (!resets.some(Boolean)) continue;
    s.serial = true;
    s.sentinels = [];
    s.events = s.events.map((e, i) => {
      if (!resets[i]) return e;
      serial[eventResetId(e.key)] = resets[i];
      return { ...e, action: onShared(e.action, serialCopies) as DeliveryEvent['action'], serial: true as const };
    });
  }
  const collision = (action: Action, who: string): string | undefined => {
    if (action.type !== 'create') return undefined;
    const m = auth.models.find((x) => x.name === action.model)!;
    const field = keyedByOwner(m);
    if (!field) return undefined;
    const k = ownerKey(m, action.input);
    if (k.includes(NOBODY)) return undefined;
    const first = taken.get(k);
    if (first) return `${m.name}'s key is its owner field ${field}: the record this create names already exists (made for the ${first}), one record per owner`;
    taken.set(k, who);
    return undefined;
  };
  for (const c of cells) {
    if (serial[c.id]) continue;
    const why = collision(c.action, `cell ${c.id}`);
    if (why) cannotMake.set(`cell:${c.id}`, why);
  }

  // Subscription events that need a record the run cannot make are dropped, and so are the deliveries
  // that wait for them; without its sentinel, a scenario watches for a while instead.
  const eventGap = (e: { action: Action; key: string; serial?: true }) => (e.serial ? undefined : instancesOf(e.action).map((i) => cannotMake.get(i)).find(Boolean) ?? collision(e.action, `event ${e.key}`));
  const gaps = new Map<string, string>();
  for (const s of scenarios) {
    const keep = <E extends { action: Action; key: string; op: string; actor: string; serial?: true }>(events: E[], name: (e: E) => string): E[] =>
      events.filter((e) => {
        const why = eventGap(e);
        if (why) gaps.set(`${s.model}|${e.op}|${name(e)}`, why);
        return !why;
      });
    s.events = keep(s.events, (e) => `by:${e.actor}`);
    s.sentinels = keep(s.sentinels, () => 'sentinel');
  }
  const deliveryGap = (c: Cell) => (c.kind === 'delivery' ? gaps.get(`${c.model}|${c.operation}|by:${c.actor}`) : undefined);

  const untested: RunPlan['untested'] = [];
  const runnable: Cell[] = [];
  for (const c of cells) {
    const copy = [...instancesOf(c.action), `cell:${c.id}`].find((i) => cannotMake.has(i));
    const gap = deliveryGap(c);
    if (gap) {
      untested.push({ cell: c, reason: gap });
      continue;
    }
    const missing = instancesOf(c.action).map(baseOf).find((i) => uncreatable.has(i)) ?? relationMissing(auth, c, uncreatable) ?? listMissing(c, uncreatable);
    if (copy) untested.push({ cell: c, reason: cannotMake.get(copy)! });
    else if (missing) untested.push({ cell: c, reason: uncreatable.get(missing)! });
    else runnable.push(serial[c.id] ? { ...c, action: onShared(c.action, serialCopies) } : c);
  }
  for (const id of Object.keys(serial)) if (!id.startsWith(EVENT) && !runnable.some((c) => c.id === id)) delete serial[id];
  return { cells: runnable, fixtures: specs, scenarios, untested, labels, records, seeded, serial };
}

const EVENT = 'event:';

/** The key of a subscription event's reset in `RunPlan.serial`. */
export const eventResetId = (eventKey: string): string => `${EVENT}${eventKey}`;

/** A serial cell's action on the shared instance its copy stands for. */
function onShared(a: Action, copies: Map<string, string>): Action {
  if (a.type === 'update' || a.type === 'delete') return { ...a, instance: copies.get(a.instance) ?? a.instance };
  if (a.type === 'headers') return { ...a, base: onShared(a.base, copies) };
  return a;
}

const keyOfInput = (m: Model, input: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries([m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].map((k) => [k, input[k] ?? null]));

/** A record whose owner key is nobody in the cast: each instance gets a key of its own (fixtures.ts withUniqueKey). */
const ownedByNobody = (m: Model, input: Record<string, unknown>): boolean =>
  [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].some((k) => input[k] === NOBODY);

const ownerKey = (m: Model, input: Record<string, unknown>): string =>
  JSON.stringify([m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].map((k) => input[k] ?? null));

/** The owner or group field that is the model's whole key, if it is (one record per owner). */
function keyedByOwner(m: Model): string | undefined {
  const keys = [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys];
  const auth = authFields(m);
  return keys.every((k) => auth.has(k)) ? keys.join(', ') : undefined;
}

const baseOf = (instance: string) => instance.replace(/#\d+$/, '');

function relationMissing(auth: AuthModel, c: Cell, uncreatable: Map<string, string>): string | undefined {
  if (c.kind !== 'relation') return undefined;
  const rel = auth.models.find((m) => m.name === c.model)!.fields.find((f) => f.name === c.field)!.relation!;
  return [...uncreatable.keys()].find((k) => k.startsWith(`${rel.model}|`));
}

/** A list sees every fixture of its model, so it needs them all. */
const listsRecords = (c: Cell) => c.action.type === 'list' || (c.action.type === 'headers' && c.action.base.type === 'list');

function listMissing(c: Cell, uncreatable: Map<string, string>): string | undefined {
  if (!listsRecords(c)) return undefined;
  return [...uncreatable.keys()].find((k) => k.startsWith(`${c.model}|`));
}

/**
 * The input for one instance: shared instances of children point at the parent's first fixture (only the one
 * child fixture a foreign key's `onlyChild` names, where not every child may); other instances point nowhere (so
 * that relation reads never see them), except that an owner field keeps its owner; declared keys are made unique,
 * except a key that names the parent.
 */
function linkInput(auth: AuthModel, m: Model, input: Record<string, unknown>, instance: string, fks: ForeignKey[], cast: Persona[], nonce: string, fixture: string): Record<string, unknown> {
  const out = { ...input };
  const copy = instance.includes('#');
  const undeclared = undeclaredCreateFields(auth, m);
  const pinned = new Set<string>(undeclared);
  for (const fk of fks.filter((x) => x.child === m.name)) {
    const parent = auth.models.find((x) => x.name === fk.parent)!;
    if (!copy && linksParent(fk, fixture)) {
      const parentInstance = instanceOf(parent.name, parentFixture(auth, parent, cast).name);
      out[fk.field] = fk.ahead ? plannedKey(auth, parent.name, `${nonce}-${parentInstance}`) : { $fixture: parentInstance } satisfies FixtureRef;
      pinned.add(fk.field);
    } else if (!authFields(m).has(fk.field)) out[fk.field] = detachedValue(m, fk.field, `${nonce}-${instance}`);
  }
  return withoutFields(withUniqueKey(m, out, `${nonce}-${instance}`, pinned), [...undeclared]);
}
