/**
 * Credential-attack probes: for every auth mode the API enables, requests whose credentials must be
 * refused before any resolver runs, each built from a real credential of the cast (the owner's token,
 * an IAM persona's keys, the API key, the Lambda personas' tokens). Attacks that need the issuer's
 * private key use a ProbeMinter (the emulator's developer endpoint); without one they are `notRun`.
 *
 * Per mode (HTTP), with the refusal AppSync gives (401 UnauthorizedException as captured in
 * https://github.com/aws-amplify/amplify-js/issues/5579; 403 for SigV4, https://github.com/aws-amplify/amplify-js/issues/2422):
 * - every mode: `missing` → 401 UnauthorizedException
 * - apiKey: `unknownKey` (401, "You are not authorized to make this call."), `expiredKey` (401)
 * - userPool / oidc: `badSignature`, `algNone`, `hs256PublicKey`, `unknownKid`, `expired`, `notYetValid`,
 *   `wrongIssuer`, `wrongAudience`; userPool also `anotherPool`; oidc also `iatTTL` / `authTTL` when
 *   configured → 401 UnauthorizedException
 * - iam: `tamperedBody`, `wrongRegion`, `wrongService`, `staleDate` → 403 InvalidSignatureException;
 *   `missingSecurityToken` → 403 UnrecognizedClientException
 * - lambda: `failsValidation` (with an identityValidationExpression), `denied` (with a lambdaDenied
 *   persona) → 401 UnauthorizedException
 * Realtime (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html): `realtimeConnectMissing` / `realtimeConnectForged` → connection_error
 * `com.amazonaws.deepdish.graphql.auth#UnauthorizedException` (errorCode 400); `realtimeStartMissing` /
 * `realtimeStartForged` → an `error` UnauthorizedException for the start's id (BadRequestException for a
 * bad SigV4 signature).
 */
import { randomBytes } from 'node:crypto';
import { authHeaders, credentialsOf, type ClientAuth } from '../client/auth.js';
import { GraphQLClient, type GraphQLRequest, type GraphQLResult } from '../client/http.js';
import type { RestResult } from '../client/rest.js';
import type { AwsCredentials } from '../client/sigv4.js';
import { AUTH_MODES, type AuthMode, type AuthModel, type Provider } from '../schema/model.js';
import type { ProvisionedPersona } from '../../personas/types.js';
import { judgeProbe, scrub, withSentSecrets } from './judge.js';
import { claimsOf, flipSignature, hs256WithPublicKey, issuerJwks, lookalikeIssuer, resignedWithOwnKey, unsigned } from './jwt-forgery.js';
import { connectExchange, startExchange } from './realtime.js';
import { otherRegion, PROBE_USER_AGENT, sigv4Headers } from './sigv4-forgery.js';
import type { AppSyncProbe, CredentialAttack, ExpectedRealtimeRefusal, ExpectedRefusal, HttpProbe, Probe, ProbeMinter, ProbeRun, RealtimeExchange, RealtimeProbe } from './types.js';

export interface CredentialProbeInput {
  model: AuthModel;
  /** The GraphQL endpoint (emulated or deployed). */
  url: string;
  region: string;
  /** The provisioned cast: attacks start from their real credentials. */
  personas: ProvisionedPersona[];
  /** Emulated targets: mints what only the issuer can sign. Absent: those probes are notRun. */
  mint?: ProbeMinter;
  /** The realtime WebSocket variants too (default true). */
  realtime?: boolean;
  /** Where the OIDC provider publishes its keys, when not at its discovery document. */
  oidcJwksUrl?: string;
}

