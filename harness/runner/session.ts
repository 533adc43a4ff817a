/**
 * The run as the test workers see it: the run file the `authmatrix run` process wrote (cells, fixture
 * index, personas without credentials) and the credential broker it serves. `specs/matrix.spec.ts`
 * turns it into describe/test blocks.
 */
import { readFileSync } from 'node:fs';
import type { Cell } from '../matrix/cells.js';
import type { SubscriptionScenario } from '../matrix/deliveries.js';
import type { CellResult } from '../matrix/verdict.js';
import { result, runCell, sharedRealtime, type Runtime, type RuntimePersona } from './execute.js';
import { Pending, Slots, withinLimit } from './slots.js';
import { runScenario } from './scenario.js';
import { emptyIndex } from './setup.js';
import type { Identity } from '../rules/identity.js';
import type { AuthModel } from '../schema/model.js';
import { awaitFixtures, awaitRun, awaitStop, awsSessionName, reportIdle, brokeredAuth, brokeredRest, reportCreated, requestReset, type BrokerAccess } from './broker.js';
import { BROKER_SECRET_ENV, BROKER_URL_ENV, RUN_FILE_ENV } from './worker-env.js';
import { s3ClientFactory, type StorageFixtures, type StorageTarget } from './storage.js';
import { cellGroupOf } from '../matrix/cells.js';
import { plannedIdentityId } from '../rules/rest.js';
import type { PersonaKind } from '../matrix/cast.js';
import { buildProbes, type ProbeSetting } from './probes.js';

/** Everything a worker needs, as JSON (no credentials). */
export interface RunFile {
  version: 1;
  auth: AuthModel;
  /** The GraphQL endpoint, when the app has a data API. */
  url: string | undefined;
  /** `identityId`: the identity-pool identity its AWS credentials belong to, minted by the run. */
  personas: { name: string; kind: string; identity: Identity; headers?: Record<string, string>; aws?: true; identityId?: string }[];
  cells: Cell[];
  /** Ids of the cells run one at a time, last, with the store reset around each (harness/runner/serial.ts). */
  serial: string[];
  scenarios: SubscriptionScenario[];
  records: Record<string, Record<string, unknown>>;
  /** Cells in flight at once, over every group. */
  concurrency: number;
  /** How long a cell may take before it is an error (no answer). */
  cellTimeoutMs: number;
  /** How long a model's subscription scenario may take before its cells are errors. */
  scenarioTimeoutMs: number;
  eventTimeoutMs: number;
  quietMs: number;
  sentinelGraceMs: number;
  /** Present when the run includes credential probes. */
  probes?: ProbeSetting;
  /** Each REST API's endpoint and signing region, by name, when the app has REST APIs. */
  rest?: Record<string, { endpoint: string; region: string }>;
  /** The personas holding AWS credentials they sign REST requests with. */
  restSigners?: string[];
  /** Present when the run has storage cells: where the buckets are and the objects written for them. */
  storage?: { target: StorageTarget; fixtures: StorageFixtures };
}

export interface TestGroup {
  /** describe() and test() titles: `['Post', 'update']`. */
  path: [string, string];
  cells: Cell[];
  /** Delivery groups run their model's scenario. */
  scenario?: SubscriptionScenario;
  /** Its cells run one at a time, the store reset before and after each. */
  serial?: true;
}

export interface Session {
  stages: Stage[];
  /** Waits for the fixtures and the personas' credentials, fetched while the worker collects its tests; every test runs after. */
  fixtures(): Promise<void>;
  /**
   * Runs a group's cells (at most the run's concurrency in flight over every group), reporting each result as it
   * comes; stopped by a signal, it ends at once with the cells it finished.
   */
  runGroup(group: TestGroup, report: (r: CellResult) => void): Promise<void>;
  /**
   * Ends the session. Stopped by a signal, it first waits until no request is under way: the test worker ends when
   * vitest's run does, requests and all (the run's process bounds the wait: drive.ts).
   */
  close(): Promise<void>;
}

