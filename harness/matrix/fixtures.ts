/**
 * The records each model's cells act on: one per ownership situation the model's rules distinguish
 * (owned, shared through a multi-owner list or a dynamic group, unowned), and inputs for writes.
 */
import { isStoredField, type AuthModel, type Field, type Model, type OwnerRule, type DynamicGroupRule, type Relation } from '../schema/model.js';
import { dynamicGroups, ownerClaim, ownsValue, type Identity } from '../rules/identity.js';
import type { StoredRecord } from '../rules/roles.js';
import { dynamicGroupName, type Persona } from './cast.js';

export type Ownership = 'own' | 'shared' | 'other' | 'unowned';

export interface Fixture {
  /**
   * Stable key: `owned`, `shared` (a co-owner list and the first group field), `shared:<field>` (only
   * that further group field names the group), `unowned`, or `record` (a model without owners or groups).
   */
  name: string;
  /** How a report names it: "owner's record". */
  label: string;
  record: StoredRecord;
}

const SAMPLES: Record<string, unknown> = {
  ID: 'sample-id',
  String: 'sample',
  Int: 7,
  Float: 1.5,
  Boolean: true,
  AWSDate: '2026-01-01',
  AWSTime: '12:00:00.000Z',
  AWSDateTime: '2026-01-01T12:00:00.000Z',
  AWSTimestamp: 1767268800,
  AWSEmail: 'sample@example.com',
  AWSJSON: '{"sample":true}',
  AWSURL: 'https://example.com/sample',
  AWSPhone: '+15555550100',
  AWSIPAddress: '127.0.0.1',
};

/** How deep a sample value's required fields are filled in. */
const MAX_DEPTH = 12;

export function sampleValue(auth: AuthModel, field: Pick<Field, 'type' | 'typeKind' | 'list'>, depth = 0): unknown {
  let v: unknown;
  if (field.typeKind === 'enum' || auth.enums.some((e) => e.name === field.type)) v = auth.enums.find((e) => e.name === field.type)?.values[0] ?? null;
  else if (field.typeKind === 'customType') {
    const t = auth.customTypes.find((c) => c.name === field.type);
    const obj: Record<string, unknown> = {};
    // Every field near the top, then only the required ones (AI kit's message types nest required fields five
    // deep); a type that requires itself cannot be given, and stops at MAX_DEPTH.
    if (t) for (const f of t.fields) if (f.typeKind !== 'model' && (depth < 3 || (f.required && depth < MAX_DEPTH))) obj[f.name] = sampleValue(auth, f, depth + 1);
    v = t || depth >= MAX_DEPTH ? obj : sampleInputObject(auth, field.type, depth);
  } else v = SAMPLES[field.type] ?? 'sample';
  return field.list ? [v] : v;
}

/**
 * An argument of an input type: its required fields, with values of their types. The type is declared in
 * the schema, or one the transformer generates for a model (`CreateFeedingInput`, `UpdateFeedingInput`,
 * `DeleteFeedingInput`) that custom operations may take.
 */
function sampleInputObject(auth: AuthModel, type: string, depth: number): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const declared = auth.inputTypes.find((t) => t.name === type);
  if (declared) {
    for (const a of declared.fields.filter((x) => x.required)) obj[a.name] = sampleValue(auth, { type: a.type, typeKind: kindOf(auth, a.type), list: a.list }, depth + 1);
    return obj;
  }
  const generated = type.match(/^(Create|Update|Delete)(\w+)Input$/);
  const m = generated && auth.models.find((x) => x.name === generated[2]);
  if (!m) return obj;
  const keys = new Set([m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]);
  for (const f of m.fields) {
    if (!isStoredField(f) || f.implicit) continue;
    // A create input leaves `id` optional (the resolver generates it).
    const needed = generated![1] === 'Create' ? f.required && f.name !== 'id' : keys.has(f.name);
    if (needed) obj[f.name] = sampleValue(auth, f, depth + 1);
  }
  return obj;
}