export const NOT_AUTHORIZED = 'You are not authorized to make this call.';
const UNAUTHORIZED: ExpectedRefusal = { status: 401, errorType: 'UnauthorizedException' };
const BAD_SIGNATURE: ExpectedRefusal = { status: 403, errorType: 'InvalidSignatureException' };
const REALTIME_CONNECT: ExpectedRealtimeRefusal = { answer: 'connection_error', errorType: 'com.amazonaws.deepdish.graphql.auth#UnauthorizedException', errorCode: 400 };
const REALTIME_START: ExpectedRealtimeRefusal = { answer: 'error', errorType: 'UnauthorizedException' };
/** A start with a bad SigV4 signature is refused as a bad request (https://github.com/awslabs/aws-mobile-appsync-sdk-js/pull/561). */
const REALTIME_START_SIGNATURE: ExpectedRealtimeRefusal = { answer: 'error', errorType: 'BadRequestException' };

const MODE_PROVIDER: Record<AuthMode, Provider> = { apiKey: 'apiKey', userPool: 'userPools', oidc: 'oidc', iam: 'iam', lambda: 'function' };
const CANNOT_SIGN = 'authmatrix cannot sign this issuer’s tokens on a deployed target (only the emulator mints them)';
const OTHER_CLIENT = 'authmatrix-probe-other-client';

/** One probe per attack per enabled auth mode (HTTP, then the realtime variants), in a stable order. */
export function credentialProbes(input: CredentialProbeInput): AppSyncProbe[] {
  const enabled = new Set(input.model.authModes.enabled);
  const probes: AppSyncProbe[] = [];
  for (const mode of AUTH_MODES) {
    if (!enabled.has(mode)) continue;
    const kit = new Kit(input, mode);
    probes.push(...BUILDERS[mode](kit));
    if (input.realtime !== false) probes.push(...realtimeProbes(kit));
  }
  return probes;
}

/** Sends a probe and judges the answer; notRun probes are not sent, a send that throws is an error. */
export async function runProbe(probe: Probe): Promise<ProbeRun> {
  if (probe.notRun) return { probe, status: 'notRun', pass: false, observed: 'not run', detail: probe.notRun };
  let result: GraphQLResult | RealtimeExchange | RestResult;
  try {
    result = await probe.send();
  } catch (e) {
    return { probe, status: 'error', pass: false, observed: 'no answer', detail: `the probe could not be sent: ${scrub((e as Error)?.message ?? String(e))}` };
  }
  const j = judgeProbe(probe, result);
  return { probe, status: j.pass ? 'pass' : 'fail', ...j, evidence: result.sent };
}

/** What every builder needs for one mode: the cheap request, the cast, the minter, and senders. */
class Kit {
  readonly request: GraphQLRequest;
  readonly subscription: string | undefined;

  constructor(readonly input: CredentialProbeInput, readonly mode: AuthMode) {
    this.request = cheapRequest(input.model, mode);
    this.subscription = cheapSubscription(input.model, mode);
  }

  /** The first persona of this mode of the first of `kinds` present. */
  persona(...kinds: string[]): ProvisionedPersona | undefined {
    const ofMode = this.input.personas.filter((p) => p.auth.mode === this.mode);
    return kinds.map((k) => ofMode.find((p) => p.kind === k)).find(Boolean);
  }

  http(attack: CredentialAttack, title: string, basis: string, expected: ExpectedRefusal, send: () => Promise<GraphQLResult>, notRun?: string): HttpProbe {
    const id = `probe|${this.mode}|${attack}`;
    return { id, mode: this.mode, attack, title, basis, transport: 'http', expected, ...(notRun ? { notRun } : {}), send: notRun ? () => Promise.reject(new Error(`${id} was not run: ${notRun}`)) : send };
  }

  realtime(attack: CredentialAttack, title: string, basis: string, expected: ExpectedRealtimeRefusal, send: () => Promise<RealtimeExchange>, notRun?: string): RealtimeProbe {
    const id = `probe|${this.mode}|${attack}`;
    return { id, mode: this.mode, attack, title, basis, transport: 'websocket', expected, ...(notRun ? { notRun } : {}), send: notRun ? () => Promise.reject(new Error(`${id} was not run: ${notRun}`)) : send };
  }

