/**
 * Subscription delivery: who receives which event. For each subscription operation, every persona who
 * may make the mutation makes one (the events), every persona whose subscription starts listens (with
 * and without its own `owner` argument), and each subscriber × event is a cell: delivered (with the
 * fields that arrive null) or not.
 */
import { decide, defaultSelection } from '../rules/decide.js';
import { delivery, displayed } from '../rules/visibility.js';
import type { StoredRecord } from '../rules/roles.js';
import type { AuthModel, Model } from '../schema/model.js';
import { dynamicGroupName, type Persona } from './cast.js';
import { cell, COPY, instanceOf, ownerArgVariants, updateInput, victimOf, withDynamicGroup, type Action, type Cell, type SubscriptionOperation } from './cells.js';
import { authFields, fixtures, sampleInput, sampleValue, undeclaredCreateFields, withName, withOwnClaims } from './fixtures.js';

export interface DeliveryEvent {
  /** `Post|onUpdate|by:owner` */
  key: string;
  op: SubscriptionOperation;
  actor: string;
  action: Extract<Action, { type: 'create' | 'update' | 'delete' }>;
  /** The record as stored after the mutation (before it, for a delete). */
  record: StoredRecord;
  /** Made alone on a model holding one record per owner, the store reset around it (harness/matrix/plan.ts). */
  serial?: true;
}

export interface DeliverySubscriber {
  /** `Post|onCreate|owner` or `Post|onCreate|owner|owner-arg:own` */
  key: string;
  persona: string;
  op: SubscriptionOperation;
  ownerArgs?: Record<string, string>;
  /** The `filter` argument: the attack of asking for another owner's events. */
  filter?: Record<string, unknown>;
  variant?: string;
}

export interface SubscriptionScenario {
  model: string;
  subscribers: DeliverySubscriber[];
  events: DeliveryEvent[];
  /**
   * Per operation, one more mutation made after the events: once a subscriber that receives every
   * event has it, everything before it has arrived on that connection (AppSync delivers in order).
   */
  sentinels: DeliveryEvent[];
  /** Some events are serial: the scenario runs with the serial cells, after all others, waiting after each event. */
  serial?: true;
}

const OPS: SubscriptionOperation[] = ['onCreate', 'onUpdate', 'onDelete'];
const MUTATION = { onCreate: 'create', onUpdate: 'update', onDelete: 'delete' } as const;

export function subscriptionScenario(auth: AuthModel, m: Model, cast: Persona[]): SubscriptionScenario {
  const subscribers: DeliverySubscriber[] = [];
  const events: DeliveryEvent[] = [];
  const sentinels: DeliveryEvent[] = [];
  const fx = fixtures(auth, m, cast);
  const team = dynamicGroupName(auth);
  for (const op of OPS) {
    if (!m.operationNames[op] || !m.operationNames[MUTATION[op]]) continue;
    for (const p of cast) {
      if (decide(auth, p.identity, op, { type: m.name }).outcome !== 'deny') subscribers.push({ key: `${m.name}|${op}|${p.name}`, persona: p.name, op });
      const own = ownerArgVariants(m, cast, p).find(([v]) => v === 'owner-arg:own');
      if (own && decide(auth, p.identity, op, { type: m.name, ownerArgs: own[1] }).outcome !== 'deny') {
        subscribers.push({ key: `${m.name}|${op}|${p.name}|${own[0]}`, persona: p.name, op, ownerArgs: own[1], variant: own[0] });
      }
      // A subscriber limited to its own records asks, through the filter, for someone else's.
      const victim = victimOf(m, cast, p);
      if (victim && decide(auth, p.identity, op, { type: m.name }).outcome === 'filtered') {
        subscribers.push({ key: `${m.name}|${op}|${p.name}|filter:victim`, persona: p.name, op, filter: { [victim.field]: { eq: victim.value } }, variant: 'filter:victim' });
      }
      const event = eventBy(auth, m, p, op, fx, withOwnClaims(m, p.identity, withDynamicGroup(m, p.groups?.[0] ?? team, sampleInput(auth, m))));
      if (event) events.push(event);
    }
    const first = events.find((e) => e.op === op);
    if (first) sentinels.push({ ...first, key: `${m.name}|${op}|sentinel`, action: structuredClone(first.action) });
  }
  return { model: m.name, subscribers, events, sentinels };
}

