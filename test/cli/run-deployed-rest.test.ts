/**
 * `authmatrix run --target deployed` on the REST example, end to end and offline: the "deployed app" is
 * the emulator (its API Gateway, the control plane the run reads the API from with the real
 * @aws-sdk/client-api-gateway, its AppSync API) trusting cognito-local for its user pool; personas are
 * created in cognito-local with the AWS SDK. The outputs name no identity pool, so the personas that
 * sign with identity-pool credentials are left out and the signed cells of signed-in users are listed
 * as untested. The run must match every cell it runs, read the deployed API (drift reported), and leave
 * no user, group or record behind, also when Ctrl-C stops it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDocument } from '../../harness/client/documents.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { loadConfig, type AuthmatrixConfig } from '../../harness/config.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { DUMMY_CREDENTIALS, startCognitoLocal, type CognitoLocal } from '../personas/cognito-local.js';
import { BIN, cli, example, results, scratchDir } from './cli.js';

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
  emu = await startEmulator({ model, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl }, log: () => undefined });
});

afterAll(async () => {
  await emu?.stop();
  await cl?.stop();
});

const AWS_ENV = { AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey, AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** The deployed app's outputs (`custom.API` as backend.ts adds it) and an authmatrix.config.json for it. */
function deployedApp(app: Emulator, name: string): { outputs: string; config: string } {
  const outputs = path.join(dir, `${name}.amplify_outputs.json`);
  writeFileSync(outputs, JSON.stringify({
    version: '1.3',
    auth: { aws_region: 'us-east-1', user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [] },
    data: { url: app.url, aws_region: app.region, default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['AWS_IAM'] },
    custom: app.outputs().custom,
  }));
  const config = path.join(dir, `${name}.authmatrix.config.json`);
  writeFileSync(config, JSON.stringify({
    // No identity pool offline: the personas that sign with identity-pool or IAM credentials stay out.
    personas: { ...exampleConfig.personas, guest: false, iamUser: false, iamAdmin: false, 'iamGroupMember:Admins': false, 'iamGroupMember:Auditors': false },
    deployed: { endpoints: { cognitoIdentityProvider: cl.endpoint, apiGateway: app.restControlPlane() } },
  }));
  return { outputs, config };
}

async function nothingLeft(): Promise<void> {
  expect(await cl.usernames()).toEqual([]);
  expect(await cl.groups()).toEqual([]);
  const admin = new GraphQLClient({ url: emu.url, auth: { mode: 'iam', credentials: emu.credentials.iamRole(), region: emu.region } });
  const left = await admin.graphql(listDocument(emu.model, 'Note', { limit: 1000 }, ['id']));
  expect((left.data?.listNotes as { items: unknown[] }).items).toEqual([]);
}

describe('a deployed REST app (emulator + cognito-local)', () => {
  it('reads the deployed API, matches every cell it runs, lists the signed ones it cannot run, and deletes what it made', async () => {
    const { outputs, config } = deployedApp(emu, 'same');
    const out = path.join(dir, 'out');
    const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], { cwd: dir, env: AWS_ENV, timeoutMs: 300_000 });
    const report = results(out);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.code).toBe(0);
    const api = model.rest!.apis[0]!;
    // The emulator's endpoint is no execute-api URL: the API is found by name (GetRestApis), then read.
    expect(r.stderr).toContain(`REST API myRestApi: ${api.id} in us-east-1, read from API Gateway`);
    expect(report.model.caveats ?? []).toEqual([]);
    const rest = report.cells.filter((c) => c.kind === 'rest');
    expect(rest.length).toBeGreaterThan(150);
    expect(new Set(rest.map((c) => c.variant?.split(':')[0]))).toEqual(new Set(['unsigned', 'idToken', 'accessToken', 'apiKey', 'token', 'preflight']));
    // Tokens cognito-local signed pass the Cognito authorizer; the API key is the one GetApiKeys gave.
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /cognito-auth-path|owner|idToken')).toMatchObject({ expected: 'allow', observed: 'allow' });
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /catalog|restApiKey|apiKey')).toMatchObject({ expected: 'allow', observed: 'allow' });
    const unsigned = report.untested.filter((u) => u.reason.includes('no AWS credentials to sign with'));
    expect(new Set(unsigned.map((u) => u.persona))).toEqual(new Set(['owner', 'stranger', 'groupMember:Admins', 'groupMember:Auditors']));
    expect(unsigned.every((u) => u.id.endsWith('|signed'))).toBe(true);
    expect(report.personas.map((p) => p.name)).not.toContain('guest');
    expect(report.personas.find((p) => p.name === 'restApiKey')!.provisioning).toBe('API key of a usage plan (myRestApi)');
    await nothingLeft();
  }, 300_000);

  it('tests the API as deployed, and names its drift from backend.ts in the log and the report\'s caveats', async () => {
    const api = model.rest!.apis[0]!;
    // Deployed from another version of backend.ts: GET /admin open to everyone, and a POST /health.
    const health = api.methods.find((m) => m.resourcePath === '/health' && m.method === 'GET')!;
    const changed = {
      ...api,
      methods: [...api.methods.map((m) => (m.resourcePath === '/admin' && m.method === 'GET' ? { ...m, authorization: { type: 'NONE' as const } } : m)), { ...health, method: 'POST' as const }],
    };
    const drifted = await startEmulator({ model: { ...model, rest: { ...model.rest!, apis: [changed] } }, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl }, log: () => undefined });
    try {
      const { outputs, config } = deployedApp(drifted, 'drifted');
      const out = path.join(dir, 'drifted-out');
      const r = await cli(['run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--only', 'anonymous', '--no-probes', '--out', out], { cwd: dir, env: AWS_ENV, timeoutMs: 300_000 });
      const report = results(out);
      expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      expect(r.code).toBe(0);
      const drift = [
        'myRestApi GET /admin: backend.ts says AWS_IAM, the deployed API NONE',
        'myRestApi POST /health is deployed but not defined in backend.ts',
      ].map((d) => `the deployed REST API differs from backend.ts (the deployed one is tested): ${d}`);
      expect(report.model.caveats).toEqual(drift);
      for (const d of drift) expect(r.stderr).toContain(`caveat: ${d}`);
      // The deployed methods decide: anonymous callers get through to GET /admin, and POST /health is tested.
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|GET /admin|anonymous|unsigned')).toMatchObject({ expected: 'allow', observed: 'allow' });
      expect(report.cells.find((c) => c.id === 'rest|myRestApi|POST /health|anonymous|unsigned')).toMatchObject({ expected: 'allow', observed: 'allow' });
      await nothingLeft();
    } finally {
      await drifted.stop();
    }
  }, 300_000);

  it('Ctrl-C in the middle of a run: cleaned up, the reports say interrupted, exit 130, no ledger', async () => {
    const { outputs, config } = deployedApp(emu, 'interrupted');
    const out = path.join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'run', '--schema', example('rest'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], {
      cwd: dir, env: { ...process.env, ...AWS_ENV, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
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
    await nothingLeft();
    const report = results(out);
    expect(report.interrupted).toMatchObject({ signal: 'SIGINT', cellsRun: report.cells.length });
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    const ledgers = path.join(dir, '.authmatrix', 'runs');
    expect(existsSync(ledgers) ? readdirSync(ledgers) : []).toEqual([]);
  }, 300_000);
});
