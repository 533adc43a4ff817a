/**
 * A deployed Amplify app as a persona target: its `amplify_outputs.json`, the AWS SDK clients for its
 * user pool and identity pool, and a write-ahead ledger of every user and group created, so that they
 * are deleted at the end, on failure and on Ctrl-C, and swept after a crash.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { AuthmatrixConfig } from '../../harness/config.js';
import { InputError } from '../../harness/schema/errors.js';
import { cognitoIdentity, cognitoIdentityProvider } from './aws-sdk.js';
import { deleteStoredObjects, type BucketsEndpoint, type StoredObject } from './stored-objects.js';

export const USER_PREFIX = 'am-';

export interface LedgerEntry {
  runId: string;
  region: string;
  userPoolId?: string;
  users: string[];
  groups: string[];
  /** Storage objects the run may write, recorded before the first write (absent in older ledgers). */
  objects?: StoredObject[];
  startedAt: string;
}

export interface DeployedTarget {
  kind: 'deployed';
  /** The GraphQL endpoint (outputs `data.url`), when the app has a data API. */
  url?: string;
  region: string;
  apiKey?: string;
  userPool?: { poolId: string; clientId: string; region: string; usernameIsEmail: boolean };
  identityPool?: { id: string; allowGuests: boolean };
  /** The REST APIs of `custom.API` (Amplify's REST guide puts them there): endpoint and region by name. */
  restApis: Record<string, { endpoint: string; region: string }>;
  /** The app's buckets (outputs `storage.buckets`): where the storage cells go. */
  storage?: BucketsEndpoint;
  runId: string;
  ledger: Ledger;
  config: AuthmatrixConfig;
  /** The SDK clients, created on first use (./aws-sdk.ts loads the SDK then). */
  cognito(): Promise<CognitoIdentityProviderClient>;
  identity(): Promise<CognitoIdentityClient>;
}

/**
 * Records what a run created, on disk, before creating it. Once cleanup begins the ledger is closed:
 * no new creation starts, and cleanup waits for the ones under way.
 */
