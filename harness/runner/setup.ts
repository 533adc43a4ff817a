/**
 * Creating a run's fixtures: each creator creates its instances in batched requests (aliased mutations,
 * parents before children), and the index records the key of every instance; deleting what a run
 * created, afterwards, on a deployed target.
 */
import { batchDocument, getDocument } from '../client/documents.js';
import type { GraphQLClient } from '../client/http.js';
import { findModel, type AuthModel, type Model } from '../schema/model.js';
import { authFields, uniqueKeyField } from '../matrix/fixtures.js';
import type { Persona } from '../matrix/cast.js';
import type { FixtureRef } from '../matrix/cells.js';
import { refsIn, SEED, type FixtureSpec } from '../matrix/plan.js';

/** Where each fixture instance lives; plain data, so it travels to the test workers as JSON. */
export interface FixtureIndex {
  /** instance → its key fields (`{ id }`, or partition and sort keys). */
  keys: Record<string, Record<string, unknown>>;
  /** model → id → fixture name, for the shared instances (lists and relations read them). */
  names: Record<string, Record<string, string>>;
  /** instance → why it could not be created. */
  failed: Record<string, string>;
}

export interface CreatedRecord {
  model: string;
  key: Record<string, unknown>;
  /** The persona that made it (tried first when deleting). */
  by: string;
}

const BATCH = 20;

export function emptyIndex(): FixtureIndex {
  return { keys: {}, names: {}, failed: {} };
}

/** Replaces `{ $fixture }` references with that instance's key field as created. */
export function resolveRefs(value: unknown, index: FixtureIndex, auth: AuthModel): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, index, auth));
  if (value && typeof value === 'object') {
    if ('$fixture' in value) {
      const { $fixture: instance, field } = value as FixtureRef;
      const model = auth.models.find((m) => m.name === instance.split('|')[0])!;
      const key = index.keys[instance];
      if (!key) throw new Error(`fixture ${instance} was not created${index.failed[instance] ? `: ${index.failed[instance]}` : ''}`);
      return key[field ?? model.primaryKey.partitionKey];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, index, auth)]));
  }
  return value;
}

/**
 * The key of a created record as stored. An owner field reads back as its last `::` segment (the
 * username) although `sub::username` is stored, so a key field that is an owner field takes the value sent.
 */
export function storedKey(m: Model, keys: string[], item: Record<string, unknown>, input: Record<string, unknown>): Record<string, unknown> {
  const owners = authFields(m);
  return Object.fromEntries(keys.map((f) => [f, owners.has(f) && input[f] !== undefined ? input[f] : item[f]]));
}

export function keyFields(auth: AuthModel, model: string): string[] {
  const m = auth.models.find((x) => x.name === model)!;
  return [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys];
}

/** Puts a record straight into the target's store (the embedded emulator) and returns it as stored. */
export type Seeder = (model: string, input: Record<string, unknown>) => Record<string, unknown>;