/** How a type name is used in a value: an enum, an object (custom or input type), or a scalar. */
export function kindOf(auth: AuthModel, type: string): Field['typeKind'] {
  if (auth.enums.some((e) => e.name === type)) return 'enum';
  if (SAMPLES[type] !== undefined) return 'scalar';
  return auth.customTypes.some((t) => t.name === type) || auth.inputTypes.some((t) => t.name === type) || /Input$/.test(type) ? 'customType' : 'scalar';
}

/**
 * Makes a record's key unique by giving one key field a value derived from `seed`: the partition key, or
 * the first sort key when the partition key holds the owner or group (an identifier that is the owner field
 * must stay the caller's claim), skipping `pinned` fields (a key that names the parent record). A declared `id: ID!` or a custom identifier would otherwise get the same
 * sample value in every create, and every create after the first would fail as a duplicate.
 */
export function withUniqueKey(m: Model, input: Record<string, unknown>, seed: string, pinned: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const f = uniqueKeyFieldOf(m, pinned);
  if (f) return { ...input, [f.name]: uniqueValue(f.type, seed) };
  // The key is the owner: a record owned by nobody in the cast still needs an owner of its own.
  const out = { ...input };
  for (const k of [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]) {
    if (out[k] === NOBODY) out[k] = `${NOBODY}-${uniqueValue('String', seed)}`;
  }
  return out;
}

/**
 * The oracle's copy of a record carries its name (fixture or event) in the key field that tells records
 * apart, except where that field is the owner or group field itself (it holds the owner there).
 */
export function withName(m: Model, record: Record<string, unknown>, name: string): Record<string, unknown> {
  const key = uniqueKeyField(m);
  return authFields(m).has(key) ? record : { ...record, [key]: name };
}

/** The key field that tells the run's records apart (see withUniqueKey); the partition key otherwise. */
export function uniqueKeyField(m: Model): string {
  return uniqueKeyFieldOf(m)?.name ?? m.primaryKey.partitionKey;
}

function uniqueKeyFieldOf(m: Model, pinned: ReadonlySet<string> = new Set()): Field | undefined {
  const skip = new Set([...authFields(m), ...pinned]);
  return [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys]
    .map((name) => m.fields.find((x) => x.name === name))
    .find((f): f is Field => !!f && !f.implicit && !f.list && !skip.has(f.name) && uniqueValue(f.type, '') !== undefined);
}

/**
 * A foreign key's value that names no parent record, of the key field's type (an `Int` key refuses a string:
 * Specto95/jael-amplifygen1's `class_id: Int!`).
 */
export function detachedValue(m: Model, field: string, nonce: string): unknown {
  const type = m.fields.find((f) => f.name === field)?.type ?? 'String';
  return type === 'ID' || type === 'String' ? `authmatrix-detached-${nonce}` : uniqueValue(type, `detached-${nonce}`) ?? `authmatrix-detached-${nonce}`;
}

function uniqueValue(type: string, seed: string): unknown {
  const token = seed.replace(/[^A-Za-z0-9-]/g, '-');
  switch (type) {
    case 'ID':
    case 'String':
      return token;
    case 'AWSEmail':
      return `${token}@example.com`;
    case 'AWSURL':
      return `https://example.com/${token}`;
    case 'Int':
    case 'AWSTimestamp':
      return hash(seed) % 2_000_000_000;
    case 'Float':
      return (hash(seed) % 1_000_000) / 8;
    default:
      return undefined;
  }
}

/** FNV-1a: a stable number for a seed (keys of numeric type). */
function hash(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const authRulesCache = new WeakMap<Model, { owners: OwnerRule[]; groups: DynamicGroupRule[] }>();

function authRules(m: Model): { owners: OwnerRule[]; groups: DynamicGroupRule[] } {
  let cached = authRulesCache.get(m);
  if (!cached) {
    const all = [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])];
    cached = {
      owners: uniqueBy(all.filter((r): r is OwnerRule => r.kind === 'owner'), (r) => r.ownerField),
      groups: uniqueBy(all.filter((r): r is DynamicGroupRule => r.kind === 'dynamicGroup'), (r) => r.groupsField),
    };
    authRulesCache.set(m, cached);
  }
  return cached;
}

