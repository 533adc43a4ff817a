/**
 * Credential-attack probes against the emulator (examples/blog: every auth mode), with a cast minted
 * through its developer endpoint: each probe is refused exactly as AppSync does. The same probes
 * against a permissive stand-in (accepts every credential) must all fail, and a stand-in that echoes
 * credentials in its error messages must not get them into a probe's detail or evidence.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AuthmatrixConfig } from '../../harness/config.js';
import { startEmulator, type Emulator } from '../../harness/emulator/emulator.js';
import { castWith } from '../../harness/matrix/cast.js';
import { GraphQLClient } from '../../harness/client/http.js';
import { credentialProbes, devEndpointMinter, failingToken, judgeProbe, refusalOf, runProbe, type AppSyncProbe as Probe, type ProbeRun } from '../../harness/probes/index.js';
import { claimsOf } from '../../harness/probes/jwt-forgery.js';
import { connectExchange, startExchange } from '../../harness/probes/realtime.js';
import { PROBE_USER_AGENT, sigv4Headers } from '../../harness/probes/sigv4-forgery.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { emulatedTarget, provisionCast, type ProvisionedPersona } from '../../personas/index.js';
import { example } from '../cli/cli.js';

const NO_VALID_HEADER = 'Valid authorization header not provided.';
const NOT_AUTHORIZED = 'You are not authorized to make this call.';
const EXPIRED = 'Token has expired.';
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const DEEPDISH = 'com.amazonaws.deepdish.graphql.auth#UnauthorizedException';
const connectError = (message: string): [string, string] => [`connection_error ${DEEPDISH}`, message];
const startError = (message: string): [string, string] => ['error UnauthorizedException', message];
const http401 = (message: string): [string, string] => ['401 UnauthorizedException', message];

/** The emulator's exact refusal of each probe: what `judgeProbe` observes, and the error message. */
const REFUSALS: Record<string, [string, string | RegExp]> = {
  'probe|apiKey|missing': http401(NO_VALID_HEADER),
  'probe|apiKey|unknownKey': http401(NOT_AUTHORIZED),
  'probe|apiKey|expiredKey': http401(NOT_AUTHORIZED),
  'probe|apiKey|realtimeConnectMissing': connectError(NO_VALID_HEADER),
  'probe|apiKey|realtimeConnectForged': connectError(NOT_AUTHORIZED),
  'probe|apiKey|realtimeStartMissing': startError(NO_VALID_HEADER),
  'probe|apiKey|realtimeStartForged': startError(NOT_AUTHORIZED),
  ...Object.fromEntries(['userPool', 'oidc'].flatMap((mode) => [
    [`probe|${mode}|missing`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|badSignature`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|algNone`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|hs256PublicKey`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|unknownKid`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|expired`, http401(EXPIRED)],
    [`probe|${mode}|notYetValid`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|wrongIssuer`, http401(NO_VALID_HEADER)],
    [`probe|${mode}|realtimeConnectMissing`, connectError(NO_VALID_HEADER)],
    [`probe|${mode}|realtimeConnectForged`, connectError(NO_VALID_HEADER)],
    [`probe|${mode}|realtimeStartMissing`, startError(NO_VALID_HEADER)],
    [`probe|${mode}|realtimeStartForged`, startError(NO_VALID_HEADER)],
  ])),
  'probe|userPool|anotherPool': http401(NO_VALID_HEADER),
  'probe|oidc|wrongAudience': http401(NO_VALID_HEADER),
  'probe|oidc|iatTTL': http401(EXPIRED),
  'probe|oidc|authTTL': http401(EXPIRED),
  'probe|iam|missing': http401(NO_VALID_HEADER),
  'probe|iam|tamperedBody': ['403 InvalidSignatureException', SIGNATURE_MISMATCH],
  'probe|iam|wrongRegion': ['403 InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-3'. "],
  'probe|iam|wrongService': ['403 InvalidSignatureException', "Credential should be scoped to correct service: 'appsync'. "],
  'probe|iam|staleDate': ['403 InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/],
  'probe|iam|missingSecurityToken': ['403 UnrecognizedClientException', 'The security token included in the request is invalid.'],
  'probe|iam|realtimeConnectMissing': connectError(NO_VALID_HEADER),
  'probe|iam|realtimeConnectForged': connectError(SIGNATURE_MISMATCH),
  'probe|iam|realtimeStartMissing': startError(NO_VALID_HEADER),
  // A start with a bad signature is a BadRequestException (over HTTP it is a 403): harness/probes/credentials.ts.
  'probe|iam|realtimeStartForged': ['error BadRequestException', SIGNATURE_MISMATCH],
  'probe|lambda|missing': http401(NO_VALID_HEADER),
  'probe|lambda|denied': http401(NOT_AUTHORIZED),
  'probe|lambda|realtimeConnectMissing': connectError(NO_VALID_HEADER),
  'probe|lambda|realtimeConnectForged': connectError(NOT_AUTHORIZED),
  'probe|lambda|realtimeStartMissing': startError(NO_VALID_HEADER),
  'probe|lambda|realtimeStartForged': startError(NOT_AUTHORIZED),
};

const REALTIME = ['realtimeConnectMissing', 'realtimeConnectForged', 'realtimeStartMissing', 'realtimeStartForged'];
const JWT = ['missing', 'badSignature', 'algNone', 'hs256PublicKey', 'unknownKid', 'expired', 'notYetValid', 'wrongIssuer', 'wrongAudience'];
/** The attacks per mode on examples/blog as it is (no appIdClientRegex, no identityValidationExpression). */
const BLOG_ATTACKS = {
  apiKey: ['missing', 'unknownKey', 'expiredKey', ...REALTIME],
  userPool: [...JWT, 'anotherPool', ...REALTIME],
  oidc: [...JWT, 'iatTTL', 'authTTL', ...REALTIME],
  iam: ['missing', 'tamperedBody', 'wrongRegion', 'wrongService', 'staleDate', 'missingSecurityToken', ...REALTIME],
  lambda: ['missing', 'denied', ...REALTIME],
};

interface Setup {
  emu: Emulator;
  model: AuthModel;
  personas: ProvisionedPersona[];
  devEndpoint: string;
  probesAt(url: string): Probe[];
}

async function setUp(adjust: (m: AuthModel) => AuthModel = (m) => m): Promise<Setup> {
  const model = adjust(await loadAuthModel(example('blog/amplify/data/resource.ts')));
  const { config } = await loadConfig(undefined, [example('blog')]);
  const emu = await startEmulator({ model, log: () => undefined });
  const target = await emulatedTarget(emu.url);
  const personas = await provisionCast(castWith(model, (config as AuthmatrixConfig).personas), target, model, config);
  const mint = devEndpointMinter(target.devEndpoint);
  return { emu, model, personas, devEndpoint: target.devEndpoint, probesAt: (url) => credentialProbes({ model, url, region: emu.region, personas, mint }) };
}

/** Runs probes a few at a time (the order of results is the probes' order). */
async function runAll(probes: Probe[]): Promise<ProbeRun[]> {
  const out: ProbeRun[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const i = next++;
      out[i] = await runProbe(probes[i]!);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

function attacksByMode(probes: Probe[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of probes) (out[p.mode] ??= []).push(p.attack);
  return out;
}

function messageOf(result: Awaited<ReturnType<Probe['send']>>): string | undefined {
  return result.errors[0]?.message;
}

let blog: Setup;
beforeAll(async () => {
  blog = await setUp();
});
afterAll(() => blog?.emu.stop());

describe('credential probes against the emulator (examples/blog)', () => {
  it('has the full list of attacks per configured mode, ids probe|<mode>|<attack>', () => {
    const probes = blog.probesAt(blog.emu.url);
    expect(attacksByMode(probes)).toEqual(BLOG_ATTACKS);
    for (const p of probes) expect(p.id).toBe(`probe|${p.mode}|${p.attack}`);
    expect(new Set(probes.map((p) => p.id)).size).toBe(probes.length);
    // Without appIdClientRegex AppSync accepts every app client of the pool: nothing to refuse.
    expect(probes.filter((p) => p.notRun).map((p) => [p.id, p.notRun])).toEqual([
      ['probe|userPool|wrongAudience', expect.stringMatching(/sets no appIdClientRegex/)],
    ]);
  });

  it('every probe is refused with exactly the wire error AppSync gives', async () => {
    const probes = blog.probesAt(blog.emu.url).filter((p) => !p.notRun);
    expect(probes.map((p) => p.id).sort()).toEqual(Object.keys(REFUSALS).sort());
    for (const probe of probes) {
      const result = await probe.send();
      const judged = judgeProbe(probe, result);
      expect(judged, `${probe.id}: ${judged.detail}`).toMatchObject({ pass: true, observed: REFUSALS[probe.id]![0] });
      const [, message] = REFUSALS[probe.id]!;
      if (typeof message === 'string') expect(messageOf(result), probe.id).toBe(message);
      else expect(messageOf(result), probe.id).toMatch(message);
    }
  });

  it('controls: the same paths without the alteration are accepted, so each refusal is the attack’s', async () => {
    const { emu, personas } = blog;
    const persona = (name: string) => personas.find((p) => p.name === name)!;
    const accepted = async (auth: ConstructorParameters<typeof GraphQLClient>[0]['auth'], query: string, headers: Record<string, string> = {}) => {
      const r = await new GraphQLClient({ url: emu.url, auth, userAgent: PROBE_USER_AGENT }).graphql({ query, variables: { limit: 1 } }, { headers });
      // Accepted at the request level (the resolver may still deny the field: iamUser may not list posts).
      expect(r.status, `${query}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.errors.every((e) => e.errorType === 'Unauthorized'), JSON.stringify(r.errors)).toBe(true);
    };
    const LIST_POSTS = 'query ($limit: Int) { listPosts(limit: $limit) { __typename } }';
    const LIST_TICKETS = 'query ($limit: Int) { listTickets(limit: $limit) { __typename } }';

    // SigV4 as the IAM probes sign (custom headers, not re-signed by the client), nothing altered.
    const iamUser = persona('iamUser');
    if (iamUser.auth.mode !== 'iam' || typeof iamUser.auth.credentials !== 'object') throw new Error('iamUser has minted credentials');
    const body = JSON.stringify({ query: LIST_POSTS, variables: { limit: 1 } });
    await accepted({ mode: 'none' }, LIST_POSTS, await sigv4Headers({ url: emu.url, body, credentials: iamUser.auth.credentials, region: emu.region }));

    // Tokens minted as the expired / notYetValid / wrongIssuer / wrongAudience probes mint them, nothing odd.
    const mint = devEndpointMinter(blog.devEndpoint);
    await accepted({ mode: 'userPool', token: (await mint.userPool({ username: 'owner' })).accessToken }, LIST_POSTS);
    const oidcUser = persona('oidcUser');
    const { sub, iss: _iss, aud: _aud, exp: _exp, iat: _iat, jti: _jti, auth_time: _authTime, ...claims } = claimsOf(oidcUser.auth.mode === 'oidc' ? String(oidcUser.auth.token) : '');
    await accepted({ mode: 'oidc', token: await mint.oidc({ sub: String(sub), claims }) }, LIST_TICKETS);

    // The failsValidation token is one the handler itself accepts.
    await accepted({ mode: 'lambda', token: failingToken('^helpdesk-[a-z]+$', 'helpdesk-alice')! }, LIST_TICKETS);

    // Realtime: each base credential connects, and a start with a valid credential is acknowledged.
    for (const name of ['apiKey', 'owner', 'oidcUser', 'iamUser', 'lambdaAllowed']) {
      expect((await connectExchange(emu.url, persona(name).auth)).answer, name).toBe('connection_ack');
    }
    for (const [name, subscription] of [['apiKey', 'onCreatePost'], ['owner', 'onCreatePost'], ['oidcUser', 'onCreateTicket'], ['lambdaAllowed', 'onCreateTicket']] as const) {
      const x = await startExchange(emu.url, persona(name).auth, persona(name).auth, `subscription { ${subscription} { __typename } }`);
      expect(x.answer, `${name}: ${JSON.stringify(x.errors)}`).toBe('start_ack');
    }
  });

  it('runProbe reports pass for each probe and notRun with the reason, evidence redacted', async () => {
    const runs = await runAll(blog.probesAt(blog.emu.url));
    const notRun = runs.filter((r) => r.status === 'notRun');
    expect(notRun.map((r) => r.probe.id)).toEqual(['probe|userPool|wrongAudience']);
    expect(notRun[0]!.detail).toMatch(/appIdClientRegex/);
    for (const r of runs.filter((x) => x.status !== 'notRun')) {
      expect(r.status, `${r.probe.id}: ${r.detail}`).toBe('pass');
      expect(r.detail).toMatch(/^refused as AppSync does: /);
      expect(r.evidence).toBeDefined();
    }
  });

  it('on a target without a minter (deployed), probes that need the issuer’s key are notRun', () => {
    const probes = credentialProbes({ model: blog.model, url: blog.emu.url, region: blog.emu.region, personas: blog.personas });
    const cannot = probes.filter((p) => p.notRun && /cannot sign|cannot create an expired key/.test(p.notRun)).map((p) => p.id);
    expect(cannot.sort()).toEqual([
      'probe|apiKey|expiredKey',
      'probe|oidc|authTTL', 'probe|oidc|expired', 'probe|oidc|iatTTL', 'probe|oidc|notYetValid', 'probe|oidc|wrongAudience', 'probe|oidc|wrongIssuer',
      'probe|userPool|expired', 'probe|userPool|notYetValid', 'probe|userPool|wrongIssuer',
    ]);
  });

  it('a cast without IAM personas leaves the SigV4 attacks notRun instead of inventing credentials', () => {
    const personas = blog.personas.filter((p) => p.auth.mode !== 'iam');
    const probes = credentialProbes({ model: blog.model, url: blog.emu.url, region: blog.emu.region, personas, realtime: false }).filter((p) => p.mode === 'iam');
    expect(probes.map((p) => [p.attack, Boolean(p.notRun)])).toEqual([
      ['missing', false], ['tamperedBody', true], ['wrongRegion', true], ['wrongService', true], ['staleDate', true], ['missingSecurityToken', true],
    ]);
  });
});

describe('with appIdClientRegex and identityValidationExpression configured', () => {
  let strict: Setup;
  beforeAll(async () => {
    strict = await setUp((m) => ({
      ...m,
      authModes: {
        ...m.authModes,
        // The emulator's app client ids are 26 lower-case letters and digits.
        userPool: { appClientIdRegex: '[a-z0-9]{26}' },
        lambda: { ...m.authModes.lambda!, identityValidationExpression: '^helpdesk-[a-z]+$' },
      },
    }));
  });
  afterAll(() => strict?.emu.stop());

  it('a token of another app client and a token failing the expression are probed and refused', async () => {
    const probes = strict.probesAt(strict.emu.url);
    expect(attacksByMode(probes)).toEqual({ ...BLOG_ATTACKS, lambda: ['missing', 'failsValidation', 'denied', ...REALTIME] });
    expect(probes.filter((p) => p.notRun)).toEqual([]);

    const audience = probes.find((p) => p.id === 'probe|userPool|wrongAudience')!;
    const refused = await audience.send();
    expect(judgeProbe(audience, refused)).toMatchObject({ pass: true, observed: '401 UnauthorizedException' });
    expect(messageOf(refused)).toBe(NO_VALID_HEADER);

    // The token is the lambdaAllowed one altered: the handler would accept it, the expression refuses it first.
    const validation = probes.find((p) => p.id === 'probe|lambda|failsValidation')!;
    expect(validation.basis).toMatch(/lambdaAllowed/);
    const before = strict.emu.lambda!.invocations;
    const result = await validation.send();
    expect(judgeProbe(validation, result)).toMatchObject({ pass: true, observed: '401 UnauthorizedException' });
    expect(messageOf(result)).toBe(NOT_AUTHORIZED);
    expect(strict.emu.lambda!.invocations).toBe(before);
  });

  it('the whole set passes', async () => {
    const runs = await runAll(strict.probesAt(strict.emu.url));
    expect(runs.filter((r) => r.status !== 'pass').map((r) => `${r.probe.id}: ${r.detail}`)).toEqual([]);
  });
});

/** A stand-in endpoint: HTTP answers from `answer`, WebSocket frames from `frame` (null: stay silent). */
async function standIn(
  answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body: unknown },
  frame: (message: { type?: string; id?: string }, req: IncomingMessage) => unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(JSON.stringify(a.body));
    });
  });
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false) });
  wss.on('connection', (ws, req) => {
    ws.on('message', (raw) => {
      const reply = frame(JSON.parse(raw.toString()) as { type?: string; id?: string }, req);
      if (reply) ws.send(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts every credential: data for every request, an ack for every connection_init and start. */
const acceptEverything = {
  answer: () => ({ status: 200, body: { data: { listPosts: { __typename: 'ModelPostConnection' } } } }),
  frame: (m: { type?: string; id?: string }) =>
    m.type === 'connection_init' ? { type: 'connection_ack', payload: { connectionTimeoutMs: 300_000 } } : m.type === 'start' ? { id: m.id, type: 'start_ack' } : null,
};

describe('the probes can fail', () => {
  it('against a stand-in that accepts every credential, every probe reports a failure naming the expected refusal', async () => {
    const permissive = await standIn(acceptEverything.answer, acceptEverything.frame);
    try {
      const runs = (await runAll(blog.probesAt(permissive.url))).filter((r) => r.status !== 'notRun');
      expect(runs.length).toBe(Object.keys(REFUSALS).length);
      for (const r of runs) {
        const p = r.probe;
        const expected = p.transport === 'websocket' ? `expected the refusal ${p.expected.answer} ${p.expected.errorType}` : `expected the refusal ${refusalOf(p.expected)}`;
        expect(r, p.id).toMatchObject({ status: 'fail', pass: false });
        expect(r.detail, p.id).toContain(expected);
        expect(r.detail, p.id).toContain('was accepted');
        expect(r.observed, p.id).toBe(p.transport === 'http' ? '200 data' : p.attack.startsWith('realtimeConnect') ? 'connection_ack' : 'start_ack');
      }
    } finally {
      await permissive.close();
    }
  });

  it('a different refusal fails too: 403 where AppSync gives 401, and a 401 without x-amzn-ErrorType', async () => {
    const probes = blog.probesAt(blog.emu.url);
    const missing = probes.find((p) => p.id === 'probe|userPool|missing')!;
    if (missing.transport !== 'http') throw new Error('an HTTP probe');
    const base = await missing.send();
    const as403 = judgeProbe(missing, { ...base, status: 403 });
    expect(as403).toMatchObject({ pass: false, observed: '403 UnauthorizedException' });
    expect(as403.detail).toContain('status 403 instead of 401');
    const noHeader = judgeProbe(missing, { ...base, headers: {} });
    expect(noHeader.pass).toBe(false);
    expect(noHeader.detail).toContain('no x-amzn-ErrorType header');
    const withData = judgeProbe(missing, { ...base, body: { data: null, errors: [{ errorType: 'UnauthorizedException', message: NO_VALID_HEADER }] } });
    expect(withData.pass).toBe(false);
    expect(withData.detail).toContain('the body has a data key');
  });
});

describe('secrets stay out of probe results', () => {
  /** Refuses everything, echoing the credentials it received in its error messages (as AWS does with a canonical request). */
  const leaky = {
    answer: (req: IncomingMessage) => ({
      status: 403,
      headers: { 'x-amzn-ErrorType': 'InvalidSignatureException' },
      body: { errors: [{ errorType: 'InvalidSignatureException', message: `The Canonical String for this request should have been\n'POST\n/graphql\n\nauthorization:${req.headers.authorization ?? ''}\nx-amz-security-token:${req.headers['x-amz-security-token'] ?? ''}\nx-api-key:${req.headers['x-api-key'] ?? ''}'` }] },
    }),
    frame: (m: { type?: string; id?: string }, req: IncomingMessage) => {
      const header = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).find((s) => s.startsWith('header-'))?.slice(7) ?? '';
      const echo = `credentials received: ${Buffer.from(header, 'base64url').toString('utf8')}`;
      return m.type === 'connection_init' ? { type: 'connection_error', payload: { errors: [{ errorType: DEEPDISH, message: echo, errorCode: 400 }] } } : null;
    },
  };

  function secretsOf(personas: ProvisionedPersona[], emu: Emulator): string[] {
    const out = [emu.apiKey!];
    for (const p of personas) {
      const a = p.auth;
      if (a.mode === 'apiKey') out.push(a.apiKey);
      if ((a.mode === 'userPool' || a.mode === 'oidc') && typeof a.token === 'string') out.push(a.token, a.token.split('.')[2]!.slice(0, 24));
      if (a.mode === 'lambda') out.push(a.token);
      if (a.mode === 'iam' && typeof a.credentials === 'object') out.push(a.credentials.secretAccessKey, a.credentials.sessionToken!);
    }
    return out;
  }

  it('no probe detail, observation or evidence contains a credential of the cast, even from a server that echoes them', async () => {
    const secrets = secretsOf(blog.personas, blog.emu);
    expect(secrets).toContain('not-a-helpdesk-token');
    const echoing = await standIn(leaky.answer, leaky.frame);
    try {
      const runs = [...(await runAll(blog.probesAt(blog.emu.url))), ...(await runAll(blog.probesAt(echoing.url)))];
      // The echo really reaches the judge: the quoted messages carry the redaction marks.
      expect(runs.some((r) => r.detail.includes('authorization:[redacted]'))).toBe(true);
      for (const r of runs) {
        const text = JSON.stringify({ observed: r.observed, detail: r.detail, evidence: r.evidence, probe: r.probe });
        for (const s of secrets) expect(text.includes(s), `${r.probe.id} leaks a credential: ${text}`).toBe(false);
        expect(text, r.probe.id).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
        const headers = r.evidence ? ('headers' in r.evidence ? r.evidence.headers : { ...r.evidence.handshake, ...r.evidence.start?.authorization }) : {};
        for (const [k, v] of Object.entries(headers)) {
          if (/^(authorization|x-api-key|x-amz-security-token)$/i.test(k)) expect(v, `${r.probe.id} ${k}`).toMatch(/redacted/);
        }
      }
    } finally {
      await echoing.close();
    }
  });
});
