/**
 * aws-amplify v6's REST functions, unchanged, against an emulated HTTP API (API Gateway v2) set up as Amplify's
 * HTTP API guide does (IAM routes, a user-pool JWT authorizer, a public route; and Lambda authorizers): configured from the emulator's
 * outputs (`custom.API`), retries off, credentials and tokens through Amplify's own provider interfaces. The
 * answers are the HTTP API's own: `{"message": …}` bodies, 401 with `www-authenticate` for a refused token, 403 for
 * a missing scope or a policy that does not allow the route, 404 for no route.
 */
import { get, post } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from './start.js';
import { configureAmplifyRest } from './amplify-rest-config.js';

let tokens: { accessToken: string; idToken: string } | null = null;
let credentials: IamCredentials | null = null;
let emu: Emulator;
const apiName = 'shopHttpApi';

beforeAll(async () => {
  emu = await emulatorFor(fixture('app-shapes', 'http-api', 'amplify', 'backend.ts'));
  configureAmplifyRest(emu, { tokens: () => tokens, credentials: () => credentials });
});
afterAll(() => emu?.stop());

async function signIn(groups: string[] = []): Promise<{ accessToken: string; idToken: string }> {
  const t = await emu.credentials.userPool({ username: 'alice', groups });
  tokens = { accessToken: t.accessToken, idToken: t.idToken };
  credentials = emu.credentials.identityPool({ authenticated: true, username: 'alice', groups });
  return tokens;
}

/** What the client throws for a non-2xx answer. */
async function refusal(op: { response: Promise<unknown> }): Promise<{ status: number; message: string; headers: Record<string, string> }> {
  try {
    await op.response;
  } catch (e) {
    const err = e as { message: string; response?: { statusCode: number; headers: Record<string, string> } };
    return { status: err.response?.statusCode ?? -1, message: err.message, headers: err.response?.headers ?? {} };
  }
  throw new Error('the request was not refused');
}

