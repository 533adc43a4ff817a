/**
 * The visibility predicate: which records a list returns (see `decide(..., 'list')`), which events a
 * subscriber receives and with which fields nulled, and what a relation returns through its parent.
 */
import { findModel, READ_OPERATIONS, type AuthModel, type Model, type OwnerRule, type Relation } from '../schema/model.js';
import { decide, mutationResponseView, recordKey, subscriptionFilterEntry } from './decide.js';
import { displayedOwner, dynamicGroups, inStaticGroup, ownerClaim, ownerFilterValues, ownsValue, type Identity } from './identity.js';
import { hasOpOnSome, isDynamic, modelRoles, providerFits, type StoredRecord } from './roles.js';
import { cached, memo } from './memo.js';

export interface Subscription {
  subscriber: Identity;
  operation: 'onCreate' | 'onUpdate' | 'onDelete';
  /** Owner arguments given at subscribe time, by owner field. */
  ownerArgs?: Record<string, string>;
}

export interface Event {
  actor: Identity;
  /** The record as stored after the mutation (for delete: before). */
  record: StoredRecord;
  /** The mutation's selection set (default: every non-relational field). */
  select?: string[];
}

export interface Delivery {
  delivered: boolean;
  reason: string;
  /** Fields null in the event payload: redacted or unreadable in the mutation response, or Lambda-denied. */
  nulledFields: string[];
}

const responses = new WeakMap<StoredRecord, Map<string, { denied: string[]; redacted: string[]; payload: Record<string, unknown> }>>();
const actorKeys = new WeakMap<Identity, string>();
let actorCount = 0;

/** Does this event reach this subscriber, and what does its payload hold? */
export function delivery(auth: AuthModel, modelName: string, sub: Subscription, event: Event): Delivery {
  const model = mustModel(auth, modelName);
  const start = decide(auth, sub.subscriber, sub.operation, { type: modelName, ownerArgs: sub.ownerArgs ?? {} });
  if (start.outcome === 'deny') return { delivered: false, reason: `not subscribed: ${start.reason}`, nulledFields: [] };

  // The payload is the mutation response as the actor received it, owner fields shown as displayed.
  const actor = cached(actorKeys, event.actor, () => String(++actorCount));
  const { payload, ...response } = memo(responses, event.record, `${modelName}|${actor}|${event.select?.join(',') ?? ''}`,
    () => ({ ...mutationResponseView(auth, event.actor, modelName, event.record, event.select), payload: displayed(auth, model, event.record) }));
  const nulled = [...response.denied, ...response.redacted];
  for (const f of lambdaNulls(sub.subscriber, model)) if (!nulled.includes(f)) nulled.push(f);

  if (start.outcome === 'allow') {
    // A caller authorized statically gets no runtime filter; plain argument filtering still narrows events.
    const argMiss = Object.entries(sub.ownerArgs ?? {}).find(([f, v]) => payload[f] !== v);
    if (argMiss) return { delivered: false, reason: `${start.reason}; the ${argMiss[0]} argument filters this event out`, nulledFields: nulled };
    return { delivered: true, reason: start.reason, nulledFields: nulled };
  }
  const entries = modelRoles(model)
    .filter((r) => isDynamic(r) && hasOpOnSome(model, r, 'listen') && providerFits(r, sub.subscriber))
    .map((r) => ({ role: r, test: subscriptionFilterEntry(r, sub.subscriber) }))
    .filter((e) => e.test);
  const visible = (field: string) => !nulled.includes(field);
  const match = entries.find((e) => {
    const f = e.role.rule.kind === 'owner' ? e.role.rule.ownerField : e.role.rule.kind === 'dynamicGroup' ? e.role.rule.groupsField : '';
    return visible(f) && e.test!(payload);
  });
  if (match) return { delivered: true, reason: `delivered: the event passes the runtime filter of rule ${match.role.rule.id}`, nulledFields: nulled };
  return { delivered: false, reason: `filtered out: the event matches no runtime filter (${start.reason})`, nulledFields: nulled };
}

/** A record as a reader sees it: composite-claim owner values shown as their username segment. */
export function displayed(auth: AuthModel, model: Model, record: StoredRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  if (!auth.params.useSubUsernameForDefaultIdentityClaim) return out;
  const rules = [...model.rules, ...model.fields.flatMap((f) => f.rules ?? [])];
  for (const r of rules) {
    if (r.kind !== 'owner' || !r.identityClaim.includes('::')) continue;
    const v = out[r.ownerField];
    if (typeof v === 'string') out[r.ownerField] = displayedOwner(v, true);
    else if (Array.isArray(v)) out[r.ownerField] = v.map((x) => (typeof x === 'string' ? displayedOwner(x, true) : x));
  }
  return out;
}

function lambdaNulls(identity: Identity, model: Model): string[] {
  if (identity.kind !== 'lambda') return [];
  return (identity.deniedFields ?? []).filter((d) => d.startsWith(`${model.name}.`)).map((d) => d.slice(model.name.length + 1));
}

