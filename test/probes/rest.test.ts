/**
 * REST probes against the emulated API Gateway of examples/rest: each is refused with the gateway's own
 * denial (status, x-amzn-ErrorType, message). The same probes against stand-ins that let everything
 * through, refuse without the gateway's error type, or refuse with another one must all fail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { devEndpointMinter, restProbes, runProbe, type Probe, type RestProbeInput } from '../../harness/probes/index.js';
import type { RestCredentials } from '../../harness/probes/rest.js';
import { emulatorFor } from '../emulator/start.js';
import { fixture } from '../cli/cli.js';

let emu: Emulator;
let input: RestProbeInput;

beforeAll(async () => {
  emu = await emulatorFor('rest');
  const owner = await emu.credentials.userPool({ username: 'owner' });
  const creds: Record<string, RestCredentials> = {
    owner: { idToken: owner.idToken, accessToken: owner.accessToken, credentials: emu.credentials.identityPool({ authenticated: true, username: 'owner' }) },
    guest: { credentials: emu.credentials.identityPool({ authenticated: false }) },
  };
  input = {
    model: emu.model,
    endpoints: Object.fromEntries(emu.restEndpoints().map((r) => [r.name, { endpoint: r.endpoint, region: r.region }])),
    personas: [{ name: 'guest', kind: 'guest' }, { name: 'owner', kind: 'owner' }],
    signers: ['guest', 'owner'],
    restOf: async (name) => creds[name]!,
    mint: devEndpointMinter(`${emu.url.replace(/\/graphql$/, '')}/.authmatrix`),
  };
});
afterAll(() => emu?.stop());

describe('REST probes on the emulated API Gateway', () => {
  it('each attack is refused with the gateway\'s own denial', async () => {
    const probes = restProbes(input);
    const runs = await Promise.all(probes.map(runProbe));
    expect(Object.fromEntries(runs.map((r) => [r.probe.id, [r.status, r.observed]]))).toEqual({
      'probe|rest|myRestApi|forgedToken': ['pass', '401 UnauthorizedException'],
      'probe|rest|myRestApi|expiredToken': ['pass', '401 UnauthorizedException'],
      'probe|rest|myRestApi|missingScope': ['pass', '401 UnauthorizedException'],
      'probe|rest|myRestApi|tamperedSignature': ['pass', '403 InvalidSignatureException'],
      'probe|rest|myRestApi|wrongStage': ['pass', '403 MissingAuthenticationTokenException'],
      // The example's HTTP API: its only JWT route needs a scope (no forged or expired ID token tried there).
      'probe|rest|shopHttpApi|missingScope': ['pass', '403'],
      'probe|rest|shopHttpApi|tamperedSignature': ['pass', '403'],
      'probe|rest|shopHttpApi|noRoute': ['pass', '404'],
    });
    expect(runs.find((r) => r.probe.id.endsWith('expiredToken'))!.detail).toBe('refused as API Gateway does: 401 UnauthorizedException "The incoming token has expired"');
    // The attacks go where the example's methods of each kind are.
    expect(probes.map((p) => p.title)).toEqual([
      'a forged ID token (GET /cognito-auth-path)', 'an expired ID token (GET /cognito-auth-path)', 'an access token without the required scope (GET /profile)',
      'a SigV4 signature for execute-api with one character changed (GET /admin)', 'a request below a stage the API does not have (GET /health)',
      'an access token without the required scope (GET /orders)', 'a SigV4 signature for execute-api with one character changed (GET /inventory)',
      'a signed request to a path no route takes (GET /authmatrix-no-such-route)',
    ]);
    // Evidence never holds a credential.
    expect(JSON.stringify(runs.map((r) => r.evidence))).not.toMatch(/eyJ[\w-]{20,}|Signature=[0-9a-f]{64}/);
  });

  it('without a minter (a deployed pool), the tokens only the pool can sign are not run, with why', () => {
    const { mint: _mint, ...deployed } = input;
    const notRun = restProbes(deployed).filter((p) => p.notRun).map((p) => [p.attack, p.notRun]);
    expect(notRun).toEqual(['expiredToken', 'missingScope', 'missingScope'].map((a) => [a, 'authmatrix cannot have a deployed user pool sign such a token (only the emulator mints them)']));
  });

  it('without a persona holding AWS credentials (a deployed app without identity pool), the tampered signature is not run; the stage probe goes unsigned', () => {
    const unsigned = restProbes({ ...input, signers: [] });
    expect(unsigned.find((p) => p.attack === 'tamperedSignature')!.notRun).toBe('the cast has no persona with AWS credentials');
    expect(unsigned.find((p) => p.attack === 'wrongStage')!.notRun).toBeUndefined();
  });
});

describe('a probe passes only on the gateway\'s auth denial', () => {
  let server: Server;
  let answer: { status: number; headers: Record<string, string>; body: string };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const probesAt = (): Probe[] => {
    const port = (server.address() as AddressInfo).port;
    return restProbes({ ...input, endpoints: { myRestApi: { endpoint: `http://127.0.0.1:${port}/restapis/x/dev/`, region: 'us-east-1' } } });
  };

  it.each([
    ['an integration answering 200', { status: 200, headers: {}, body: '{}' }, /^expected the refusal .*, but .* was let through \(200 from the integration\)$/],
    ['an integration answering 403 (not the gateway)', { status: 403, headers: {}, body: '{"message":"Forbidden"}' }, /was not refused by the gateway \(403 \(no error type\)\)$/],
    ['another gateway denial', { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException' }, body: '{"message":"User is not authorized to access this resource"}' }, /x-amzn-ErrorType AccessDeniedException instead of /],
  ])('%s fails every probe', async (_, given, detail) => {
    answer = given;
    const runs = await Promise.all(probesAt().map(runProbe));
    expect(runs).toHaveLength(5);
    for (const r of runs) {
      expect(r.status).toBe('fail');
      expect(r.detail).toMatch(detail);
    }
  });

  it('the right type with another message fails where the message is fixed', async () => {
    answer = { status: 401, headers: { 'x-amzn-errortype': 'UnauthorizedException' }, body: '{"message":"Unauthorized"}' };
    const runs = await Promise.all(probesAt().filter((p) => p.attack === 'expiredToken' || p.attack === 'forgedToken').map(runProbe));
    expect(runs.map((r) => [r.probe.attack, r.status])).toEqual([['forgedToken', 'pass'], ['expiredToken', 'fail']]);
    expect(runs[1]!.detail).toContain('message "Unauthorized" instead of "The incoming token has expired"');
  });
});

describe('HTTP API probes', () => {
  let http: Emulator;
  let httpInput: RestProbeInput;
  let server: Server;
  let answer: { status: number; headers: Record<string, string>; body: string };
  beforeAll(async () => {
    http = await emulatorFor(fixture('app-shapes', 'http-api', 'amplify', 'backend.ts'));
    const owner = await http.credentials.userPool({ username: 'owner' });
    const creds: Record<string, RestCredentials> = {
      owner: { idToken: owner.idToken, accessToken: owner.accessToken, credentials: http.credentials.identityPool({ authenticated: true, username: 'owner' }) },
    };
    httpInput = {
      model: http.model,
      endpoints: Object.fromEntries(http.restEndpoints().map((r) => [r.name, { endpoint: r.endpoint, region: r.region }])),
      personas: [{ name: 'owner', kind: 'owner' }],
      signers: ['owner'],
      restOf: async (name) => creds[name]!,
      mint: devEndpointMinter(`${http.url.replace(/\/graphql$/, '')}/.authmatrix`),
    };
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await http?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('each attack is refused as an HTTP API refuses it: a bare status and {"message"}, no x-amzn-ErrorType', async () => {
    const runs = await Promise.all(restProbes(httpInput).map(runProbe));
    expect(Object.fromEntries(runs.map((r) => [r.probe.id, [r.status, r.observed]]))).toEqual({
      'probe|rest|shopHttpApi|forgedToken': ['pass', '401'],
      'probe|rest|shopHttpApi|expiredToken': ['pass', '401'],
      'probe|rest|shopHttpApi|missingScope': ['pass', '403'],
      'probe|rest|shopHttpApi|tamperedSignature': ['pass', '403'],
      'probe|rest|shopHttpApi|noRoute': ['pass', '404'],
    });
    expect(runs.map((r) => r.probe.title)).toEqual([
      'a forged ID token (GET /orders)', 'an expired ID token (GET /orders)', 'an access token without the required scope (GET /reports)',
      'a SigV4 signature for execute-api with one character changed (GET /items)', 'a signed request to a path no route takes (GET /authmatrix-no-such-route)',
    ]);
  });

  it.each([
    ['an integration answering 200', { status: 200, headers: {}, body: '{}' }, /status 200 instead of/],
    ['a REST API\'s denial (with x-amzn-ErrorType)', { status: 403, headers: { 'x-amzn-errortype': 'ForbiddenException' }, body: '{"message":"Forbidden"}' }, /an x-amzn-ErrorType ForbiddenException/],
    ['an integration\'s 403 with more than a message', { status: 403, headers: {}, body: '{"message":"Forbidden","reason":"app"}' }, /the body is not only \{"message":…\}/],
  ])('%s fails the probes it does not answer as the HTTP API would', async (_, given, detail) => {
    answer = given;
    const port = (server.address() as AddressInfo).port;
    const runs = await Promise.all(restProbes({ ...httpInput, endpoints: { shopHttpApi: { endpoint: `http://127.0.0.1:${port}/apis/x/`, region: 'us-east-1' } } }).map(runProbe));
    expect(runs).toHaveLength(5);
    const failed = runs.filter((r) => r.status === 'fail');
    expect(failed).toHaveLength(5);
    for (const r of failed) expect(r.detail).toMatch(detail);
  });
});