export async function openSession(): Promise<Session> {
  const file = process.env[RUN_FILE_ENV];
  const url = process.env[BROKER_URL_ENV];
  const secret = process.env[BROKER_SECRET_ENV];
  if (!file || !url || !secret) throw new Error(`specs/ run inside \`authmatrix run\` (${RUN_FILE_ENV}, ${BROKER_URL_ENV} and ${BROKER_SECRET_ENV} are not set)`);
  const access: BrokerAccess = { url, secret };
  await awaitRun(access);
  const run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
  // The personas' credentials are fetched while the worker collects its tests (the run's process answers between
  // making fixtures); the tests wait for them with the fixtures.
  const runtime = openRuntime(run, access);
  runtime.catch(() => undefined);
  let open: { rt: Runtime; realtime: ReturnType<typeof sharedRealtime> } | undefined;
  const slots = new Slots(run.concurrency);
  const pending = new Pending();
  // A signal stops the run (broker.ts `GET /stop`): no cell starts any more, every test ends with the cells it
  // finished, and once no request is under way the run's process is told (it waits for the records they made).
  const stop = new AbortController();
  const stopped = new Promise<void>((ok) => stop.signal.addEventListener('abort', () => ok(), { once: true }));
  awaitStop(access).then(() => {
    stop.abort();
    return pending.idle();
  }).then(() => reportIdle(access)).catch(() => undefined);
  const ready = () => {
    if (!open) throw new Error('a cell ran before the fixtures were made');
    return open;
  };
  return {
    stages: stagesOf(groupsOf(run)),
    fixtures: async () => {
      const [rt, index] = await Promise.all([runtime, awaitFixtures(access)]);
      rt.index = index;
      open = { rt, realtime: sharedRealtime(rt) };
    },
    runGroup: async (group, report) => {
      if (stop.signal.aborted) return;
      const { rt, realtime } = ready();
      const late = (cell: Cell, what: string) => result(cell, { outcome: 'error', summary: what });
      // A cell's verdict comes at its time limit at the latest; its request is tracked until it settles.
      const verdict = (cell: Cell, answer: Promise<CellResult>) => withinLimit(run.cellTimeoutMs, answer, () => late(cell, `no answer within ${run.cellTimeoutMs / 1000} s`));
      const work = (async () => {
        if (group.scenario) {
          const answer = pending.track(runScenario(rt, group.scenario, group.cells, (id, phase) => requestReset(access, id, phase)));
          const results = await withinLimit(run.scenarioTimeoutMs, answer, () => undefined);
          const byId = new Map(results?.map((r) => [r.id, r]));
          const missing = results ? 'the subscription scenario gave no result for it' : `its subscription scenario gave no answer within ${run.scenarioTimeoutMs / 1000} s`;
          for (const cell of group.cells) report(byId.get(cell.id) ?? late(cell, missing));
        } else if (group.serial) {
          for (const cell of group.cells) {
            if (stop.signal.aborted) return;
            await requestReset(access, cell.id, 'before');
            const answer = pending.track(runCell(rt, cell, realtime.get));
            try {
              report(await verdict(cell, answer));
            } finally {
              // The store is put back once the cell's request has settled, not while a late one may still write.
              await answer;
              await requestReset(access, cell.id, 'after');
            }
          }
        } else {
          await Promise.all(group.cells.map(async (cell) => {
            const release = await slots.acquire(stop.signal);
            if (!release) return;
            try {
              report(await verdict(cell, pending.track(runCell(rt, cell, realtime.get))));
            } finally {
              release();
            }
          }));
        }
      })();
      // Stopped by a signal, a group ends with the cells it finished: those under way go on in the background (where a
      // failure after the stop is nobody's to hear).
      work.catch(() => undefined);
      await Promise.race([work, stopped]);
    },
    close: async () => {
      if (stop.signal.aborted) await pending.idle();
      open?.realtime.close();
    },
  };
}

/** What the cells run with: the personas' brokered credentials, REST, storage and the credential probes. */
async function openRuntime(run: RunFile, access: BrokerAccess): Promise<Runtime> {
  const personas = new Map<string, RuntimePersona>(await Promise.all(run.personas.map(async (p) => [p.name, { ...p, auth: await brokeredAuth(access, p.name) }] as const)));
  // The fixtures' index comes with `fixtures()`, which the spec awaits before any test.
  const rt: Runtime = {
    auth: run.auth, url: run.url, personas, index: emptyIndex(), records: run.records, eventTimeoutMs: run.eventTimeoutMs, quietMs: run.quietMs, sentinelGraceMs: run.sentinelGraceMs,
    onCreated: (records) => reportCreated(access, records),
  };
  if (run.rest) {
    const getters = new Map(run.personas.map((p) => [p.name, brokeredRest(access, p.name)]));
    const region = run.auth.rest?.region;
    const identityIds = new Map(region ? run.personas.flatMap((p) => (p.identityId ? [[plannedIdentityId(region, p.name), p.identityId] as const] : [])) : []);
    rt.rest = { endpoints: run.rest, credentials: (name) => getters.get(name)!(), headersOf: (name) => personas.get(name)?.headers, identityIds };
  }
  if (run.storage) {
    const { target, fixtures } = run.storage;
    const sessions = new Map(await Promise.all(run.personas.filter((p) => p.aws).map(async (p) => [p.name, await brokeredAuth(access, awsSessionName(p.name))] as const)));
    rt.storage = {
      target, fixtures,
      clientFor: s3ClientFactory(target, sessions),
      onCreated: (objects) => reportCreated(access, objects, '/created-objects'),
    };
  }
  if (run.probes) {
    const cast = [...personas.values()].map((p) => ({ ...p, kind: p.kind as PersonaKind, description: '', provisioning: '' }));
    const rest = rt.rest ? { endpoints: rt.rest.endpoints, restOf: rt.rest.credentials, signers: run.restSigners ?? [] } : undefined;
    rt.probes = new Map(buildProbes(run.auth, run.url, cast, run.probes, rest).map((p) => [p.id, p]));
  }
  return rt;
}

