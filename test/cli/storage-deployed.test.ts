/**
 * `authmatrix run --target deployed` on an app with storage beside its data, end to end and offline: the
 * "deployed app" is the emulator (AppSync, its identity pool's Cognito Identity API, its S3 over TLS)
 * trusting cognito-local's user pool. Personas get identity-pool credentials with the AWS SDK; storage
 * cells go to the emulator's S3 as to a real bucket. The run must match every cell it runs and leave no
 * object, user or group behind, also when interrupted.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import type { LedgerEntry } from '../../personas/shared/deployed.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { startCognitoLocal, type CognitoLocal } from '../personas/cognito-local.js';
import { cli, cliStoppedMidRun, example, results, scratchDir } from './cli.js';

const dir = scratchDir('authmatrix-storage-deployed-');
let cl: CognitoLocal;
let emu: Emulator;
/** The run's AWS credentials: an administrator of the emulated account (cognito-local checks no signature). */
let admin: IamCredentials;

beforeAll(async () => {
  const model = await loadAuthModel(example('photos'));
  cl = await startCognitoLocal();
  // cognito-local's groups carry no roles: the emulator maps them to the app's group roles (docs/storage.md).
  emu = await startEmulator({ model, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl, groupRoles: true }, log: () => undefined });
  admin = emu.credentials.iamRole();
}, 60_000);

afterAll(async () => {
  await emu?.stop();
  await cl?.stop();
});