  /** The cheap request with this auth (and custom headers, which GraphQLClient does not re-sign). */
  async send(auth: ClientAuth, headers: Record<string, string> = {}, request: GraphQLRequest = this.request): Promise<GraphQLResult> {
    const result = await new GraphQLClient({ url: this.input.url, auth, userAgent: PROBE_USER_AGENT }).graphql(request, { headers });
    return withSentSecrets(result, await authHeaders(auth), headers);
  }
}

/** A list query the mode's callers may send (`limit: 1`), else `__typename`: refusals come before resolvers. */
function cheapRequest(model: AuthModel, mode: AuthMode): GraphQLRequest {
  const listable = model.models.filter((m) => m.operationNames.list);
  const m = listable.find((x) => x.rules.some((r) => r.provider === MODE_PROVIDER[mode])) ?? listable[0];
  if (!m) return { query: 'query { __typename }' };
  return { query: `query ($limit: Int) { ${m.operationNames.list}(limit: $limit) { __typename } }`, variables: { limit: 1 } };
}

function cheapSubscription(model: AuthModel, mode: AuthMode): string | undefined {
  const subscribable = model.models.filter((m) => m.operationNames.onCreate && m.subscriptionLevel !== 'off');
  const m = subscribable.find((x) => x.rules.some((r) => r.provider === MODE_PROVIDER[mode])) ?? subscribable[0];
  return m ? `subscription { ${m.operationNames.onCreate} { __typename } }` : undefined;
}

/** The body GraphQLClient sends for a request (a SigV4 signature must cover exactly these bytes). */
function bodyOf(r: GraphQLRequest): string {
  return JSON.stringify({ query: r.query, variables: r.variables ?? {} });
}

async function tokenOf(p: ProvisionedPersona): Promise<string> {
  return (await authHeaders(p.auth)).authorization ?? '';
}

const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------- API key

function apiKeyProbes(k: Kit): AppSyncProbe[] {
  const persona = k.persona('apiKey');
  const key = persona?.auth.mode === 'apiKey' ? persona.auth.apiKey : undefined;
  const mint = k.input.mint;
  return [
    k.http('missing', 'a request without an API key', 'the cheap request with no credentials', UNAUTHORIZED, () => k.send({ mode: 'none' })),
    k.http('unknownKey', 'an API key this API never issued', key ? 'the apiKey persona’s key with its last character changed' : 'a random da2- key (no apiKey persona)',
      { ...UNAUTHORIZED, message: NOT_AUTHORIZED }, () => k.send({ mode: 'apiKey', apiKey: key ? alterLast(key) : `da2-${randomBytes(13).toString('hex')}` })),
    k.http('expiredKey', 'an expired API key', 'a key of this API minted with expiresInDays -1', UNAUTHORIZED,
      async () => k.send({ mode: 'apiKey', apiKey: await mint!.apiKey({ expiresInDays: -1 }) }),
      mint ? undefined : 'authmatrix cannot create an expired key of a deployed API (AppSync only sets expiry dates in the future)'),
  ];
}

function alterLast(s: string): string {
  return s.slice(0, -1) + (s.endsWith('a') ? 'b' : 'a');
}

// ------------------------------------------------------------------------------------------ JWT modes

