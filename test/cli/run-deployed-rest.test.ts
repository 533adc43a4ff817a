/**
 * `authmatrix run --target deployed` on the REST example, end to end and offline: the "deployed app" is
 * the emulator (its API Gateway, the control plane the run reads the API from with the real
 * @aws-sdk/client-api-gateway, and its HTTP API with @aws-sdk/client-apigatewayv2; its Cognito Identity API, its
 * AppSync API) trusting cognito-local for its
 * user pool; personas are created in cognito-local with the AWS SDK, and get identity-pool credentials
 * from the emulator's identity pool with the AWS SDK; the operator's AWS credentials (iamAdmin, the
 * control-plane reads) are an administrator role the emulator issued. The identity pool's roles are read
 * as deployed: GetIdentityPoolRoles from the emulator's identity API, the groups' roles from cognito-local
 * (the app's groups made there with their roles' ARNs, as a deployed Gen 2 app has them), the policies from
 * the emulator's IAM endpoint with the real @aws-sdk/client-iam. The run must match every cell,
 * read the deployed API and roles (drift reported), and leave no user, group or record behind, also when
 * Ctrl-C stops it.
 */
import { spawn } from 'node:child_process';
import { CreateGroupCommand, DeleteGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDocument } from '../../harness/client/documents.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { loadConfig, type AuthmatrixConfig } from '../../harness/config.js';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { startCognitoLocal, type CognitoLocal } from '../personas/cognito-local.js';
import { BIN, cli, example, fixture, results, scratchDir } from './cli.js';

const dir = scratchDir('authmatrix-deployed-rest-');
let cl: CognitoLocal;
let emu: Emulator;
let model: AuthModel;
/** The example's own config (its Lambda-authorizer callers). */
let exampleConfig: AuthmatrixConfig;

beforeAll(async () => {
  model = await loadAuthModel(example('rest'));
  exampleConfig = (await loadConfig(undefined, [example('rest')])).config;
  cl = await startCognitoLocal();
  emu = await appFor(model);
});

afterAll(async () => {
  await emu?.stop();
  await cl?.stop();
});

/** The emulator as the deployed app: cognito-local's groups stand for the app's groups and their roles. */
const appFor = (m: AuthModel) => startEmulator({ model: m, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl, groupRoles: true, clientId: cl.clients.admin }, log: () => undefined });

/**
 * The app's groups in cognito-local, each with the ARN of its role in the app (as Amplify deploys them);
 * returns their names. The run neither makes nor deletes groups that exist: the test deletes them.
 */
async function appGroups(app: Emulator): Promise<string[]> {
  const groups = app.model.rest?.rolePolicies.groupPrecedence ?? [];
  for (const [i, group] of groups.entries()) {
    await cl.idp.send(new CreateGroupCommand({ UserPoolId: cl.poolId, GroupName: group, Precedence: i, RoleArn: app.groupRoleArn(group)! }));
  }
  return [...groups].sort();
}

/**
 * The deployed app's outputs (`custom.API` as backend.ts adds it), an authmatrix.config.json for it, and
 * the environment of the run: the operator's AWS credentials, an administrator role the app issued (or
 * `operator`). Without its identity pool the personas that need one are turned off.
 */
function deployedApp(app: Emulator, name: string, identityPool = true, operator?: AwsCredentials): { outputs: string; config: string; env: NodeJS.ProcessEnv } {
  const outputs = path.join(dir, `${name}.amplify_outputs.json`);
  writeFileSync(outputs, JSON.stringify({
    version: '1.3',
    auth: {
      aws_region: 'us-east-1', user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [],
      ...(identityPool ? { identity_pool_id: app.identityPool!.poolId, unauthenticated_identities_enabled: true } : {}),
    },
    data: { url: app.url, aws_region: app.region, default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['AWS_IAM'] },
    custom: app.outputs().custom,
  }));
  const config = path.join(dir, `${name}.authmatrix.config.json`);
  writeFileSync(config, JSON.stringify({
    personas: identityPool ? exampleConfig.personas : { ...exampleConfig.personas, guest: false, iamUser: false, 'iamGroupMember:Admins': false, 'iamGroupMember:Auditors': false },
    deployed: { endpoints: { cognitoIdentityProvider: cl.endpoint, apiGateway: app.restControlPlane(), ...(identityPool ? { cognitoIdentity: app.cognitoIdentityEndpoint(), iam: app.iamEndpoint() } : {}) } },
  }));
  return { outputs, config, env: operatorEnv(app, operator) };
}

