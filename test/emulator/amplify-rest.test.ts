/**
 * aws-amplify v6's REST API functions (`get`, `post`, `put`, `del`, `head`, `patch` from aws-amplify/api),
 * unchanged, against the emulated API Gateway of the REST example: configured as Amplify's REST guide
 * says (`parseAmplifyConfig(outputs)` plus `REST: outputs.custom.API`, retries off), credentials and
 * tokens through Amplify's own provider interfaces.
 */
import { del, get, head, patch, post, put } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { emulatorFor } from './start.js';
import { configureAmplifyRest, refusal } from './amplify-rest-config.js';

let tokens: { accessToken: string; idToken: string } | null = null;
let credentials: IamCredentials | null = null;
let globalHeaders: Record<string, string> = {};
let emu: Emulator;

beforeAll(async () => {
  emu = await emulatorFor('rest/amplify/data/resource.ts');
  configureAmplifyRest(emu, { tokens: () => tokens, credentials: () => credentials, headers: () => globalHeaders });
});
afterAll(() => emu?.stop());

const apiName = 'myRestApi';

async function signIn(groups: string[] = []): Promise<void> {
  const t = await emu.credentials.userPool({ username: 'alice', groups });
  tokens = { accessToken: t.accessToken, idToken: t.idToken };
  credentials = emu.credentials.identityPool({ authenticated: true, username: 'alice', groups });
}

function asGuest(): void {
  tokens = null;
  credentials = emu.credentials.identityPool({ authenticated: false });
}

describe('IAM paths, signed by Amplify with the identity pool\'s credentials', () => {
  it('a guest GETs, POSTs, PUTs and DELETEs /items, HEADs and PATCHes below it', async () => {
    asGuest();
    expect((await get({ apiName, path: 'items' }).response).statusCode).toBe(200);
    expect((await post({ apiName, path: 'items', options: { body: { name: 'a' } } }).response).statusCode).toBe(200);
    expect((await put({ apiName, path: 'items', options: { body: { name: 'b' } } }).response).statusCode).toBe(200);
    expect((await del({ apiName, path: 'items' }).response).statusCode).toBe(200);
    expect((await head({ apiName, path: 'items/a' }).response).statusCode).toBe(200);
    const patched = await patch({ apiName, path: 'items/a', options: { body: { name: 'c' } } }).response;
    expect(await patched.body.json()).toMatchObject({ method: 'PATCH', path: '/items/a' });
  });

  it('a member of Admins gets the Admins role, which lacks the /items policy', async () => {
    await signIn(['Admins']);
    expect(await refusal(get({ apiName, path: 'items' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
    expect((await get({ apiName, path: 'admin' }).response).statusCode).toBe(200);
  });

  it('without credentials the request goes out unsigned: 403 Missing Authentication Token', async () => {
    tokens = null;
    credentials = null;
    expect(await refusal(get({ apiName, path: 'items' }))).toEqual({ status: 403, name: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('an unknown path is refused before any auth', async () => {
    asGuest();
    expect(await refusal(get({ apiName, path: 'nope' }))).toMatchObject({ status: 403, name: 'MissingAuthenticationTokenException' });
  });
});

describe('tokens in Authorization (per request or global) turn signing off', () => {
  it('the ID token per request reaches the Cognito path; on an IAM path it is an incomplete signature', async () => {
    await signIn();
    const headers = { Authorization: tokens!.idToken };
    expect((await get({ apiName, path: 'cognito-auth-path', options: { headers } }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'items', options: { headers } }))).toMatchObject({ status: 403, name: 'IncompleteSignatureException' });
  });

  it('the access token holds the scope /profile requires; the ID token does not', async () => {
    await signIn();
    expect((await get({ apiName, path: 'profile', options: { headers: { Authorization: tokens!.accessToken } } }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'profile', options: { headers: { Authorization: tokens!.idToken } } }))).toEqual({ status: 401, name: 'UnauthorizedException', message: 'Unauthorized' });
  });

  it('a global Authorization header disables signing for every path; a per-request header overrides it', async () => {
    await signIn();
    globalHeaders = { Authorization: 'Bearer partner-acme' };
    try {
      expect((await get({ apiName, path: 'partner' }).response).statusCode).toBe(200);
      expect(await refusal(get({ apiName, path: 'items' }))).toMatchObject({ status: 403, name: 'IncompleteSignatureException' });
      expect(await refusal(get({ apiName, path: 'partner', options: { headers: { Authorization: 'Bearer blocked-x' } } })))
        .toEqual({ status: 403, name: 'AccessDeniedException', message: 'User is not authorized to access this resource with an explicit deny' });
    } finally {
      globalHeaders = {};
    }
  });
});

describe('API keys', () => {
  it('x-api-key in a usage plan opens /catalog; Amplify still signs (the key does not stop signing)', async () => {
    asGuest();
    const key = [...emu.restApiKeys.values()][0]!;
    expect((await get({ apiName, path: 'catalog', options: { headers: { 'x-api-key': key } } }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'catalog' }))).toEqual({ status: 403, name: 'ForbiddenException', message: 'Forbidden' });
  });
});