/** One owner rule per owner field (model and field rules). */
export const ownerRules = (m: Model): OwnerRule[] => authRules(m).owners;

/** One dynamic-group rule per group field. */
export const dynamicGroupRules = (m: Model): DynamicGroupRule[] => authRules(m).groups;

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

/** Fields that hold owners or groups: fixtures set them on purpose, writes leave them alone. */
export function authFields(m: Model): Set<string> {
  return new Set([...ownerRules(m).map((r) => r.ownerField), ...dynamicGroupRules(m).map((r) => r.groupsField)]);
}

/** The owner a required owner field names on a record nobody in the cast owns (it cannot be left empty). */
export const NOBODY = 'authmatrix-nobody';

/** A field a create must set: declared required, or part of a declared key (a key is never empty). */
const requiredField = (m: Model, name: string): boolean =>
  !!m.fields.find((f) => f.name === name && !f.implicit && (f.required || [m.primaryKey.partitionKey, ...m.primaryKey.sortKeys].includes(name)));

/**
 * A create by `identity` names the caller in the owner fields the schema makes required (the client must
 * send them; an identifier that is the owner field is one): the caller's own claim, as an app would.
 */
export function withOwnClaims(m: Model, identity: Identity, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const r of ownerRules(m)) {
    if (!requiredField(m, r.ownerField) || out[r.ownerField] !== undefined) continue;
    const claim = ownerClaim(identity, r.identityClaim)?.value ?? NOBODY;
    out[r.ownerField] = r.multiOwner ? [claim] : claim;
  }
  return out;
}

const undeclaredCache = new WeakMap<Model, ReadonlySet<string>>();

/**
 * The model's fields a create cannot send because the app declares its own `Create<Model>Input` without them (the
 * transformer keeps a declared input: docs/semantics.md, "Declared mutation inputs"); none when it is generated.
 */
export function undeclaredCreateFields(auth: AuthModel, m: Model): ReadonlySet<string> {
  let out = undeclaredCache.get(m);
  if (!out) {
    const declared = auth.inputTypes.find((t) => t.name === `Create${m.name}Input`);
    const names = new Set(declared?.fields.map((f) => f.name));
    undeclaredCache.set(m, (out = new Set(declared ? m.fields.filter((f) => isStoredField(f) && !names.has(f.name)).map((f) => f.name) : [])));
  }
  return out;
}

/**
 * What a plain create sends: sample values for declared fields, leaving out owner and group fields
 * (auto-filled or set on purpose), optional fields with their own rules (field cells add those one by one),
 * and fields a declared create input lacks.
 */
export function sampleInput(auth: AuthModel, m: Model): Record<string, unknown> {
  const skip = new Set([...authFields(m), ...undeclaredCreateFields(auth, m)]);
  const input: Record<string, unknown> = {};
  for (const f of m.fields) {
    if (f.implicit || !isStoredField(f) || skip.has(f.name) || (f.rules && !f.required)) continue;
    input[f.name] = sampleValue(auth, f);
  }
  return input;
}

function ownerPersona(cast: Persona[], rule: OwnerRule, role: 'owner' | 'co'): Persona | undefined {
  const kinds = rule.provider === 'oidc' ? (role === 'owner' ? ['oidcUser'] : ['oidcStranger']) : role === 'owner' ? ['owner'] : ['stranger'];
  return cast.find((p) => kinds.includes(p.kind));
}

function claimOf(p: Persona | undefined, rule: OwnerRule): string | null {
  return p ? (ownerClaim(p.identity, rule.identityClaim)?.value ?? null) : null;
}

const fixtureCache = new WeakMap<Persona[], WeakMap<Model, Fixture[]>>();

/** Fixture records for a model, given who the owners are in this cast (computed once per cast). */
export function fixtures(auth: AuthModel, m: Model, cast: Persona[]): Fixture[] {
  let byModel = fixtureCache.get(cast);
  if (!byModel) fixtureCache.set(cast, (byModel = new WeakMap()));
  let out = byModel.get(m);
  if (!out) byModel.set(m, (out = computeFixtures(auth, m, cast)));
  return out;
}

