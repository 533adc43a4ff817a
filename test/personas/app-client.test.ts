/**
 * The appClient persona (a user pool's client-credentials app client) on the emulator of app shape rest-app-client:
 * the token's claims as Cognito writes them for that grant (verified with jose against the pool's JWKS), the pool
 * domain's token endpoint with its OAuth errors, the deployed grant over HTTP against that endpoint, and the
 * emulated gateway judging the scopes. Nothing of ours is mocked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '../../harness/client/rest.js';
import { loadConfig } from '../../harness/config.js';
import { castWith, type Persona } from '../../harness/matrix/cast.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { appClient } from '../../personas/app-client.js';
import { emulatedTarget, provisionCast, unavailablePersonas } from '../../personas/index.js';
import type { DeployedTarget } from '../../personas/shared/deployed.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let base: string;
let info: { userPool: { issuer: string; jwks: string; clientId: string; tokenEndpoint: string; appClients: { name: string; clientId: string; clientSecret: string; scopes: string[] }[] } };

beforeAll(async () => {
  emu = await emulatorFor(fixture('app-shapes', 'rest-app-client'));
  base = emu.url.replace(/\/graphql$/, '');
  info = (await (await fetch(`${base}/.authmatrix/`)).json()) as typeof info;
});
afterAll(() => emu?.stop());

const client = (name: string) => info.userPool.appClients.find((c) => c.name === name)!;
const mint = async (spec: Record<string, unknown>) => {
  const res = await fetch(`${base}/.authmatrix/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'clientCredentials', ...spec }) });
  return { status: res.status, body: (await res.json()) as { accessToken?: string; error?: string } };
};
const grant = async (form: Record<string, string>, basic?: [string, string]) => {
  const res = await fetch(info.userPool.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(basic.join(':')).toString('base64')}` } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; expires_in?: number; token_type?: string; error?: string } };
};
const verified = async (token: string) => (await jwtVerify(token, createRemoteJWKSet(new URL(info.userPool.jwks)), { issuer: info.userPool.issuer, algorithms: ['RS256'] })).payload;
const call = (method: 'GET' | 'POST', p: string, token: string) => {
  const api = emu.restEndpoints().find((a) => a.name === 'reportsApi')!;
  return new RestClient({ apiName: api.name, endpoint: api.endpoint, region: api.region }).send({ method, path: p, headers: { Authorization: token } });
};

describe("a client-credentials grant's access token", () => {
  it('the pool knows the two machine clients with their scopes, not the hosted-UI client', () => {
    expect(info.userPool.appClients.map((c) => [c.name, c.scopes])).toEqual([['ingest', ['reports/read']], ['publisher', ['reports/write']]]);
    expect(client('ingest').clientId).toMatch(/^[a-z0-9]{26}$/);
    expect(client('ingest').clientId).not.toBe(info.userPool.clientId);
  });

  it.each([
    ['sub', (id: string) => id],
    ['client_id', (id: string) => id],
    ['token_use', () => 'access'],
    ['scope', () => 'reports/read'],
    ['version', () => 2],
    ['username', () => undefined],
    ['cognito:groups', () => undefined],
    ['cognito:username', () => undefined],
    ['aud', () => undefined],
  ] as const)('claim %s, from the developer endpoint and from the token endpoint alike', async (claim, expected) => {
    const c = client('ingest');
    const minted = await mint({ client: 'ingest' });
    const granted = await grant({ grant_type: 'client_credentials' }, [c.clientId, c.clientSecret]);
    for (const token of [minted.body.accessToken!, granted.body.access_token!]) {
      const claims = await verified(token);
      expect(claims[claim]).toEqual(expected(c.clientId));
      expect(claims.exp! - claims.iat!).toBe(3600);
    }
  });

  it('asks for a subset of its scopes, or gets them all; a scope it is not allowed is invalid_scope', async () => {
    const c = client('ingest');
    expect((await verified((await grant({ grant_type: 'client_credentials', scope: 'reports/read' }, [c.clientId, c.clientSecret])).body.access_token!)).scope).toBe('reports/read');
    expect(await grant({ grant_type: 'client_credentials', scope: 'reports/write' }, [c.clientId, c.clientSecret])).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await mint({ client: 'ingest', scope: 'reports/write' })).toMatchObject({ status: 400, body: { error: 'invalid_scope: app client ingest is not allowed reports/write' } });
  });

  it.each([
    ['a wrong secret', (c: { clientId: string }) => [{ grant_type: 'client_credentials' }, [c.clientId, 'not-the-secret']], 'invalid_client'],
    ['no client authentication', () => [{ grant_type: 'client_credentials' }, undefined], 'invalid_client'],
    ["the app's own (web) client, which no grant of this kind is allowed", () => [{ grant_type: 'client_credentials' }, [info.userPool.clientId, 'x']], 'invalid_client'],
    ['another grant type', (c: { clientId: string; clientSecret: string }) => [{ grant_type: 'password', username: 'u', password: 'p' }, [c.clientId, c.clientSecret]], 'unsupported_grant_type'],
  ] as const)('%s is refused: 400 %s', async (_what, request, error) => {
    const [form, basic] = request(client('ingest')) as [Record<string, string>, [string, string] | undefined];
    const r = await grant(form, basic);
    expect(r).toMatchObject({ status: 400, body: { error } });
    expect(r.body.access_token).toBeUndefined();
  });

  it('the secret may also be sent in the form; the answer is a Bearer token for an hour', async () => {
    const c = client('publisher');
    const r = await grant({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
    expect(r).toMatchObject({ status: 200, body: { expires_in: 3600, token_type: 'Bearer' } });
    expect((await verified(r.body.access_token!)).scope).toBe('reports/write');
  });

  it('a client the app does not declare cannot be minted', async () => {
    expect(await mint({ client: 'hosted-ui' })).toMatchObject({ status: 400, body: { error: 'unauthorized_client: the user pool has no app client hosted-ui allowed the client-credentials grant (ingest, publisher)' } });
  });
});

describe('the appClient persona', () => {
  const personas = () => castWith(emu.model, undefined).filter((p) => p.kind === 'appClient');

  it('one per machine client, presenting only its access token, through the emulated gateway: allowed where its scope is required, refused elsewhere', async () => {
    const cast = await provisionCast(personas(), await emulatedTarget(emu.url), emu.model, {});
    expect(cast.map((p) => [p.name, p.auth.mode, p.rest?.idToken, p.rest?.credentials, p.aws])).toEqual([['appClient:ingest', 'none', undefined, undefined, undefined], ['appClient:publisher', 'none', undefined, undefined, undefined]]);
    const ingest = await cast[0]!.rest!.accessToken!();
    expect((await call('GET', 'reports', ingest)).status).toBe(200);
    for (const [method, p] of [['POST', 'reports'], ['GET', 'profile'], ['GET', 'me']] as const) {
      const r = await call(method, p, ingest);
      expect([r.status, r.headers['x-amzn-errortype']], `${method} ${p}`).toEqual([401, 'UnauthorizedException']);
    }
    expect((await call('POST', 'reports', await cast[1]!.rest!.accessToken!())).status).toBe(200);
  });

  it('deployed: the grant at the configured token endpoint with the client id and secret; without them the persona is left out with why', async () => {
    const [ingest] = personas() as [Persona];
    expect(appClient.unavailable!(ingest, 'emulated')).toBeUndefined();
    expect(unavailablePersonas([ingest], 'deployed').get('appClient:ingest')).toMatch(/^the client-credentials grant needs the client's secret; set personas\["appClient:ingest"\]\.clientCredentials = \{ tokenUrl, clientId, clientSecret \}/);
    const c = client('ingest');
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-app-client-'));
    try {
      const file = path.join(dir, 'authmatrix.config.json');
      writeFileSync(file, JSON.stringify({ personas: { 'appClient:ingest': { clientCredentials: { tokenUrl: info.userPool.tokenEndpoint, clientId: c.clientId, clientSecret: c.clientSecret } } } }));
      const { config } = await loadConfig(file, []);
      const configured = castWith(emu.model, config.personas).find((p) => p.name === 'appClient:ingest')!;
      expect(configured.appClient).toEqual({ name: 'ingest', scopes: ['reports/read'] });
      expect(unavailablePersonas([configured], 'deployed').size).toBe(0);
      // Only the target's kind matters to this persona: the grant goes to the configured endpoint.
      const done = await appClient.provision(configured, { target: { kind: 'deployed' } as DeployedTarget, model: emu.model, config });
      expect(done.provisioning).toBe(`client-credentials grant of app client ingest at ${new URL(info.userPool.tokenEndpoint).host}`);
      const token = await done.rest!.accessToken!();
      expect((await verified(token)).client_id).toBe(c.clientId);
      expect((await call('GET', 'reports', token)).status).toBe(200);

      writeFileSync(file, JSON.stringify({ personas: { 'appClient:ingest': { clientCredentials: { tokenUrl: info.userPool.tokenEndpoint, clientId: c.clientId, clientSecret: 'wrong' } } } }));
      const wrong = castWith(emu.model, (await loadConfig(file, [])).config.personas).find((p) => p.name === 'appClient:ingest')!;
      const e = await appClient.provision(wrong, { target: { kind: 'deployed' } as DeployedTarget, model: emu.model, config }).then((x) => x.rest!.accessToken!()).catch((x: unknown) => x);
      expect((e as { format(): string }).format()).toBe(`the client-credentials grant at ${info.userPool.tokenEndpoint} failed (HTTP 400 invalid_client). Fix: check personas["appClient:ingest"].clientCredentials in authmatrix.config.ts`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ 'appClient:ingest': { clientCredentials: { tokenUrl: 'https://x/oauth2/token', clientId: 'a' } } }, /"appClient:ingest\.clientCredentials" needs tokenUrl, clientId and clientSecret/],
    [{ 'appClient:ingest': { clientCredentials: { tokenUrl: 'x', clientId: 'a', clientSecret: 'b' } } }, /"appClient:ingest\.clientCredentials\.tokenUrl" must be a URL/],
  ])('a config that cannot be a grant is refused: %j', async (personas, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-app-client-'));
    try {
      const file = path.join(dir, 'authmatrix.config.json');
      writeFileSync(file, JSON.stringify({ personas }));
      const e = await loadConfig(file, []).catch((x: unknown) => x);
      expect((e as { format(): string }).format()).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a persona of kind appClient that names no machine client of the app is refused, naming the ones there are', () => {
    expect(() => castWith(emu.model, { robot: { kind: 'appClient' } })).toThrow(/persona "robot" is not one of the user pool's client-credentials app clients/);
  });
});
