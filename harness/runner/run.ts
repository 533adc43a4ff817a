/**
 * `authmatrix run`: the full contract run. Load the schema and the cast, start the embedded emulator
 * (or reach the deployed app), provision the personas, create the fixtures, run every cell in vitest
 * tests, then judge the gate and write the reports; and clean up after itself, also on Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pc from 'picocolors';
import pluralize from 'pluralize';
import { loadConfig, type AuthmatrixConfig } from '../config.js';
import { startEmulator, type Emulator } from '../emulator/emulator.js';
import { castWith, type Persona } from '../matrix/cast.js';
import { cellIdentity, type Cell } from '../matrix/cells.js';
import { expectedMatrix } from '../matrix/expected.js';
import type { CellResult } from '../matrix/verdict.js';
import { restCells } from '../matrix/rest-cells.js';
import { askRestAuthorizers } from '../../personas/shared/rest-authorizers.js';
import { planRun, type RunPlan } from '../matrix/plan.js';
import { createFixtures, deleteRecords, type CreatedRecord, type FixtureIndex } from './setup.js';
import { cellObjects, createStorageFixtures, deleteStorageObjects, objectsToWrite, s3ClientFactory, storageObjectsFor, type CreatedObject, type S3ClientFor, type StorageFixtures, type StorageTarget } from './storage.js';
import { storageCells } from '../matrix/storage-cells.js';
import { InputError, isInputError } from '../schema/errors.js';
import { loadAuthModel } from '../schema/load.js';
import { hasDataApi, type AuthModel } from '../schema/model.js';
import { emptyBucketNotes } from '../schema/storage/model.js';
import { appRoot } from '../schema/app-root.js';
import { cleanup, deployedTarget, emulatedTarget, provisionCast, unavailablePersonas, type ProvisionedPersona, type Target } from '../../personas/index.js';
import { tokenBlindAuthorizer, unloadableAuthorizer } from '../../personas/lambda-token.js';
import type { DeployedTarget } from '../../personas/shared/deployed.js';
import { personaClient } from '../../personas/client.js';
import { portableModel, schemaHash, totalsOf, type RunReport } from '../../reports/results.js';
import { awsSessionName, resolveRest, type ResetPhase } from './broker.js';
import type { Drive } from './drive.js';
import { unsignable, withDeployedRest } from './deployed-rest.js';
import { gateOf, loadBaseline, type GateOptions } from './gate.js';
import { checkContracts, defaultContractPaths, loadContracts } from '../contracts/index.js';
import { serialResets } from './serial.js';
import { buildProbes, probeCell, type ProbeSetting } from './probes.js';
import { onlyFilter } from './select.js';
import { inShard, type Shard } from './shard.js';
import type { RunFile } from './session.js';
import { Interrupted, type Interrupt } from './interrupt.js';
import { graphqlUrl } from './execute.js';
import { stubbedLines } from './stubbed-lines.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

export interface RunOptions {
  schema: string;
  config?: string;
  gen1Config?: string;
  target: 'emulated' | 'deployed';
  outputs?: string;
  only?: string[];
  shard?: Shard;
  /** The test drive, started by the caller before it loaded this module; the run closes it. */
  drive: Drive;
  /** Credential probes as extra cells (default on). */
  probes?: boolean;
  /** The gate's extra checks. */
  gate?: GateOptions;
  /** Contract files or directories (default: `specs/contracts/` under the app and the working directory). */
  contracts?: string[];
  /** Where live progress goes (stderr by default). */
  progress?: NodeJS.WriteStream;
  log?: (line: string) => void;
  /** Ctrl-C and SIGTERM, listened for by the command for the whole run, reports included. */
  interrupt: Interrupt;
}

export interface RunOutcome {
  report: RunReport;
}

interface Endpoint {
  /** The GraphQL endpoint, when the app has a data API. */
  url: string | undefined;
  label: string;
  personas: Target;
  emulator?: Emulator;
  /** The REST APIs' endpoints by name (`custom.API` of the outputs). */
  rest: Record<string, { endpoint: string; region: string }>;
}

