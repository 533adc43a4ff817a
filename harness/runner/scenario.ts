/**
 * Running a model's subscription scenario, one operation at a time: every subscriber subscribes on a
 * shared connection (each start with its own credentials), every actor makes its mutation in turn, then
 * a sentinel mutation that a subscriber receiving every event waits for. Events arrive in order on a
 * connection, so once the sentinel is in, what each subscriber has is all it will get: non-delivery is
 * proven without sleeping. Without such a subscriber the scenario watches for a quiet period instead.
 * A serial scenario (one record per owner, harness/matrix/plan.ts) makes its events on the same records: each
 * serial event is made alone, the store reset around it, and the next waits until a subscriber receiving every
 * event has it, so that what each subscriber got in between is that event's delivery.
 */
import { subscriptionDocument } from '../client/documents.js';
import { RealtimeClient, type Subscription, type SubscriptionEvent } from '../client/realtime.js';
import { decide, defaultSelection } from '../rules/decide.js';
import type { Cell, SubscriptionOperation } from '../matrix/cells.js';
import type { DeliveryEvent, SubscriptionScenario } from '../matrix/deliveries.js';
import { nulls } from '../matrix/classify.js';
import type { CellResult } from '../matrix/verdict.js';
import { clientOf, connect, mutationDocument, reportCreated, result, type Runtime } from './execute.js';
import { uniqueKeyField } from '../matrix/fixtures.js';
import { eventResetId } from '../matrix/plan.js';
import type { ResetPhase } from './broker.js';

/** AppSync allows 100 subscriptions per connection; keep room for the sentinel listener. */
const PER_CONNECTION = 90;

interface Listening {
  key: string;
  sub: Subscription | null;
  failure?: string;
}

/** Sets the store around a serial event (the run's process does it: harness/runner/serial.ts). */
export type EventReset = (id: string, phase: ResetPhase) => Promise<void>;

export async function runScenario(rt: Runtime, scenario: SubscriptionScenario, cells: Cell[], reset: EventReset): Promise<CellResult[]> {
  const out: CellResult[] = [];
  for (const op of ['onCreate', 'onUpdate', 'onDelete'] as const) {
    const mine = cells.filter((c) => c.operation === op);
    if (!mine.length) continue;
    out.push(...(await runOperation(rt, scenario, op, mine, reset)));
  }
  return out;
}

