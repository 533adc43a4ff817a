/**
 * Credentials for the test workers, without writing them to disk: the run's process serves each
 * persona's current credential on loopback (tokens refreshed there, as the persona modules do), behind
 * a per-run secret; workers ask when a credential is about to expire.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authHeaders, credentialsOf, type ClientAuth } from '../client/auth.js';
import type { AwsCredentials } from '../client/sigv4.js';
import type { CreatedRecord, FixtureIndex } from './setup.js';
import type { RestAuth } from '../../personas/types.js';
import type { CreatedObject } from './storage.js';
import type { Exchange } from '../client/exchange.js';

export interface BrokerAccess {
  url: string;
  secret: string;
}

/** A credential as plain data: what the broker hands out. */
type Resolved =
  | { mode: 'apiKey'; apiKey: string }
  | { mode: 'userPool' | 'oidc' | 'lambda'; token: string }
  | { mode: 'iam'; credentials: AwsCredentials & { expiration?: string }; region: string }
  | { mode: 'none' };

async function resolve(auth: ClientAuth): Promise<Resolved> {
  switch (auth.mode) {
    case 'apiKey':
      return auth;
    case 'userPool':
    case 'oidc':
      return { mode: auth.mode, token: (await authHeaders(auth)).authorization! };
    case 'lambda':
      return auth;
    case 'iam': {
      const c = await credentialsOf(auth);
      const expiration = (c as { expiration?: Date | string }).expiration;
      return { mode: 'iam', region: auth.region, credentials: { ...c, ...(expiration ? { expiration: new Date(expiration).toISOString() } : {}) } };
    }
    case 'none':
      return auth;
  }
}

/** What the broker serves, known once the personas are provisioned and the run is planned. */
export interface BrokerHandlers {
  auths: Map<string, ClientAuth>;
  /** The fixture records' keys, once created: the worker collects its tests while they are made. */
  fixtures: Promise<FixtureIndex>;
  onCreated: (records: CreatedRecord[]) => void;
  rest?: Map<string, RestAuth>;
  onCreatedObjects?: (objects: CreatedObject[]) => void;
  onReset?: (cell: string, phase: ResetPhase) => void;
}

/** How a signal reaches the test worker: it learns the run stops, and says once none of its cells is under way. */
export interface BrokerStop {
  requested: Promise<void>;
  idle(): void;
}

/**
 * Serves `GET /auth/<persona>` (the current credential), takes `POST /created` (records the tests
 * made), `POST /created-objects` (storage objects they wrote) and `POST /reset` (put the store as a serial cell
 * needs it), all behind the run's secret. It starts before the run is ready (`ready`), so that the test worker boots while the
 * personas are provisioned: `GET /run` answers 204 once the run is ready, 410 if it ended before; `GET /fixtures`
 * answers the fixtures' index once they are made, 410 if they could not be. `GET /stop` answers once the run is
 * stopped by a signal, and `POST /idle` says the worker has no cell under way any more.
 */