async function endpointFor(opts: RunOptions, model: AuthModel, config: AuthmatrixConfig, runId: string): Promise<Endpoint> {
  if (opts.target === 'deployed') {
    if (!opts.outputs) throw new InputError('--target deployed needs the app\'s amplify_outputs.json', undefined, 'pass --outputs amplify_outputs.json (npx ampx generate outputs writes it)');
    const target = deployedTarget(path.resolve(opts.outputs), config, { runId });
    if (hasDataApi(model) && !target.url) throw new InputError('the outputs have no data section (url, aws_region)', { file: path.resolve(opts.outputs) }, 'deploy the app with defineData and regenerate the outputs');
    return { url: target.url, label: target.url ?? `deployed app of ${path.relative(process.cwd(), opts.outputs) || opts.outputs}`, personas: target, rest: target.restApis };
  }
  if (opts.outputs) throw new InputError('--outputs is for --target deployed', undefined, 'drop --outputs, or add --target deployed');
  const emulator = await startEmulator({ model, host: '127.0.0.1', port: 0, log: () => undefined, ...(config.handlers ? { handlers: config.handlers } : {}) });
  const rest = Object.fromEntries(emulator.restEndpoints().map((r) => [r.name, { endpoint: r.endpoint, region: r.region }]));
  return { url: hasDataApi(model) ? emulator.url : undefined, label: 'embedded emulator', personas: await emulatedTarget(emulator.url), emulator, rest };
}

/** Cells of custom operations whose handler authmatrix.config.ts skips cannot run; they say so. */
function skipHandlers(plan: RunPlan, model: AuthModel, config: AuthmatrixConfig): void {
  const skipped = (name: string) => config.handlers?.[name] === 'skip';
  const why = new Map<string, string>();
  for (const op of model.customOperations) {
    const names = [op.name, ...(op.handler.kind === 'function' ? op.handler.functions.map((f) => f.name) : [])];
    const name = names.find(skipped);
    if (name) why.set(op.name, `handler ${name} is skipped by authmatrix.config.ts`);
  }
  if (!why.size) return;
  plan.untested.push(...plan.cells.filter((c) => c.customOperation && why.has(c.customOperation)).map((c) => ({ cell: c, reason: why.get(c.customOperation!)! })));
  plan.cells = plan.cells.filter((c) => !(c.customOperation && why.has(c.customOperation)));
}

/** The provisioned part of the cast, with the identities provisioning produced (real subs, usernames and claims, identity ids). */
function castOf(base: Persona[], provisioned: ProvisionedPersona[]): Persona[] {
  return base.flatMap((p) => {
    const done = provisioned.find((x) => x.name === p.name);
    return done ? [{ ...p, identity: done.identity, ...(done.aws?.identityId ? { identityId: done.aws.identityId } : {}) }] : [];
  });
}

/**
 * What a run checks and starts before it creates anything: the app and its config, the model as deployed, the
 * cast, --only, the baseline and the contracts (against the schema's expected matrix), then the endpoint.
 */