export class Ledger {
  readonly file: string;
  private readonly entry: LedgerEntry;
  private closed = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(dir: string, entry: Omit<LedgerEntry, 'users' | 'groups' | 'startedAt'>) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${entry.runId}.json`);
    this.entry = { ...entry, users: [], groups: [], startedAt: new Date().toISOString() };
    this.save();
  }

  /** Runs steps that create users or groups; refused once cleanup has begun. */
  async creating<T>(what: string, steps: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`${what}: run ${this.entry.runId} is being cleaned up`);
    const p = steps();
    this.running.add(p);
    try {
      return await p;
    } finally {
      this.running.delete(p);
    }
  }

  /** Refuses new creations and waits for those under way. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  user(name: string): void {
    if (!this.entry.users.includes(name)) this.entry.users.push(name);
    this.save();
  }

  group(name: string): void {
    if (!this.entry.groups.includes(name)) this.entry.groups.push(name);
    this.save();
  }

  /** Objects the run is about to write (some may never be: deleting a missing key is harmless). */
  objects(list: readonly StoredObject[]): void {
    const known = new Set((this.entry.objects ?? []).map((o) => `${o.bucket}/${o.key}`));
    this.entry.objects = [...(this.entry.objects ?? []), ...list.filter((o) => !known.has(`${o.bucket}/${o.key}`))];
    this.save();
  }

  /** After the run deleted its objects: those still there. */
  objectsLeft(list: readonly StoredObject[]): void {
    this.entry.objects = [...list];
    this.save();
  }

  /** A group recorded before creating it turned out to exist already: it is not ours to delete. */
  forgetGroup(name: string): void {
    this.entry.groups = this.entry.groups.filter((g) => g !== name);
    this.save();
  }

  get users(): readonly string[] {
    return this.entry.users;
  }

  get groups(): readonly string[] {
    return this.entry.groups;
  }

  get storedObjects(): readonly StoredObject[] {
    return this.entry.objects ?? [];
  }

  private save(): void {
    writeFileSync(this.file, JSON.stringify(this.entry, null, 2) + '\n');
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }

  static read(file: string): LedgerEntry {
    return JSON.parse(readFileSync(file, 'utf8')) as LedgerEntry;
  }
}

export const LEDGER_DIR = path.join('.authmatrix', 'runs');

export function newRunId(): string {
  return `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}${randomBytes(3).toString('hex')}`;
}

interface Outputs {
  auth?: { aws_region?: string; user_pool_id?: string; user_pool_client_id?: string; identity_pool_id?: string; unauthenticated_identities_enabled?: boolean; username_attributes?: string[] };
  data?: { url?: string; aws_region?: string; api_key?: string };
  custom?: unknown;
  storage?: { aws_region?: string; bucket_name?: string; buckets?: { name?: string; bucket_name?: string; aws_region?: string }[] };
}

export function readOutputs(file: string): Outputs {
  if (!existsSync(file)) throw new InputError('amplify_outputs.json not found', { file }, 'pass --outputs with the file `npx ampx generate outputs` wrote');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Outputs;
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, 'regenerate it with `npx ampx generate outputs`');
  }
}

type Clients = Pick<DeployedTarget, 'url' | 'region' | 'apiKey' | 'userPool' | 'identityPool' | 'restApis' | 'storage' | 'cognito' | 'identity'>;

/** What the outputs say about the app, and SDK clients for its pools (created on first use). */
function appOf(outputsFile: string, config: AuthmatrixConfig): Clients {
  const outputs = readOutputs(outputsFile);
  const data = outputs.data;
  if (data && (!data.url || !data.aws_region)) throw new InputError('the outputs\' data section lacks url or aws_region', { file: outputsFile }, 'regenerate the outputs with `npx ampx generate outputs`');
  // An app without a data API: the region its auth, storage or REST APIs are in.
  const region = data?.aws_region ?? outputs.auth?.aws_region ?? outputs.storage?.aws_region ?? Object.values(restApisOf(outputs.custom, '')).find((a) => a.region)?.region;
  if (!region) throw new InputError('the outputs name no region (no data, auth, storage or custom.API section)', { file: outputsFile }, 'pass the amplify_outputs.json `npx ampx generate outputs` wrote for the deployed app');
  const auth = outputs.auth;
  const authRegion = auth?.aws_region ?? region;
  // A real pool id starts with its region (`us-east-1_AbC`): a mismatch would only surface as "not found".
  const poolRegion = /^([a-z]{2}(?:-[a-z]+)+-\d+)_/.exec(auth?.user_pool_id ?? '')?.[1];
  if (poolRegion && poolRegion !== authRegion) {
    throw new InputError(`the user pool ${auth!.user_pool_id} is in ${poolRegion}, but auth.aws_region is ${authRegion}`, { file: outputsFile }, 'regenerate the outputs with `npx ampx generate outputs` for this environment');
  }
  const endpoints = config.deployed?.endpoints ?? {};
  let cognito: Promise<CognitoIdentityProviderClient> | undefined;
  let identity: Promise<CognitoIdentityClient> | undefined;
  return {
    ...(data?.url ? { url: data.url } : {}),
    region,
    ...(data?.api_key ? { apiKey: data.api_key } : {}),
    ...(auth?.user_pool_id && auth.user_pool_client_id
      ? { userPool: { poolId: auth.user_pool_id, clientId: auth.user_pool_client_id, region: authRegion, usernameIsEmail: (auth.username_attributes ?? []).includes('email') } }
      : {}),
    ...(auth?.identity_pool_id ? { identityPool: { id: auth.identity_pool_id, allowGuests: auth.unauthenticated_identities_enabled === true } } : {}),
    restApis: restApisOf(outputs.custom, region),
    ...storageOf(outputs, outputsFile, config),
    cognito: () => (cognito ??= cognitoIdentityProvider().then(({ CognitoIdentityProviderClient }) =>
      new CognitoIdentityProviderClient({ region: authRegion, maxAttempts: 2, ...(endpoints.cognitoIdentityProvider ? { endpoint: endpoints.cognitoIdentityProvider } : {}) }))),
    identity: () => (identity ??= cognitoIdentity().then(({ CognitoIdentityClient }) =>
      new CognitoIdentityClient({ region: authRegion, maxAttempts: 2, ...(endpoints.cognitoIdentity ? { endpoint: endpoints.cognitoIdentity } : {}) }))),
  };
}

/** `custom.API[name] = { endpoint, region }`, as backend.ts adds it. */
export function restApisOf(custom: unknown, region: string): Record<string, { endpoint: string; region: string }> {
  const api = (custom as { API?: Record<string, { endpoint?: unknown; region?: unknown }> } | undefined)?.API ?? {};
  return Object.fromEntries(Object.entries(api).filter(([, v]) => typeof v?.endpoint === 'string').map(([name, v]) => [name, { endpoint: v.endpoint as string, region: typeof v.region === 'string' ? v.region : region }]));
}

/**
 * The buckets of `storage.buckets` by friendly name, and the S3 endpoint to reach them (the region's, or
 * `deployed.endpoints.s3` with `deployed.s3CaFile`: a local S3-compatible endpoint such as the emulator).
 */
function storageOf(outputs: Outputs, file: string, config: AuthmatrixConfig): Pick<Clients, 'storage'> {
  const s = outputs.storage;
  if (!s) return {};
  const region = s.aws_region ?? outputs.data?.aws_region ?? 'us-east-1';
  const list = s.buckets?.length ? s.buckets : s.bucket_name ? [{ name: s.bucket_name, bucket_name: s.bucket_name }] : [];
  const buckets = Object.fromEntries(list.filter((b) => b.bucket_name).map((b) => [b.name ?? b.bucket_name!, b.bucket_name!]));
  const endpoint = config.deployed?.endpoints?.s3;
  const caFile = config.deployed?.s3CaFile;
  if (caFile && !existsSync(caFile)) throw new InputError(`deployed.s3CaFile ${caFile} not found`, { file }, 'point it at the PEM of the CA that signed the S3 endpoint\'s certificate');
  return { storage: { endpointHost: endpoint ? endpoint.replace(/^https:\/\//, '').replace(/\/$/, '') : `s3.${region}.amazonaws.com`, region, buckets, ...(caFile ? { caPem: readFileSync(caFile, 'utf8') } : {}) } };
}

export function deployedTarget(outputsFile: string, config: AuthmatrixConfig, options: { runId?: string; ledgerDir?: string } = {}): DeployedTarget {
  const app = appOf(outputsFile, config);
  const runId = options.runId ?? newRunId();
  return {
    kind: 'deployed',
    ...app,
    runId,
    ledger: new Ledger(options.ledgerDir ?? LEDGER_DIR, { runId, region: app.region, ...(app.userPool ? { userPoolId: app.userPool.poolId } : {}) }),
    config,
  };
}

/**
 * Deletes every user and group the run created, then its ledger (kept when a deletion fails, or when
 * storage objects the run could not delete are left in it, for `authmatrix personas cleanup`). Creations
 * under way finish first; none starts after. Safe to call twice.
 */
export async function cleanup(target: DeployedTarget): Promise<{ users: number; groups: number }> {
  await target.ledger.close();
  let done;
  try {
    done = await deleteCreated(await target.cognito(), target.userPool?.poolId, target.ledger.users, target.ledger.groups);
  } catch (e) {
    throw setupError(e, `cleaning up run ${target.runId} (its ledger ${target.ledger.file} is kept for \`authmatrix personas cleanup\`)`, target);
  }
  if (!target.ledger.storedObjects.length) target.ledger.remove();
  return done;
}