export async function startBroker(ready: Promise<BrokerHandlers>, stop: BrokerStop): Promise<BrokerAccess & { close(): Promise<void> }> {
  // Fixtures that fail before the worker asks for them are answered 410 then, not an unhandled rejection now.
  ready.then((h) => h.fixtures.catch(() => undefined), () => undefined);
  const secret = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${secret}`);
  const server: Server = createServer(async (req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void res.writeHead(403).end();
    let body = '';
    if (req.method === 'POST') for await (const chunk of req) body += chunk;
    if (req.url === '/stop') return void (await stop.requested, res.writeHead(204).end());
    if (req.url === '/idle' && req.method === 'POST') return void (stop.idle(), res.writeHead(204).end());
    const handlers = await ready.catch(() => undefined);
    if (!handlers) return void res.writeHead(410).end();
    if (req.url === '/run') return void res.writeHead(204).end();
    if (req.url === '/fixtures') {
      const index = await handlers.fixtures.catch(() => undefined);
      if (!index) return void res.writeHead(410).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(index));
    }
    if (req.method === 'POST' && (req.url === '/created' || req.url === '/created-objects' || req.url === '/reset')) {
      if (req.url === '/created-objects') handlers.onCreatedObjects?.(JSON.parse(body) as CreatedObject[]);
      else if (req.url === '/reset') {
        const { cell, phase } = JSON.parse(body) as { cell: string; phase: ResetPhase };
        try {
          handlers.onReset?.(cell, phase);
        } catch (e) {
          return void res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message.split('\n')[0]);
        }
      } else handlers.onCreated(JSON.parse(body) as CreatedRecord[]);
      return void res.writeHead(204).end();
    }
    if (req.url?.startsWith('/rest/')) {
      const found = handlers.rest?.get(decodeURIComponent(req.url.slice('/rest/'.length)));
      if (!found) return void res.writeHead(404).end();
      try {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await resolveRest(found)));
      } catch (e) {
        return void res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message.split('\n')[0]);
      }
    }
    const name = decodeURIComponent((req.url ?? '').replace(/^\/auth\//, ''));
    const auth = handlers.auths.get(name);
    if (!auth) return void res.writeHead(404).end();
    try {
      const json = JSON.stringify(await resolve(auth));
      res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message.split('\n')[0]);
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    // The worker's wait for a stop is still open when a run ends: closed with the rest.
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}

/** The fixtures' index, once the run has made them; throws if it could not. */
export async function awaitFixtures(access: BrokerAccess): Promise<FixtureIndex> {
  const res = await ask(access, 'GET', '/fixtures', undefined, true);
  if (res.status !== 200) throw new Error('the run ended before its fixtures were made');
  return JSON.parse(res.text) as FixtureIndex;
}

/** Settles when the run is stopped by a signal; rejects when the run's process ends the broker first. */
export async function awaitStop(access: BrokerAccess): Promise<void> {
  await awaitSignal(access, '/stop', 'the run ended without a stop');
}

/** Tells the run's process that no cell of this worker is under way (after a stop). */
export async function reportIdle(access: BrokerAccess): Promise<void> {
  await post(access, '/idle', {});
}

/** Waits until the run is ready (a test worker boots before it is); throws if the run ended first. */
export async function awaitRun(access: BrokerAccess): Promise<void> {
  // Provisioning a deployed app's personas can take minutes: no time limit here.
  await awaitSignal(access, '/run', 'the run ended before its cells were ready');
}

/** A route the broker answers 204 once something has happened, whenever that is; `failure` when it answers otherwise. */
async function awaitSignal(access: BrokerAccess, route: string, failure: string): Promise<void> {
  const res = await ask(access, 'GET', route, undefined, true);
  if (res.status !== 204) throw new Error(failure);
}

/** When a credential stops being good, from a JWT's `exp` or IAM's expiration (else in 5 minutes). */
function expiryOf(r: Resolved): number {
  const soon = Date.now() + 5 * 60_000;
  if (r.mode === 'userPool' || r.mode === 'oidc') {
    try {
      const exp = (JSON.parse(Buffer.from(r.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number }).exp;
      return exp ? exp * 1000 : soon;
    } catch {
      return soon;
    }
  }
  if (r.mode === 'iam' && r.credentials.expiration) return new Date(r.credentials.expiration).getTime();
  return Number.MAX_SAFE_INTEGER;
}

/**
 * A worker-side ClientAuth for a persona: token modes and IAM fetch (and re-fetch a minute before
 * expiry) from the broker; API keys and Lambda tokens are fetched once.
 */
export async function brokeredAuth(access: BrokerAccess, persona: string): Promise<ClientAuth> {
  let cached: { value: Resolved; until: number } | undefined;
  const fetchAuth = async (): Promise<Resolved> => {
    if (cached && Date.now() < cached.until - 60_000) return cached.value;
    const res = await ask(access, 'GET', `/auth/${encodeURIComponent(persona)}`);
    if (res.status !== 200) throw new Error(`the credential broker answered ${res.status} for ${persona}: ${res.text}`);
    const value = JSON.parse(res.text) as Resolved;
    cached = { value, until: expiryOf(value) };
    return value;
  };
  const first = await fetchAuth();
  switch (first.mode) {
    case 'apiKey':
    case 'lambda':
    case 'none':
      return first;
    case 'userPool':
    case 'oidc':
      return { mode: first.mode, token: async () => ((await fetchAuth()) as { token: string }).token };
    case 'iam':
      return { mode: 'iam', region: first.region, credentials: async () => ((await fetchAuth()) as { credentials: AwsCredentials }).credentials };
  }
}

/** REST credentials as plain data (current values). */
export interface ResolvedRest {
  credentials?: AwsCredentials & { expiration?: string };
  idToken?: string;
  accessToken?: string;
  apiKeys?: Record<string, string>;
  authorization?: string;
}

export async function resolveRest(r: RestAuth): Promise<ResolvedRest> {
  const credentials = typeof r.credentials === 'function' ? await r.credentials() : r.credentials;
  const expiration = (credentials as { expiration?: Date | string } | undefined)?.expiration;
  return {
    ...(credentials ? { credentials: { ...credentials, ...(expiration ? { expiration: new Date(expiration).toISOString() } : {}) } } : {}),
    ...(r.idToken ? { idToken: await r.idToken() } : {}),
    ...(r.accessToken ? { accessToken: await r.accessToken() } : {}),
    ...(r.apiKeys ? { apiKeys: r.apiKeys } : {}),
    ...(r.authorization ? { authorization: r.authorization } : {}),
  };
}

/** A worker-side view of a persona's REST credentials, fetched again a minute before the first of them expires. */
export function brokeredRest(access: BrokerAccess, persona: string): () => Promise<ResolvedRest> {
  let cached: { value: ResolvedRest; until: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.until - 60_000) return cached.value;
    const res = await ask(access, 'GET', `/rest/${encodeURIComponent(persona)}`);
    if (res.status !== 200) throw new Error(`the credential broker answered ${res.status} for ${persona}'s REST credentials: ${res.text}`);
    const value = JSON.parse(res.text) as ResolvedRest;
    const expiries = [
      value.credentials?.expiration ? Date.parse(value.credentials.expiration) : undefined,
      ...[value.idToken, value.accessToken].map((t) => (t ? expiryOf({ mode: 'userPool', token: t }) : undefined)),
    ].filter((x): x is number => x !== undefined);
    cached = { value, until: expiries.length ? Math.min(...expiries) : Date.now() + 5 * 60_000 };
    return value;
  };
}

