/**
 * `authmatrix run --target deployed`, end to end and offline: the "deployed app" is the emulator
 * trusting a real Cognito protocol peer (cognito-local) for its user pool; personas are created there
 * with the AWS SDK, OIDC tokens come from a token command, Lambda tokens from the config. The run must
 * match every cell, and leave no user, group or record behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDocument } from '../../harness/client/documents.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { RunReport } from '../../reports/results.js';
import { DUMMY_CREDENTIALS, startCognitoLocal, type CognitoLocal } from '../personas/cognito-local.js';
import { cli, cliStoppedMidRun, example, fixture } from './cli.js';

let cl: CognitoLocal;
let emu: Emulator;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-deployed-run-'));
  const model = await loadAuthModel(example('blog'));
  cl = await startCognitoLocal();
  emu = await startEmulator({ model, trustUserPool: { issuer: cl.issuer, jwksUrl: cl.jwksUrl }, log: () => undefined });
});

afterAll(async () => {
  await emu?.stop();
  await cl?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const AWS_ENV = { AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey, AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** The deployed app's outputs and an authmatrix.config.json for it; returns their paths. */
function deployedApp(): { outputs: string; config: string } {
  const outputs = path.join(dir, 'amplify_outputs.json');
    writeFileSync(outputs, JSON.stringify({
      version: '1.3',
      auth: { aws_region: 'us-east-1', user_pool_id: cl.poolId, user_pool_client_id: cl.clients.admin, username_attributes: [] },
      data: { url: emu.url, aws_region: emu.region, api_key: emu.apiKey, default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['API_KEY', 'AWS_IAM', 'AWS_LAMBDA', 'OPENID_CONNECT'] },
    }));
    const config = path.join(dir, 'authmatrix.config.json');
    writeFileSync(config, JSON.stringify({
      // No identity pool and no AWS account offline: the IAM personas stay out of this run.
      personas: {
        guest: false, iamUser: false, iamAdmin: false, 'iamGroupMember:Admin': false, 'iamGroupMember:HR': false,
        lambdaAllowed: { token: 'helpdesk-alice' },
        lambdaDenied: { token: 'not-a-helpdesk-token' },
        lambdaOffsite: { kind: 'lambdaDenied', token: 'helpdesk-bob', headers: { 'x-helpdesk-site': 'external' } },
      },
      // The help-desk IdP here is the emulator's own issuer, whose keys are not at a discovery document.
      oidc: {
        tokenCommand: `"${process.execPath}" "${fixture('deployed/oidc-token.mjs')}" ${emu.url.replace(/\/graphql$/, '')}/.authmatrix`,
        jwksUrl: `${emu.url.replace(/\/graphql$/, '')}/.authmatrix/oidc/jwks.json`,
      },
      deployed: { endpoints: { cognitoIdentityProvider: cl.endpoint } },
    }));
    return { outputs, config };
}

async function nothingLeft(): Promise<void> {
  expect(await cl.usernames()).toEqual([]);
  expect(await cl.groups()).toEqual([]);
  const admin = new GraphQLClient({ url: emu.url, auth: { mode: 'iam', credentials: emu.credentials.iamRole(), region: emu.region } });
  for (const m of emu.model.models) {
    const left = await admin.graphql(listDocument(emu.model, m.name, { limit: 1000 }, ['id']));
    expect(`${m.name}: ${JSON.stringify((left.data?.[m.operationNames.list!] as { items: unknown[] }).items)}`).toBe(`${m.name}: []`);
  }
}

describe('a deployed blog app (emulator + cognito-local)', () => {
  it('matches every cell, then deletes every user, group and record it made', async () => {
    const { outputs, config } = deployedApp();
    const out = path.join(dir, 'out');
    const r = await cli(['run', '--schema', example('blog'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', out], {
      cwd: dir,
      env: AWS_ENV,
      timeoutMs: 300_000,
    });
    const report = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunReport;
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.target.kind).toBe('deployed');
    expect(report.totals.cells).toBeGreaterThan(1500);
    expect(report.personas.find((p) => p.name === 'owner')!.provisioning).toMatch(/^Cognito user am-\w+-owner \(AdminCreateUser, ADMIN_USER_PASSWORD_AUTH, access token\)/);
    expect(report.personas.find((p) => p.name === 'oidcUser')!.provisioning).toMatch(/configured command/);
    // The blog's contracts hold; those about personas this run leaves out (guest) say which cells went unchecked.
    expect(report.contracts.length).toBeGreaterThan(10);
    expect(report.contracts.filter((c) => c.broken)).toEqual([]);
    expect(report.contracts.flatMap((c) => c.unchecked ?? []).some((id) => id.includes('|guest'))).toBe(true);
    // Cells that need a record only the IAM admin could make are listed, with the reason, not run.
    expect(report.untested.length).toBeGreaterThan(0);
    expect(report.untested.every((u) => u.reason.length > 0)).toBe(true);

    // Nothing left behind: no users, no groups, no records.
    await nothingLeft();
  }, 300_000);

  it('Ctrl-C in the middle of a run: the cells in flight finish, what it made is cleaned up, the reports say interrupted, exit 130, no ledger', async () => {
    const { outputs, config } = deployedApp();
    const { code, stderr } = await cliStoppedMidRun(['run', '--schema', example('blog'), '--target', 'deployed', '--outputs', outputs, '--config', config, '--out', path.join(dir, 'interrupted')], 'SIGINT', { cwd: dir, env: AWS_ENV });
    expect(stderr).toMatch(/SIGINT: stopping run \w+; the cells that finished are reported/);
    expect(code).toBe(130);
    await nothingLeft();
    const report = JSON.parse(readFileSync(path.join(dir, 'interrupted', 'results.json'), 'utf8')) as RunReport;
    expect(report.interrupted).toMatchObject({ signal: 'SIGINT', cellsRun: report.cells.length });
    expect(report.cells.length).toBeGreaterThan(0);
    expect(report.cells.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    const ledgers = path.join(dir, '.authmatrix', 'runs');
    expect(existsSync(ledgers) ? readdirSync(ledgers) : []).toEqual([]);
  }, 300_000);
});