/** The mutation a persona makes for an event, if it may make one: a create, or an update/delete of a fixture copy. */
function eventBy(auth: AuthModel, m: Model, p: Persona, op: SubscriptionOperation, fx: ReturnType<typeof fixtures>, createInput: Record<string, unknown>): DeliveryEvent | null {
  const key = `${m.name}|${op}|by:${p.name}`;
  const works = (o: string) => o === 'allow' || o === 'partial';
  if (op === 'onCreate') {
    // As full a record as the actor may create, so that the event shows what subscribers may not see.
    let input = createInput;
    const undeclared = undeclaredCreateFields(auth, m);
    for (const f of m.fields.filter((x) => x.rules && !x.implicit && !x.relation && !(x.name in createInput) && !authFields(m).has(x.name) && !undeclared.has(x.name))) {
      const fuller = { ...input, [f.name]: sampleValue(auth, f) };
      if (works(decide(auth, p.identity, 'create', { type: m.name, input: fuller }).outcome)) input = fuller;
    }
    const d = decide(auth, p.identity, 'create', { type: m.name, input });
    if (!works(d.outcome)) return null;
    return { key, op, actor: p.name, action: { type: 'create', model: m.name, input }, record: withName(m, { ...input, ...d.filled }, key) };
  }
  for (const f of fx) {
    if (op === 'onUpdate') {
      const input = updateInput(auth, m, f);
      if (works(decide(auth, p.identity, 'update', { type: m.name, record: f.record, input }).outcome)) {
        return { key, op, actor: p.name, action: { type: 'update', model: m.name, instance: instanceOf(m.name, f.name) + COPY, input }, record: { ...f.record, ...input } };
      }
    } else if (works(decide(auth, p.identity, 'delete', { type: m.name, record: f.record }).outcome)) {
      return { key, op, actor: p.name, action: { type: 'delete', model: m.name, instance: instanceOf(m.name, f.name) + COPY }, record: f.record };
    }
  }
  return null;
}

/** One cell per subscriber × event of the same operation. */
export function deliveryCells(auth: AuthModel, m: Model, cast: Persona[]): Cell[] {
  const scenario = subscriptionScenario(auth, m, cast);
  const byName = new Map(cast.map((p) => [p.name, p]));
  const select = defaultSelection(m);
  const out: Cell[] = [];
  for (const s of scenario.subscribers) {
    const subscriber = byName.get(s.persona)!;
    for (const e of scenario.events.filter((x) => x.op === s.op)) {
      const plain = delivery(auth, m.name, { subscriber: subscriber.identity, operation: s.op, ...(s.ownerArgs ? { ownerArgs: s.ownerArgs } : {}) }, { actor: byName.get(e.actor)!.identity, record: e.record, select });
      const d = s.filter && plain.delivered && !matchesEq(s.filter, displayed(auth, m, e.record)) ? { ...plain, delivered: false, reason: `${plain.reason}; the filter argument leaves it out` } : plain;
      out.push(cell({
        id: `${s.key}|by:${e.actor}`, kind: 'delivery', persona: s.persona, model: m.name, operation: s.op, actor: e.actor,
        ...(s.variant ? { variant: s.variant } : {}),
        action: { type: 'deliver', model: m.name, op: s.op, subscriber: s.key, event: e.key },
      }, {
        outcome: d.delivered ? 'allow' : 'deny',
        rule: null,
        reason: d.delivered ? `delivered: ${d.reason}` : d.reason,
        ...(d.delivered && d.nulledFields.length ? { redactedFields: d.nulledFields } : {}),
      }));
    }
  }
  return out;
}

/** Whether a payload passes a filter of `{ field: { eq: value } }` terms (the only kind the scenarios send). */
function matchesEq(filter: Record<string, unknown>, payload: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([f, cond]) => payload[f] === (cond as { eq: unknown }).eq);
}