function computeFixtures(auth: AuthModel, m: Model, cast: Persona[]): Fixture[] {
  const owners = ownerRules(m);
  const groups = dynamicGroupRules(m);
  const base: Record<string, unknown> = { ...sampleInput(auth, m) };
  const undeclared = undeclaredCreateFields(auth, m);
  for (const f of m.fields) if (f.rules && !f.implicit && isStoredField(f) && !authFields(m).has(f.name) && !undeclared.has(f.name)) base[f.name] = sampleValue(auth, f);
  const named = (record: Record<string, unknown>, name: string) => withName(m, record, name);
  if (!owners.length && !groups.length) return [{ name: 'record', label: 'a record', record: named(base, 'record') }];

  const owned: Record<string, unknown> = { ...base };
  const shared: Record<string, unknown> = { ...base };
  const unowned: Record<string, unknown> = { ...base };
  let ownerName = 'owner';
  for (const r of owners) {
    const own = claimOf(ownerPersona(cast, r, 'owner'), r);
    const co = claimOf(ownerPersona(cast, r, 'co'), r);
    if (r.provider === 'oidc' && !owners.some((o) => o.provider === 'userPools')) ownerName = 'oidcUser';
    owned[r.ownerField] = r.multiOwner ? (own ? [own] : null) : own;
    // Personas without the rule's claim (an `email` claim access tokens lack, johnpc/taskflow) own nothing: an empty
    // list is no value a create sends, so the record holds none, as `owned` does.
    const both = [own, co].filter(Boolean);
    shared[r.ownerField] = r.multiOwner ? (both.length ? both : null) : own;
    unowned[r.ownerField] = requiredField(m, r.ownerField) ? (r.multiOwner ? [NOBODY] : NOBODY) : null;
  }
  const team = dynamicGroupName(auth);
  const groupValue = (r: DynamicGroupRule) => (r.multiGroup ? [team] : team);
  // A required group field cannot be left empty: it names a group nobody in the cast is in.
  const noGroup = (r: DynamicGroupRule) => (requiredField(m, r.groupsField) ? (r.multiGroup ? [NOBODY] : NOBODY) : null);
  for (const [i, r] of groups.entries()) {
    owned[r.groupsField] = noGroup(r);
    shared[r.groupsField] = i === 0 ? groupValue(r) : noGroup(r);
    unowned[r.groupsField] = noGroup(r);
  }
  const out: Fixture[] = owners.length ? [{ name: 'owned', label: `${ownerName}'s record`, record: named(owned, 'owned') }] : [];
  if (owners.some((r) => r.multiOwner) || groups.length) {
    const sharing = [owners.some((r) => r.multiOwner) ? 'a co-owner' : '', groups.length ? `group ${team} (${groups[0]!.groupsField})` : ''].filter(Boolean).join(' and ');
    const label = owners.length ? `${ownerName}'s record shared with ${sharing}` : `group ${team}'s record (${groups[0]!.groupsField})`;
    out.push({ name: 'shared', label, record: named(shared, 'shared') });
  }
  // Each further group field alone, so that a rule like viewers-may-read is exercised on its own.
  for (const r of groups.slice(1)) {
    const name = `shared:${r.groupsField}`;
    const label = owners.length ? `${ownerName}'s record shared with group ${team} through ${r.groupsField} only` : `a record naming group ${team} in ${r.groupsField} only`;
    out.push({ name, label, record: named({ ...owned, [r.groupsField]: groupValue(r) }, name) });
  }
  // With owner rules on several single-owner fields, each field alone too, so that a rule like instructors-may-read
  // is exercised apart from the others (ExcitingTheory/amplify-homework-supply's Grade: `owner` and a read-only
  // `instructor`). An owners list is exercised apart already: the shared record's co-owner is named in it only.
  const ownerFields = [...new Set(owners.filter((r) => !r.multiOwner).map((r) => r.ownerField))];
  for (const field of ownerFields.length > 1 ? ownerFields : []) {
    const name = `shared:${field}`;
    const record = { ...unowned, [field]: owned[field] };
    const label = `a record naming ${ownerName} in ${field} only`;
    out.push({ name, label, record: named(record, name) });
  }
  const label = owners.some((r) => requiredField(m, r.ownerField)) ? 'a record whose owner is nobody in the cast'
    : groups.some((r) => requiredField(m, r.groupsField)) ? "a record whose group is nobody's in the cast" : 'a record without owner or group';
  out.push({ name: 'unowned', label, record: named(unowned, 'unowned') });
  return out;
}