/** The run's environment: the operator's AWS credentials, an administrator role the app issued unless given. */
function operatorEnv(app: Emulator, operator: AwsCredentials = app.credentials.iamRole()): NodeJS.ProcessEnv {
  return { AWS_ACCESS_KEY_ID: operator.accessKeyId, AWS_SECRET_ACCESS_KEY: operator.secretAccessKey, AWS_SESSION_TOKEN: operator.sessionToken, AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** No user or group (but the app's own, then deleted) of the run is left in cognito-local. */
async function nothingLeftIn(groups: string[]): Promise<void> {
  expect(await cl.usernames()).toEqual([]);
  expect(await cl.groups()).toEqual(groups);
  for (const group of groups) await cl.idp.send(new DeleteGroupCommand({ UserPoolId: cl.poolId, GroupName: group }));
}

/** Nothing of the run is left: no user, group (but the app's own, then deleted) or record. */
async function nothingLeft(groups: string[] = []): Promise<void> {
  await nothingLeftIn(groups);
  const admin = new GraphQLClient({ url: emu.url, auth: { mode: 'iam', credentials: emu.credentials.iamRole(), region: emu.region } });
  const left = await admin.graphql(listDocument(emu.model, 'Note', { limit: 1000 }, ['id']));
  expect((left.data?.listNotes as { items: unknown[] }).items).toEqual([]);
}

describe('a deployed REST app (emulator + cognito-local)', () => {
  it('reads the deployed API and roles, matches every cell, and deletes what it made', async () => {
    const groups = await appGroups(emu);
    const { outputs, config, env } = deployedApp(emu, 'same');
    const out = path.join(dir, 'out');
    const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
    const report = results(out);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.code).toBe(0);
    const api = model.rest!.apis[0]!;
    // The emulator's endpoint is no execute-api URL: the API is found by name (GetRestApis), then read.
    expect(r.stderr).toContain(`REST API myRestApi: ${api.id} in us-east-1, read from API Gateway`);
    // So is the HTTP API (GetApis, then its routes, authorizers, integrations and stages): as defined, so no caveat.
    expect(r.stderr).toContain(`HTTP API shopHttpApi: ${model.rest!.httpApis[0]!.id} in us-east-1, read from API Gateway`);
    // The roles' policies too (the group roles found through cognito-local's ListGroups): as defined, so no caveat.
    // The authenticated role also holds the data API's policies Amplify generates, which no REST cell depends on.
    expect(r.stderr).toMatch(/the authenticated role: authmatrix-authenticated-role, \d+ policies, read from IAM/);
    expect(r.stderr).toContain('the Auditors group\'s role: authmatrix-AuditorsGroupRole, 2 policies, read from IAM');
    expect(report.model.caveats ?? []).toEqual([]);
    const rest = report.cells.filter((c) => c.kind === 'rest');
    expect(rest.length).toBeGreaterThan(400);
    // Its JWT route takes the deployed pool's access tokens for the outputs' app client (cognito-local signed them).
    expect(rest.find((c) => c.id === 'rest|shopHttpApi|GET /orders|owner|accessToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
    expect(new Set(rest.map((c) => c.variant?.split(':')[0]))).toEqual(new Set(['unsigned', 'signed', 'idToken', 'accessToken', 'apiKey', 'token', 'preflight']));
    // Identity-pool credentials from the Cognito Identity API: the guide's pitfall holds (a group member
    // signs with the group's role, which lacks the /items policy), the others sign with theirs.
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /items|groupMember:Admins|signed')).toMatchObject({ expected: 'deny', observed: 'deny', summary: expect.stringMatching(/^403 AccessDeniedException/) });
    for (const p of ['owner', 'guest', 'iamUser', 'iamAdmin', 'groupMember:Auditors']) expect(rest.find((c) => c.id === `rest|myRestApi|GET /items|${p}|signed`)).toMatchObject({ expected: 'allow', observed: 'allow' });
    // Tokens cognito-local signed pass the Cognito authorizer; the API key is the one GetApiKeys gave.
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /cognito-auth-path|owner|idToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /catalog|restApiKey|apiKey')).toMatchObject({ expected: 'allow', observed: 'allow' });
    expect(report.personas.find((p) => p.name === 'restApiKey')!.provisioning).toBe('API key of a usage plan (myRestApi)');
    // Only what a deployed pool cannot be made to sign (and the authorizer cache's order) is left untested.
    expect(report.cells.find((c) => c.id === 'probe|rest|myRestApi|tamperedSignature')).toMatchObject({ pass: true, summary: '403 InvalidSignatureException' });
    expect(report.untested.filter((u) => u.id.startsWith('probe|rest|')).map((u) => u.id)).toEqual(['probe|rest|myRestApi|expiredToken', 'probe|rest|myRestApi|missingScope', 'probe|rest|shopHttpApi|missingScope']);
    expect(report.contracts.filter((c) => c.broken)).toEqual([]);
    await nothingLeft(groups);
  }, 300_000);

  it('tests the API as deployed, and names its drift from backend.ts in the log and the report\'s caveats; without the identity pool, signed cells are untested', async () => {
    const api = model.rest!.apis[0]!;
    // Deployed from another version of backend.ts: GET /admin open to everyone, and a POST /health.
    const health = api.methods.find((m) => m.resourcePath === '/health' && m.method === 'GET')!;
    const changed = {
      ...api,
      methods: [...api.methods.map((m) => (m.resourcePath === '/admin' && m.method === 'GET' ? { ...m, authorization: { type: 'NONE' as const } } : m)), { ...health, method: 'POST' as const }],
    };
    // And the HTTP API's GET /orders without the sign-in scope: an ID token passes it.
    const http = model.rest!.httpApis[0]!;
    const unscoped = { ...http, routes: http.routes.map((r) => (r.resourcePath === '/orders' && r.method === 'GET' && r.authorization.type === 'JWT' ? { ...r, authorization: { ...r.authorization, scopes: [] } } : r)) };
    const drifted = await appFor({ ...model, rest: { ...model.rest!, apis: [changed], httpApis: [unscoped] } });
    try {
      const { outputs, config, env } = deployedApp(drifted, 'drifted', false);
      const out = path.join(dir, 'drifted-out');
      const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--only', 'owner', '--no-probes', '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
      const report = results(out);
      expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      expect(r.code).toBe(0);
      const drift = [
        ...[
          'myRestApi GET /admin: backend.ts says AWS_IAM, the deployed API NONE',
          'myRestApi POST /health is deployed but not defined in backend.ts',
        ].map((d) => `the deployed REST API differs from backend.ts (the deployed one is tested): ${d}`),
        'the deployed HTTP API differs from backend.ts (the deployed one is tested): shopHttpApi GET /orders: backend.ts says JWT (UserPoolAuth) scopes aws.cognito.signin.user.admin, the deployed API JWT (UserPoolAuth)',
      ];
      expect(report.model.caveats).toEqual(drift);
      for (const d of drift) expect(r.stderr).toContain(`caveat: ${d}`);
      // The deployed methods decide: GET /admin lets a user's token through, and POST /health is tested.
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /admin|owner|idToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|POST /health|owner|accessToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
      // backend.ts would refuse the ID token (it holds no scope); the deployed route takes it.
      expect(report.cells.find((c) => c.id === 'rest|shopHttpApi|GET /orders|owner|idToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
      // The outputs name no identity pool: aws-amplify could not sign for the owner.
      const unsigned = report.untested.filter((u) => u.reason === 'owner has no AWS credentials to sign with: amplify_outputs.json names no identity pool');
      expect(unsigned.length).toBeGreaterThan(5);
      expect(unsigned.every((u) => /\|owner\|signed(:|$)/.test(u.id))).toBe(true);
      expect(report.cells.some((c) => c.id.endsWith('|signed'))).toBe(false);
      await nothingLeft();
    } finally {
      await drifted.stop();
    }
  }, 300_000);

  it('tests the roles\' policies as deployed: a wider deployed policy, naming the deployed API ids, decides the cells; its drift is named', async () => {
    // Deployed with ids of its own (which the roles' policies name), and the authenticated role also allowed /admin.
    const ids = new Map([...model.rest!.apis, ...model.rest!.httpApis].map((a, i) => [a.id, `deployed${i}`]));
    const renamed = <T>(value: T): T => JSON.parse([...ids].reduce((text, [standIn, real]) => text.replaceAll(standIn, real), JSON.stringify(value))) as T;
    const rest = renamed(model.rest!);
    const admin = `arn:aws:execute-api:us-east-1:${rest.account}:deployed0/${rest.apis[0]!.stage}/*/admin`;
    const wider = await appFor({ ...model, rest: { ...rest, rolePolicies: { ...rest.rolePolicies, authenticated: [...rest.rolePolicies.authenticated, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: admin }] }] } } });
    const groups = await appGroups(wider);
    try {
      const { outputs, config, env } = deployedApp(wider, 'wider-role');
      const out = path.join(dir, 'wider-role-out');
      const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--only', 'owner', '--no-probes', '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
      const report = results(out);
      expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      // Every cell is as the deployed role says, which breaks the example's contract (the owner may DELETE /admin): exit 1.
      expect(report.contracts.filter((c) => c.broken).map((c) => [c.statement, c.broken])).toEqual([['only members of Admins and iamAdmin may DELETE /admin', 'static']]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('REST API myRestApi: deployed0 in us-east-1, read from API Gateway');
      // The one drift: the wider statement, written with the model's id for the API; every other statement names the deployed ids and matches.
      const drift = `the deployed role differs from backend.ts (the deployed one is tested): the authenticated role (${wider.identityPool!.options.authRole.name}): {"Action":"execute-api:Invoke","Effect":"Allow","Resource":"${admin.replace('deployed0', model.rest!.apis[0]!.id)}"} is deployed but not in backend.ts`;
      expect(report.model.caveats).toEqual([drift]);
      expect(r.stderr).toContain(`caveat: ${drift}`);
      // backend.ts's policies would deny the owner GET /admin; the deployed role allows it, and the gateway lets it through.
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /admin|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|DELETE /admin|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
      // What the definition's policies allow, the deployed ones (naming deployed0, deployed1) allow as well.
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /items|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(report.cells.find((c) => c.id === 'rest|shopHttpApi|GET /inventory|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
      await nothingLeft(groups);
    } finally {
      await wider.stop();
    }
  }, 300_000);

  it('roles the operator may not read keep backend.ts\'s policies, with a caveat naming the permission; the run completes', async () => {
    const groups = await appGroups(emu);
    // The operator may do anything but IAM.
    const operator = emu.credentials.iamRole('NoIamOperator', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }] }]);
    const { outputs, config, env } = deployedApp(emu, 'no-iam', true, operator);
    const out = path.join(dir, 'no-iam-out');
    const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--only', 'owner', '--no-probes', '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
    const report = results(out);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.code).toBe(0);
    const roles = [['the authenticated role', 'authmatrix-authenticated-role'], ['the unauthenticated role', 'authmatrix-unauthenticated-role'], ["the Admins group's role", 'authmatrix-AdminsGroupRole'], ["the Auditors group's role", 'authmatrix-AuditorsGroupRole']];
    expect(report.model.caveats).toEqual(roles.map(([label, name]) => expect.stringMatching(new RegExp(`^${label} is tested as backend\\.ts defines it: reading the role ${name} needs iam:ListRolePolicies, which the operator's credentials are not allowed \\(User: arn:aws:sts::\\d+:assumed-role/NoIamOperator/\\S+ is not authorized to perform: iam:ListRolePolicies on resource: arn:aws:iam::\\d+:role/${name} with an explicit deny in an identity-based policy\\)$`))));
    expect(r.stderr).not.toContain('read from IAM');
    // backend.ts's policies decide: the owner signs for /items, not for /admin.
    expect(report.model.rest!.rolePolicies).toEqual(model.rest!.rolePolicies);
    expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /admin|owner|signed')).toMatchObject({ expected: 'deny', observed: 'deny' });
    expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /items|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
    await nothingLeft(groups);
  }, 300_000);

  it('Ctrl-C in the middle of a run: cleaned up, the reports say interrupted, exit 130, no ledger', async () => {
    const groups = await appGroups(emu);
    const { outputs, config, env } = deployedApp(emu, 'interrupted');
    const out = path.join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], {
      cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Personas and fixtures exist once the cells are being counted.
        if (/\d+\/\d+ cells/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.once('exit', (c) => resolve(c));
    });
    expect(stderr).toMatch(/SIGINT: stopping run \w+; the cells that finished are reported/);
    expect(code).toBe(130);
    await nothingLeft(groups);
    const report = results(out);
    expect(report.interrupted).toMatchObject({ signal: 'SIGINT', cellsRun: report.cells.length });
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    const ledgers = path.join(dir, '.authmatrix', 'runs');
    expect(existsSync(ledgers) ? readdirSync(ledgers) : []).toEqual([]);
  }, 300_000);
});

