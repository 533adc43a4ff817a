/**
 * Queries through a key: every secondary index with a query field, and the table's own key when an owner or group
 * field is part of it. Where a rule's field is in the key, each persona queries its own value, someone else's
 * (the attack: reading another owner's or group's partition) and, for a sort key, none (the resolver then pins the
 * caller's own); other indexes are queried once, on a fixture's value, and filtered by the rules.
 */
import { decide } from '../rules/decide.js';
import { ownerClaim } from '../rules/identity.js';
import type { AuthModel, Model } from '../schema/model.js';
import type { Persona } from './cast.js';
import { byFixture, cell, instanceOf, parentFixture, someoneElse, type Cell, type FixtureRef } from './cells.js';
import { dynamicGroupRules, fixtures, foreignKeys, ownerRules, storedAs } from './fixtures.js';

interface KeyQuery {
  /** Absent: the table's key. */
  index?: string;
  label: string;
  partitionKey: string;
  /** The single sort key field (a composite sort key holds no auth field the resolver compares). */
  sortKey?: string;
}

function keyQueries(m: Model): KeyQuery[] {
  const out: KeyQuery[] = [];
  const single = (keys: string[]) => (keys.length === 1 ? { sortKey: keys[0]! } : {});
  const table: KeyQuery = { label: 'key', partitionKey: m.primaryKey.partitionKey, ...single(m.primaryKey.sortKeys) };
  if (m.operationNames.list && (isAuthField(m, table.partitionKey) || isAuthField(m, table.sortKey))) out.push(table);
  for (const ix of m.indexes) if (ix.queryField) out.push({ index: ix.name, label: `index:${ix.name}`, partitionKey: ix.partitionKey, ...single(ix.sortKeys) });
  return out;
}

/** A scalar owner or group field, which the resolver compares with a key argument. */
function isAuthField(m: Model, field: string | undefined): boolean {
  return !!field && (ownerRules(m).some((r) => r.ownerField === field && !r.multiOwner) || dynamicGroupRules(m).some((r) => r.groupsField === field && !r.multiGroup));
}

/** The value a persona would name for an owner or group field: its own, or someone else's. */
function valueFor(m: Model, field: string, cast: Persona[], p: Persona, team: string, whose: 'own' | 'other'): string | undefined {
  const owner = ownerRules(m).find((r) => r.ownerField === field && !r.multiOwner);
  if (owner) {
    const who = whose === 'own' ? p : someoneElse(cast, p, owner);
    return who ? ownerClaim(who.identity, owner.identityClaim)?.value : undefined;
  }
  return whose === 'own' ? (p.groups?.[0] ?? team) : `${team}-other`;
}

/** Key arguments per variant: own and other value of an auth partition key; for an auth sort key, left out, own and other. */
function variantsOf(m: Model, q: KeyQuery, cast: Persona[], p: Persona, team: string, plainPk: unknown): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  if (isAuthField(m, q.partitionKey)) {
    for (const whose of ['own', 'other'] as const) {
      const v = valueFor(m, q.partitionKey, cast, p, team, whose);
      if (v !== undefined) out.push([`${q.label}:${whose}`, { [q.partitionKey]: v }]);
    }
    return out;
  }
  if (plainPk === undefined) return out;
  const pk = { [q.partitionKey]: plainPk };
  if (!isAuthField(m, q.sortKey)) return q.index ? [[q.label, pk]] : out;
  out.push([`${q.label}:sort-key-left-out`, pk]);
  for (const whose of ['own', 'other'] as const) {
    const v = valueFor(m, q.sortKey!, cast, p, team, whose);
    if (v !== undefined) out.push([`${q.label}:sort-key-${whose}`, { ...pk, [q.sortKey!]: { eq: v } }]);
  }
  return out;
}

export function keyQueryCells(auth: AuthModel, m: Model, cast: Persona[], team: string): Cell[] {
  const out: Cell[] = [];
  const queries = keyQueries(m);
  if (!queries.length) return out;
  const fx = fixtures(auth, m, cast);
  for (const q of queries) {
    // A fixture that links the key to its parent, where one does (the first fixture of a model related to itself
    // links to nothing: fixtures.ts `selfParent`).
    const valued = fx.filter((f) => f.record[q.partitionKey] !== undefined && f.record[q.partitionKey] !== null);
    const first = (!isAuthField(m, q.partitionKey) && valued.find((f) => storedAs(auth, m, f.name, q.partitionKey) === 'parent')) || valued[0];
    // A key that is no owner or group field is queried on the value the first fixture is stored with (plan.ts
    // linkInput): the parent's key where it links one, its own where the planner gave it one (a foreign key left
    // pointing nowhere, the key field made unique), the oracle's copy's value otherwise; only the fixtures stored
    // with that value are in range.
    const how = first && !isAuthField(m, q.partitionKey) ? storedAs(auth, m, first.name, q.partitionKey) : 'copy';
    // A value of its own outside the record's key (a foreign key pointing nowhere) is not known before the run.
    const plainPk = how === 'own' && ![m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].includes(q.partitionKey) ? undefined : first?.record[q.partitionKey];
    const fk = how === 'parent' ? foreignKeys(auth).find((x) => x.child === m.name && x.field === q.partitionKey) : undefined;
    const sent: FixtureRef | undefined = fk
      ? { $fixture: instanceOf(fk.parent, parentFixture(auth, auth.models.find((x) => x.name === fk.parent)!, cast).name) }
      : how === 'own' ? { $fixture: instanceOf(m.name, first!.name), field: q.partitionKey } : undefined;
    const inRange = isAuthField(m, q.partitionKey) ? fx : how === 'own' ? [first!] : fx.filter((f) => storedAs(auth, m, f.name, q.partitionKey) === how);
    const records = inRange.map((f) => f.record);
    for (const p of cast) {
      for (const [variant, key] of variantsOf(m, q, cast, p, team, plainPk)) {
        const target = { type: m.name, records, args: key, ...(q.index ? { index: q.index } : {}) };
        const sentKey = sent && key[q.partitionKey] === plainPk ? { ...key, [q.partitionKey]: sent } : key;
        out.push(cell({
          id: `${m.name}|list|${p.name}|${variant}`, kind: 'model', persona: p.name, model: m.name, operation: 'list', variant,
          action: { type: 'list', model: m.name, key: sentKey, ...(q.index ? { index: q.index } : {}) },
        }, byFixture(auth, m, cast, decide(auth, p.identity, 'list', target))));
      }
    }
  }
  return out;
}