export async function createFixtures(auth: AuthModel, specs: FixtureSpec[], clientFor: (persona: string) => GraphQLClient, onProgress?: (done: number, total: number) => void, seed?: Seeder): Promise<{ index: FixtureIndex; created: CreatedRecord[]; requests: number }> {
  const index = emptyIndex();
  const created: CreatedRecord[] = [];
  let requests = 0;
  let done = 0;
  // Models in the plan's order (parents first); within a model, one batch stream per creator.
  const models = [...new Set(specs.map((s) => s.model))];
  for (const model of models) {
    const keys = keyFields(auth, model);
    const idField = uniqueKeyField(findModel(auth, model)!);
    const record = (s: FixtureSpec, item: Record<string, unknown>, input: Record<string, unknown>) => {
      const key = storedKey(findModel(auth, model)!, keys, item, input);
      index.keys[s.instance] = key;
      // Seeded records live in the emulator's store only, which goes with the emulator.
      if (s.creator !== SEED) created.push({ model, key, by: s.creator });
      if (!s.instance.includes('#')) {
        const names = (index.names[model] ??= {});
        const id = String(item[idField]);
        names[id] = s.fixture;
        // A key that is the owner field under a `sub::username` claim reads back as its last segment (the owner
        // field's display, harness/emulator/appsync/resolvers.ts `display`).
        const shown = id.split('::').at(-1)!;
        if (shown !== id) names[shown] ??= s.fixture;
      }
    };
    // One creator's records of the model, in batches. A record whose parent could not be made cannot be made
    // either; it is reported with the parent's reason.
    const stream = async (creator: string, list: FixtureSpec[]) => {
      for (let i = 0; i < list.length; i += BATCH) {
        const batch: FixtureSpec[] = [];
        const inputs: Record<string, unknown>[] = [];
        for (const s of list.slice(i, i + BATCH)) {
          try {
            inputs.push(resolveRefs(s.input, index, auth) as Record<string, unknown>);
            batch.push(s);
          } catch (e) {
            index.failed[s.instance] = (e as Error).message;
          }
        }
        done += list.slice(i, i + BATCH).length - batch.length;
        if (!batch.length) continue;
        if (creator === SEED) {
          batch.forEach((s, k) => {
            try {
              record(s, seed!(model, inputs[k]!), inputs[k]!);
            } catch (e) {
              index.failed[s.instance] = `it could not be seeded: ${(e as Error).message}`;
            }
          });
          done += batch.length;
          continue;
        }
        const r = await clientFor(creator).graphql(batchDocument(auth, model, 'create', inputs, keys));
        requests++;
        batch.forEach((s, k) => {
          const item = r.data?.[`m${k}`] as Record<string, unknown> | null | undefined;
          // An error for this part, else one for the whole request (a validation error has no path).
          const err = r.errors.find((e) => e.path?.[0] === `m${k}`) ?? r.errors.find((e) => !e.path?.length);
          if (!item || err) {
            index.failed[s.instance] = `${creator} could not create it: ${err ? `${err.errorType ?? ''} ${err.message}`.trim() : `HTTP ${r.status}`}`;
            return;
          }
          record(s, item, inputs[k]!);
        });
        done += batch.length;
        onProgress?.(done, specs.length);
      }
    };
    // A model related to itself (a task's subtasks): records naming another record of the model are made after it.
    const ofModel = specs.filter((x) => x.model === model);
    const later = ofModel.filter((x) => [...refsIn(x.input, new Set())].some((ref) => ref.startsWith(`${model}|`)));
    for (const wave of [ofModel.filter((x) => !later.includes(x)), later]) {
      const byCreator = new Map<string, FixtureSpec[]>();
      for (const s of wave) {
        const list = byCreator.get(s.creator);
        if (list) list.push(s);
        else byCreator.set(s.creator, [s]);
      }
      await Promise.all([...byCreator].map(([creator, list]) => stream(creator, list)));
    }
  }
  return { index, created, requests };
}

/**
 * Deletes records a run created: each is tried with the IAM admin first (it may delete anything where
 * generic IAM access exists), then its creator, then every other persona. Returns what is left.
 */
export async function deleteRecords(auth: AuthModel, records: CreatedRecord[], cast: Persona[], clientFor: (persona: string) => GraphQLClient): Promise<CreatedRecord[]> {
  const admin = cast.find((p) => p.kind === 'iamAdmin')?.name;
  const candidates = (r: CreatedRecord) => [...new Set([admin, r.by, ...cast.filter((p) => p.kind !== 'anonymous').map((p) => p.name)].filter((x): x is string => !!x))];
  let left = [...records];
  for (let round = 0; left.length; round++) {
    const attempts = new Map<string, CreatedRecord[]>();
    for (const r of left) {
      const who = candidates(r)[round];
      if (!who) continue;
      const list = attempts.get(`${who}|${r.model}`);
      if (list) list.push(r);
      else attempts.set(`${who}|${r.model}`, [r]);
    }
    if (!attempts.size) break;
    const remaining: CreatedRecord[] = [];
    for (const [k, list] of attempts) {
      const [who, model] = k.split('|') as [string, string];
      for (let i = 0; i < list.length; i += BATCH) {
        const batch = list.slice(i, i + BATCH);
        const r = await clientFor(who).graphql(batchDocument(auth, model, 'delete', batch.map((x) => x.key), keyFields(auth, model)));
        // Gone already (ConditionalCheckFailed) counts as deleted.
        batch.forEach((x, n) => {
          const gone = r.status === 200 && (r.data?.[`m${n}`] || r.errors.some((e) => e.path?.[0] === `m${n}` && /ConditionalCheckFailed/.test(e.errorType ?? '')));
          if (!gone) remaining.push(x);
        });
      }
    }
    const tried = new Set([...attempts.values()].flat());
    left = [...left.filter((x) => !tried.has(x)), ...remaining];
  }
  // Records a cell deleted itself are refused as Unauthorized to owner-only callers; its creator's read says they are gone.
  const still: CreatedRecord[] = [];
  for (const r of left) {
    const got = await clientFor(r.by).graphql(getDocument(auth, r.model, r.key, keyFields(auth, r.model)));
    if (got.status !== 200 || got.errors.length || got.data?.[Object.keys(got.data ?? {})[0] ?? ''] !== null) still.push(r);
  }
  return still;
}