/** How a persona stands to a record: its own, shared with it, someone else's, or nobody's. */
export function ownership(m: Model, identity: Identity, record: StoredRecord): Ownership | undefined {
  const owners = ownerRules(m);
  const groups = dynamicGroupRules(m);
  if (!owners.length && !groups.length) return undefined;
  if ([...owners.map((r) => r.ownerField), ...groups.map((r) => r.groupsField)].every((f) => record[f] === null || record[f] === undefined || (Array.isArray(record[f]) && (record[f] as unknown[]).length === 0))) {
    return 'unowned';
  }
  const claimMatches = (r: OwnerRule, v: unknown) => {
    const claim = ownerClaim(identity, r.identityClaim);
    return !!claim && ownsValue(claim, v);
  };
  const matches = (r: OwnerRule) => {
    const v = record[r.ownerField];
    return Array.isArray(v) ? v.some((x) => claimMatches(r, x)) : claimMatches(r, v);
  };
  // Own: the primary owner (a scalar owner field, else the first name of an owners list).
  const primaries = owners.filter((r) => !r.multiOwner);
  const first = (r: OwnerRule) => {
    const v = record[r.ownerField];
    return Array.isArray(v) ? v[0] : v;
  };
  if ((primaries.length ? primaries : owners).some((r) => claimMatches(r, first(r)))) return 'own';
  if (owners.some(matches)) return 'shared';
  if (groups.some((r) => {
    const mine = dynamicGroups(identity, r.groupClaim);
    const v = record[r.groupsField];
    return Array.isArray(v) ? v.some((g) => mine.includes(g as string)) : mine.includes(v as string);
  })) return 'shared';
  return 'other';
}

/** `Model|fixture` → the fixture's label, for renderers. */
export function fixtureLabels(auth: AuthModel, cast: Persona[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of auth.models) for (const f of fixtures(auth, m, cast)) out.set(`${m.name}|${f.name}`, f.label);
  return out;
}

/** A field whose fixtures hold the key of another model's record (its partition key, which a `$fixture` names). */
export interface ForeignKey {
  child: string;
  field: string;
  parent: string;
  /**
   * The one child fixture whose shared instance points at the parent, when not every child may: the parent reads
   * it through a hasOne, or the key is the child's own key (one child per parent), or the key is also the child's
   * owner field (only the record owned by nobody may point elsewhere than at an owner).
   */
  onlyChild?: string;
  /** The key closes a cycle of required keys: it names the parent's planned key, and the child is created first. */
  ahead?: boolean;
  /**
   * A model related to itself (a task's subtasks, `parentTaskId`): the fixture the others point at, which cannot
   * point at itself (it would have to exist before it is created).
   */
  selfParent?: string;
}

/** Whether a fixture's shared instance points at the parent through a foreign key (plan.ts linkInput). */
export const linksParent = (fk: ForeignKey, fixture: string): boolean => (!fk.onlyChild || fk.onlyChild === fixture) && fixture !== fk.selfParent;

/**
 * How the stored record of a fixture's shared instance holds a field, as the planner writes it (plan.ts linkInput):
 * the parent's key (a foreign key it links), a value of its own (a foreign key it leaves pointing nowhere, or the key
 * field made unique once the linked keys are pinned: a composite key whose partition key names the parent makes its
 * sort key unique), or the value of the oracle's copy.
 */
