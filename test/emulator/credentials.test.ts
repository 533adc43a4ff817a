/**
 * Credentials are real: JWTs signed and verified with jose, SigV4 recomputed, API keys checked, the
 * Lambda authorizer run. Every refusal is AppSync's wire error.
 */
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { client, emulatorFor, iamAuth, userPoolAuth } from './start.js';

const LIST_POSTS = { query: 'query { listPosts { items { id } } }' };

let emu: Emulator;
beforeAll(async () => {
  emu = await emulatorFor('blog/amplify/data/resource.ts');
});
afterAll(() => emu.stop());

async function raw(headers: Record<string, string>, body: unknown = LIST_POSTS) {
  const r = await fetch(emu.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, errorType: r.headers.get('x-amzn-errortype'), body: (await r.json()) as { errors?: { errorType?: string; message: string }[]; data?: unknown } };
}

function b64(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

describe('API keys', () => {
  it("every key has AppSync's format: da2- and 128 bits in lowercase base32 (26 characters)", () => {
    const keys = [emu.apiKey!, ...Array.from({ length: 2000 }, () => emu.credentials.apiKey())];
    // The last character carries 3 bits: one of 8 values.
    for (const k of keys) expect(k).toMatch(/^da2-[a-z2-7]{25}[aeimquy4]$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('a valid key is accepted', async () => {
    const r = await raw({ 'x-api-key': emu.apiKey! });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ listPosts: { items: [] } });
  });
  it.each([
    ['an unknown key', 'da2-thisisnotakeyofthisapi000'],
    ['an expired key', 'expired'],
  ])('%s is a 401 UnauthorizedException with the reference body and header', async (_, key) => {
    const apiKey = key === 'expired' ? emu.credentials.apiKey({ expiresInDays: -1 }) : key;
    const r = await raw({ 'x-api-key': apiKey });
    expect(r.status).toBe(401);
    expect(r.errorType).toBe('UnauthorizedException');
    expect(r.body).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
  });
  it('the API key wins when both x-api-key and Authorization are sent', async () => {
    const t = await emu.credentials.userPool({ username: 'alice' });
    const r = await raw({ 'x-api-key': 'da2-wrong', authorization: t.accessToken });
    expect(r.status).toBe(401);
  });
});

describe('user-pool JWTs', () => {
  it('access and ID tokens are both accepted and carry Cognito claims', async () => {
    const t = await emu.credentials.userPool({ username: 'alice', groups: ['Admin'] });
    const [, access] = t.accessToken.split('.');
    const [, id] = t.idToken.split('.');
    const a = JSON.parse(Buffer.from(access!, 'base64url').toString());
    const i = JSON.parse(Buffer.from(id!, 'base64url').toString());
    expect(a).toMatchObject({ token_use: 'access', username: 'alice', 'cognito:groups': ['Admin'], client_id: emu.userPool!.clientId, iss: emu.userPool!.issuer, sub: t.sub });
    expect(i).toMatchObject({ token_use: 'id', 'cognito:username': 'alice', aud: emu.userPool!.clientId, sub: t.sub });
    expect(typeof a.auth_time).toBe('number');
    for (const token of [t.accessToken, t.idToken]) expect((await raw({ authorization: token })).status).toBe(200);
  });

  it('the JWKS is served at the issuer and verifies the tokens', async () => {
    const jwks = await (await fetch(`${emu.userPool!.issuer}/.well-known/jwks.json`)).json() as { keys: { kid: string; alg: string }[] };
    const t = await emu.credentials.userPool({ username: 'alice' });
    const kid = JSON.parse(Buffer.from(t.idToken.split('.')[0]!, 'base64url').toString()).kid;
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    expect(jwks.keys[0]!.alg).toBe('RS256');
  });

  const forgeries: [string, () => Promise<string>, string][] = [
    ['a bad signature', async () => {
      const t = await emu.credentials.userPool({ username: 'alice' });
      const [h, p] = t.accessToken.split('.');
      return `${h}.${p}.${b64('not the signature')}`;
    }, 'Valid authorization header not provided.'],
    ['alg: none', async () => {
      const t = await emu.credentials.userPool({ username: 'alice' });
      const payload = t.accessToken.split('.')[1];
      return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    }, 'Valid authorization header not provided.'],
    ['HS256 signed with the public key', async () => {
      const jwks = await (await fetch(`${emu.userPool!.issuer}/.well-known/jwks.json`)).json() as { keys: Record<string, string>[] };
      const t = await emu.credentials.userPool({ username: 'alice', groups: ['Admin'] });
      const [, payload] = t.accessToken.split('.');
      const header = b64({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0]!.kid });
      const sig = createHmac('sha256', JSON.stringify(jwks.keys[0])).update(`${header}.${payload}`).digest('base64url');
      return `${header}.${payload}.${sig}`;
    }, 'Valid authorization header not provided.'],
    ['an unknown kid', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return new SignJWT({ sub: 'x', username: 'alice', token_use: 'access', client_id: emu.userPool!.clientId })
        .setProtectedHeader({ alg: 'RS256', kid: 'not-our-key' }).setIssuer(emu.userPool!.issuer).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    }, 'Valid authorization header not provided.'],
    ['an expired token', async () => (await emu.credentials.userPool({ username: 'alice', expiresInSeconds: -10 })).accessToken, 'Token has expired.'],
    ['a token of another user pool', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      void (await exportJWK(publicKey));
      return new SignJWT({ sub: 'x', username: 'alice', token_use: 'access' }).setProtectedHeader({ alg: 'RS256', kid: 'k' })
        .setIssuer('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other').setIssuedAt().setExpirationTime('1h').sign(privateKey);
    }, 'Valid authorization header not provided.'],
    ['garbage', async () => 'eyJhbGciOi.broken.token', 'Valid authorization header not provided.'],
  ];
  it.each(forgeries)('%s is refused with 401', async (_, make, message) => {
    const r = await raw({ authorization: await make() });
    expect(r.status).toBe(401);
    expect(r.errorType).toBe('UnauthorizedException');
    expect(r.body.errors![0]).toEqual({ errorType: 'UnauthorizedException', message });
  });

  it('no credentials at all is a 401', async () => {
    const r = await raw({});
    expect(r).toMatchObject({ status: 401, errorType: 'UnauthorizedException' });
  });
});