function jwtProbes(k: Kit): AppSyncProbe[] {
  const mode = k.mode as 'userPool' | 'oidc';
  const label = MODE_LABEL[mode];
  const persona = mode === 'userPool' ? k.persona('owner', 'stranger', 'groupMember') : k.persona('oidcUser', 'oidcStranger', 'oidcGroupMember');
  const noPersona = persona ? undefined : `the cast has no ${label} persona to base the forgery on`;
  const who = persona ? `the ${persona.name} persona’s token` : 'no persona';
  const mint = k.input.mint;
  const send = (token: string) => k.send({ mode, token });
  const forged = (make: (token: string) => Promise<string> | string) => async () => send(await make(await tokenOf(persona!)));
  /** A token only the issuer can sign, with the persona's identity and odd settings (computed at send time). */
  const minted = (odd: () => Record<string, unknown>) => forged(async (real) => mintLike(mode, mint!, real, odd()));
  const needsMint = noPersona ?? (mint ? undefined : CANNOT_SIGN);
  const auth = k.input.model.authModes;

  const probes: AppSyncProbe[] = [
    k.http('missing', `a request without a ${label} token`, 'the cheap request with no credentials', UNAUTHORIZED, () => k.send({ mode: 'none' })),
    k.http('badSignature', `a ${label} token with one signature character changed`, `${who}, one signature character changed`, UNAUTHORIZED, forged(flipSignature), noPersona),
    k.http('algNone', `a ${label} token with alg: none and no signature`, `${who}’s claims, unsigned (alg: none)`, UNAUTHORIZED, forged(unsigned), noPersona),
    k.http('hs256PublicKey', `a ${label} token signed HS256 with the issuer’s public key`, `${who}’s claims, HMAC-SHA256 keyed with the issuer’s RSA public key (PEM)`, UNAUTHORIZED,
      forged(async (real) => hs256WithPublicKey(real, await issuerJwks(String(claimsOf(real).iss), mode === 'oidc' ? (k.input.oidcJwksUrl ?? mint?.oidcJwksUrl) : undefined))), noPersona),
    k.http('unknownKid', `a ${label} token signed by a key the issuer does not publish`, `${who}’s claims, re-signed RS256 by authmatrix’s own key (kid authmatrix-probe-unknown-kid)`, UNAUTHORIZED,
      forged((real) => resignedWithOwnKey(real, 'authmatrix-probe-unknown-kid')), noPersona),
    k.http('expired', `an expired ${label} token`, `a token for ${persona?.name ?? 'the persona'} signed by the issuer, exp 60 s ago`, UNAUTHORIZED, minted(() => ({ expiresInSeconds: -60 })), needsMint),
    k.http('notYetValid', `a ${label} token not valid yet`, `a token for ${persona?.name ?? 'the persona'} signed by the issuer, nbf and iat one hour ahead`, UNAUTHORIZED, minted(() => ({ notBefore: now() + 3600 })), needsMint),
    k.http('wrongIssuer', `a ${label} token naming another issuer`, `a token for ${persona?.name ?? 'the persona'} signed with the issuer’s key whose iss differs by a trailing slash`, UNAUTHORIZED,
      forged(async (real) => mintLike(mode, mint!, real, { issuer: lookalikeIssuer(String(claimsOf(real).iss)) })), needsMint),
  ];
  if (mode === 'userPool') {
    const regex = auth.userPool?.appClientIdRegex;
    probes.push(
      k.http('wrongAudience', 'a user-pool token of another app client', `a token for ${persona?.name ?? 'the persona'} signed by the pool for app client ${OTHER_CLIENT}`, UNAUTHORIZED,
        minted(() => ({ clientId: OTHER_CLIENT })),
        regex === undefined
          ? 'the API sets no appIdClientRegex, so AppSync accepts tokens of every app client of the pool (nothing to refuse)'
          : fullMatch(regex, OTHER_CLIENT) ? `appIdClientRegex ${regex} matches ${OTHER_CLIENT}` : needsMint),
      k.http('anotherPool', 'a token of another user pool', `${who}’s claims with iss of another Cognito pool, signed by that pool’s key (authmatrix’s own)`, UNAUTHORIZED,
        forged((real) => resignedWithOwnKey(real, 'authmatrix-probe-other-pool', { iss: `https://cognito-idp.${k.input.region}.amazonaws.com/${k.input.region}_authmxprb` })), noPersona),
    );
  } else {
    const oidc = auth.oidc;
    probes.push(k.http('wrongAudience', 'an OIDC token for another client', `a token for ${persona?.name ?? 'the persona'} signed by the issuer with aud ${OTHER_CLIENT}`, UNAUTHORIZED,
      minted(() => ({ audience: OTHER_CLIENT })),
      !oidc?.clientId ? 'the API sets no OIDC clientId, so AppSync accepts every audience (nothing to refuse)'
        : fullMatch(oidc.clientId, OTHER_CLIENT) ? `clientId ${oidc.clientId} matches ${OTHER_CLIENT}` : needsMint));
    if (oidc?.iatTTL) {
      probes.push(k.http('iatTTL', 'an OIDC token issued longer ago than iatTTL', `a token for ${persona?.name ?? 'the persona'} signed by the issuer, iat ${oidc.iatTTL / 1000 + 60} s ago, not expired`, UNAUTHORIZED,
        minted(() => ({ issuedAt: now() - oidc.iatTTL! / 1000 - 60 })), needsMint));
    }
    if (oidc?.authTTL) {
      probes.push(k.http('authTTL', 'an OIDC token whose sign-in is older than authTTL', `a token for ${persona?.name ?? 'the persona'} signed by the issuer, auth_time ${oidc.authTTL / 1000 + 60} s ago, not expired`, UNAUTHORIZED,
        minted(() => ({ authTime: now() - oidc.authTTL! / 1000 - 60 })), needsMint));
    }
  }
  return probes;
}