async function runOperation(rt: Runtime, scenario: SubscriptionScenario, op: SubscriptionOperation, cells: Cell[], reset: EventReset): Promise<CellResult[]> {
  const wanted = new Set(cells.map((c) => (c.action as { subscriber: string }).subscriber));
  const subscribers = scenario.subscribers.filter((s) => s.op === op && wanted.has(s.key));
  const events = scenario.events.filter((e) => e.op === op);
  const sentinel = scenario.sentinels.find((e) => e.op === op);
  const listener = sentinelListener(rt, scenario.model, op);
  const connections: { rtc: RealtimeClient; listening: Listening[]; watcher: Subscription | null }[] = [];
  try {
    for (let i = 0; i < subscribers.length; i += PER_CONNECTION) {
      const rtc = await connect(rt);
      const chunk = subscribers.slice(i, i + PER_CONNECTION);
      const listening = await Promise.all(chunk.map(async (s): Promise<Listening> => {
        const p = rt.personas.get(s.persona)!;
        try {
          const doc = subscriptionDocument(rt.auth, scenario.model, op, { ...(s.ownerArgs ? { ownerArgs: s.ownerArgs } : {}), ...(s.filter ? { filter: s.filter } : {}) });
          return { key: s.key, sub: await rtc.subscribe(doc, { auth: p.auth, ...(p.headers ? { headers: p.headers } : {}), timeoutMs: rt.eventTimeoutMs }) };
        } catch (e) {
          return { key: s.key, sub: null, failure: (e as Error).message };
        }
      }));
      let watcher: Subscription | null = null;
      if (listener) {
        const p = rt.personas.get(listener)!;
        watcher = await rtc.subscribe(subscriptionDocument(rt.auth, scenario.model, op), { auth: p.auth, ...(p.headers ? { headers: p.headers } : {}), timeoutMs: rt.eventTimeoutMs }).catch(() => null);
      }
      connections.push({ rtc, listening, watcher });
    }

    // The events, one after another, then the sentinel.
    const made = new Map<string, { id: string | null; failure?: string }>();
    /** Serial scenarios: subscriber → event → what it received while that event was the latest. */
    const windows = new Map<string, Map<string, SubscriptionEvent | undefined>>();
    const how = new Map<string, string>();
    for (const e of events) {
      if (!scenario.serial) {
        made.set(e.key, await mutate(rt, scenario.model, e));
        continue;
      }
      const start = new Map(connections.flatMap((c) => c.listening.map((l) => [l.key, l.sub?.events.length ?? 0] as const)));
      if (e.serial) await reset(eventResetId(e.key), 'before');
      try {
        made.set(e.key, await mutate(rt, scenario.model, e));
      } finally {
        if (e.serial) await reset(eventResetId(e.key), 'after');
      }
      if (made.get(e.key)!.id) for (const c of connections) await settled(rt, c.watcher);
      for (const c of connections) {
        for (const l of c.listening) {
          const got = l.sub?.events.slice(start.get(l.key)) ?? [];
          let w = windows.get(l.key);
          if (!w) windows.set(l.key, (w = new Map()));
          w.set(e.key, got[0]);
          how.set(l.key, c.watcher ? 'before a subscriber receiving every event had it' : `within a ${rt.quietMs} ms watch (no subscriber receives every event)`);
        }
      }
    }
    const last = sentinel ? await mutate(rt, scenario.model, sentinel) : null;

    // How non-delivery was established, per subscriber: by the sentinel, or by watching for a while.
    for (const c of connections) {
      if (scenario.serial) continue;
      let said: string;
      if (c.watcher && last?.id) {
        const got = await c.watcher.until((ev) => idOf(ev, scenario.model, op, rt) === last.id, rt.eventTimeoutMs, rt.sentinelGraceMs);
        said = got.sentinel ? 'before the sentinel event' : `within ${rt.eventTimeoutMs} ms (the sentinel never arrived)`;
      } else {
        await new Promise((r) => setTimeout(r, rt.quietMs));
        said = `within a ${rt.quietMs} ms watch (no subscriber receives every event, so no sentinel)`;
      }
      for (const l of c.listening) how.set(l.key, said);
    }

    const byKey = new Map(connections.flatMap((c) => c.listening.map((l) => [l.key, l] as const)));
    const m = rt.auth.models.find((x) => x.name === scenario.model)!;
    const select = defaultSelection(m);
    return cells.map((cell) => {
      const action = cell.action as { subscriber: string; event: string };
      const listening = byKey.get(action.subscriber);
      const event = events.find((e) => e.key === action.event)!;
      const mutation = made.get(event.key)!;
      if (!listening?.sub) return result(cell, { outcome: 'error', summary: `the subscriber could not subscribe: ${listening?.failure ?? 'not started'}` });
      if (!mutation.id) return result(cell, { outcome: 'error', summary: `the actor's mutation failed, so there is no event: ${mutation.failure}` });
      const arrived = scenario.serial ? windows.get(action.subscriber)?.get(event.key) : listening.sub.events.find((ev) => idOf(ev, scenario.model, op, rt) === mutation.id);
      if (!arrived) return result(cell, { outcome: 'deny', level: 'resolver', summary: `not delivered ${how.get(action.subscriber)}` });
      const payload = (arrived.data?.[m.operationNames[op]!] ?? {}) as Record<string, unknown>;
      const { nulled, blank } = nulls(payload, select, event.record);
      return result(cell, { outcome: 'allow', ...(nulled.length ? { nulledFields: nulled } : {}), ...(blank.length ? { blankFields: blank } : {}), summary: `delivered${nulled.length ? `, ${nulled.join(', ')} null` : ''}` });
    });
  } finally {
    for (const c of connections) c.rtc.close();
  }
}

/** After a serial event: the subscriber receiving every event has it (events arrive in order), or a quiet period passed. */
async function settled(rt: Runtime, watcher: Subscription | null): Promise<void> {
  if (watcher) await watcher.until(() => true, rt.eventTimeoutMs, rt.sentinelGraceMs);
  else await new Promise((r) => setTimeout(r, rt.quietMs));
}

/** A persona that receives every event of this operation (a static rule), to wait for the sentinel with. */
function sentinelListener(rt: Runtime, model: string, op: SubscriptionOperation): string | null {
  for (const p of rt.personas.values()) {
    if (decide(rt.auth, p.identity, op, { type: model }).outcome === 'allow') return p.name;
  }
  return null;
}

function idOf(ev: SubscriptionEvent, model: string, op: SubscriptionOperation, rt: Runtime): string | null {
  const m = rt.auth.models.find((x) => x.name === model)!;
  const payload = ev.data?.[m.operationNames[op]!] as Record<string, unknown> | null | undefined;
  const v = payload?.[uniqueKeyField(m)];
  return v === undefined || v === null ? null : String(v);
}

async function mutate(rt: Runtime, model: string, e: DeliveryEvent): Promise<{ id: string | null; failure?: string }> {
  const m = rt.auth.models.find((x) => x.name === model)!;
  try {
    const { doc, input } = mutationDocument(rt, e.action);
    const r = await clientOf(rt, rt.personas.get(e.actor)!).graphql(doc);
    const item = r.data?.[m.operationNames[e.action.type]!] as Record<string, unknown> | null | undefined;
    const id = item?.[uniqueKeyField(m)];
    if (!item || id === null || id === undefined) return { id: null, failure: r.errors[0] ? `${r.errors[0].errorType ?? ''} ${r.errors[0].message}`.trim() : `HTTP ${r.status}` };
    if (e.action.type === 'create') await reportCreated(rt, m, r, e.actor, input);
    return { id: String(id) };
  } catch (err) {
    return { id: null, failure: (err as Error).message };
  }
}
