/**
 * The emulated API Gateway on the REST example (examples/rest/amplify/backend.ts), driven by the REST
 * client over HTTP: routing before auth, IAM with the identity pool's and groups' roles, the Cognito
 * authorizer (ID token, access token with scopes), Lambda TOKEN and REQUEST authorizers that run the
 * app's handlers with their identity-source checks and TTL cache, API keys, preflight, and the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient, type RestCall, type RestResult } from '../../harness/client/rest.js';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { emulatorFor } from './start.js';

let emu: Emulator;
let endpoint: string;

beforeAll(async () => {
  emu = await emulatorFor('rest/amplify/data/resource.ts');
  endpoint = emu.restEndpoints()[0]!.endpoint;
});
afterAll(() => emu?.stop());

function send(call: RestCall, credentials?: AwsCredentials, libraryHeaders?: Record<string, string>): Promise<RestResult> {
  return new RestClient({ apiName: 'myRestApi', endpoint, region: emu.region, ...(credentials ? { credentials } : {}), ...(libraryHeaders ? { libraryHeaders: () => libraryHeaders } : {}) }).send(call);
}

const guest = () => emu.credentials.identityPool({ authenticated: false });
const user = (groups: string[] = []) => emu.credentials.identityPool({ authenticated: true, username: 'alice', groups });
const tokens = (groups: string[] = [], extra: { expiresInSeconds?: number } = {}) => emu.credentials.userPool({ username: 'alice', groups, ...extra });

function denial(r: RestResult): { status: number; type: string | undefined; message: unknown } {
  return { status: r.status, type: r.headers['x-amzn-errortype'], message: (r.json as { message?: unknown } | undefined)?.message };
}

describe('routing comes before authorization', () => {
  it.each([
    ['an unknown path', 'GET', 'nothing-here'],
    ['an undeclared verb on a declared resource', 'PATCH', 'items'],
    ['the root, which has no GET', 'GET', ''],
    ['a path with a doubled slash (the client joins endpoint and path as strings)', 'GET', '/items'],
  ])('%s is 403 Missing Authentication Token, even for a signed caller', async (_what, method, path) => {
    const r = await send({ method: method as RestCall['method'], path }, user());
    expect(denial(r)).toEqual({ status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('a wrong stage is 403 Missing Authentication Token', async () => {
    const r = await new RestClient({ apiName: 'myRestApi', endpoint: endpoint.replace('/dev/', '/prod/'), region: emu.region }).send({ method: 'GET', path: 'health' });
    expect(denial(r)).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
  });

  it('a body over the 10 MB payload limit is 413 Request Too Long, before any route or authorization', async () => {
    const r = await fetch(`${endpoint}health`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(r.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    expect(await r.json()).toEqual({ message: 'Request Too Long' });
  });

  it('a NONE method lets anyone through to the integration, which answers for itself', async () => {
    const r = await send({ method: 'GET', path: 'health' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ method: 'GET', path: '/health', userArn: null });
  });
});

describe('IAM methods: SigV4 and the role the identity pool gives', () => {
  it('unsigned: 403 Missing Authentication Token', async () => {
    expect(denial(await send({ method: 'GET', path: 'items' }))).toEqual({ status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('a guest and a signed-in user pass on /items with the policy the guide attaches to both roles', async () => {
    const g = await send({ method: 'GET', path: 'items' }, guest());
    expect(g.status).toBe(200);
    expect(String((g.json as { userArn: string }).userArn)).toMatch(/assumed-role\/authmatrix-unauthenticated-role\//);
    const u = await send({ method: 'POST', path: 'items', body: { name: 'x' } }, user());
    expect(u.status).toBe(200);
  });

  it('the proxy resource takes any verb and any depth below /items', async () => {
    expect((await send({ method: 'DELETE', path: 'items/a/b' }, user())).status).toBe(200);
    expect((await send({ method: 'PATCH', path: 'items/a' }, guest())).status).toBe(200);
  });

  it('an Admins member signs with the Admins role, which lacks the /items policy: 403 naming that role', async () => {
    const r = await send({ method: 'GET', path: 'items' }, user(['Admins']));
    expect(r.status).toBe(403);
    expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect((r.json as { message: string }).message).toMatch(/^User: arn:aws:sts::123456789012:assumed-role\/authmatrix-AdminsGroupRole\/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:\w+\/dev\/GET\/items because no identity-based policy allows the execute-api:Invoke action$/);
    expect((await send({ method: 'GET', path: 'admin' }, user(['Admins']))).status).toBe(200);
    expect((await send({ method: 'GET', path: 'items/archive' }, user(['Admins']))).status).toBe(200);
  });

  it('the first group by precedence decides: Admins before Auditors', async () => {
    expect((await send({ method: 'GET', path: 'items' }, user(['Auditors']))).status).toBe(200);
    expect((await send({ method: 'GET', path: 'items' }, user(['Auditors', 'Admins']))).status).toBe(403);
  });

  it('a signed-in user without a group may not reach /admin', async () => {
    expect(denial(await send({ method: 'DELETE', path: 'admin' }, user()))).toMatchObject({ status: 403, type: 'AccessDeniedException' });
  });

  it('an Authorization header disables signing: a token on an IAM method is an incomplete signature', async () => {
    const t = await tokens();
    const r = await send({ method: 'GET', path: 'items', headers: { Authorization: t.idToken } }, user());
    expect(r.sent.signed).toBe(false);
    expect(denial(r)).toMatchObject({ status: 403, type: 'IncompleteSignatureException' });
    expect(String((r.json as { message: string }).message)).toContain('not a valid key=value pair (missing equal-sign) in Authorization header');
  });

  it('x-api-key does not stop signing', async () => {
    const r = await send({ method: 'GET', path: 'items', headers: { 'x-api-key': 'k' } }, user());
    expect(r.sent.signed).toBe(true);
    expect(r.status).toBe(200);
  });

  it('a tampered signature is 403 InvalidSignatureException; unknown keys 403 UnrecognizedClientException', async () => {
    const creds = user();
    const bad = await send({ method: 'GET', path: 'items' }, { ...creds, secretAccessKey: `${creds.secretAccessKey}x` });
    expect(denial(bad)).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
    const unknown = await send({ method: 'GET', path: 'items' }, { ...creds, accessKeyId: 'ASIAUNKNOWNKEY000000' });
    expect(denial(unknown)).toEqual({ status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  });

  it('credentials for another service are refused', async () => {
    const creds = user();
    const { signRequest } = await import('../../harness/client/sigv4.js');
    const url = new URL(`${endpoint}items`);
    const headers = await signRequest(url, {}, '', creds, emu.region, { service: 'appsync', method: 'GET' });
    const res = await fetch(url, { headers });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });
});

describe('the Cognito user-pool authorizer', () => {
  it('an ID token passes where the method sets no scopes; the integration sees the claims', async () => {
    const t = await tokens(['Admins']);
    const r = await send({ method: 'GET', path: 'cognito-auth-path', headers: { Authorization: t.idToken } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ authorizer: { claims: { 'cognito:username': 'alice', token_use: 'id' } } });
  });

  it('an access token is refused where no scopes are set; accepted where its scope is required; an ID token is refused there', async () => {
    const t = await tokens();
    expect(denial(await send({ method: 'GET', path: 'cognito-auth-path', headers: { Authorization: t.accessToken } }))).toEqual({ status: 401, type: 'UnauthorizedException', message: 'Unauthorized' });
    expect((await send({ method: 'GET', path: 'profile', headers: { Authorization: t.accessToken } })).status).toBe(200);
    expect(denial(await send({ method: 'GET', path: 'profile', headers: { Authorization: t.idToken } }))).toMatchObject({ status: 401, message: 'Unauthorized' });
  });

  it('no token, a SigV4 signature instead, an expired token, a token of another issuer: 401', async () => {
    expect(denial(await send({ method: 'GET', path: 'cognito-auth-path' }))).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(denial(await send({ method: 'GET', path: 'cognito-auth-path' }, user()))).toMatchObject({ status: 401, message: 'Unauthorized' });
    const expired = await emu.credentials.userPool({ username: 'alice', notBefore: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 60 });
    expect(denial(await send({ method: 'GET', path: 'cognito-auth-path', headers: { Authorization: expired.idToken } }))).toEqual({ status: 401, type: 'UnauthorizedException', message: 'The incoming token has expired' });
    const other = await emu.credentials.userPool({ username: 'alice', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' });
    expect(denial(await send({ method: 'GET', path: 'cognito-auth-path', headers: { Authorization: other.idToken } }))).toMatchObject({ status: 401, message: 'Unauthorized' });
  });
});

describe('Lambda authorizers run the app\'s handlers', () => {
  it('TOKEN: a partner token is allowed on every partner route; the decision is cached for the token', async () => {
    emu.reset();
    const before = emu.gateway!.authorizers.invocations.get(partnerAuthorizer()) ?? 0;
    const a = await send({ method: 'GET', path: 'partner', headers: { Authorization: 'Bearer partner-acme' } });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ authorizer: { principalId: 'partner-acme', partner: 'partner-acme' } });
    expect((await send({ method: 'POST', path: 'partner/orders', headers: { Authorization: 'Bearer partner-acme' } })).status).toBe(200);
    expect(emu.gateway!.authorizers.invocations.get(partnerAuthorizer())).toBe(before + 1);
  });

  it('TOKEN: an explicit Deny is 403 with its own message; a thrown Unauthorized is 401', async () => {
    expect(denial(await send({ method: 'GET', path: 'partner', headers: { Authorization: 'Bearer blocked-evil' } })))
      .toEqual({ status: 403, type: 'AccessDeniedException', message: 'User is not authorized to access this resource with an explicit deny' });
    expect(denial(await send({ method: 'GET', path: 'partner', headers: { Authorization: 'Bearer stranger' } }))).toEqual({ status: 401, type: 'UnauthorizedException', message: 'Unauthorized' });
  });

  it('TOKEN: a missing token, or one failing the validation expression, is 401 without invoking the function', async () => {
    const before = emu.gateway!.authorizers.invocations.get(partnerAuthorizer()) ?? 0;
    expect(denial(await send({ method: 'GET', path: 'partner' }))).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(denial(await send({ method: 'GET', path: 'partner', headers: { Authorization: 'partner-acme' } }))).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(emu.gateway!.authorizers.invocations.get(partnerAuthorizer()) ?? 0).toBe(before);
  });

  it('REQUEST: a missing identity source is 401 without invoking; an unknown sender gets the Deny', async () => {
    expect(denial(await send({ method: 'POST', path: 'webhooks/github' }))).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(denial(await send({ method: 'POST', path: 'webhooks/github', headers: { 'x-webhook-secret': 'sender-unknown' } }))).toMatchObject({ status: 403, message: 'User is not authorized to access this resource with an explicit deny' });
  });

  it('REQUEST: a policy for exactly the called method, cached, refuses the same sender on a sibling route', async () => {
    emu.reset();
    expect((await send({ method: 'POST', path: 'webhooks/stripe', headers: { 'x-webhook-secret': 'sender-stripe' } })).status).toBe(200);
    expect(denial(await send({ method: 'POST', path: 'webhooks/github', headers: { 'x-webhook-secret': 'sender-stripe' } })))
      .toEqual({ status: 403, type: 'AccessDeniedException', message: 'User is not authorized to access this resource' });
    // Without the cached decision, the same secret gets its own answer for that route: an explicit Deny.
    emu.reset();
    expect(denial(await send({ method: 'POST', path: 'webhooks/github', headers: { 'x-webhook-secret': 'sender-stripe' } })))
      .toEqual({ status: 403, type: 'AccessDeniedException', message: 'User is not authorized to access this resource with an explicit deny' });
    expect((await send({ method: 'POST', path: 'webhooks/github', headers: { 'x-webhook-secret': 'sender-github' } })).status).toBe(200);
  });
});

describe('API keys, preflight and the wire', () => {
  it('an API key of a usage plan on the stage is required', async () => {
    const key = [...emu.restApiKeys.values()][0]!;
    expect(denial(await send({ method: 'GET', path: 'catalog' }))).toEqual({ status: 403, type: 'ForbiddenException', message: 'Forbidden' });
    expect(denial(await send({ method: 'GET', path: 'catalog', headers: { 'x-api-key': 'not-a-key' } }))).toMatchObject({ status: 403, message: 'Forbidden' });
    expect((await send({ method: 'GET', path: 'catalog', headers: { 'X-Api-Key': key } })).status).toBe(200);
  });

  it('the CORS preflight answers without authorization; gateway errors carry no CORS headers', async () => {
    const pre = await send({ method: 'OPTIONS', path: 'items' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toContain('DELETE');
    const denied = await send({ method: 'GET', path: 'items' });
    expect(denied.status).toBe(403);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    expect(denied.headers['content-type']).toBe('application/json');
  });

  it('global headers and per-request headers merge, the request winning', async () => {
    const key = [...emu.restApiKeys.values()][0]!;
    expect((await send({ method: 'GET', path: 'catalog' }, undefined, { 'x-api-key': key })).status).toBe(200);
    expect((await send({ method: 'GET', path: 'catalog', headers: { 'X-API-KEY': 'wrong' } }, undefined, { 'x-api-key': key })).status).toBe(403);
    expect((await send({ method: 'GET', path: 'catalog', headers: { 'x-api-key': key } }, undefined, { 'x-api-key': 'wrong' })).status).toBe(200);
  });
});

function partnerAuthorizer(): string {
  return emu.model.rest!.apis[0]!.authorizers.find((a) => a.type === 'TOKEN')!.id;
}