/** AppSync's client-id checks match the whole id. */
function fullMatch(regex: string, s: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(s);
}

const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'auth_time']);

/** A token for the same identity as `real`, minted by the issuer with `odd` settings; same token use. */
async function mintLike(mode: 'userPool' | 'oidc', mint: ProbeMinter, real: string, odd: Record<string, unknown>): Promise<string> {
  const claims = claimsOf(real);
  if (mode === 'userPool') {
    const groups = claims['cognito:groups'];
    const t = await mint.userPool({ username: String(claims.username ?? claims['cognito:username'] ?? claims.sub), ...(Array.isArray(groups) ? { groups: groups as string[] } : {}), ...odd });
    return claims.token_use === 'id' ? t.idToken : t.accessToken;
  }
  const extra = Object.fromEntries(Object.entries(claims).filter(([c]) => !RESERVED_CLAIMS.has(c)));
  return mint.oidc({ sub: String(claims.sub), claims: extra, ...odd });
}

// ------------------------------------------------------------------------------------------ IAM (SigV4)

function iamProbes(k: Kit): AppSyncProbe[] {
  const persona = k.persona('iamUser', 'guest', 'iamAdmin');
  const iam = persona?.auth.mode === 'iam' ? persona.auth : undefined;
  const noPersona = iam ? undefined : 'the cast has no IAM persona to base the signature on';
  const who = persona ? `${persona.name}’s credentials` : 'no persona';
  const { url, region } = k.input;
  const body = bodyOf(k.request);
  /** Signs the cheap request's body with these choices (`ageMs`: dated that long ago), then sends `request`. */
  const signed = (choices: { credentials?: (c: AwsCredentials) => AwsCredentials; region?: string; service?: string; ageMs?: number }, request = k.request) => async () => {
    const real = await credentialsOf(iam!);
    const credentials = choices.credentials ? choices.credentials(real) : real;
    const headers = await sigv4Headers({
      url, body, credentials, region: choices.region ?? region,
      ...(choices.service ? { service: choices.service } : {}),
      ...(choices.ageMs ? { signingDate: new Date(Date.now() - choices.ageMs) } : {}),
    });
    return k.send({ mode: 'none' }, headers, request);
  };
  const tampered: GraphQLRequest = k.request.variables ? { ...k.request, variables: { ...k.request.variables, limit: 1000 } } : { query: `${k.request.query}\n` };
  const sessionless = iam && typeof iam.credentials === 'object' && !iam.credentials.sessionToken ? `${persona!.name}’s credentials are long-term (no session token to leave out)` : undefined;
  return [
    k.http('missing', 'an unsigned request', 'the cheap request with no credentials', UNAUTHORIZED, () => k.send({ mode: 'none' })),
    k.http('tamperedBody', 'a SigV4-signed request whose body was changed after signing', `signed with ${who}; limit changed after signing`, BAD_SIGNATURE, signed({}, tampered), noPersona),
    k.http('wrongRegion', 'a SigV4 signature scoped to another region', `signed with ${who} for region ${otherRegion(region)}`, BAD_SIGNATURE, signed({ region: otherRegion(region) }), noPersona),
    k.http('wrongService', 'a SigV4 signature scoped to another service', `signed with ${who} for service execute-api`, BAD_SIGNATURE, signed({ service: 'execute-api' }), noPersona),
    k.http('staleDate', 'a SigV4 signature dated 20 minutes ago', `signed with ${who}, x-amz-date 20 minutes in the past`, BAD_SIGNATURE, signed({ ageMs: 20 * 60_000 }), noPersona),
    k.http('missingSecurityToken', 'temporary credentials without their session token', `signed with ${who} minus the session token (no x-amz-security-token)`,
      { status: 403, errorType: 'UnrecognizedClientException' },
      signed({ credentials: (c) => {
        if (!c.sessionToken) throw new Error(`${persona!.name}’s credentials are long-term (no session token to leave out)`);
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
      } }),
      noPersona ?? sessionless),
  ];
}