export function storedAs(auth: AuthModel, m: Model, fixture: string, field: string): 'parent' | 'own' | 'copy' {
  const fks = foreignKeys(auth).filter((x) => x.child === m.name);
  const fk = fks.find((x) => x.field === field);
  if (fk) return linksParent(fk, fixture) ? 'parent' : authFields(m).has(field) ? 'copy' : 'own';
  const pinned = new Set([...undeclaredCreateFields(auth, m), ...fks.filter((x) => linksParent(x, fixture)).map((x) => x.field)]);
  return uniqueKeyFieldOf(m, pinned)?.name === field ? 'own' : 'copy';
}

/**
 * Which side of a relation holds the other's partition key: `this` model (belongsTo, Gen 1 hasOne and its `fields`),
 * or the `related` one (hasMany, `references`). When both fields are partition keys (a child keyed by its parent's
 * key), the belongsTo side holds it. Undefined for a match between other fields (a Gen 1 `fields` on an index of
 * non-key values), which fixtures cannot link.
 */
export function keyHolder(auth: AuthModel, m: Model, rel: Relation): 'this' | 'related' | undefined {
  const related = auth.models.find((x) => x.name === rel.model)!;
  const localKey = rel.local[0] === m.primaryKey.partitionKey;
  const remoteKey = rel.remote[0] === related.primaryKey.partitionKey;
  if (localKey && remoteKey) return rel.kind === 'belongsTo' ? 'this' : 'related';
  if (remoteKey) return 'this';
  if (localKey) return 'related';
  return undefined;
}

/**
 * The foreign keys relations imply: the field of the side holding the key gets the other's partition key.
 * Parents are created before their children, so a cycle of keys (Gen 1 `@hasOne`s pointing round a loop) is
 * broken at an optional key field, which the fixtures then leave empty; a relation without its key gets no cells.
 */
export function foreignKeys(auth: AuthModel): ForeignKey[] {
  let out = linkedKeys.get(auth);
  if (!out) linkedKeys.set(auth, (out = acyclic(auth, impliedKeys(auth))));
  return out;
}

const linkedKeys = new WeakMap<AuthModel, ForeignKey[]>();

function impliedKeys(auth: AuthModel): ForeignKey[] {
  const out: ForeignKey[] = [];
  const add = (childName: string, field: string, parent: string, hasOne: boolean) => {
    if (out.some((x) => x.child === childName && x.field === field)) return;
    const child = auth.models.find((x) => x.name === childName)!;
    if (identityKeyed(auth, child, field, parent)) return;
    const self = childName === parent ? { selfParent: fixtures(auth, child, NO_CAST)[0]!.name } : {};
    if (!authFields(child).has(field)) {
      // One child per parent where the key would then hold nothing to tell children apart: the key is this field,
      // or this field beside owner or group fields only (dydyxylish/knitting-belle's purchases, keyed by the buyer
      // and the pattern: two of one buyer's records under one pattern are one record).
      const keyFields = [child.primaryKey.partitionKey, ...child.primaryKey.sortKeys];
      const single = hasOne || field === child.primaryKey.partitionKey || (keyFields.includes(field) && !uniqueKeyFieldOf(child, new Set([field])));
      out.push({ child: childName, field, parent, ...(single ? { onlyChild: fixtures(auth, child, NO_CAST)[0]!.name } : {}), ...self });
      return;
    }
    // A key that is also the child's owner or group field holds the identity each fixture is planned for: only
    // the record owned by nobody in the cast may name the parent there instead (it stays owned by nobody).
    const nobodys = fixtures(auth, child, NO_CAST).find((f) => f.record[field] === NOBODY);
    if (nobodys) out.push({ child: childName, field, parent, onlyChild: nobodys.name, ...self });
  };
  for (const m of auth.models) {
    for (const f of m.fields) {
      const rel = f.relation;
      if (!rel || rel.kind === 'manyToMany') continue;
      const holder = keyHolder(auth, m, rel);
      if (holder === 'this') add(m.name, rel.local[0]!, rel.model, false);
      if (holder === 'related') add(rel.model, rel.remote[0]!, m.name, rel.kind === 'hasOne');
    }
  }
  return out;
}