describe('an HTTP API behind aws-amplify', () => {
  it('is served at the URL outputs.custom.API names, without a stage segment for $default', () => {
    const api = emu.model.rest!.httpApis[0]!;
    expect((emu.outputs() as { custom: { API: Record<string, { endpoint: string }> } }).custom.API[apiName]!.endpoint).toBe(`${emu.url.replace(/\/graphql$/, '')}/apis/${api.id}/`);
  });

  it('IAM routes: a guest signs and may GET /items only; a signed-in user may POST; a group member\'s role lacks the policy', async () => {
    tokens = null;
    credentials = emu.credentials.identityPool({ authenticated: false });
    expect((await get({ apiName, path: 'items' }).response).statusCode).toBe(200);
    expect(await refusal(post({ apiName, path: 'items', options: { body: {} } }))).toMatchObject({ status: 403, message: 'Forbidden' });
    await signIn();
    expect((await post({ apiName, path: 'items', options: { body: {} } }).response).statusCode).toBe(200);
    await signIn(['Admin']);
    expect(await refusal(get({ apiName, path: 'items' }))).toMatchObject({ status: 403, message: 'Forbidden' });
  });

  it('JWT routes: ID and access tokens of the app\'s client pass; a scoped route refuses an ID token with 403; a signature or no token is 401 with www-authenticate', async () => {
    const t = await signIn();
    expect((await get({ apiName, path: 'orders', options: { headers: { Authorization: t.idToken } } }).response).statusCode).toBe(200);
    expect((await get({ apiName, path: 'orders', options: { headers: { Authorization: t.accessToken } } }).response).statusCode).toBe(200);
    expect((await get({ apiName, path: 'reports', options: { headers: { Authorization: t.accessToken } } }).response).statusCode).toBe(200);
    const scoped = await refusal(get({ apiName, path: 'reports', options: { headers: { Authorization: t.idToken } } }));
    expect(scoped).toMatchObject({ status: 403, message: 'Forbidden' });
    expect(scoped.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    // Without a token aws-amplify signs: the JWT authorizer reads the signature as a token, and refuses it.
    const signed = await refusal(get({ apiName, path: 'orders' }));
    expect(signed).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(signed.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    tokens = null;
    credentials = null;
    const none = await refusal(get({ apiName, path: 'orders' }));
    expect(none).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const forged = await refusal(get({ apiName, path: 'orders', options: { headers: { Authorization: `${t.idToken.slice(0, -4)}AAAA` } } }));
    expect(forged).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(forged.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('Lambda authorizers run: a simple response decides, a missing identity source is 401 without a call, a cached policy decides the sender\'s other route', async () => {
    tokens = null;
    credentials = null;
    expect((await get({ apiName, path: 'partner/orders', options: { headers: { 'x-partner-key': 'partner-acme' } } }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'partner/orders', options: { headers: { 'x-partner-key': 'someone-else' } } }))).toMatchObject({ status: 403, message: 'Forbidden' });
    expect(await refusal(get({ apiName, path: 'partner/orders' }))).toMatchObject({ status: 401, message: 'Unauthorized' });
    // The stripe sender's own answer would allow /webhooks/stripe; the policy cached from its /webhooks/github call names github only.
    const stripe = { headers: { 'x-webhook-secret': 'sender-stripe' }, body: {} };
    expect(await refusal(post({ apiName, path: 'webhooks/github', options: stripe }))).toMatchObject({ status: 403, message: 'Forbidden' });
    expect(await refusal(post({ apiName, path: 'webhooks/stripe', options: stripe }))).toMatchObject({ status: 403, message: 'Forbidden' });
    emu.reset();
    expect((await post({ apiName, path: 'webhooks/stripe', options: stripe }).response).statusCode).toBe(200);
    // A simple response is cached under the identity source alone and applies to every route of the authorizer: the
    // partner refused on /partner/admin when asked there is let in with its answer for /partner/orders.
    const partner = { headers: { 'x-partner-key': 'partner-acme' } };
    expect(await refusal(get({ apiName, path: 'partner/admin', options: partner }))).toMatchObject({ status: 403, message: 'Forbidden' });
    emu.reset();
    expect((await get({ apiName, path: 'partner/orders', options: partner }).response).statusCode).toBe(200);
    expect((await get({ apiName, path: 'partner/admin', options: partner }).response).statusCode).toBe(200);
  });

  it('routes are selected by method: a POST to the public GET /catalog/{id} falls through to ANY /catalog/{proxy+} and its IAM authorization', async () => {
    tokens = null;
    credentials = null;
    expect((await get({ apiName, path: 'catalog/1' }).response).statusCode).toBe(200);
    expect(await refusal(post({ apiName, path: 'catalog/1', options: { body: {} } }))).toMatchObject({ status: 403, message: 'Forbidden' });
  });

  it('CORS (corsPreflight, read from CorsConfiguration): the API answers a preflight no route takes; an ANY route takes it with its authorization; integration answers get the configured origin', async () => {
    const api = emu.model.rest!.httpApis[0]!;
    expect(api.cors).toEqual({ allowOrigins: ['*'], allowMethods: ['GET', 'POST'], allowHeaders: ['*'], exposeHeaders: [], allowCredentials: false });
    const base = (emu.outputs() as { custom: { API: Record<string, { endpoint: string }> } }).custom.API[apiName]!.endpoint;
    const preflight = { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' };
    const items = await fetch(`${base}items`, { method: 'OPTIONS', headers: preflight });
    expect(items.status).toBe(204);
    expect(Object.fromEntries([...items.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET,POST', 'access-control-allow-headers': '*',
    });
    // ANY /items/{proxy+} takes OPTIONS too: its IAM authorization refuses the unsigned preflight.
    const proxied = await fetch(`${base}items/abc`, { method: 'OPTIONS', headers: preflight });
    expect(proxied.status).toBe(403);
    expect(await proxied.json()).toEqual({ message: 'Forbidden' });
    // Not a preflight (no Origin): no route takes it.
    expect((await fetch(`${base}items`, { method: 'OPTIONS' })).status).toBe(404);
    const health = await fetch(`${base}health`, { headers: { origin: 'https://shop.example' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a path or method no route takes is 404 Not Found, before any authorization', async () => {
    tokens = null;
    credentials = null;
    expect(await refusal(get({ apiName, path: 'nowhere' }))).toMatchObject({ status: 404, message: 'Not Found' });
    expect(await refusal(post({ apiName, path: 'health', options: { body: {} } }))).toMatchObject({ status: 404, message: 'Not Found' });
  });
});