async function deleteCreated(client: CognitoIdentityProviderClient, poolId: string | undefined, users: readonly string[], groups: readonly string[]): Promise<{ users: number; groups: number }> {
  if (!poolId) return { users: 0, groups: 0 };
  const { AdminDeleteUserCommand, DeleteGroupCommand } = await cognitoIdentityProvider();
  let u = 0;
  let g = 0;
  // Already gone (or the pool itself is: a run that failed on a wrong pool id created nothing).
  const gone = (e: unknown) => ['UserNotFoundException', 'ResourceNotFoundException'].includes((e as Error).name);
  for (const username of users) {
    try {
      await client.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username }));
      u++;
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  for (const name of groups) {
    try {
      await client.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: name }));
      g++;
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  return { users: u, groups: g };
}

/**
 * Sweeps what crashed runs left: the users and groups of their ledgers, and any user whose name
 * carries the run's prefix (`am-<runId>-`, or every `am-` user when no run is named).
 */
export async function sweep(outputsFile: string, config: AuthmatrixConfig, options: { runId?: string; ledgerDir?: string } = {}): Promise<{ runs: string[]; users: number; groups: number; objects: number; uploads: number }> {
  const app = appOf(outputsFile, config);
  const poolId = app.userPool?.poolId;
  const dir = options.ledgerDir ?? LEDGER_DIR;
  const ledgers = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
  const runs: string[] = [];
  let users = 0;
  let groups = 0;
  let objects = 0;
  let uploads = 0;
  const fail = (e: unknown) => {
    throw setupError(e, 'sweeping leftover personas', app);
  };
  for (const file of ledgers) {
    const entry = Ledger.read(file);
    if (options.runId && entry.runId !== options.runId) continue;
    if (entry.userPoolId !== poolId) continue;
    // The objects first: an interrupted sweep keeps the ledger, and with it the users.
    if (entry.objects?.length) {
      if (!app.storage) throw new InputError(`the ledger of run ${entry.runId} names storage objects, and the outputs name no bucket`, { file: outputsFile }, 'pass the outputs of the app the run used');
      const cleared = await deleteStoredObjects(app.storage, entry.runId, entry.objects);
      objects += cleared.objects;
      uploads += cleared.uploads;
    }
    const done = await deleteCreated(await app.cognito(), poolId, entry.users, entry.groups).catch(fail);
    users += done.users;
    groups += done.groups;
    runs.push(entry.runId);
    rmSync(file, { force: true });
  }
  if (app.userPool && poolId) {
    const prefix = options.runId ? `${USER_PREFIX}${options.runId}-` : USER_PREFIX;
    // Email-as-username pools store the user under its sub; our users are found by their email.
    const attribute = app.userPool.usernameIsEmail ? 'email' : 'username';
    const names: string[] = [];
    const [client, { ListUsersCommand }] = await Promise.all([app.cognito(), cognitoIdentityProvider()]);
    let token: string | undefined;
    do {
      const page = await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: `${attribute} ^= "${prefix}"`, ...(token ? { PaginationToken: token } : {}) })).catch(fail);
      for (const u of page.Users ?? []) {
        const value = attribute === 'email' ? u.Attributes?.find((a) => a.Name === 'email')?.Value : u.Username;
        if (value?.startsWith(prefix)) names.push(u.Username!);
      }
      token = page.PaginationToken;
    } while (token);
    users += (await deleteCreated(client, poolId, names, []).catch(fail)).users;
  }
  return { runs, users, groups, objects, uploads };
}