const OPERATION_ORDER = ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete', 'query', 'mutation', 'subscription'];

/**
 * Cells grouped for describe blocks: per model (or custom operation), per operation; deliveries per model.
 * Custom mutations come last: what their handlers write (records no fixture plan knows) must not reach other cells;
 * after them, the scenarios that reset the store around their events, then the serial cells, alone.
 */
export function groupsOf(run: Pick<RunFile, 'cells' | 'scenarios' | 'serial'>): TestGroup[] {
  const groups = new Map<string, TestGroup>();
  const serial = new Set(run.serial);
  const alone: TestGroup = { path: ['one record per owner', 'one cell at a time'], cells: [], serial: true };
  for (const cell of run.cells) {
    if (serial.has(cell.id)) {
      alone.cells.push(cell);
      continue;
    }
    const path = cellGroupOf(cell);
    const key = path.join('\u0000');
    let g = groups.get(key);
    if (!g) {
      const scenario = cell.kind === 'delivery' ? run.scenarios.find((s) => s.model === cell.model) : undefined;
      groups.set(key, (g = { path, cells: [], ...(scenario ? { scenario } : {}) }));
    }
    g.cells.push(cell);
  }
  const rank = (g: TestGroup) => OPERATION_ORDER.indexOf(g.cells[0]!.operation) * 10 + (g.scenario ? 5 : 0);
  // Serial scenarios reset the store around their events: after every other group, with the serial cells.
  const writes = (g: TestGroup) => (g.scenario?.serial ? 2 : g.cells[0]!.kind === 'custom' && g.cells[0]!.operation === 'mutation' ? 1 : 0);
  const sorted = [...groups.values()].sort((a, b) => writes(a) - writes(b) || a.path[0]!.localeCompare(b.path[0]!) || rank(a) - rank(b) || a.path[1]!.localeCompare(b.path[1]!));
  return alone.cells.length ? [...sorted, alone] : sorted;
}

/** Groups that run at once (`concurrent`), or one after another. */
export interface Stage {
  title: string;
  concurrent: boolean;
  groups: TestGroup[];
}

/**
 * The data API's groups of one stage run at once: every mutating cell and event acts on a private copy of its
 * fixture (harness/matrix/plan.ts), so groups of different models and fields need no order among them; the stages
 * keep one between operations: creates, then reads, updates, deletes, subscription starts, custom queries and
 * credential probes, then each kind of event. REST and storage groups (an authorizer's cache and the buckets are
 * shared), custom mutations (their handlers write what no plan knows), and whatever resets the store stay one
 * group at a time, in groupsOf's order.
 */
export function stagesOf(groups: TestGroup[]): Stage[] {
  const DATA_STAGES: [string, (g: TestGroup) => boolean][] = [
    ['creates', (g) => op(g) === 'create'],
    ['reads', (g) => op(g) === 'get' || op(g) === 'list'],
    ['updates', (g) => op(g) === 'update'],
    ['deletes', (g) => op(g) === 'delete'],
    ['subscriptions, custom queries and probes', (g) => !g.scenario],
    ['onCreate events', (g) => op(g) === 'onCreate'],
    ['onUpdate events', (g) => op(g) === 'onUpdate'],
    ['other events', () => true],
  ];
  const op = (g: TestGroup) => g.cells[0]!.operation;
  const oneAtATime = (g: TestGroup) => {
    const c = g.cells[0]!;
    return !!g.serial || !!g.scenario?.serial || c.kind === 'rest' || c.kind === 'storage' || (c.kind === 'custom' && c.operation === 'mutation');
  };
  const stages: Stage[] = [];
  const services = groups.filter((g) => oneAtATime(g) && (g.cells[0]!.kind === 'rest' || g.cells[0]!.kind === 'storage'));
  if (services.length) stages.push({ title: 'REST and storage', concurrent: false, groups: services });
  let rest = groups.filter((g) => !oneAtATime(g));
  for (const [title, member] of DATA_STAGES) {
    const these = rest.filter(member);
    rest = rest.filter((g) => !member(g));
    if (these.length) stages.push({ title, concurrent: true, groups: these });
  }
  const last = groups.filter((g) => oneAtATime(g) && !services.includes(g));
  if (last.length) stages.push({ title: 'one at a time', concurrent: false, groups: last });
  return stages;
}
