/**
 * Running a whole plan in one process (the library entry; `authmatrix run` spreads the same cells over
 * vitest tests): cells a bounded number at a time, subscription starts on one shared connection, one
 * subscription scenario per model.
 */
import type { RealtimeClient } from '../client/realtime.js';
import type { Cell } from './cells.js';
import { connect, runCell, type CellResult, type Runtime } from './execute.js';
import type { RunPlan } from './plan.js';
import { runScenario } from './scenario.js';

export interface RunAllOptions {
  concurrency?: number;
  onResult?: (r: CellResult) => void;
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** A lazily opened connection, shared by the subscription-start cells. */
export function sharedRealtime(rt: Runtime): { get: () => Promise<RealtimeClient>; close: () => void } {
  let conn: Promise<RealtimeClient> | undefined;
  return {
    get: () => (conn ??= connect(rt)),
    close: () => void conn?.then((c) => c.close(), () => undefined),
  };
}

export async function runAll(rt: Runtime, plan: RunPlan, options: RunAllOptions = {}): Promise<CellResult[]> {
  const results: CellResult[] = [];
  const record = (r: CellResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const realtime = sharedRealtime(rt);
  const plain = plan.cells.filter((c) => c.kind !== 'delivery');
  const deliveries = plan.cells.filter((c) => c.kind === 'delivery');
  try {
    await Promise.all([
      pool(plain, options.concurrency ?? 16, async (c) => record(await runCell(rt, c, realtime.get))),
      pool(plan.scenarios, 2, async (s) => {
        for (const r of await runScenario(rt, s, deliveries.filter((c: Cell) => c.model === s.model))) record(r);
      }),
    ]);
  } finally {
    realtime.close();
  }
  return results;
}