/** One clear line for the AWS errors a bad setup produces. */
export function setupError(e: unknown, what: string, target: Pick<DeployedTarget, 'userPool' | 'region'>): InputError {
  if (e instanceof InputError) return e;
  const err = e as Error & { name?: string };
  const name = err?.name ?? '';
  const message = String(err?.message ?? e).split('\n')[0] ?? '';
  const pool = target.userPool;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new InputError(`${what}: no AWS credentials`, undefined, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for an identity that may administer the user pool');
  }
  if (name === 'ResourceNotFoundException') {
    return new InputError(`${what}: the user pool ${pool?.poolId} or its app client ${pool?.clientId} does not exist in ${pool?.region ?? target.region} (${message})`, undefined,
      'check auth.aws_region, auth.user_pool_id and auth.user_pool_client_id in amplify_outputs.json (regenerate it for this environment)');
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return new InputError(`${what}: AWS rejected the credentials (${message})`, undefined, 'refresh the AWS credentials (AWS_PROFILE, aws sso login) and check their account');
  }
  if (name === 'AccessDeniedException') {
    return new InputError(`${what}: not allowed (${message})`, undefined, 'use credentials allowed cognito-idp:Admin*, CreateGroup, DeleteGroup, GetGroup, ListUsers and DescribeUserPoolClient on the user pool');
  }
  const code = (e as { code?: string })?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return new InputError(`${what}: cannot reach the Cognito endpoint (${message})`, undefined, 'check the network, the region, and deployed.endpoints in authmatrix.config.ts');
  }
  return new InputError(`${what}: ${name ? `${name}: ` : ''}${message}`, undefined, 'fix what the AWS error names');
}