/** Tells the run's process about records (or, on `/created-objects`, storage objects) a test created. */
export async function reportCreated(access: BrokerAccess, records: CreatedRecord[] | CreatedObject[], route: '/created' | '/created-objects' = '/created'): Promise<void> {
  await post(access, route, records);
}

/** Around a serial cell: the run process puts the store as the cell needs it (`before`) and back (`after`). */
export type ResetPhase = 'before' | 'after';

export async function requestReset(access: BrokerAccess, cell: string, phase: ResetPhase): Promise<void> {
  const res = await ask(access, 'POST', '/reset', { cell, phase });
  if (res.status !== 204) throw new Error(`the run could not set the store ${phase} this cell: ${res.text}`);
}

async function post(access: BrokerAccess, route: string, body: unknown): Promise<void> {
  await ask(access, 'POST', route, body);
}

/**
 * A request to the broker behind the run's secret; `body` goes as JSON; `untimed` for the routes that answer when
 * something happens. The HTTP client is loaded when first used: the run's process starts the broker first (drive.ts).
 */
async function ask(access: BrokerAccess, method: 'GET' | 'POST', route: string, body?: unknown, untimed = false): Promise<Exchange> {
  const { exchange } = await import('../client/exchange.js');
  const headers: Record<string, string> = { authorization: `Bearer ${access.secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  return exchange(new URL(route, access.url), method, headers, body === undefined ? undefined : JSON.stringify(body), { untimed });
}

/** The broker name of a persona's AWS session (storage), beside its own credential. */
export const awsSessionName = (persona: string): string => `aws:${persona}`;