// --------------------------------------------------------------------------------------------- Lambda

function lambdaProbes(k: Kit): AppSyncProbe[] {
  const allowed = k.persona('lambdaAllowed');
  const denied = k.persona('lambdaDenied');
  const expression = k.input.model.authModes.lambda?.identityValidationExpression;
  const probes: AppSyncProbe[] = [k.http('missing', 'a request without a Lambda token', 'the cheap request with no credentials', UNAUTHORIZED, () => k.send({ mode: 'none' }))];
  if (expression !== undefined) {
    const token = failingToken(expression, allowed ? lambdaTokenOf(allowed) : undefined);
    probes.push(k.http('failsValidation', 'a Lambda token that fails identityValidationExpression', token
      ? `${allowed ? 'the lambdaAllowed persona’s token, altered' : 'a token'} so that it does not match ${expression}`
      : `no token could be made that fails ${expression}`, UNAUTHORIZED,
    () => k.send({ mode: 'lambda', token: token! }), token ? undefined : `every candidate token matches identityValidationExpression ${expression}`));
  }
  if (denied) {
    probes.push(k.http('denied', 'a Lambda token the authorizer denies', `the ${denied.name} persona’s token`, UNAUTHORIZED, () => k.send({ mode: 'lambda', token: lambdaTokenOf(denied) })));
  }
  return probes;
}

function lambdaTokenOf(p: ProvisionedPersona): string {
  return p.auth.mode === 'lambda' ? p.auth.token : '';
}

/** A token (no dots, so it cannot pass for a JWT) that does not match the expression anywhere. */
export function failingToken(expression: string, base = 'authmatrix-probe-token'): string | undefined {
  const re = new RegExp(expression);
  return [`${base}-authmatrix-probe`, `authmatrix-probe-${base}`, 'authmatrix-probe', '~', '0'].find((t) => !re.test(t));
}

// ------------------------------------------------------------------------------------------- realtime

/**
 * How a mode's credential is forged for the realtime probes: `forged` is absent when the mode has no
 * forgery (Lambda without a lambdaDenied persona); `base` opens the connection for start probes.
 */
interface RealtimeForgery {
  base: ProvisionedPersona | undefined;
  forged?: () => Promise<ClientAuth>;
  how: string;
  /** Why `forged` cannot be made here (it starts from a persona the cast lacks). */
  cannotForge?: string;
}