/**
 * A relation whose key holds identities on both sides: the child's key field is its owner or group field and the
 * parent's partition key is the parent's (a profile keyed by its owner's claim, records naming their owners there).
 * Fixtures are not linked through it (linking would hand a record owned by nobody to the parent's owner): each
 * fixture keeps the identity it is planned for, and records meet where those values are equal (relationCells).
 */
export function identityKeyed(auth: AuthModel, child: Model, field: string, parentName: string): boolean {
  const parent = auth.models.find((x) => x.name === parentName)!;
  return authFields(child).has(field) && authFields(parent).has(parent.primaryKey.partitionKey);
}

/** Fixture names do not depend on the cast (only the owners they name do). */
const NO_CAST: Persona[] = [];

/**
 * Required keys first, then each optional key unless its parent already depends on its child. Required keys can form
 * a cycle (EricYagerPersonalRepo/NCE_Ed_Platform: a profile's required `@hasOne` biography, whose required `@belongsTo`
 * names the profile back): the key closing it names its parent's key as planned (`ahead`), so that the child is
 * created first, as an app does when it picks both ids itself; where that key cannot be known beforehand the cycle
 * stays, and its records cannot be created.
 */
function acyclic(auth: AuthModel, fks: ForeignKey[]): ForeignKey[] {
  const required = (fk: ForeignKey) => auth.models.find((m) => m.name === fk.child)?.fields.find((f) => f.name === fk.field)?.required === true;
  const kept = new Map<ForeignKey, ForeignKey>();
  const dependsOn = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return [...kept.values()].some((k) => !k.ahead && k.child === from && k.parent !== from && dependsOn(k.parent, to, seen));
  };
  // The kept keys leading from `from` to `to` (each key's child to its parent), as the original keys.
  const pathOf = (from: string, to: string, seen = new Set<string>()): ForeignKey[] | undefined => {
    if (from === to) return [];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const [original, k] of kept) {
      if (k.ahead || k.child !== from || k.parent === from) continue;
      const rest = pathOf(k.parent, to, seen);
      if (rest) return [original, ...rest];
    }
    return undefined;
  };
  for (const fk of fks.filter(required)) {
    kept.set(fk, fk);
    const cycle = fk.parent !== fk.child ? pathOf(fk.parent, fk.child) : undefined;
    // Any key of the cycle may name its parent ahead; the first whose parent's key can be planned does, whichever
    // model the schema declares first (a biography keyed by id and kind cannot be named before it exists; its profile can).
    const flip = cycle && [fk, ...cycle].find((k) => plannedKeyField(auth, k.parent, fks) !== undefined);
    if (flip) kept.set(flip, { ...flip, ahead: true });
  }
  for (const fk of fks.filter((x) => !required(x))) if (fk.parent === fk.child || !dependsOn(fk.parent, fk.child)) kept.set(fk, fk);
  return fks.flatMap((fk) => kept.get(fk) ?? []);
}

/**
 * The field holding a model's key as the plan sets it before creating the record (withUniqueKey, with the fields the
 * create input cannot set pinned, as linkInput pins them): its partition key, when that is the field telling records
 * apart, with no sort key and no foreign key in it. Undefined otherwise.
 */
function plannedKeyField(auth: AuthModel, model: string, fks: ForeignKey[]): Field | undefined {
  const m = auth.models.find((x) => x.name === model)!;
  const f = uniqueKeyFieldOf(m, undeclaredCreateFields(auth, m));
  return f && f.name === m.primaryKey.partitionKey && !m.primaryKey.sortKeys.length && !fks.some((k) => k.child === model && k.field === f.name) ? f : undefined;
}

/** The key a fixture instance of `parent` is created with (an `ahead` key names it before the parent exists). */
export function plannedKey(auth: AuthModel, parent: string, seed: string): unknown {
  return uniqueValue(plannedKeyField(auth, parent, [])!.type, seed);
}
