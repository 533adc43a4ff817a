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
import { selectHttpRoute } from '../rules/http-api.js';
import type { AuthModel } from '../schema/model.js';
import type { HttpApi, RestApi, RestMethod } from '../schema/rest/model.js';
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

type Call = { verb: RestVerb; path: string };
type Route = Pick<RestMethod, 'method' | 'resourcePath'>;

/**
 * What the probes of both kinds of API share: the personas whose credentials they alter, how a probe is recorded,
 * how a request goes out (as aws-amplify's REST client sends it), and the token and signature attacks.
 */
function probeKit(input: RestProbeInput, apiName: string) {
  const { endpoint, region } = input.endpoints[apiName]!;
  const user = input.personas.find((p) => ['owner', 'stranger', 'groupMember'].includes(p.kind));
  const signer = input.personas.find((p) => ['iamUser', 'guest', 'iamAdmin', 'owner'].includes(p.kind) && input.signers.includes(p.name));
  const noUser = user ? undefined : 'the cast has no user-pool persona to base the token on';
  const noSigner = signer ? undefined : 'the cast has no persona with AWS credentials';
  const mintable = noUser ?? (input.mint ? undefined : CANNOT_MINT);
  const probes: RestProbe[] = [];
  const probe = (attack: RestAttack, r: Route, title: string, basis: string, expected: RestRefusal, send: (call: Call) => Promise<RestResult>, notRun?: string) => {
    const call = requestsOf(r)[0]! as Call;
    const id = `probe|rest|${apiName}|${attack}`;
    probes.push({
      id, transport: 'rest', attack, api: apiName, verb: call.verb, path: call.path, title: `${title} (${call.verb} ${r.resourcePath})`, basis, expected,
      ...(notRun ? { notRun } : {}), send: notRun ? () => Promise.reject(new Error(`${id} was not run: ${notRun}`)) : () => send(call),
    });
  };
  const send = async (call: Call, headers: Record<string, string>, base = endpoint) =>
    withSentSecrets(await new RestClient({ apiName, endpoint: base, region }).send({ method: call.verb, path: call.path.slice(1), headers }), headers);
  const signed = async (call: Call, base = endpoint) => {
    const credentials = (await input.restOf(signer!.name)).credentials;
    if (!credentials) throw new Error(`${signer!.name} has no AWS credentials`);
    return signRequest(new URL(base + call.path.slice(1)), {}, '', credentials, region, { service: 'execute-api', method: call.verb });
  };
  const signerName = signer ? `${signer.name}’s` : 'a persona’s';
  return {
    probes, probe, send, signed, signer, noSigner, signerName,
    /** `forgedToken` and `expiredToken` on a route taking the user pool's ID tokens. */
    tokens(r: Route, forged: RestRefusal, expired: RestRefusal): void {
      const who = user ? `the ${user.name} persona’s` : 'a persona’s';
      probe('forgedToken', r, 'a forged ID token', `${who} ID token, one signature character changed`, forged,
        async (call) => send(call, { Authorization: flipSignature(await idTokenOf(input, user!.name)) }), noUser);
      probe('expiredToken', r, 'an expired ID token', `an ID token for ${user?.name ?? 'the persona'} signed by the pool, exp 60 s ago`, expired,
        async (call) => send(call, { Authorization: (await minted(input, user!.name, { expiresInSeconds: -60 })).idToken }), mintable);
    },
    /** `missingScope`: an access token the pool signed with a scope the route does not take. */
    scope(r: Route, scopes: string[], expected: RestRefusal): void {
      probe('missingScope', r, 'an access token without the required scope', `an access token for ${user?.name ?? 'the persona'} signed by the pool, scope ${OTHER_SCOPE} instead of ${scopes.join(' ')}`, expected,
        async (call) => send(call, { Authorization: (await minted(input, user!.name, { claims: { scope: OTHER_SCOPE } })).accessToken }), mintable);
    },
    /** `tamperedSignature`: a request SigV4-signed for execute-api, one signature character changed. */
    tampered(r: Route, expected: RestRefusal): void {
      probe('tamperedSignature', r, 'a SigV4 signature for execute-api with one character changed', `signed with ${signerName} credentials, then one signature character changed`, expected,
        async (call) => {
          const headers = await signed(call);
          return send(call, { ...headers, authorization: headers.authorization!.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`) });
        }, noSigner);
    },
  };
}

/** A GET where there is one: a gateway that wrongly lets a probe through then reaches a read. */
function firstOf<R extends Route>(routes: readonly R[], test: (r: R) => boolean): R | undefined {
  const candidates = routes.filter((r) => r.method !== 'OPTIONS' && test(r));
  return candidates.find((r) => r.method === 'GET') ?? candidates[0];
}

/**
 * An HTTP API's probes: `forgedToken` and `expiredToken` on a JWT route (401 Unauthorized), `missingScope` on a
 * scoped JWT route (403 Forbidden), `tamperedSignature` on an IAM route (403), `noRoute`: a path no route takes, sent
 * signed (404 Not Found before any authorization).
 */
function httpApiProbes(input: RestProbeInput, api: HttpApi): RestProbe[] {
  const kit = probeKit(input, api.name);
  const jwt = firstOf(api.routes, (r) => r.authorization.type === 'JWT' && r.authorization.scopes.length === 0);
  const scoped = firstOf(api.routes, (r) => r.authorization.type === 'JWT' && r.authorization.scopes.length > 0);
  const iam = firstOf(api.routes, (r) => r.authorization.type === 'AWS_IAM');
  if (jwt) kit.tokens(jwt, HTTP_UNAUTHORIZED, HTTP_UNAUTHORIZED);
  if (scoped?.authorization.type === 'JWT') kit.scope(scoped, scoped.authorization.scopes, HTTP_FORBIDDEN);
  if (iam) kit.tampered(iam, { status: 403, httpApi: true });
  const unrouted = { method: 'GET', resourcePath: '/authmatrix-no-such-route' } as const;
  if (!selectHttpRoute(api, unrouted.method, unrouted.resourcePath)) {
    kit.probe('noRoute', unrouted, 'a signed request to a path no route takes', `signed with ${kit.signerName} credentials`, HTTP_NOT_FOUND,
      async (call) => kit.send(call, await kit.signed(call)), kit.noSigner);
  }
  return kit.probes;
}

function apiProbes(input: RestProbeInput, api: RestApi): RestProbe[] {
  const kit = probeKit(input, api.name);
  const { endpoint, region } = input.endpoints[api.name]!;
  const cognito = firstOf(api.methods, (m) => m.authorization.type === 'COGNITO_USER_POOLS' && m.authorization.scopes.length === 0);
  const scoped = firstOf(api.methods, (m) => m.authorization.type === 'COGNITO_USER_POOLS' && m.authorization.scopes.length > 0);
  const iam = firstOf(api.methods, (m) => m.authorization.type === 'AWS_IAM');
  const open = firstOf(api.methods, (m) => m.authorization.type === 'NONE' && !m.apiKeyRequired);
  if (cognito) kit.tokens(cognito, UNAUTHORIZED, EXPIRED);
  if (scoped?.authorization.type === 'COGNITO_USER_POOLS') kit.scope(scoped, scoped.authorization.scopes, UNAUTHORIZED);
  if (iam) kit.tampered(iam, BAD_SIGNATURE);
  const routed = open ?? iam;
  if (routed) {
    const wrongStage = endpoint.replace(/\/[^/]+\/?$/, '/authmatrix-no-such-stage/');
    kit.probe('wrongStage', routed, 'a request below a stage the API does not have', open ? 'an unsigned request to a method without authorization, under another stage' : `signed with ${kit.signerName} credentials, under another stage`, NO_ROUTE,
      async (call) => {
        const credentials = open ? undefined : (await input.restOf(kit.signer!.name)).credentials;
        return new RestClient({ apiName: api.name, endpoint: wrongStage, region, ...(credentials ? { credentials } : {}) }).send({ method: call.verb, path: call.path.slice(1) });
      }, open ? undefined : kit.noSigner);
  }
  return kit.probes;
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
