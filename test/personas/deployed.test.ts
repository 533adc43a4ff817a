/**
 * The deployed-target personas, offline against real protocol peers: cognito-local (a Cognito user-pool
 * server, child process on a loopback port) and the embedded emulator trusting its issuer and JWKS, as
 * AppSync trusts a real pool. Real SDK calls, real tokens, real requests; nothing of ours is mocked.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { CreateGroupCommand, GetGroupCommand, ListUsersInGroupCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GraphQLClient } from '../../harness/client/http.js';
import type { ClientAuth } from '../../harness/client/auth.js';
import type { AuthmatrixConfig } from '../../harness/config.js';
import type { PersonaOverride } from '../../harness/matrix/cast.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { castWith } from '../../harness/matrix/cast.js';
import { decide } from '../../harness/rules/decide.js';
import { InputError } from '../../harness/schema/errors.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { cleanup, deployedTarget, provisionCast, type ProvisionedPersona } from '../../personas/index.js';
import type { DeployedTarget } from '../../personas/shared/deployed.js';
import { signUpAndIn } from '../../personas/shared/user-pool.js';
import { cli, example, ROOT } from '../cli/cli.js';
import { DUMMY_CREDENTIALS, startCognitoLocal, type CognitoLocal } from './cognito-local.js';

const SCHEMA = example('blog/amplify/data/resource.ts');
const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];
/** cognito-local checks no signature, but the SDK's default credential chain must find something. */
const FAKE_AWS_ENV = { AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

let cl: CognitoLocal;
let emu: Emulator;
let model: AuthModel;
let dir: string;
let config: AuthmatrixConfig;
let savedEnv: Record<string, string | undefined>;
const targets: DeployedTarget[] = [];

beforeAll(async () => {
  savedEnv = Object.fromEntries([...CREDENTIAL_ENV, 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'].map((k) => [k, process.env[k]]));
  for (const k of CREDENTIAL_ENV) delete process.env[k];
  Object.assign(process.env, FAKE_AWS_ENV);
  dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-deployed-'));
  [cl, model] = await Promise.all([startCognitoLocal(), loadAuthModel(SCHEMA)]);
  emu = await startEmulator({ model, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl }, log: () => {} });
  config = { deployed: { endpoints: { cognitoIdentityProvider: cl.endpoint } } };
});

afterAll(async () => {
  for (const t of targets) await cleanup(t).catch(() => {});
  await emu?.stop();
  await cl?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** The app's amplify_outputs.json: data = the emulator, auth = cognito-local's pool and the given app client. */
function outputsFile(clientId: string, auth: Record<string, unknown> = {}): string {
  const file = path.join(dir, `amplify_outputs.${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({
    version: '1.3',
    auth: { aws_region: 'us-east-1', user_pool_id: cl.poolId, user_pool_client_id: clientId, username_attributes: [], ...auth },
    data: { url: emu.url, aws_region: emu.region, api_key: emu.apiKey, default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['API_KEY', 'AWS_IAM', 'AWS_LAMBDA', 'OPENID_CONNECT'] },
  }));
  return file;
}

function target(clientId = cl.clients.admin, options: { auth?: Record<string, unknown>; config?: AuthmatrixConfig; ledgerDir?: string } = {}): DeployedTarget {
  const t = deployedTarget(outputsFile(clientId, options.auth), options.config ?? config, { ledgerDir: options.ledgerDir ?? path.join(dir, 'runs') });
  targets.push(t);
  return t;
}

function cast(names: string[], overrides?: Record<string, PersonaOverride | false>) {
  const all = castWith(model, overrides);
  return names.map((n) => {
    const p = all.find((x) => x.name === n);
    if (!p) throw new Error(`no persona ${n}`);
    return p;
  });
}

const byName = (ps: ProvisionedPersona[]) => Object.fromEntries(ps.map((p) => [p.name, p])) as Record<string, ProvisionedPersona>;
const tokenOf = async (p: ProvisionedPersona): Promise<string> => {
  if (p.auth.mode !== 'userPool') throw new Error(`${p.name} is not a user-pool persona`);
  return typeof p.auth.token === 'function' ? p.auth.token() : p.auth.token;
};
const gql = (auth: ClientAuth, query: string, variables: Record<string, unknown> = {}) => new GraphQLClient({ url: emu.url, auth }).graphql({ query, variables });
const runUsers = async (t: DeployedTarget) => (await cl.usernames()).filter((u) => u.startsWith(`am-${t.runId}-`));

const setupOrError = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e as Error).message);

/** The one-line error a bad setup must produce. */
async function setupLine(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  const line = (e as InputError).format();
  expect(line).not.toMatch(/\n/);
  expect(line).toMatch(/\. Fix: \S/);
  return line;
}

const POST_FIELDS = 'id title content editors owner createdAt updatedAt';
const CREATE_POST = `mutation($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} } }`;
const UPDATE_POST = `mutation($input: UpdatePostInput!) { updatePost(input: $input) { ${POST_FIELDS} } }`;
const DELETE_POST = `mutation($input: DeletePostInput!) { deletePost(input: $input) { ${POST_FIELDS} } }`;
const GET_POST = `query($id: ID!) { getPost(id: $id) { ${POST_FIELDS} } }`;

describe('user-pool personas on a deployed target (cognito-local)', () => {
  test('owner, stranger and groupMember:Admin get real Cognito tokens, and their requests get the verdicts the oracle expects', async () => {
    const t = target();
    expect(await cl.groups()).not.toContain('Admin');
    const ps = byName(await provisionCast(cast(['owner', 'stranger', 'groupMember:Admin']), t, model, config));
    const jwks = createRemoteJWKSet(new URL(cl.jwksUrl));
    const claims: Record<string, JWTPayload> = {};
    for (const [name, base] of [['owner', 'owner'], ['stranger', 'stranger'], ['groupMember:Admin', 'member-admin']] as const) {
      const p = ps[name]!;
      expect(p.provisioning).toContain('ADMIN_USER_PASSWORD_AUTH');
      const token = await tokenOf(p);
      // Signed by cognito-local itself, for this pool and app client.
      const { payload } = await jwtVerify(token, jwks, { issuer: cl.issuer, algorithms: ['RS256'] });
      expect(payload).toMatchObject({ token_use: 'access', username: `am-${t.runId}-${base}`, client_id: cl.clients.admin });
      expect(p.identity).toEqual({ kind: 'userPool', claims: decodeJwt(token) });
      claims[name] = payload;
    }
    expect(claims['groupMember:Admin']!['cognito:groups']).toEqual(['Admin']);
    expect(claims.owner!['cognito:groups']).toBeUndefined();
    expect(claims.stranger!['cognito:groups']).toBeUndefined();
    expect(await runUsers(t)).toEqual([`am-${t.runId}-member-admin`, `am-${t.runId}-owner`, `am-${t.runId}-stranger`]);

    // The owner creates a Post: allowed, and the owner field is filled from the token's sub and username.
    const owner = ps.owner!;
    const input = { title: 'from a Cognito user' };
    expect(decide(model, owner.identity, 'create', { type: 'Post', input }).outcome).toBe('allow');
    const created = await gql(owner.auth, CREATE_POST, { input });
    expect(created.errors).toEqual([]);
    const post = created.data!.createPost as Record<string, unknown>;
    // Stored as `sub::username`, shown as the username (Amplify's owner field resolver).
    expect(post.owner).toBe(`am-${t.runId}-owner`);
    const stored = emu.store.table('Post').get({ id: post.id })!;
    expect(stored.owner).toBe(`${claims.owner!.sub}::am-${t.runId}-owner`);

    // The stranger may not update it.
    const change = { id: post.id, title: 'hijacked' };
    expect(decide(model, ps.stranger!.identity, 'update', { type: 'Post', record: stored, input: change }).outcome).toBe('deny');
    const updated = await gql(ps.stranger!.auth, UPDATE_POST, { input: change });
    expect(updated.status).toBe(200);
    expect(updated.data).toEqual({ updatePost: null });
    expect(updated.errors.map((e) => e.errorType)).toEqual(['Unauthorized']);

    // An Admin may delete it; afterwards the owner finds nothing.
    expect(decide(model, ps['groupMember:Admin']!.identity, 'delete', { type: 'Post', record: stored }).outcome).toBe('allow');
    const deleted = await gql(ps['groupMember:Admin']!.auth, DELETE_POST, { input: { id: post.id } });
    expect(deleted.errors).toEqual([]);
    expect((deleted.data!.deletePost as Record<string, unknown>).id).toBe(post.id);
    expect((await gql(owner.auth, GET_POST, { id: post.id })).data).toEqual({ getPost: null });

    // Cleanup deletes the three users and the group the run created, then the ledger.
    expect(existsSync(t.ledger.file)).toBe(true);
    expect(await cleanup(t)).toEqual({ users: 3, groups: 1 });
    expect(await runUsers(t)).toEqual([]);
    expect(await cl.groups()).not.toContain('Admin');
    expect(existsSync(t.ledger.file)).toBe(false);
  });

  test('tokenUse id sends the ID token (cognito:username, aud), and the owner rule reads it', async () => {
    const t = target();
    const [owner] = await provisionCast(cast(['owner'], { owner: { tokenUse: 'id' } }), t, model, config);
    const claims = decodeJwt(await tokenOf(owner!));
    expect(claims).toMatchObject({ token_use: 'id', 'cognito:username': `am-${t.runId}-owner`, aud: cl.clients.admin, iss: cl.issuer });
    expect(claims.username).toBeUndefined();
    expect(owner!.provisioning).toContain('id token');
    const created = await gql(owner!.auth, CREATE_POST, { input: { title: 'with an ID token' } });
    expect(created.errors).toEqual([]);
    const id = (created.data!.createPost as Record<string, unknown>).id;
    expect(emu.store.table('Post').get({ id })!.owner).toBe(`${claims.sub}::am-${t.runId}-owner`);
    await cleanup(t);
    expect(await runUsers(t)).toEqual([]);
  });

  test('groups are created only when missing (once, however many members join at once), and pre-existing groups are never deleted', async () => {
    await cl.idp.send(new CreateGroupCommand({ UserPoolId: cl.poolId, GroupName: 'HR', Description: 'made by the app' }));
    const t = target();
    const personas = cast(['groupMember:Admin', 'groupMember:HR', 'admin2', 'admin3'], {
      admin2: { kind: 'groupMember', username: 'admin-two', groups: ['Admin'] },
      admin3: { kind: 'groupMember', username: 'admin-three', groups: ['Admin'] },
    });
    const ps = byName(await provisionCast(personas, t, model, config));
    expect(t.ledger.groups).toEqual(['Admin']);
    expect(decodeJwt(await tokenOf(ps['groupMember:HR']!))['cognito:groups']).toEqual(['HR']);
    // cognito-local's CreateGroup on an existing name empties the group: a second creation would show here.
    const members = await cl.idp.send(new ListUsersInGroupCommand({ UserPoolId: cl.poolId, GroupName: 'Admin' }));
    expect((members.Users ?? []).map((u) => u.Username).sort()).toEqual([`am-${t.runId}-admin-three`, `am-${t.runId}-admin-two`, `am-${t.runId}-member-admin`]);
    expect(await cleanup(t)).toEqual({ users: 4, groups: 1 });
    expect(await cl.groups()).toContain('HR');
    expect(await cl.groups()).not.toContain('Admin');
    expect((await cl.idp.send(new GetGroupCommand({ UserPoolId: cl.poolId, GroupName: 'HR' }))).Group?.Description).toBe('made by the app');
    expect(await runUsers(t)).toEqual([]);
  });

  test('USER_PASSWORD_AUTH is chosen when it is the only flow the app client allows', async () => {
    const t = target(cl.clients.userPassword);
    const [owner] = await provisionCast(cast(['owner']), t, model, config);
    expect(owner!.provisioning).toContain('USER_PASSWORD_AUTH');
    expect(owner!.provisioning).not.toContain('ADMIN_USER_PASSWORD_AUTH');
    expect(decodeJwt(await tokenOf(owner!))).toMatchObject({ client_id: cl.clients.userPassword, username: `am-${t.runId}-owner` });
    expect((await gql(owner!.auth, CREATE_POST, { input: { title: 'via USER_PASSWORD_AUTH' } })).errors).toEqual([]);
    await cleanup(t);
    expect(await runUsers(t)).toEqual([]);
  });

  test('tokens are refreshed when they expire during a run (and a revoked refresh token means signing in again)', async () => {
    // cognito-local honours the app client's token validity, in seconds too (real Cognito: 5 minutes at least).
    const short = await cl.addClient({
      ClientName: 'short-lived',
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AccessTokenValidity: 3,
      IdTokenValidity: 3,
      TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' },
    });
    const t = target(short);
    const [owner] = await provisionCast(cast(['owner']), t, model, config);
    const session = await signUpAndIn(t, 'refresher', cast(['stranger'])[0]!);
    const first = await tokenOf(owner!);
    const tokens1 = await session.fresh();
    const c1 = decodeJwt(first);
    expect(c1.exp! - c1.iat!).toBe(3);
    const expired = async (token: string) => {
      const exp = decodeJwt(token).exp! * 1000;
      while (Date.now() < exp + 20) await new Promise((r) => setTimeout(r, exp + 20 - Date.now()));
    };
    await expired(first);
    await expired(tokens1.AccessToken!);

    // The old token is refused as expired; the persona's requests carry a refreshed one.
    const stale = await gql({ mode: 'userPool', token: first }, CREATE_POST, { input: { title: 'stale' } });
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }] });
    const fresh = await gql(owner!.auth, CREATE_POST, { input: { title: 'fresh' } });
    expect(fresh.errors).toEqual([]);
    const c2 = decodeJwt(await tokenOf(owner!));
    expect(c2.jti).not.toBe(c1.jti);
    expect(c2.exp!).toBeGreaterThan(c1.exp!);
    expect(c2.username).toBe(c1.username);

    // Concurrent callers share one refresh, made with REFRESH_TOKEN_AUTH (the refresh token is kept).
    const [a, b] = await Promise.all([session.fresh(), session.fresh()]);
    expect(a).toBe(b);
    expect(a.AccessToken).not.toBe(tokens1.AccessToken);
    expect(a.RefreshToken).toBe(tokens1.RefreshToken);

    // A revoked refresh token: the session signs in again (a new refresh token).
    await cl.idp.send(new RevokeTokenCommand({ ClientId: short, Token: a.RefreshToken! }));
    await expired(a.AccessToken!);
    const again = await session.fresh();
    expect(again.RefreshToken).not.toBe(a.RefreshToken);
    expect(decodeJwt(again.AccessToken!)).toMatchObject({ username: `am-${t.runId}-refresher`, token_use: 'access' });
    await cleanup(t);
    expect(await runUsers(t)).toEqual([]);
  });

  test('once cleanup has begun no persona is created, and creations under way are cleaned up too', async () => {
    const t = target();
    const cleaning = cleanup(t);
    const refused = await setupOrError(provisionCast(cast(['owner']), t, model, config));
    expect(refused).toBe(`creating user-pool persona owner: run ${t.runId} is being cleaned up`);
    await cleaning;

    // Cleanup starting while the first user is being created (concurrency 1: the others wait their turn).
    const u = target();
    const outcome = provisionCast(cast(['owner', 'stranger', 'groupMember:Admin']), u, model, config, 1).then(() => 'provisioned', (e: unknown) => (e as Error).message);
    // Checked on every turn of the event loop: the user is recorded just before AdminCreateUser is sent.
    while (u.ledger.users.length === 0) await new Promise((r) => setImmediate(r));
    await cleanup(u);
    expect(await outcome).toMatch(/is being cleaned up|User not authorized|User does not exist/);
    expect(await runUsers(u)).toEqual([]);
    expect(await cl.groups()).not.toContain('Admin');
    expect(existsSync(u.ledger.file)).toBe(false);
  });

  test('OIDC personas get their token from oidc.tokenCommand, run with AUTHMATRIX_PERSONA', async () => {
    // The command asks the emulator's OIDC issuer (the "IdP" here) for a token for the persona it is run for.
    const credentials = emu.url.replace(/\/graphql$/, '/.authmatrix/credentials');
    const script = 'const p = process.env.AUTHMATRIX_PERSONA; fetch(process.argv[1], { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "oidc", sub: p, claims: { user_id: p } }) }).then((r) => r.json()).then((b) => process.stdout.write(b.token))';
    const withCommand: AuthmatrixConfig = { ...config, oidc: { tokenCommand: `"${process.execPath}" -e '${script}' ${credentials}` } };
    const t = target(cl.clients.admin, { config: withCommand });
    const [oidc] = await provisionCast(cast(['oidcUser']), t, model, withCommand);
    expect(oidc!.provisioning).toBe('OIDC token from the configured command (AUTHMATRIX_PERSONA=oidcUser)');
    expect(oidc!.identity).toMatchObject({ kind: 'oidc', claims: { sub: 'oidcUser', user_id: 'oidcUser' } });
    const created = await gql(oidc!.auth, 'mutation { createTicket(input: { subject: "help" }) { id owner } }');
    expect(created.errors).toEqual([]);
    expect((created.data!.createTicket as Record<string, unknown>).owner).toBe('oidcUser');
    await cleanup(t);
  });
});

describe('a crashed run', () => {
  test('`authmatrix personas cleanup --run <id>` sweeps its ledger, and the users of a run whose ledger is lost', async () => {
    const cwd = mkdtempSync(path.join(dir, 'app-'));
    const ledgerDir = path.join(cwd, '.authmatrix', 'runs');
    const crashed = target(cl.clients.admin, { ledgerDir });
    await provisionCast(cast(['owner', 'groupMember:Admin']), crashed, model, config);
    const lost = target(cl.clients.admin, { ledgerDir });
    await provisionCast(cast(['stranger']), lost, model, config);
    rmSync(lost.ledger.file);
    expect(existsSync(crashed.ledger.file)).toBe(true);
    expect(await runUsers(crashed)).toHaveLength(2);
    expect(await cl.groups()).toContain('Admin');

    const configFile = path.join(cwd, 'authmatrix.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const outputs = path.join(path.relative(cwd, dir), path.basename(outputsFile(cl.clients.admin)));
    const sweep = (run: string) => cli(['personas', 'cleanup', '--outputs', outputs, '--run', run, '--config', configFile], { cwd, env: FAKE_AWS_ENV });

    const first = await sweep(crashed.runId);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('swept 1 run ledger(s): deleted 2 user(s) and 1 group(s)');
    expect(await runUsers(crashed)).toEqual([]);
    expect(await cl.groups()).not.toContain('Admin');
    expect(existsSync(crashed.ledger.file)).toBe(false);
    // Another run's user is not touched by a sweep of this one.
    expect(await runUsers(lost)).toEqual([`am-${lost.runId}-stranger`]);

    const second = await sweep(lost.runId);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('swept 0 run ledger(s): deleted 1 user(s) and 0 group(s)');
    expect(await runUsers(lost)).toEqual([]);
  });

  test.each([
    ['SIGINT', 130, ['owner', 'stranger', 'groupMember:Admin']],
    ['SIGTERM', 143, ['owner']],
  ] as const)('%s after provisioning: cleanupOnSignal deletes the run\'s users and groups and exits with %i', async (signal, code, personas) => {
    const ledgerDir = path.join(dir, `signal-${signal}`);
    const child = spawn(process.execPath, [path.join(ROOT, 'test/fixtures/personas/interrupted-run.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        AUTHMATRIX_TEST_SCHEMA: SCHEMA,
        AUTHMATRIX_TEST_OUTPUTS: outputsFile(cl.clients.admin),
        AUTHMATRIX_TEST_CONFIG: JSON.stringify(config),
        AUTHMATRIX_TEST_PERSONAS: personas.join(','),
        AUTHMATRIX_TEST_LEDGER_DIR: ledgerDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const runId = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /^ready (\S+)$/m.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then((c) => reject(new Error(`the run exited (${c}) before it was ready: ${stderr}`)));
    });
    const ledger = path.join(ledgerDir, `${runId}.json`);
    expect(existsSync(ledger)).toBe(true);
    expect((await cl.usernames()).filter((u) => u.startsWith(`am-${runId}-`))).toHaveLength(personas.length);

    child.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr).toContain(`${signal}: deleting the users and groups of run ${runId}`);
    expect((await cl.usernames()).filter((u) => u.startsWith(`am-${runId}-`))).toEqual([]);
    expect(await cl.groups()).not.toContain('Admin');
    expect(existsSync(ledger)).toBe(false);
  });
});

describe('a bad setup is one line naming the fix', () => {
  test('a wrong user pool id (and cleanup afterwards still succeeds)', async () => {
    const t = target(cl.clients.admin, { auth: { user_pool_id: 'local_NoSuchPl' } });
    const line = await setupLine(provisionCast(cast(['owner']), t, model, config));
    expect(line).toContain('the user pool local_NoSuchPl or its app client');
    expect(line).toContain('Fix: check auth.aws_region, auth.user_pool_id and auth.user_pool_client_id in amplify_outputs.json');
    expect(await cleanup(t)).toEqual({ users: 0, groups: 0 });
    expect(existsSync(t.ledger.file)).toBe(false);
  });

  test('a pool id from another region than auth.aws_region', async () => {
    const file = outputsFile(cl.clients.admin, { user_pool_id: 'eu-west-1_AbCdEfGhI' });
    const line = await setupLine(Promise.resolve().then(() => deployedTarget(file, config, { ledgerDir: path.join(dir, 'runs') })));
    expect(line).toContain('the user pool eu-west-1_AbCdEfGhI is in eu-west-1, but auth.aws_region is us-east-1');
  });

  test('an SRP-only app client on cognito-local: it does not implement SRP (the user made for it is cleaned up)', async () => {
    const t = target(cl.clients.srp);
    const line = await setupLine(provisionCast(cast(['owner']), t, model, config));
    expect(line).toMatch(/^persona owner cannot sign in: this Cognito endpoint does not implement USER_SRP_AUTH \(.*\)\. Fix: enable ALLOW_ADMIN_USER_PASSWORD_AUTH or ALLOW_USER_PASSWORD_AUTH/);
    expect(await runUsers(t)).toEqual([`am-${t.runId}-owner`]);
    await cleanup(t);
    expect(await runUsers(t)).toEqual([]);
  });

  test('deployed.authFlow names a flow the app client does not allow (checked before any user is created)', async () => {
    const withFlow: AuthmatrixConfig = { ...config, deployed: { ...config.deployed, authFlow: 'ADMIN_USER_PASSWORD_AUTH' } };
    const t = target(cl.clients.userPassword, { config: withFlow });
    const line = await setupLine(provisionCast(cast(['owner']), t, model, withFlow));
    expect(line).toBe(`deployed.authFlow is ADMIN_USER_PASSWORD_AUTH, which app client ${cl.clients.userPassword} does not allow (it allows ALLOW_USER_PASSWORD_AUTH). Fix: enable ALLOW_ADMIN_USER_PASSWORD_AUTH on the app client, or set deployed.authFlow in authmatrix.config.ts to a flow it allows`);
    expect(await runUsers(t)).toEqual([]);
    expect(t.ledger.users).toEqual([]);
  });

  test('no AWS credentials at all: iamAdmin, and the admin calls that create user-pool personas', async () => {
    const empty = path.join(dir, 'empty-aws-file');
    writeFileSync(empty, '');
    const saved = { ...process.env };
    for (const k of CREDENTIAL_ENV) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty, AWS_EC2_METADATA_DISABLED: 'true' });
    try {
      const t = target();
      const admin = await setupLine(provisionCast(cast(['iamAdmin']), t, model, config));
      expect(admin).toBe('the iamAdmin persona found no AWS credentials. Fix: configure the default credential chain (AWS_PROFILE or AWS_ACCESS_KEY_ID), or drop iamAdmin in authmatrix.config.ts');
      const owner = await setupLine(provisionCast(cast(['owner']), t, model, config));
      expect(owner).toMatch(/^reading the sign-in flows of app client \S+: no AWS credentials\. Fix: set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('guest with an identity pool that disables guest access', async () => {
    const t = target(cl.clients.admin, { auth: { identity_pool_id: 'us-east-1:00000000-0000-4000-8000-000000000000', unauthenticated_identities_enabled: false } });
    const line = await setupLine(provisionCast(cast(['guest']), t, model, config));
    expect(line).toBe('guest access is disabled on identity pool us-east-1:00000000-0000-4000-8000-000000000000. Fix: enable unauthenticated identities (Gen 2 defineAuth does by default), or drop the guest persona');
  });

  test('an OIDC persona without a token source, and a token command that fails (without echoing the command)', async () => {
    const t = target();
    expect(await setupLine(provisionCast(cast(['oidcUser']), t, model, config))).toBe(
      'persona oidcUser needs an OIDC token on a deployed target. Fix: set oidc.tokenCommand, oidc.clientCredentials, or personas["oidcUser"].token in authmatrix.config.ts');
    const failing: AuthmatrixConfig = { ...config, oidc: { tokenCommand: 'echo "client_secret=s3cr3t" >/dev/null; echo no IdP here >&2; exit 3' } };
    const line = await setupLine(provisionCast(cast(['oidcUser']), t, model, failing));
    expect(line).toBe('oidc.tokenCommand failed for oidcUser (exit 3: no IdP here). Fix: make the command print a token for the persona named in $AUTHMATRIX_PERSONA');
    expect(line).not.toContain('s3cr3t');
  });

  test('a Lambda persona without a token', async () => {
    const t = target();
    expect(await setupLine(provisionCast(cast(['lambdaAllowed']), t, model, config))).toBe(
      'persona lambdaAllowed needs a Lambda token. Fix: set personas.lambdaAllowed.token in authmatrix.config.ts to a token the authorizer accepts');
  });
});