const awsEnv = () => ({
  AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken,
  AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** The deployed app's outputs (the emulator's, with cognito-local's pool) and a config pointing the SDK at the peers. */
function deployedApp(): { outputs: string; config: string } {
  const own = emu.outputs() as { data: Record<string, unknown>; storage: Record<string, unknown>; auth: Record<string, unknown> };
  const outputs = path.join(dir, 'amplify_outputs.json');
  writeFileSync(outputs, JSON.stringify({
    ...own,
    auth: { ...own.auth, aws_region: emu.region, user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [] },
  }));
  const ca = path.join(dir, 's3-ca.pem');
  writeFileSync(ca, emu.s3!.caPem);
  const config = path.join(dir, 'authmatrix.config.json');
  writeFileSync(config, JSON.stringify({
    deployed: {
      endpoints: { cognitoIdentityProvider: cl.endpoint, cognitoIdentity: emu.cognitoIdentityEndpoint(), s3: `https://${emu.s3!.endpointHost}` },
      s3CaFile: ca,
    },
  }));
  return { outputs, config };
}

/**
 * Every key in the app's buckets, and the multipart uploads still open, as the emulator's store holds
 * them (its S3 gives no role of the app, nor an IAM principal outside the identity pool, the whole bucket).
 */
function objectsLeft(): { keys: string[]; uploads: number } {
  const store = emu.s3!.store;
  return { keys: [...emu.s3!.bucketNames.values()].flatMap((bucket) => store.keys(bucket, '').map((k) => `${bucket}/${k}`)), uploads: store.stats.uploads };
}

async function nothingLeft(): Promise<void> {
  expect(objectsLeft()).toEqual({ keys: [], uploads: 0 });
  expect(await cl.usernames()).toEqual([]);
  expect(await cl.groups()).toEqual([]);
  const ledgers = path.join(dir, '.authmatrix', 'runs');
  expect(existsSync(ledgers) ? readdirSync(ledgers) : []).toEqual([]);
}

describe('a deployed photos app (emulator with its identity pool and S3 + cognito-local)', () => {
  it('matches every data and storage cell it runs, then deletes every object, user and group it made', async () => {
    const { outputs, config } = deployedApp();
    const out = path.join(dir, 'out');
    const r = await cli(['run', '--schema', example('photos'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], { cwd: dir, env: awsEnv(), timeoutMs: 300_000 });
    const report = results(out);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.target.kind).toBe('deployed');
    // Identity-pool credentials came from the Cognito Identity API, for guests and signed-in users alike.
    expect(report.personas.find((p) => p.name === 'guest')!.provisioning).toMatch(/GetId, GetCredentialsForIdentity/);
    const storage = report.cells.filter((c) => c.kind === 'storage');
    expect(storage.length).toBeGreaterThan(200);
    expect(new Set(storage.map((c) => c.operation))).toEqual(new Set(['get', 'list', 'write', 'delete', 'copy', 'multipart']));
    expect(new Set(storage.map((c) => c.observed))).toEqual(new Set(['allow', 'deny']));
    const seen = (id: string) => report.cells.find((c) => c.id === id);
    // Owner folders by identity id, a group's role, the child override: each seen on the wire.
    expect(seen('photos:private/{entity_id}/*|get|owner|own')).toMatchObject({ observed: 'allow' });
    expect(seen('photos:private/{entity_id}/*|get|stranger|other')).toMatchObject({ observed: 'deny' });
    expect(seen('photos:admin/*|write|groupMember:Admin')).toMatchObject({ observed: 'allow' });
    expect(seen('photos:media/albums/*|write|stranger')).toMatchObject({ observed: 'deny' });
    expect(seen('photos:media/*|list|guest')!.seen).toEqual(['photos|media/*|shared.txt', 'photos|media/albums/*|shared.txt']);
    // The function's role cannot be assumed outside Lambda: its cells are listed, with the reason.
    const untested = report.untested.filter((u) => u.persona === 'function:thumbnails');
    expect(untested.length).toBeGreaterThan(0);
    expect(untested.every((u) => /only AWS Lambda can assume/.test(u.reason))).toBe(true);
    // So are the IAM admin's: its own policy, not the app's rules, decides its bucket access.
    const admin = report.untested.filter((u) => u.persona === 'iamAdmin' && u.id.startsWith('photos:'));
    expect(admin.length).toBeGreaterThan(0);
    expect(admin.every((u) => /own IAM policy, which authmatrix does not read/.test(u.reason))).toBe(true);
    expect(r.stderr).toMatch(/Deleted \d+ storage objects of run \w+\./);
    await nothingLeft();
  }, 300_000);

  it('Ctrl-C in the middle: exit 130, the objects written so far are deleted, the report says interrupted', async () => {
    const { outputs, config } = deployedApp();
    const out = path.join(dir, 'interrupted');
    const { code, stderr } = await cliStoppedMidRun(['run', '--schema', example('photos'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], 'SIGINT', { cwd: dir, env: awsEnv() });
    expect(stderr).toMatch(/SIGINT: stopping run \w+; the cells that finished are reported/);
    expect(stderr).toMatch(/Deleted \d+ storage objects? of run \w+\./);
    expect(code).toBe(130);
    await nothingLeft();
    const report = results(out);
    expect(report.interrupted).toMatchObject({ signal: 'SIGINT', cellsRun: report.cells.length });
    expect(report.cells.length).toBeGreaterThan(0);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
  }, 300_000);

  it('a run killed outright leaves a ledger naming its objects before it wrote them; `authmatrix personas cleanup` deletes them, its users and groups', async () => {
    const { outputs, config } = deployedApp();
    await cliStoppedMidRun(['run', '--schema', example('photos'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', path.join(dir, 'killed')], 'kill', { cwd: dir, env: awsEnv() });
    const ledgers = path.join(dir, '.authmatrix', 'runs');
    const files = readdirSync(ledgers);
    expect(files).toHaveLength(1);
    const entry = JSON.parse(readFileSync(path.join(ledgers, files[0]!), 'utf8')) as LedgerEntry;
    const left = objectsLeft().keys;
    expect(left.length).toBeGreaterThan(0);
    // Every object in the buckets is one the ledger named.
    const named = new Set((entry.objects ?? []).map((o) => `${o.bucket}/${o.key}`));
    expect(left.filter((k) => !named.has(k))).toEqual([]);
    expect(entry.users.length).toBeGreaterThan(0);

    const r = await cli(['personas', 'cleanup', '--outputs', outputs, '--config', config], { cwd: dir, env: awsEnv() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^swept 1 run ledger\\(s\\): deleted ${entry.users.length} user\\(s\\) and ${entry.groups.length} group\\(s\\), cleared ${entry.objects!.length} storage object key\\(s\\)`));
    expect(r.code).toBe(0);
    await nothingLeft();
  }, 300_000);
});
