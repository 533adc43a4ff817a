/**
 * A deployed Amplify app as a persona target: its `amplify_outputs.json`, the AWS SDK clients for its
 * user pool and identity pool, and a write-ahead ledger of every user and group created, so that they
 * are deleted at the end, on failure and on Ctrl-C, and swept after a crash.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  DeleteGroupCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { AuthmatrixConfig } from '../../harness/config.js';
import { InputError } from '../../harness/schema/errors.js';

export const USER_PREFIX = 'am-';

export interface LedgerEntry {
  runId: string;
  region: string;
  userPoolId?: string;
  users: string[];
  groups: string[];
  startedAt: string;
}

export interface DeployedTarget {
  kind: 'deployed';
  url: string;
  region: string;
  apiKey?: string;
  userPool?: { poolId: string; clientId: string; usernameIsEmail: boolean };
  identityPool?: { id: string; allowGuests: boolean };
  runId: string;
  ledger: Ledger;
  config: AuthmatrixConfig;
  cognito(): CognitoIdentityProviderClient;
  identity(): CognitoIdentityClient;
}

/** Records what a run created, on disk, before creating it. */
export class Ledger {
  readonly file: string;
  private readonly entry: LedgerEntry;

  constructor(dir: string, entry: Omit<LedgerEntry, 'users' | 'groups' | 'startedAt'>) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${entry.runId}.json`);
    this.entry = { ...entry, users: [], groups: [], startedAt: new Date().toISOString() };
    this.save();
  }

  user(name: string): void {
    if (!this.entry.users.includes(name)) this.entry.users.push(name);
    this.save();
  }

  group(name: string): void {
    if (!this.entry.groups.includes(name)) this.entry.groups.push(name);
    this.save();
  }

  get users(): readonly string[] {
    return this.entry.users;
  }

  get groups(): readonly string[] {
    return this.entry.groups;
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
}

export function readOutputs(file: string): Outputs {
  if (!existsSync(file)) throw new InputError('amplify_outputs.json not found', { file }, 'pass --outputs with the file `npx ampx generate outputs` wrote');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Outputs;
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, 'regenerate it with `npx ampx generate outputs`');
  }
}

export function deployedTarget(outputsFile: string, config: AuthmatrixConfig, options: { runId?: string; ledgerDir?: string } = {}): DeployedTarget {
  const outputs = readOutputs(outputsFile);
  const data = outputs.data;
  if (!data?.url || !data.aws_region) throw new InputError('the outputs have no data section (url, aws_region)', { file: outputsFile }, 'deploy the app with defineData and regenerate the outputs');
  const region = data.aws_region;
  const auth = outputs.auth;
  const runId = options.runId ?? newRunId();
  const endpoints = config.deployed?.endpoints ?? {};
  let cognito: CognitoIdentityProviderClient | undefined;
  let identity: CognitoIdentityClient | undefined;
  const target: DeployedTarget = {
    kind: 'deployed',
    url: data.url,
    region,
    ...(data.api_key ? { apiKey: data.api_key } : {}),
    ...(auth?.user_pool_id && auth.user_pool_client_id
      ? { userPool: { poolId: auth.user_pool_id, clientId: auth.user_pool_client_id, usernameIsEmail: (auth.username_attributes ?? []).includes('email') } }
      : {}),
    ...(auth?.identity_pool_id ? { identityPool: { id: auth.identity_pool_id, allowGuests: auth.unauthenticated_identities_enabled === true } } : {}),
    runId,
    ledger: new Ledger(options.ledgerDir ?? LEDGER_DIR, { runId, region, ...(auth?.user_pool_id ? { userPoolId: auth.user_pool_id } : {}) }),
    config,
    cognito: () => (cognito ??= new CognitoIdentityProviderClient({ region: auth?.aws_region ?? region, maxAttempts: 2, ...(endpoints.cognitoIdentityProvider ? { endpoint: endpoints.cognitoIdentityProvider } : {}) })),
    identity: () => (identity ??= new CognitoIdentityClient({ region: auth?.aws_region ?? region, maxAttempts: 2, ...(endpoints.cognitoIdentity ? { endpoint: endpoints.cognitoIdentity } : {}) })),
  };
  return target;
}

/** Deletes every user and group the run created, then its ledger. Safe to call twice. */
export async function cleanup(target: DeployedTarget): Promise<{ users: number; groups: number }> {
  const { users, groups } = await deleteCreated(target.cognito(), target.userPool?.poolId, target.ledger.users, target.ledger.groups);
  target.ledger.remove();
  return { users, groups };
}

async function deleteCreated(client: CognitoIdentityProviderClient, poolId: string | undefined, users: readonly string[], groups: readonly string[]): Promise<{ users: number; groups: number }> {
  if (!poolId) return { users: 0, groups: 0 };
  let u = 0;
  let g = 0;
  for (const username of users) {
    try {
      await client.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username }));
      u++;
    } catch (e) {
      if ((e as Error).name !== 'UserNotFoundException') throw e;
    }
  }
  for (const name of groups) {
    try {
      await client.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: name }));
      g++;
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
  }
  return { users: u, groups: g };
}

/**
 * Sweeps what crashed runs left: the users and groups of their ledgers, and any user whose name
 * carries the run's prefix (`am-<runId>-`, or every `am-` user when no run is named).
 */
export async function sweep(outputsFile: string, config: AuthmatrixConfig, options: { runId?: string; ledgerDir?: string } = {}): Promise<{ runs: string[]; users: number; groups: number }> {
  const target = deployedTarget(outputsFile, config, { runId: `sweep-${newRunId()}`, ...(options.ledgerDir ? { ledgerDir: options.ledgerDir } : {}) });
  target.ledger.remove();
  const poolId = target.userPool?.poolId;
  const dir = options.ledgerDir ?? LEDGER_DIR;
  const ledgers = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
  const runs: string[] = [];
  let users = 0;
  let groups = 0;
  for (const file of ledgers) {
    const entry = Ledger.read(file);
    if (options.runId && entry.runId !== options.runId) continue;
    if (entry.userPoolId !== poolId) continue;
    const done = await deleteCreated(target.cognito(), poolId, entry.users, entry.groups);
    users += done.users;
    groups += done.groups;
    runs.push(entry.runId);
    rmSync(file, { force: true });
  }
  if (poolId) {
    const prefix = options.runId ? `${USER_PREFIX}${options.runId}-` : USER_PREFIX;
    const listed = await target.cognito().send(new ListUsersCommand({ UserPoolId: poolId, Filter: `username ^= "${prefix}"` }));
    const names = (listed.Users ?? []).map((u) => u.Username!).filter((n) => n.startsWith(prefix));
    users += (await deleteCreated(target.cognito(), poolId, names, [])).users;
  }
  return { runs, users, groups };
}

/** One clear line for the AWS errors a bad setup produces. */
export function setupError(e: unknown, what: string, target: DeployedTarget): InputError {
  const err = e as Error & { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = err?.name ?? '';
  const message = String(err?.message ?? e).split('\n')[0] ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials|credentials/i.test(message) && /load|provider/i.test(message)) {
    return new InputError(`${what}: no AWS credentials`, undefined, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for an identity that may administer the user pool');
  }
  if (name === 'ResourceNotFoundException' && /pool/i.test(message)) {
    return new InputError(`${what}: the user pool ${target.userPool?.poolId} does not exist in ${target.region}`, undefined, 'check the region and the pool id in amplify_outputs.json (regenerate it for this environment)');
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    return new InputError(`${what}: AWS rejected the credentials (${message})`, undefined, 'check the AWS profile and its region');
  }
  if (name === 'AccessDeniedException') {
    return new InputError(`${what}: not allowed (${message})`, undefined, 'use credentials with cognito-idp:Admin* permissions on the user pool');
  }
  return new InputError(`${what}: ${name ? `${name}: ` : ''}${message}`, undefined, 'see the AWS error above');
}