describe('OIDC', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it('tokens of the configured issuer with the client id are accepted', async () => {
    const token = await emu.credentials.oidc({ sub: 'u1', claims: { user_id: 'u1' } });
    const r = await client(emu, { mode: 'oidc', token }).graphql({ query: 'query { listTickets { items { id } } }' });
    expect(r.status).toBe(200);
    expect(r.errors).toEqual([]);
  });
  it.each([
    ['a wrong audience', { audience: 'another-client' }, 'Valid authorization header not provided.'],
    ['iat older than iatTTL', { issuedAt: now() - 7200 }, 'Token has expired.'],
    ['auth_time older than authTTL', { authTime: now() - 7200 }, 'Token has expired.'],
  ])('%s is refused', async (_, override, message) => {
    const token = await emu.credentials.oidc({ sub: 'u1', ...override });
    const r = await raw({ authorization: token });
    expect(r.status).toBe(401);
    expect(r.body.errors![0]!.message).toBe(message);
  });
});

describe('IAM (SigV4)', () => {
  it('signed requests from each kind of principal are verified', async () => {
    for (const who of ['guest', 'user', 'admin'] as const) {
      const r = await client(emu, iamAuth(emu, who)).graphql(LIST_POSTS);
      expect(r.status, who).toBe(200);
    }
  });

  async function signedThenTampered(tamper: (h: Record<string, string>, body: string) => { headers: Record<string, string>; body: string }) {
    const { signRequest } = await import('../../harness/client/sigv4.js');
    const creds = emu.credentials.identityPool({ authenticated: false });
    const body = JSON.stringify(LIST_POSTS);
    const headers = await signRequest(new URL(emu.url), { 'content-type': 'application/json' }, body, creds, emu.region);
    const t = tamper(headers, body);
    const r = await fetch(emu.url, { method: 'POST', headers: t.headers, body: t.body });
    return { status: r.status, errorType: r.headers.get('x-amzn-errortype'), body: (await r.json()) as { errors: { errorType: string; message: string }[] } };
  }

  it('a tampered body is a 403 InvalidSignatureException', async () => {
    const r = await signedThenTampered((h) => ({ headers: h, body: JSON.stringify({ query: 'query { listEmployees { items { ssn } } }' }) }));
    expect(r).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
    expect(r.body.errors[0]!.message).toMatch(/^The request signature we calculated does not match/);
  });

  it('a stale date (over 5 minutes of skew) is refused', async () => {
    const { signRequest } = await import('../../harness/client/sigv4.js');
    const creds = emu.credentials.identityPool({ authenticated: true });
    const body = JSON.stringify(LIST_POSTS);
    const headers = await signRequest(new URL(emu.url), { 'content-type': 'application/json' }, body, creds, emu.region, { signingDate: new Date(Date.now() - 6 * 60_000) });
    const r = await fetch(emu.url, { method: 'POST', headers, body });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/^Signature expired/);
  });

  it('a wrong region is refused', async () => {
    const { signRequest } = await import('../../harness/client/sigv4.js');
    const creds = emu.credentials.identityPool({ authenticated: true });
    const body = JSON.stringify(LIST_POSTS);
    const headers = await signRequest(new URL(emu.url), { 'content-type': 'application/json' }, body, creds, 'eu-west-3');
    const r = await fetch(emu.url, { method: 'POST', headers, body });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('a missing security token is refused', async () => {
    const r = await signedThenTampered((h, body) => {
      const { ['x-amz-security-token']: _, ...rest } = h;
      return { headers: rest, body };
    });
    expect(r).toMatchObject({ status: 403, errorType: 'UnrecognizedClientException' });
  });

  it('credentials the emulator never issued are refused', async () => {
    const { signRequest } = await import('../../harness/client/sigv4.js');
    const body = JSON.stringify(LIST_POSTS);
    const headers = await signRequest(new URL(emu.url), { 'content-type': 'application/json' }, body, { accessKeyId: 'ASIAFAKEFAKEFAKE', secretAccessKey: 'x'.repeat(40), sessionToken: 'tok' }, emu.region);
    const r = await fetch(emu.url, { method: 'POST', headers, body });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
  });
});

describe('Lambda authorizer', () => {
  it('runs the schema’s handler module: an accepted token reads, deniedFields come back null', async () => {
    const c = client(emu, { mode: 'lambda', token: 'helpdesk-alice' });
    const created = await c.graphql({ query: 'mutation { createTicket(input: { subject: "printer" }) { id subject owner } }' });
    expect(created.errors).toEqual([]);
    expect(created.data).toMatchObject({ createTicket: { subject: 'printer', owner: null } });
  });
  it('a token the handler refuses is a 401', async () => {
    const r = await raw({ authorization: 'not-a-helpdesk-token' });
    expect(r).toMatchObject({ status: 401, errorType: 'UnauthorizedException' });
    expect(r.body.errors![0]!.message).toBe('You are not authorized to make this call.');
  });
  it('caches results for ttlOverride seconds, and checks identityValidationExpression before invoking', async () => {
    const model = (await import('../../harness/schema/load.js')).loadAuthModel;
    const m = await model((await import('../cli/cli.js')).example('blog/amplify/data/resource.ts'));
    const lambda = { ...m.authModes.lambda!, identityValidationExpression: '^tok-' };
    const cached = await (await import('../../harness/emulator/emulator.js')).startEmulator({
      model: { ...m, authModes: { ...m.authModes, lambda } },
      lambdaTokens: { 'tok-a': { isAuthorized: true, ttlOverride: 300 }, 'tok-b': { isAuthorized: true, ttlOverride: 0 } },
      log: () => undefined,
    });
    try {
      const call = (token: string) => client(cached, { mode: 'lambda', token }).graphql({ query: 'query { listTickets { items { id } } }' });
      await call('tok-a');
      await call('tok-a');
      await call('tok-b');
      await call('tok-b');
      expect(cached.lambda!.invocations).toBe(3);
      const refused = await call('other-token');
      expect(refused.status).toBe(401);
      expect(cached.lambda!.invocations).toBe(3);
    } finally {
      await cached.stop();
    }
  });
});

describe('mode inference', () => {
  it('a JWT from an unknown issuer is not handed to the Lambda authorizer', async () => {
    const r = await raw({ authorization: `${b64({ alg: 'RS256' })}.${b64({ iss: 'https://elsewhere', sub: 'x' })}.sig` });
    expect(r.status).toBe(401);
    expect(r.body.errors![0]!.message).toBe('Valid authorization header not provided.');
  });
  it('the body digest of a SigV4 request is checked over the exact bytes sent', async () => {
    const c = client(emu, iamAuth(emu, 'admin'));
    const r = await c.graphql({ query: 'query   {  listPosts { items { id } } }' });
    expect(r.status).toBe(200);
    expect(createHash('sha256').update('x').digest('hex')).toHaveLength(64);
  });
  it('user-pool callers get their token verified once and cached until it expires', async () => {
    const auth = await userPoolAuth(emu, 'alice');
    const c = client(emu, auth);
    for (let i = 0; i < 3; i++) expect((await c.graphql(LIST_POSTS)).status).toBe(200);
  });
});
