/**
 * Credential attacks on the app's REST APIs (API Gateway), each built from a real credential of the
 * cast and sent as aws-amplify's REST client sends requests (harness/client/rest.ts):
 *
 * - `forgedToken`: a persona's ID token with one signature character changed, on a Cognito method → 401
 *   UnauthorizedException `Unauthorized`
 * - `expiredToken`: an ID token the pool signed, expired 60 s ago → 401 UnauthorizedException `The
 *   incoming token has expired` (emulated targets mint it; a deployed pool cannot be asked to)
 * - `missingScope`: an access token the pool signed whose scope is not one the method requires → 401
 *   UnauthorizedException `Unauthorized` (emulated targets only, as above)
 * - `tamperedSignature`: a request SigV4-signed for execute-api, one signature character changed → 403
 *   InvalidSignatureException
 * - `wrongStage`: a request the gateway would route, sent below a stage the API does not have → 403
 *   MissingAuthenticationTokenException `Missing Authentication Token`
 *
 * Wire forms and their sources: docs/rest.md. A probe passes only on the gateway's own denial (status
 * and `x-amzn-ErrorType`, and the message where it is fixed); an answer from the integration, or another
 * denial, fails it. Cached Lambda-authorizer policies reused on a sibling method are the matrix's
 * `cached after` cells (harness/matrix/rest-cells.ts), judged the same way.
 */
import { RestClient, type RestResult, type RestVerb } from '../client/rest.js';
import { signRequest, type AwsCredentials } from '../client/sigv4.js';
import { requestsOf } from '../matrix/rest-cells.js';
import type { AuthModel } from '../schema/model.js';
import type { HttpApi, HttpRoute, RestApi, RestMethod } from '../schema/rest/model.js';
import { withSentSecrets } from './judge.js';
import { flipSignature } from './jwt-forgery.js';
import type { ProbeMinter, RestAttack, RestProbe, RestRefusal } from './types.js';

/** What a persona presents to REST APIs, resolved (the broker's ResolvedRest fits). */
export interface RestCredentials {
  credentials?: AwsCredentials;
  idToken?: string;
  accessToken?: string;
}

export interface RestProbeInput {
  model: AuthModel;
  /** Each API's endpoint (`custom.API[name].endpoint`, ending in `/<stage>/`) and signing region. */
  endpoints: Record<string, { endpoint: string; region: string }>;
  personas: { name: string; kind: string }[];
  /** The personas holding AWS credentials they sign REST requests with. */
  signers: string[];
  restOf: (persona: string) => Promise<RestCredentials>;
  mint?: ProbeMinter;
}

