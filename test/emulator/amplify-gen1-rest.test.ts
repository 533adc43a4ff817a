/**
 * A Gen 1 project whose only API is the CLI's REST category (app shape gen1-rest): aws-amplify v6's REST functions,
 * unchanged, configured from an `aws-exports.js`-shaped object as a Gen 1 app is (`aws_cloud_logic_custom`), sign with
 * the identity pool's credentials as a guest, a signed-in user and group members, against the emulated gateway built
 * from `cli-inputs.json` (docs/rest.md, "Gen 1 REST category").
 */
import { Amplify } from 'aws-amplify';
import { del, get, head, post } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from './start.js';
import { refusal } from './amplify-rest-config.js';

let emu: Emulator;
let credentials: IamCredentials | null = null;
const apiName = 'shopapi';

beforeAll(async () => {
  emu = await emulatorFor(fixture('app-shapes', 'gen1-rest'));
  const outputs = emu.outputs() as unknown as { auth: { aws_region: string; user_pool_id: string; user_pool_client_id: string; identity_pool_id: string }; custom: { API: Record<string, { endpoint: string; region: string }> } };
  // What `amplify push` writes to src/aws-exports.js for this project.
  const awsExports = {
    aws_project_region: outputs.auth.aws_region,
    aws_cognito_region: outputs.auth.aws_region,
    aws_user_pools_id: outputs.auth.user_pool_id,
    aws_user_pools_web_client_id: outputs.auth.user_pool_client_id,
    aws_cognito_identity_pool_id: outputs.auth.identity_pool_id,
    // The CLI writes the stage's URL without a trailing slash; apps call paths with a leading one.
    aws_cloud_logic_custom: Object.entries(outputs.custom.API).map(([name, api]) => ({ name, endpoint: api.endpoint.replace(/\/$/, ''), region: api.region })),
  };
  Amplify.configure(awsExports, {
    API: { REST: { retryStrategy: { strategy: 'no-retry' } } },
    Auth: {
      credentialsProvider: {
        getCredentialsAndIdentityId: async () => (credentials ? { credentials: { ...credentials }, ...(credentials.identityId ? { identityId: credentials.identityId } : {}) } : undefined),
        clearCredentialsAndIdentityId: () => undefined,
      },
    },
  });
});
afterAll(() => emu?.stop());

function as(who: 'guest' | 'user' | 'Managers' | 'Staff' | 'nobody'): void {
  if (who === 'nobody') credentials = null;
  else if (who === 'guest') credentials = emu.credentials.identityPool({ authenticated: false });
  else credentials = emu.credentials.identityPool({ authenticated: true, username: `u-${who}`, groups: who === 'user' ? [] : [who] });
}

describe('a Gen 1 REST API, called by aws-amplify v6 configured from aws-exports', () => {
  it('is deployed to the stage of the project\'s environment (team-provider-info.json)', () => {
    const endpoint = (emu.outputs() as unknown as { custom: { API: Record<string, { endpoint: string }> } }).custom.API[apiName]!.endpoint;
    expect(endpoint).toMatch(/\/staging\/?$/);
  });

  it('a guest reads /items (guest: read) and below it, and may not create there', async () => {
    as('guest');
    expect((await get({ apiName, path: '/items' }).response).statusCode).toBe(200);
    expect((await get({ apiName, path: '/items/42' }).response).statusCode).toBe(200);
    expect(await refusal(post({ apiName, path: '/items', options: { body: { name: 'x' } } }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
    expect(await refusal(get({ apiName, path: '/reports' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });

  it('a signed-in user has every operation on /items, and HEAD too (all four operations are written as method *)', async () => {
    as('user');
    expect((await post({ apiName, path: '/items', options: { body: { name: 'x' } } }).response).statusCode).toBe(200);
    expect((await del({ apiName, path: '/items/42' }).response).statusCode).toBe(200);
    expect((await head({ apiName, path: '/items' }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: '/reports' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });

  it('a group member signs with the group\'s role: its own paths only, not the authenticated role\'s', async () => {
    as('Managers');
    expect((await post({ apiName, path: '/reports', options: { body: {} } }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: '/items' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
    as('Staff');
    expect((await get({ apiName, path: '/reports/q3' }).response).statusCode).toBe(200);
    expect(await refusal(del({ apiName, path: '/reports' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });

  it('an open path takes unsigned requests; an IAM path refuses them with Missing Authentication Token', async () => {
    as('nobody');
    const open = await get({ apiName, path: '/images/logo.png' }).response;
    expect(open.statusCode).toBe(200);
    expect(await open.body.json()).toMatchObject({ authmatrix: 'stub integration' });
    expect(await refusal(get({ apiName, path: '/items' }))).toEqual({ status: 403, name: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });
});