function realtimeForgery(k: Kit): RealtimeForgery {
  const label = MODE_LABEL[k.mode];
  const lacking = `the cast has no ${label} persona to base the forgery on`;
  switch (k.mode) {
    case 'apiKey': {
      const base = k.persona('apiKey');
      const key = base?.auth.mode === 'apiKey' ? base.auth.apiKey : undefined;
      return { base, forged: async () => ({ mode: 'apiKey', apiKey: key ? alterLast(key) : `da2-${randomBytes(13).toString('hex')}` }), how: 'an API key this API never issued' };
    }
    case 'userPool':
    case 'oidc': {
      const base = k.mode === 'userPool' ? k.persona('owner', 'stranger', 'groupMember') : k.persona('oidcUser', 'oidcStranger', 'oidcGroupMember');
      const mode = k.mode;
      return { base, forged: async () => ({ mode, token: flipSignature(await tokenOf(base!)) }), how: `the ${base?.name ?? mode} persona’s token with one signature character changed`, ...(base ? {} : { cannotForge: lacking }) };
    }
    case 'iam': {
      const base = k.persona('iamUser', 'guest', 'iamAdmin');
      const forged = async (): Promise<ClientAuth> => {
        if (base?.auth.mode !== 'iam') throw new Error(lacking);
        const c = await credentialsOf(base.auth);
        return { mode: 'iam', region: base.auth.region, credentials: { ...c, secretAccessKey: alterLast(c.secretAccessKey) } };
      };
      return { base, forged, how: `${base?.name ?? 'the IAM persona'}’s keys signed with a wrong secret`, ...(base ? {} : { cannotForge: lacking }) };
    }
    case 'lambda': {
      const denied = k.persona('lambdaDenied');
      return { base: k.persona('lambdaAllowed'), ...(denied ? { forged: async () => ({ mode: 'lambda', token: lambdaTokenOf(denied) }) } : {}), how: `the ${denied?.name} persona’s token` };
    }
  }
}

const MODE_LABEL: Record<AuthMode, string> = { apiKey: 'API key', userPool: 'user-pool', oidc: 'OIDC', iam: 'SigV4', lambda: 'Lambda' };

function realtimeProbes(k: Kit): AppSyncProbe[] {
  const { url } = k.input;
  const f = realtimeForgery(k);
  const label = MODE_LABEL[k.mode];
  const probes: AppSyncProbe[] = [
    k.realtime('realtimeConnectMissing', `a realtime connection without ${label} credentials`, 'connection_init with a handshake header of only host', REALTIME_CONNECT,
      () => connectExchange(url, { mode: 'none' })),
  ];
  const forged = f.forged;
  if (forged) {
    // The reference's connection_error example carries the API-key message.
    const expected = k.mode === 'apiKey' ? { ...REALTIME_CONNECT, message: NOT_AUTHORIZED } : REALTIME_CONNECT;
    probes.push(k.realtime('realtimeConnectForged', `a realtime connection with a forged ${label} credential`, `connection_init with ${f.how}`, expected,
      async () => connectExchange(url, await forged()), f.cannotForge));
  }
  if (!k.subscription) return probes;
  const subscription = k.subscription;
  const base = f.base;
  const noBase = base ? undefined : `the cast has no valid ${label} persona to open the connection`;
  const opened = `a connection opened by ${base?.name ?? 'a valid persona'}, then a start`;
  probes.push(k.realtime('realtimeStartMissing', `a subscription start without ${label} credentials`, `${opened} whose authorization has only host`, REALTIME_START,
    () => startExchange(url, base!.auth, { mode: 'none' }, subscription), noBase));
  if (forged) {
    probes.push(k.realtime('realtimeStartForged', `a subscription start with a forged ${label} credential`, `${opened} with ${f.how}`, k.mode === 'iam' ? REALTIME_START_SIGNATURE : REALTIME_START,
      async () => startExchange(url, base!.auth, await forged(), subscription), noBase ?? f.cannotForge));
  }
  return probes;
}

const BUILDERS: Record<AuthMode, (k: Kit) => AppSyncProbe[]> = {
  apiKey: apiKeyProbes,
  userPool: jwtProbes,
  oidc: jwtProbes,
  iam: iamProbes,
  lambda: lambdaProbes,
};