export interface RelationRead {
  outcome: 'allow' | 'filtered' | 'deny';
  reason: string;
  /** hasMany: keys of the children returned. hasOne/belongsTo: the one key, or none. */
  visibleIds: string[];
}

/**
 * Reading a relation through a parent the caller may read: the child model's read rules decide, as for
 * a list. hasMany drops children silently; a connection the caller has no role on is null with an error.
 * `pin`, when given, is the parent record and every record of the related model, for relations whose key holds an
 * owner field of the related model (relationPin).
 */
export function readRelation(auth: AuthModel, identity: Identity, parentName: string, field: string, children: StoredRecord[], pin?: { source: StoredRecord; related: StoredRecord[] }): RelationRead {
  const parent = mustModel(auth, parentName);
  const f = parent.fields.find((x) => x.name === field && x.relation);
  if (!f?.relation) throw new Error(`${parentName}.${field} is not a relation`);
  const childName = f.relation.kind === 'manyToMany' ? f.relation.joinModel! : f.relation.model;
  const single = f.relation.kind !== 'hasMany' && f.relation.kind !== 'manyToMany';
  const child = mustModel(auth, childName);
  const pinned = pin && relationPin(child, f.relation, identity, pin.source);
  if (pinned) {
    const read = pinned.kind === 'source' ? children : pin!.related.filter((r) => Object.entries(pinned.key).every(([k, v]) => r[k] === v));
    return { outcome: 'allow', reason: pinned.reason, visibleIds: read.map((r) => recordKey(child, r)).slice(0, single ? 1 : undefined) };
  }
  const d = decide(auth, identity, 'list', { type: childName, records: children, select: [], nested: true });
  if (d.outcome === 'deny') return { outcome: 'deny', reason: `${parentName}.${field} is null with an error: ${d.reason}`, visibleIds: [] };
  if (single) {
    // hasOne/belongsTo: a child that exists but is filtered out is an error, not a silent null.
    if (children.length && !d.visibleIds?.length) return { outcome: 'deny', reason: `${parentName}.${field} is null with an error: the caller may not read this ${childName}`, visibleIds: [] };
  }
  return { outcome: d.outcome === 'filtered' ? 'filtered' : 'allow', reason: d.reason, visibleIds: d.visibleIds ?? [] };
}

/**
 * A relation whose key (the related model's key fields the parent fills; of a sort key over several fields, only the
 * partition key counts) holds one of the related model's owner fields, for a caller no static rule lets read it
 * outright (amplify-graphql-auth-transformer query.ts generateAuthOnRelationalModelQueryExpression): when the parent's
 * value names the caller, the caller reads the related records by that key with no filter (`source`); otherwise, when
 * no other owner or group rule of the related model applies to the caller, the key is read with the caller's own
 * claim (`own`: their records under someone else's parent). Null when neither applies (the usual filter decides).
 */
export function relationPin(related: Model, rel: Relation, identity: Identity, source: StoredRecord): { kind: 'source' | 'own'; key: StoredRecord; reason: string } | null {
  const keyFields = rel.remote.length > 2 ? rel.remote.slice(0, 1) : rel.remote;
  const sourceOf = (f: string) => source[rel.local[rel.remote.indexOf(f)]!];
  const readers = modelRoles(related).filter((r) => providerFits(r, identity) && READ_OPERATIONS.some((op) => hasOpOnSome(related, r, op)));
  if (readers.some((r) => !isDynamic(r) && (r.rule.kind !== 'staticGroup' || inStaticGroup(identity, r.rule.groupClaim, r.group!)))) return null;
  const roles = readers.filter(isDynamic);
  const keyed = roles.filter((r) => r.rule.kind === 'owner' && keyFields.includes(r.rule.ownerField));
  if (!keyed.length) return null;
  const others = roles.filter((r) => !keyed.includes(r)).some((r) =>
    r.rule.kind === 'owner' ? ownerFilterValues(identity, r.rule.identityClaim).length > 0 : r.rule.kind === 'dynamicGroup' && dynamicGroups(identity, r.rule.groupClaim).length > 0);
  let own: StoredRecord | null = null;
  for (const role of keyed) {
    const rule = role.rule as OwnerRule;
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim) continue;
    if (ownsValue(claim, sourceOf(rule.ownerField))) {
      return { kind: 'source', key: {}, reason: `allowed by rule ${rule.id}: the parent's ${rel.local[rel.remote.indexOf(rule.ownerField)]} names the caller, so ${related.name} is read by that key with no filter` };
    }
    if (!own && !others) own = { [rule.ownerField]: claim.value };
  }
  if (!own) return null;
  const key: StoredRecord = Object.fromEntries(keyFields.map((f) => [f, f in own! ? own![f] : sourceOf(f)]));
  const named = Object.keys(own).join(', ');
  return { kind: 'own', key, reason: `allowed: ${related.name}'s key field ${named} is read with the caller's own claim instead of the parent's value (the relation's auth step replaces it), so the caller reads their own records` };
}

function mustModel(auth: AuthModel, name: string): Model {
  const m = findModel(auth, name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
}