describe('a deployed app without a data API (emulator + cognito-local)', () => {
  it('outputs with auth, storage and custom.API but no data section: the REST and storage cells run and match, nothing is left', async () => {
    const shape = fixture('app-shapes', 'no-data-api');
    const app = await appFor(await loadAuthModel(shape));
    const groups = await appGroups(app);
    try {
      const own = app.outputs() as { auth: Record<string, unknown>; storage: Record<string, unknown>; custom: unknown };
      expect(Object.keys(own)).not.toContain('data');
      const outputs = path.join(dir, 'no-data.amplify_outputs.json');
      writeFileSync(outputs, JSON.stringify({ ...own, auth: { ...own.auth, user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [] } }));
      const ca = path.join(dir, 'no-data-s3-ca.pem');
      writeFileSync(ca, app.s3!.caPem);
      const config = path.join(dir, 'no-data.authmatrix.config.json');
      writeFileSync(config, JSON.stringify({
        deployed: {
          endpoints: { cognitoIdentityProvider: cl.endpoint, apiGateway: app.restControlPlane(), cognitoIdentity: app.cognitoIdentityEndpoint(), iam: app.iamEndpoint(), s3: `https://${app.s3!.endpointHost}` },
          s3CaFile: ca,
        },
      }));
      const env = operatorEnv(app);
      const out = path.join(dir, 'no-data-out');
      const r = await cli(['run', '--schema', shape, '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
      const report = results(out);
      expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('amplify/backend.ts against the deployed app of no-data.amplify_outputs.json');
      expect(new Set(report.cells.map((c) => c.kind))).toEqual(new Set(['rest', 'storage', 'probe']));
      // What a deployed run leaves untested anyway: iamAdmin's own policy in the buckets, objects in folders nobody of the
      // cast may write (on the emulator they are put into its store), a token a deployed pool cannot be made to sign.
      const why = (reason: string) => (reason.startsWith("iamAdmin's own IAM policy") ? 'admin' : reason.startsWith('the object it needs could not be written') ? 'object' : reason.includes('deployed user pool sign') ? 'token' : reason);
      expect(new Set(report.untested.map((u) => why(u.reason)))).toEqual(new Set(['admin', 'object', 'token']));
      expect(report.cells.find((c) => c.id === 'rest|shopApi|GET /items|groupMember:Admin|signed')).toMatchObject({ expected: 'deny', observed: 'deny' });
      expect(report.cells.find((c) => c.id === 'drop:private/{entity_id}/*|write|stranger|own')).toMatchObject({ expected: 'allow', observed: 'allow' });
      await nothingLeftIn(groups);
      expect(app.s3!.store.keys(app.s3!.bucketNames.get('drop')!, '')).toEqual([]);
      expect(app.s3!.store.stats.uploads).toBe(0);
    } finally {
      await app.stop();
    }
  }, 300_000);
});

describe('a deployed app whose only API is an HTTP API (emulator + cognito-local)', () => {
  it('app shape http-api: the HTTP API is read with the v2 SDK (GetApis by name), every cell matches, nothing is left', async () => {
    const shape = fixture('app-shapes', 'http-api');
    const defined = await loadAuthModel(shape);
    const app = await appFor(defined);
    const groups = await appGroups(app);
    try {
      const own = app.outputs() as { auth: Record<string, unknown>; custom: unknown };
      const outputs = path.join(dir, 'http-only.amplify_outputs.json');
      writeFileSync(outputs, JSON.stringify({ ...own, auth: { ...own.auth, user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [] } }));
      const config = path.join(dir, 'http-only.authmatrix.config.json');
      writeFileSync(config, JSON.stringify({
        personas: (await loadConfig(undefined, [shape])).config.personas,
        deployed: { endpoints: { cognitoIdentityProvider: cl.endpoint, apiGateway: app.restControlPlane(), cognitoIdentity: app.cognitoIdentityEndpoint(), iam: app.iamEndpoint() } },
      }));
      const env = operatorEnv(app);
      const out = path.join(dir, 'http-only-out');
      const r = await cli(['run', '--schema', shape, '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], { cwd: dir, env, timeoutMs: 300_000 });
      const report = results(out);
      expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`HTTP API shopHttpApi: ${defined.rest!.httpApis[0]!.id} in us-east-1, read from API Gateway`);
      expect(report.model.caveats ?? []).toEqual([]);
      const rest = report.cells.filter((c) => c.kind === 'rest');
      expect(rest.length).toBeGreaterThan(50);
      // Each kind of route, as deployed: IAM with identity-pool credentials, JWT with cognito-local's tokens, both Lambda authorizers.
      expect(rest.find((c) => c.id === 'rest|shopHttpApi|GET /items|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(rest.find((c) => c.id === 'rest|shopHttpApi|GET /orders|owner|idToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(rest.find((c) => c.id === 'rest|shopHttpApi|GET /partner/orders|partner|token')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(rest.find((c) => c.id === 'rest|shopHttpApi|GET /partner/orders|outsider|token')).toMatchObject({ expected: 'deny', observed: 'deny' });
      await nothingLeftIn(groups);
    } finally {
      await app.stop();
    }
  }, 300_000);
});