const UNAUTHORIZED: RestRefusal = { status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' };
const EXPIRED: RestRefusal = { status: 401, errorType: 'UnauthorizedException', message: 'The incoming token has expired' };
const BAD_SIGNATURE: RestRefusal = { status: 403, errorType: 'InvalidSignatureException' };
const NO_ROUTE: RestRefusal = { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
const CANNOT_MINT = 'authmatrix cannot have a deployed user pool sign such a token (only the emulator mints them)';
/** A scope no method requires. */
const OTHER_SCOPE = 'authmatrix-probe/other';

/** The probes of every REST and HTTP API the run reaches, in a stable order. */
export function restProbes(input: RestProbeInput): RestProbe[] {
  const rest = input.model.rest;
  return [
    ...(rest?.apis ?? []).filter((api) => input.endpoints[api.name]).flatMap((api) => apiProbes(input, api)),
    ...(rest?.httpApis ?? []).filter((api) => input.endpoints[api.name]).flatMap((api) => httpApiProbes(input, api)),
  ];
}

/** An HTTP API's answers to the probes (docs/rest.md, "HTTP APIs"). */
const HTTP_UNAUTHORIZED: RestRefusal = { status: 401, httpApi: true, message: 'Unauthorized' };
const HTTP_FORBIDDEN: RestRefusal = { status: 403, httpApi: true, message: 'Forbidden' };
const HTTP_NOT_FOUND: RestRefusal = { status: 404, httpApi: true, message: 'Not Found' };

/**
 * An HTTP API's probes: `forgedToken` and `expiredToken` on a JWT route (401 Unauthorized), `missingScope` on a
 * scoped JWT route (403 Forbidden), `tamperedSignature` on an IAM route (403), `noRoute`: a path no route takes, sent
 * signed (404 Not Found before any authorization).
 */
function httpApiProbes(input: RestProbeInput, api: HttpApi): RestProbe[] {
  const { endpoint, region } = input.endpoints[api.name]!;
  const first = (test: (r: HttpRoute) => boolean) => {
    const candidates = api.routes.filter(test);
    return candidates.find((r) => r.method === 'GET') ?? candidates[0];
  };
  const jwt = first((r) => r.authorization.type === 'JWT' && r.authorization.scopes.length === 0);
  const scoped = first((r) => r.authorization.type === 'JWT' && r.authorization.scopes.length > 0);
  const iam = first((r) => r.authorization.type === 'AWS_IAM');
  const user = input.personas.find((p) => ['owner', 'stranger', 'groupMember'].includes(p.kind));
  const signer = input.personas.find((p) => ['iamUser', 'guest', 'iamAdmin', 'owner'].includes(p.kind) && input.signers.includes(p.name));
  const probes: RestProbe[] = [];
  const probe = (attack: RestAttack, r: Pick<HttpRoute, 'method' | 'resourcePath'>, title: string, basis: string, expected: RestRefusal, send: (call: { verb: RestVerb; path: string }) => Promise<RestResult>, notRun?: string) => {
    const call = requestsOf(r)[0]! as { verb: RestVerb; path: string };
    const id = `probe|rest|${api.name}|${attack}`;
    probes.push({
      id, transport: 'rest', attack, api: api.name, verb: call.verb, path: call.path, title: `${title} (${call.verb} ${r.resourcePath})`, basis, expected,
      ...(notRun ? { notRun } : {}), send: notRun ? () => Promise.reject(new Error(`${id} was not run: ${notRun}`)) : () => send(call),
    });
  };
  const withHeader = async (call: { verb: RestVerb; path: string }, headers: Record<string, string>) =>
    withSentSecrets(await new RestClient({ apiName: api.name, endpoint, region }).send({ method: call.verb, path: call.path.slice(1), headers }), headers);
  const noUser = user ? undefined : 'the cast has no user-pool persona to base the token on';
  const noSigner = signer ? undefined : 'the cast has no persona with AWS credentials';
  const who = user ? `the ${user.name} persona’s` : 'a persona’s';
  if (jwt) {
    probe('forgedToken', jwt, 'a forged ID token', `${who} ID token, one signature character changed`, HTTP_UNAUTHORIZED,
      async (call) => withHeader(call, { Authorization: flipSignature(await idTokenOf(input, user!.name)) }), noUser);
    probe('expiredToken', jwt, 'an expired ID token', `an ID token for ${user?.name ?? 'the persona'} signed by the pool, exp 60 s ago`, HTTP_UNAUTHORIZED,
      async (call) => withHeader(call, { Authorization: (await minted(input, user!.name, { expiresInSeconds: -60 })).idToken }), noUser ?? (input.mint ? undefined : CANNOT_MINT));
  }
  if (scoped) {
    probe('missingScope', scoped, 'an access token without the required scope', `an access token for ${user?.name ?? 'the persona'} signed by the pool, scope ${OTHER_SCOPE}`, HTTP_FORBIDDEN,
      async (call) => withHeader(call, { Authorization: (await minted(input, user!.name, { claims: { scope: OTHER_SCOPE } })).accessToken }), noUser ?? (input.mint ? undefined : CANNOT_MINT));
  }
  const signed = async (call: { verb: RestVerb; path: string }) => {
    const credentials = (await input.restOf(signer!.name)).credentials;
    if (!credentials) throw new Error(`${signer!.name} has no AWS credentials`);
    return signRequest(new URL(endpoint + call.path.slice(1)), {}, '', credentials, region, { service: 'execute-api', method: call.verb });
  };
  if (iam) {
    probe('tamperedSignature', iam, 'a SigV4 signature for execute-api with one character changed', `signed with ${signer ? `${signer.name}’s` : 'a persona’s'} credentials, then one signature character changed`, { status: 403, httpApi: true },
      async (call) => {
        const headers = await signed(call);
        return withHeader(call, { ...headers, authorization: headers.authorization!.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`) });
      }, noSigner);
  }
  if (!api.routes.some((r) => r.resourcePath === '$default')) {
    probe('noRoute', { method: 'GET', resourcePath: '/authmatrix-no-such-route' }, 'a signed request to a path no route takes', `signed with ${signer ? `${signer.name}’s` : 'a persona’s'} credentials`, HTTP_NOT_FOUND,
      async (call) => withHeader(call, await signed(call)), noSigner);
  }
  return probes;
}

function apiProbes(input: RestProbeInput, api: RestApi): RestProbe[] {
  const { endpoint, region } = input.endpoints[api.name]!;
  // A GET where there is one: a gateway that wrongly lets a probe through then reaches a read.
  const first = (test: (m: RestMethod) => boolean) => {
    const candidates = api.methods.filter((m) => m.method !== 'OPTIONS' && test(m));
    return candidates.find((m) => m.method === 'GET') ?? candidates[0];
  };
  const cognito = first((m) => m.authorization.type === 'COGNITO_USER_POOLS' && m.authorization.scopes.length === 0);
  const scoped = first((m) => m.authorization.type === 'COGNITO_USER_POOLS' && m.authorization.scopes.length > 0);
  const iam = first((m) => m.authorization.type === 'AWS_IAM');
  const open = first((m) => m.authorization.type === 'NONE' && !m.apiKeyRequired);
  const user = input.personas.find((p) => ['owner', 'stranger', 'groupMember'].includes(p.kind));
  const signer = input.personas.find((p) => ['iamUser', 'guest', 'iamAdmin', 'owner'].includes(p.kind) && input.signers.includes(p.name));
  const mint = input.mint;
  const probes: RestProbe[] = [];
  const probe = (attack: RestAttack, m: RestMethod, title: string, basis: string, expected: RestRefusal, send: (call: { verb: RestVerb; path: string }) => Promise<RestResult>, notRun?: string) => {
    const call = requestsOf(m)[0]! as { verb: RestVerb; path: string };
    const id = `probe|rest|${api.name}|${attack}`;
    probes.push({
      id, transport: 'rest', attack, api: api.name, verb: call.verb, path: call.path, title: `${title} (${call.verb} ${m.resourcePath})`, basis, expected,
      ...(notRun ? { notRun } : {}), send: notRun ? () => Promise.reject(new Error(`${id} was not run: ${notRun}`)) : () => send(call),
    });
  };
  const client = (base = endpoint) => new RestClient({ apiName: api.name, endpoint: base, region });
  const withHeader = async (call: { verb: RestVerb; path: string }, headers: Record<string, string>, base?: string) =>
    withSentSecrets(await client(base).send({ method: call.verb, path: call.path.slice(1), headers }), headers);
  const noUser = user ? undefined : 'the cast has no user-pool persona to base the token on';
  const who = user ? `the ${user.name} persona’s` : 'a persona’s';

  if (cognito) {
    probe('forgedToken', cognito, 'a forged ID token', `${who} ID token, one signature character changed`, UNAUTHORIZED,
      async (call) => withHeader(call, { Authorization: flipSignature(await idTokenOf(input, user!.name)) }), noUser);
    probe('expiredToken', cognito, 'an expired ID token', `an ID token for ${user?.name ?? 'the persona'} signed by the pool, exp 60 s ago`, EXPIRED,
      async (call) => withHeader(call, { Authorization: (await minted(input, user!.name, { expiresInSeconds: -60 })).idToken }), noUser ?? (mint ? undefined : CANNOT_MINT));
  }
  if (scoped) {
    const scopes = scoped.authorization.type === 'COGNITO_USER_POOLS' ? scoped.authorization.scopes.join(' ') : '';
    probe('missingScope', scoped, 'an access token without the required scope', `an access token for ${user?.name ?? 'the persona'} signed by the pool, scope ${OTHER_SCOPE} instead of ${scopes}`, UNAUTHORIZED,
      async (call) => withHeader(call, { Authorization: (await minted(input, user!.name, { claims: { scope: OTHER_SCOPE } })).accessToken }), noUser ?? (mint ? undefined : CANNOT_MINT));
  }
  if (iam) {
    probe('tamperedSignature', iam, 'a SigV4 signature for execute-api with one character changed', `signed with ${signer ? `${signer.name}’s` : 'a persona’s'} credentials, then one signature character changed`, BAD_SIGNATURE,
      async (call) => {
        const credentials = (await input.restOf(signer!.name)).credentials;
        if (!credentials) throw new Error(`${signer!.name} has no AWS credentials`);
        const signed = await signRequest(new URL(endpoint + call.path.slice(1)), {}, '', credentials, region, { service: 'execute-api', method: call.verb });
        return withHeader(call, { ...signed, authorization: signed.authorization!.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`) });
      }, signer ? undefined : 'the cast has no persona with AWS credentials');
  }
  const routed = open ?? iam;
  if (routed) {
    const wrongStage = endpoint.replace(/\/[^/]+\/?$/, '/authmatrix-no-such-stage/');
    probe('wrongStage', routed, 'a request below a stage the API does not have', open ? 'an unsigned request to a method without authorization, under another stage' : `signed with ${signer?.name ?? 'a persona'}’s credentials, under another stage`, NO_ROUTE,
      async (call) => {
        const credentials = open ? undefined : (await input.restOf(signer!.name)).credentials;
        return new RestClient({ apiName: api.name, endpoint: wrongStage, region, ...(credentials ? { credentials } : {}) }).send({ method: call.verb, path: call.path.slice(1) });
      }, open || signer ? undefined : 'the cast has no persona with AWS credentials');
  }
  return probes;
}

async function idTokenOf(input: RestProbeInput, persona: string): Promise<string> {
  const token = (await input.restOf(persona)).idToken;
  if (!token) throw new Error(`${persona} has no ID token`);
  return token;
}

/** Tokens the pool signs for the persona's user, with odd settings. */
async function minted(input: RestProbeInput, persona: string, odd: { expiresInSeconds?: number; claims?: Record<string, unknown> }): Promise<{ idToken: string; accessToken: string }> {
  const claims = JSON.parse(Buffer.from((await idTokenOf(input, persona)).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const groups = claims['cognito:groups'];
  return input.mint!.userPool({ username: String(claims['cognito:username'] ?? claims.sub), ...(Array.isArray(groups) ? { groups: groups as string[] } : {}), ...odd });
}