async function prepareRun(opts: RunOptions, startedAt: string, log: (line: string) => void) {
  const { interrupt } = opts;
  const loaded = await loadAuthModel(opts.schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const { config } = await loadConfig(opts.config, [process.cwd(), appRoot(loaded.source.path)]);
  // A deployed run tests the REST APIs as deployed (drift from backend.ts goes in the caveats).
  const deployedRest = opts.target === 'deployed' && opts.outputs ? await withDeployedRest(loaded, path.resolve(opts.outputs), config) : undefined;
  const declared = deployedRest?.model ?? loaded;
  // An authorizer the emulator cannot load is left out of the model it runs (personas/lambda-token.ts).
  const unloadable = opts.target === 'deployed' ? undefined : await unloadableAuthorizer(declared);
  const model = unloadable?.model ?? declared;
  const blind = await withTokenBlindAuthorizer(model, config.personas, log);
  const base = castWith(model, blind.personas).map((p) => (p.name === blind.standIn && !p.token ? { ...p, token: 'authmatrix-any-token', standIn: true as const } : p));
  // The REST APIs' Lambda authorizers are asked about the tokens known before provisioning (config tokens).
  await askRestAuthorizers(model, base);
  // A persona that cannot be had (a Lambda token nobody configured) is left out; its cells could not run.
  const unavailable = unavailablePersonas(base, opts.target === 'deployed' ? 'deployed' : 'emulated');
  for (const p of base) if (unloadable && p.kind === 'lambdaAllowed') unavailable.set(p.name, unloadable.why);
  const runnable = base.filter((p) => !unavailable.has(p.name));
  // The schema's whole matrix, for what needs it: --only, the contracts, a baseline, a deployed run's function roles.
  // An app with none of them runs with the matrix of its provisioned cast alone (computing both was a quarter of
  // fasttify's start-up).
  let baseMatrix: Cell[] | undefined;
  const baseCells = () => (baseMatrix ??= expectedMatrix(model, base));
  // Checked before anything is started or created: a typo in --only or a bad baseline costs nothing.
  const select = onlyFilter(opts.only ?? [], baseCells);
  const baseline = loadBaseline(opts.gate?.baseline);
  const contracts = await loadContracts(opts.contracts?.length ? opts.contracts.map((p) => path.resolve(p)) : defaultContractPaths(appRoot(model.source.path)));
  // Contracts speak of the schema's personas, also those this run leaves out (`iamAdmin: false`): their
  // cells are judged by their expectation and listed as unchecked. Statically first: a contract the
  // schema itself breaks is known before anything runs.
  const drops = Object.values(config.personas ?? {}).includes(false);
  const contractCast = drops ? castWith(model, withoutDrops(config.personas)) : base;
  if (drops) await askRestAuthorizers(model, contractCast);
  const contractCells = !contracts.length ? [] : drops ? expectedMatrix(model, contractCast) : baseCells();
  const statically = checkContracts(contracts, { model, cells: contractCells }).filter((c) => c.broken);
  if (statically.length) log(pc.red(`  ${statically.length} contract statement(s) broken by the schema itself: ${statically.slice(0, 3).map((c) => c.statement).join('; ')}${statically.length > 3 ? '; …' : ''}`));
  const runId = `${startedAt.slice(0, 10).replace(/-/g, '')}${Math.random().toString(16).slice(2, 8)}`;

  if (interrupt.signal) throw new Interrupted(interrupt.signal);
  const endpoint = await endpointFor(opts, model, config, runId);
  return { config, deployedRest, model, base, unavailable, runnable, baseCells, select, baseline, contracts, contractCells, runId, endpoint };
}

/**
 * The run. A signal (opts.interrupt) stops it: the outcome then holds the cells that finished, marked
 * interrupted; before the endpoint starts there is nothing to report and it throws Interrupted.
 */
export async function runContracts(opts: RunOptions): Promise<RunOutcome> {
  const { interrupt } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = new Date().toISOString();
  const { shard, drive } = opts;
  const deployed = opts.target === 'deployed';
  const { config, deployedRest, model, base, unavailable, runnable, baseCells, select, baseline, contracts, contractCells, runId, endpoint } =
    await prepareRun(opts, startedAt, log).catch(async (e: unknown) => {
      await drive.close();
      throw e;
    });
  const created: CreatedRecord[] = [];
  const createdObjects: CreatedObject[] = [];
  let storage: { target: StorageTarget; clientFor: S3ClientFor } | undefined;
  let provisioned: ProvisionedPersona[] = [];
  let cleaned = false;
  const clientFor = (name: string) => personaClient(provisioned.find((x) => x.name === name)!, graphqlUrl(endpoint));
  const tidy = async () => {
    if (cleaned) return;
    cleaned = true;
    if (endpoint.personas.kind === 'deployed') {
      if (created.length && provisioned.length) {
        const left = await deleteRecords(model, created, castOf(runnable, provisioned), clientFor).catch(() => created);
        if (left.length) log(pc.yellow(`authmatrix: ${left.length} record(s) could not be deleted: ${left.slice(0, 5).map((r) => `${r.model} ${JSON.stringify(r.key)}`).join('; ')}`));
      }
      if (storage) {
        const left = createdObjects.length ? await deleteStorageObjects(model, createdObjects, castOf(base, provisioned), storage.target, storage.clientFor).catch(() => createdObjects) : [];
        // The ledger named every object the run might write; what is left now is what nobody here could delete.
        endpoint.personas.ledger.objectsLeft(left.map(({ bucket, key }) => ({ bucket, key })));
        if (left.length) log(pc.yellow(`authmatrix: ${left.length} storage object(s) could not be deleted (no persona may delete them; kept in the run's ledger for \`authmatrix personas cleanup --run ${runId}\`): ${left.slice(0, 5).map((o) => `s3://${o.bucket}/${o.key}`).join('; ')}`));
        else if (createdObjects.length) log(`Deleted ${pluralize('storage object', createdObjects.length, true)} of run ${runId}.`);
      }
      const done = await cleanup(endpoint.personas as DeployedTarget);
      log(`Deleted ${done.users} user(s) and ${done.groups} group(s) of run ${runId}.`);
    }
    await endpoint.emulator?.stop();
  };
  const cleanupHint = `run \`authmatrix personas cleanup --run ${runId}\``;
  void interrupt.signalled.then((signal) => log(`authmatrix: ${signal}: stopping run ${runId}; the cells that finished are reported, the others are not run; cleaning up…`));
  interrupt.onSecond(() => log(`authmatrix: signalled again: stopping now${deployed ? `; ${cleanupHint} to delete what it made` : ''}`));
  // A phase a signal cuts short: on the emulator nothing is waited for; on a deployed app the phase ends
  // first, so that every user and record it made is known and deleted.
  const phase = async <V>(work: Promise<V>): Promise<V> => {
    if (deployed) {
      const value = await work;
      if (interrupt.signal) throw new Interrupted(interrupt.signal);
      return value;
    }
    work.catch(() => undefined);
    return Promise.race([work, interrupt.signalled.then((signal) => Promise.reject(new Interrupted(signal)))]);
  };
  let plan: RunPlan | undefined;
  let everything: Cell[] = [];
  let results: CellResult[] = [];
  let fixtureRequests = 0;
  try {
    log(`authmatrix ${version}: ${path.relative(process.cwd(), model.source.path) || model.source.path} against the ${endpoint.label}`);
    const offDeployed = endpoint.personas.kind === 'deployed' ? runnable.filter((p) => p.kind === 'functionRole') : [];
    for (const p of offDeployed) log(`  ${p.name} left out: a function's execution role can be assumed only by AWS Lambda`);
    const provisionable = runnable.filter((p) => !offDeployed.includes(p));
    provisioned = await phase(provisionCast(provisionable, endpoint.personas, model, config));
    const cast = castOf(provisionable, provisioned);
    await askRestAuthorizers(model, cast, async (p, presentation) => {
      const found = provisioned.find((x) => x.name === p.name);
      if (presentation === 'oidcToken') return found?.rest?.authorization;
      const tokens = await found?.tokens?.();
      return presentation === 'idToken' ? tokens?.idToken : presentation === 'accessToken' ? tokens?.accessToken ?? (await found?.rest?.accessToken?.()) : undefined;
    });
    const probeSetting = opts.probes === false ? undefined : {
      region: endpoint.personas.region,
      ...(endpoint.personas.kind === 'emulated' ? { devEndpoint: endpoint.personas.devEndpoint } : {}),
      ...(config.oidc?.jwksUrl ? { oidcJwksUrl: config.oidc.jwksUrl } : {}),
    };
    const restTarget = { endpoints: endpoint.rest, restOf: (name: string) => resolveRest(provisioned.find((p) => p.name === name)?.rest ?? {}), signers: restSigners(provisioned) };
    const probes = probeSetting ? buildProbes(model, endpoint.url, provisioned, probeSetting, restTarget).map((p) => ({ probe: p, cell: probeCell(p) })) : [];
    const keep = (c: Cell) => select(c) && inShard(shard)(c);
    everything = [...expectedMatrix(model, cast), ...probes.filter((p) => !p.probe.notRun).map((p) => p.cell)];
    const cells = everything.filter(keep);
    const seed = endpoint.emulator && hasDataApi(model) ? (m: string, input: Record<string, unknown>) => endpoint.emulator!.engine.resolvers.seed(m, input) : undefined;
    plan = planRun(model, cast, cells, { nonce: runId, seed: !!seed });
    plan.untested.push(...probes.filter((p) => p.probe.notRun && keep(p.cell)).map((p) => ({ cell: p.cell, reason: p.probe.notRun! })));
    if (unavailable.size) plan.untested.push(...expectedMatrix(model, base.filter((p) => unavailable.has(p.name))).filter(keep).map((c) => ({ cell: c, reason: unavailable.get(c.persona)! })));
    skipHandlers(plan, model, config);
    plan.untested.push(...restCells(model, cast).untested.filter((u) => keep(u.cell)));
    const unsigned = deployed ? unsignable(plan.cells, provisioned) : [];
    plan.untested.push(...unsigned);
    const unsignedCells = new Set(unsigned.map((u) => u.cell));
    plan.cells = plan.cells.filter((c) => !unsignedCells.has(c));
    if (offDeployed.length) plan.untested.push(...baseCells().filter((c) => c.kind === 'storage' && offDeployed.some((p) => p.name === c.persona) && keep(c)).map((cell) => ({ cell, reason: `${cell.persona} acts through a function's execution role, which only AWS Lambda can assume` })));
    if (deployed) {
      const admins = new Set(cast.filter((p) => p.kind === 'iamAdmin').map((p) => p.name));
      const own = plan.cells.filter((c) => c.action.type === 'storage' && admins.has(c.persona));
      plan.untested.push(...own.map((cell) => ({ cell, reason: `${cell.persona}'s own IAM policy, which authmatrix does not read, decides what it may do in the buckets (Amplify's storage rules do not name it)` })));
      plan.cells = plan.cells.filter((c) => !own.includes(c));
    }
    let storageSetup: { fixtures: StorageFixtures; created: CreatedObject[] } | undefined;
    if (model.storage && plan.cells.some((c) => c.kind === 'storage')) {
      const target = storageTargetOf(endpoint, model, runId);
      const sessions = new Map(provisioned.filter((p) => p.aws).map((p) => [p.name, { mode: 'iam' as const, credentials: p.aws!.credentials, region: target.region }]));
      storage = { target, clientFor: s3ClientFactory(target, sessions) };
      const emulated = endpoint.emulator?.s3;
      const objects = storageObjectsFor(plan.cells, storageCells(model, cast).objects);
      // Written ahead: if the process dies, `authmatrix personas cleanup` deletes them.
      if (endpoint.personas.kind === 'deployed') endpoint.personas.ledger.objects(objectsToWrite(plan.cells, objects, target));
      const setupStorage = await createStorageFixtures(model, cast, objects, target, storage.clientFor, emulated ? (bucket: string, key: string, body: Buffer) => void emulated.store.put(bucket, key, body, 'text/plain') : undefined);
      storageSetup = setupStorage;
      createdObjects.push(...setupStorage.created);
      const missing = setupStorage.fixtures.failed;
      const blocked = plan.cells.filter((c) => cellObjects(c).some((i) => missing[i]));
      plan.untested.push(...blocked.map((cell) => ({ cell, reason: `the object it needs could not be written: ${missing[cellObjects(cell).find((i) => missing[i])!]}` })));
      plan.cells = plan.cells.filter((c) => !blocked.includes(c));
    }
    log(`  ${pluralize('persona', provisioned.length, true)} · ${pluralize('cell', plan.cells.length, true)} to run${plan.untested.length ? `, ${plan.untested.length} more that cannot run (reasons in the report)` : ''} · ${pluralize('fixture record', plan.fixtures.length, true)}`);
    for (const read of deployedRest?.read ?? []) log(`  ${read}, read from API Gateway`);
    for (const read of deployedRest?.rolesRead ?? []) log(`  ${read}, read from IAM`);
    for (const caveat of model.caveats ?? []) log(`  caveat: ${caveat}`);
    for (const note of emptyBucketNotes(model.storage)) log(`  note: ${note}`);
    for (const [name, why] of unavailable) log(`  persona ${name} left out: ${why}`);
    if (plan.seeded.length) log(`  seeded into the emulator's store, as nobody in the cast may create them: ${plan.seeded.join('; ')}`);
    // Made while the test worker collects its tests (they wait for the index).
    const fixtures = phase(createFixtures(model, plan.fixtures, clientFor, undefined, seed)).then((setup) => {
      created.push(...setup.created);
      fixtureRequests = setup.requests;
      return setup.index;
    });

    results = await runCells(drive, plan, model, endpoint, provisioned, fixtures, {
      deployed, probes: probeSetting, onCreated: (records) => created.push(...records),
      ...(storage && storageSetup ? { storage: { target: storage.target, fixtures: storageSetup.fixtures }, onCreatedObjects: (objects: CreatedObject[]) => createdObjects.push(...objects) } : {}),
    });
    for (const line of stubbedLines(endpoint.emulator?.stubbedHandlers)) log(line);
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
  } finally {
    await drive.close();
    await tidy().catch((e: unknown) => {
      if (!interrupt.signal) throw e;
      log(pc.red(`authmatrix: cleanup of run ${runId} failed: ${isInputError(e) ? e.format() : String((e as Error)?.message ?? e).split('\n')[0]}; ${cleanupHint}`));
    });
  }
  const cellsPlanned = plan?.cells.length ?? 0;
  const untested = plan?.untested ?? [];
  const report: RunReport = {
    format: 'authmatrix-results',
    version: 1,
    tool: { name: 'authmatrix', version },
    schema: { path: path.relative(process.cwd(), model.source.path) || model.source.path, hash: schemaHash(model), source: model.source.kind },
    model: portableModel(model),
    target: { kind: opts.target, endpoint: endpoint.label },
    startedAt,
    finishedAt: new Date().toISOString(),
    ...(shard ? { shard, positions: positionsIn(everything, results) } : {}),
    ...(opts.only?.length ? { only: opts.only } : {}),
    ...(interrupt.signal ? { interrupted: { signal: interrupt.signal, cellsRun: results.length, cellsPlanned } } : {}),
    personas: provisioned.map((p) => {
      const groups = base.find((b) => b.name === p.name)?.groups;
      return { name: p.name, kind: p.kind, description: p.description, provisioning: p.provisioning, ...(groups?.length ? { groups } : {}) };
    }),
    totals: totalsOf(results, untested.length),
    cells: results,
    untested: untested.map(({ cell, reason }) => ({ id: cell.id, persona: cell.persona, ...(cell.model ? { model: cell.model } : {}), ...(cell.customOperation ? { customOperation: cell.customOperation } : {}), operation: cell.operation, expected: cell.expected, reason })),
    contracts: checkContracts(contracts, { model, cells: contractCells }, results),
    gate: gateOf(model, base, baseCells, baseline, opts.gate ?? {}),
    fixtures: plan?.labels ?? {},
    ...(endpoint.emulator ? { stats: { requests: endpoint.emulator.stats.requests, subscriptionStarts: hasDataApi(model) ? endpoint.emulator.realtime.stats.starts : 0, fixtureRecords: plan?.fixtures.length ?? 0, fixtureRequests, ...(endpoint.emulator.gateway ? { restRequests: endpoint.emulator.gateway.stats.requests } : {}) } } : {}),
  };
  return { report };
}

interface CellRun {
  deployed: boolean;
  probes: ProbeSetting | undefined;
  onCreated: (records: CreatedRecord[]) => void;
  storage?: RunFile['storage'];
  onCreatedObjects?: (objects: CreatedObject[]) => void;
}

/**
 * Every cell in a vitest test (specs/matrix.spec.ts, a test per group of cells, through the drive started earlier), credentials served by
 * the broker; results in plan order. Interrupted: only the cells that finished.
 */
async function runCells(drive: Drive, plan: RunPlan, model: AuthModel, endpoint: Endpoint, provisioned: ProvisionedPersona[], fixtures: Promise<FixtureIndex>, opts: CellRun): Promise<CellResult[]> {
  const { deployed, probes } = opts;
  const auths = new Map(provisioned.map((p) => [p.name, p.auth]));
  const region = opts.storage?.target.region;
  if (region) for (const p of provisioned) if (p.aws) auths.set(awsSessionName(p.name), { mode: 'iam', credentials: p.aws.credentials, region });
  const emulator = Object.keys(plan.serial).length ? endpoint.emulator : undefined;
  let resets: ReturnType<typeof serialResets> | undefined;
  // Set before the worker learns the fixtures' index, so before any serial cell asks for a reset.
  const index = fixtures.then((made) => {
    if (emulator) resets = serialResets(model, plan.serial, made, emulator.engine.resolvers);
    return made;
  });
  // Handled below, once the worker has the run; a failure while the identity ids are read must not go unhandled.
  index.catch(() => undefined);
  const run: RunFile = {
    version: 1,
    auth: model,
    url: endpoint.url,
    personas: await Promise.all(provisioned.map(async (p) => {
      // The identity its REST requests sign as (a path may name it: rules/rest.ts plannedIdentityId); unknown when the pool refuses.
      const identityId = p.aws?.identityId ?? (await p.rest?.identityId?.().catch(() => undefined));
      return { name: p.name, kind: p.kind, identity: p.identity, ...(p.headers ? { headers: p.headers } : {}), ...(p.aws ? { aws: true as const } : {}), ...(identityId ? { identityId } : {}) };
    })),
    cells: plan.cells,
    serial: Object.keys(plan.serial),
    scenarios: plan.scenarios,
    records: plan.records,
    concurrency: drive.concurrency,
    cellTimeoutMs: deployed ? 120_000 : 30_000,
    scenarioTimeoutMs: deployed ? 300_000 : 60_000,
    // The emulator runs the app's own Lambda authorizer before a subscription starts, which may take seconds (one
    // calling a server offline: Sanoodia/DatastoreDemo); AppSync waits for it, and so does a start here.
    eventTimeoutMs: 15_000,
    quietMs: deployed ? 3_000 : 300,
    sentinelGraceMs: deployed ? 500 : 0,
    ...(probes ? { probes } : {}),
    ...(Object.keys(endpoint.rest).length ? { rest: endpoint.rest, restSigners: restSigners(provisioned) } : {}),
    ...(opts.storage ? { storage: opts.storage } : {}),
  };
  writeFileSync(drive.runFile, JSON.stringify(run), { mode: 0o600 });
  const running = drive.run({
    auths, fixtures: index, onCreated: opts.onCreated, rest: new Map(provisioned.map((p) => [p.name, p.rest ?? {}])),
    ...(opts.onCreatedObjects ? { onCreatedObjects: opts.onCreatedObjects } : {}),
    ...(emulator ? { onReset: (cell: string, phase: ResetPhase) => resets!(cell, phase) } : {}),
  }, plan.cells.length);
  // Fixtures that could not be made end the run: its worker learns it (`GET /fixtures` answers 410) and ends first.
  await index.catch(async (e: unknown) => {
    await running.catch(() => undefined);
    throw e;
  });
  const outcome = await running;
  const byId = new Map(outcome.results.map((r) => [r.id, r]));
  if (outcome.cut) return plan.cells.flatMap((c) => byId.get(c.id) ?? []);
  return plan.cells.map((c: Cell) => byId.get(c.id) ?? missing(c, outcome.problem ?? 'the test did not run'));
}

/** Where the app's buckets are: the emulator's S3 endpoint, or the deployed buckets named in the outputs. */
function storageTargetOf(endpoint: Endpoint, model: AuthModel, nonce: string): StorageTarget {
  const s3 = endpoint.emulator?.s3;
  if (s3) return { endpointHost: s3.endpointHost, region: endpoint.emulator!.region, caPem: s3.caPem, buckets: Object.fromEntries(s3.bucketNames), nonce };
  const deployed = endpoint.personas as DeployedTarget;
  if (!deployed.storage) throw new InputError('the app has storage rules, but amplify_outputs.json names no bucket', undefined, 'regenerate the outputs (npx ampx generate outputs) after deploying storage');
  const missing = model.storage!.buckets.filter((b) => !deployed.storage!.buckets[b.name]).map((b) => b.name);
  if (missing.length) throw new InputError(`amplify_outputs.json names no bucket for ${missing.join(', ')}`, undefined, 'regenerate the outputs for this environment');
  return { ...deployed.storage, nonce };
}

/** The personas holding AWS credentials they sign REST requests with. */
const restSigners = (provisioned: ProvisionedPersona[]) => provisioned.filter((p) => p.rest?.credentials).map((p) => p.name);

/** The config's persona settings without the ones that drop a persona. */
function withoutDrops(personas: AuthmatrixConfig['personas']): AuthmatrixConfig['personas'] {
  return Object.fromEntries(Object.entries(personas ?? {}).filter(([, o]) => o !== false));
}

/** Where a shard's cells sit in the unsharded run, so that merged shards come out in its order. */
function positionsIn(all: Cell[], results: CellResult[]): number[] {
  const index = new Map(all.map((c, i) => [c.id, i]));
  return results.map((r) => index.get(r.id)!);
}

/** A cell the test run never reported: an error, never a pass. */
function missing(c: Cell, why: string): CellResult {
  return {
    ...cellIdentity(c), expected: c.expected, observed: 'error', pass: false, rule: c.rule, reason: c.reason,
    detail: `no result: ${why.split('\n')[0]}`, summary: 'no result', latencyMs: 0,
  };
}

/**
 * A Lambda authorizer that cannot read the token (personas/lambda-token.ts tokenBlindAuthorizer) admits one Lambda
 * persona only: the other is left out, and the one there is needs no token from the config (`standIn`: the persona
 * that gets authmatrix's).
 */
async function withTokenBlindAuthorizer(model: AuthModel, personas: AuthmatrixConfig['personas'], log: (line: string) => void): Promise<{ personas: AuthmatrixConfig['personas']; standIn?: string }> {
  const blind = await tokenBlindAuthorizer(model);
  if (!blind) return { personas };
  const [kept, gone] = blind.accepts ? ['lambdaAllowed', 'lambdaDenied'] : ['lambdaDenied', 'lambdaAllowed'];
  log(pc.dim(`  persona ${gone} left out: the Lambda authorizer ${path.relative(process.cwd(), blind.file) || blind.file} reads no request and ${blind.accepts ? 'accepts' : 'refuses'} every token`));
  const own = personas?.[kept];
  // The kept persona needs no token from the config: without one, it gets a stand-in (prepareRun).
  return { personas: { ...personas, [gone]: false }, ...(own !== false && !own?.token ? { standIn: kept } : {}) };
}
