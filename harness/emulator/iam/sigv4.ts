/**
 * Signature Version 4 verification for any service (appsync, execute-api, s3), in both forms: the
 * `Authorization` header and the presigned query string (`X-Amz-Algorithm`, `X-Amz-Credential`,
 * `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`, `X-Amz-Security-Token`).
 * The canonical request is rebuilt with `@smithy/signature-v4`, the signer the AWS SDKs use, from exactly what
 * the client said it signed, and hashed into the string to sign; the key comes from the credentials the
 * emulator issued. Failures are typed (`SigV4Failure`) so each service answers with its own wire error.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpRequest as SmithyRequest } from '@smithy/types';

export interface SigV4Request {
  method: string;
  /** The path as received, still percent-encoded, without the query string. */
  path: string;
  /** The raw query string, without `?` (empty when none). */
  query: string;
  /** Header names lower-cased, as Node gives them. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body received; `undefined` for none. S3 streaming uploads pass what they have (see `payload`). */
  body?: string | Uint8Array;
}

/** Credentials the emulator issued, with who they belong to. */
export interface IssuedKey<P> {
  secretAccessKey: string;
  /** Temporary credentials carry a session token the request must present. */
  sessionToken?: string;
  expiration?: Date;
  principal: P;
}

export interface SigV4Options<P> {
  /** The signing name the request must be scoped to: `appsync`, `execute-api`, `s3`. */
  service: string;
  region: string;
  keys: (accessKeyId: string) => IssuedKey<P> | undefined;
  /**
   * S3's rules: the path is not escaped again, the header form needs `x-amz-content-sha256` and signs
   * its value as the payload hash (a digest, `UNSIGNED-PAYLOAD` or a `STREAMING-…` marker), presigned
   * URLs sign `UNSIGNED-PAYLOAD`.
   */
  s3?: boolean;
  /** How far `X-Amz-Date` may be from now in the header form (default 5 minutes; S3: 15). */
  maxSkewMs?: number;
  now?: number;
}

export type PayloadKind = 'signed' | 'unsigned' | 'streaming';

export type SigV4Result<P> =
  | { ok: true; principal: P; accessKeyId: string; form: 'header' | 'query'; payload: PayloadKind }
  | { ok: false; failure: SigV4Failure };

/**
 * Why a request is refused, with a message close to AWS's own. `missing`: no SigV4 at all. `incomplete`:
 * an `Authorization` value or query that is not a complete SigV4 signature (a Bearer token, a missing
 * part, an unsigned `host`). `scope`: the credential scope names another service, region or day.
 * `expired`: the request time is out of the allowed window, or a presigned URL has expired.
 * `unknownKey`, `invalidToken`, `expiredToken`: the credentials. `mismatch`: the signature differs.
 * `contentSha256Mismatch`: S3's `x-amz-content-sha256` digest is not the body's.
 */
export type SigV4Failure =
  | { kind: 'missing'; message: string }
  | { kind: 'incomplete'; message: string }
  | { kind: 'scope'; message: string; part: 'terminator' | 'service' | 'region' | 'date'; found: string }
  | { kind: 'expired'; message: string; when: 'tooEarly' | 'tooLate' }
  | { kind: 'unknownKey'; message: string }
  | { kind: 'invalidToken'; message: string }
  | { kind: 'expiredToken'; message: string }
  | { kind: 'mismatch'; message: string; canonicalRequest: string; stringToSign: string }
  | { kind: 'contentSha256Mismatch'; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED = 'UNSIGNED-PAYLOAD';
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

interface Parsed {
  form: 'header' | 'query';
  accessKeyId: string;
  scope: { date: string; region: string; service: string; terminator: string };
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  expires?: number;
  token?: string;
  /** The query parameters (decoded), X-Amz-Signature included (smithy leaves it out of the canonical query). */
  query: Record<string, string | string[]>;
}

const fail = <K extends SigV4Failure['kind']>(kind: K, message: string, detail?: Omit<Extract<SigV4Failure, { kind: K }>, 'kind' | 'message'>) =>
  ({ ok: false as const, failure: { kind, message, ...detail } as SigV4Failure });

export async function verifySigV4<P>(req: SigV4Request, opts: SigV4Options<P>): Promise<SigV4Result<P>> {
  const now = opts.now ?? Date.now();
  const parsed = parse(req);
  if ('ok' in parsed) return parsed;
  const { scope } = parsed;

  const signingDate = parseAmzDate(parsed.amzDate);
  if (!signingDate) {
    return fail('incomplete', parsed.form === 'query' ? "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"" : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (scope.terminator !== 'aws4_request') return fail('scope', `Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'.`, { part: 'terminator', found: scope.terminator });
  if (scope.service !== opts.service) return fail('scope', `Credential should be scoped to correct service: '${opts.service}'. `, { part: 'service', found: scope.service });
  if (scope.region !== opts.region) return fail('scope', `Credential should be scoped to a valid region, not '${scope.region}'. `, { part: 'region', found: scope.region });
  if (scope.date !== parsed.amzDate.slice(0, 8)) return fail('scope', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${parsed.amzDate.slice(0, 8)}', from '${parsed.amzDate}'.`, { part: 'date', found: scope.date });

  const key = opts.keys(parsed.accessKeyId);
  if (!key) return fail('unknownKey', 'The security token included in the request is invalid.');
  if (key.expiration && key.expiration.getTime() <= now) return fail('expiredToken', 'The security token included in the request is expired');
  if (key.sessionToken !== undefined && !safeEqual(parsed.token ?? '', key.sessionToken)) return fail('invalidToken', 'The security token included in the request is invalid.');

  if (parsed.form === 'header') {
    const skew = opts.maxSkewMs ?? (opts.s3 ? 15 : 5) * 60_000;
    if (Math.abs(now - signingDate.getTime()) > skew) {
      const minutes = Math.round(skew / 60_000);
      return signingDate.getTime() > now
        ? fail('expired', `Signature not yet current: ${parsed.amzDate} is still later than ${formatAmzDate(new Date(now + skew))} (${formatAmzDate(new Date(now))} + ${minutes} min.)`, { when: 'tooEarly' })
        : fail('expired', `Signature expired: ${parsed.amzDate} is now earlier than ${formatAmzDate(new Date(now - skew))} (${formatAmzDate(new Date(now))} - ${minutes} min.)`, { when: 'tooLate' });
    }
  } else {
    const expires = parsed.expires!;
    if (signingDate.getTime() + expires * 1000 < now) return fail('expired', 'Request has expired', { when: 'tooLate' });
    if (signingDate.getTime() - (opts.maxSkewMs ?? 15 * 60_000) > now) return fail('expired', 'Request is not yet valid', { when: 'tooEarly' });
  }

  if (!parsed.signedHeaders.includes('host')) return fail('incomplete', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const headers: Record<string, string> = {};
  for (const h of parsed.signedHeaders) {
    const v = req.headers[h];
    if (v === undefined) return fail('incomplete', `The request signature we calculated does not match the signature you provided: signed header ${h} is missing.`);
    headers[h] = v;
  }

  const payload = payloadHash(req, parsed, opts.s3 === true);
  if ('ok' in payload) return payload;

  const smithy = await signer();
  const canonicalizer = opts.s3 ? smithy.s3 : smithy.escaped;
  const request: SmithyRequest = { method: req.method, protocol: 'https:', hostname: headers.host!, path: req.path, query: parsed.query, headers };
  const canonicalRequest = canonicalizer.canonicalRequest(request, smithy.getCanonicalHeaders(request, undefined, new Set(parsed.signedHeaders)), payload.hash);
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
  // smithy's string to sign, hashed without its async hash wrapper (a promise per request).
  const stringToSign = `${ALGORITHM}\n${parsed.amzDate}\n${scopeText}\n${sha256Hex(canonicalRequest)}`;
  const signingKey = await derivedKey(smithy, parsed.accessKeyId, key.secretAccessKey, scope);
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  if (!safeEqual(expected, parsed.signature)) {
    return {
      ok: false,
      failure: {
        kind: 'mismatch',
        message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        canonicalRequest,
        stringToSign,
      },
    };
  }
  // S3 checks a declared digest against the bytes once the signature holds.
  if (payload.kind === 'signed' && opts.s3 && req.body !== undefined && sha256Hex(req.body) !== payload.hash) {
    return fail('contentSha256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return { ok: true, principal: key.principal, accessKeyId: parsed.accessKeyId, form: parsed.form, payload: payload.kind };
}

const EMPTY_SHA256 = sha256Hex('');

/** Signing keys by access key, secret and scope: a key is derived once a day per scope, as SDK signers keep them. */
const signingKeys = new Map<string, Uint8Array>();
const SIGNING_KEYS_KEPT = 1000;

async function derivedKey(smithy: Awaited<ReturnType<typeof signer>>, accessKeyId: string, secretAccessKey: string, scope: { date: string; region: string; service: string }): Promise<Uint8Array> {
  const id = `${accessKeyId}\0${secretAccessKey}\0${scope.date}\0${scope.region}\0${scope.service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = await smithy.getSigningKey(smithy.Hash, { accessKeyId, secretAccessKey }, scope.date, scope.region, scope.service);
    if (signingKeys.size >= SIGNING_KEYS_KEPT) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

function payloadHash(req: SigV4Request, parsed: Parsed, s3: boolean): { hash: string; kind: PayloadKind } | { ok: false; failure: SigV4Failure } {
  if (!s3) {
    // Other services hash the bytes received, whatever a header claims (a claim that differs fails the signature).
    return { hash: req.body ? sha256Hex(req.body) : EMPTY_SHA256, kind: 'signed' };
  }
  if (parsed.form === 'query') {
    // The AWS SDK presigner hoists its `x-amz-content-sha256: UNSIGNED-PAYLOAD` header into the query, lower-cased.
    const name = Object.keys(parsed.query).find((k) => k.toLowerCase() === 'x-amz-content-sha256');
    const declared = name === undefined ? undefined : parsed.query[name];
    return { hash: typeof declared === 'string' ? declared : UNSIGNED, kind: 'unsigned' };
  }
  const declared = req.headers['x-amz-content-sha256'];
  if (declared === undefined) return fail('incomplete', 'Missing required header for this request: x-amz-content-sha256');
  if (declared === UNSIGNED) return { hash: declared, kind: 'unsigned' };
  if (declared.startsWith('STREAMING-')) return { hash: declared, kind: 'streaming' };
  if (!/^[0-9a-f]{64}$/.test(declared)) return fail('incomplete', `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a valid sha256 value, not '${declared}'.`);
  return { hash: declared, kind: 'signed' };
}

function parse(req: SigV4Request): Parsed | { ok: false; failure: SigV4Failure } {
  const query = parseQuery(req.query);
  const authorization = req.headers.authorization;
  if (authorization === undefined && query['X-Amz-Algorithm'] === undefined) return fail('missing', 'Missing Authentication Token');
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      const first = authorization.split(/[\s,]/)[0] ?? '';
      return fail('incomplete', first.includes('=') ? `Unsupported authorization type: '${authorization.split(' ')[0]}'.` : `'${first}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
    }
    const parts: Record<string, string> = {};
    const problems: string[] = [];
    for (const piece of authorization.slice(ALGORITHM.length).split(',')) {
      const item = piece.trim();
      if (!item) continue;
      const eq = item.indexOf('=');
      if (eq <= 0) problems.push(`'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
      else parts[item.slice(0, eq)] = item.slice(eq + 1);
    }
    for (const need of ['Credential', 'Signature', 'SignedHeaders']) if (!parts[need]) problems.push(`Authorization header requires '${need}' parameter.`);
    const amzDate = req.headers['x-amz-date'] ?? httpDateToAmz(req.headers.date);
    if (!amzDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    if (problems.length) return fail('incomplete', problems.join(' '));
    const scope = credentialScope(parts.Credential!);
    if (!scope) return fail('incomplete', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parts.Credential}'`);
    const token = req.headers['x-amz-security-token'];
    return { form: 'header', ...scope, signedHeaders: parts.SignedHeaders!.toLowerCase().split(';'), signature: parts.Signature!, amzDate: amzDate!, ...(token !== undefined ? { token } : {}), query };
  }
  const get = (k: string) => {
    const v = query[k];
    return typeof v === 'string' ? v : undefined;
  };
  if (get('X-Amz-Algorithm') !== ALGORITHM) return fail('incomplete', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const missing = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires'].filter((k) => get(k) === undefined);
  if (missing.length) return fail('incomplete', `Query-string authentication version 4 requires the ${missing.join(', ')} parameters.`);
  const expires = Number(get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1) return fail('incomplete', 'X-Amz-Expires must be a positive integer.');
  if (expires > MAX_PRESIGNED_SECONDS) return fail('incomplete', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  const scope = credentialScope(get('X-Amz-Credential')!);
  if (!scope) return fail('incomplete', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${get('X-Amz-Credential')}'`);
  const token = get('X-Amz-Security-Token');
  return { form: 'query', ...scope, signedHeaders: get('X-Amz-SignedHeaders')!.toLowerCase().split(';'), signature: get('X-Amz-Signature')!, amzDate: get('X-Amz-Date')!, expires, ...(token !== undefined ? { token } : {}), query };
}

function credentialScope(credential: string): Pick<Parsed, 'accessKeyId' | 'scope'> | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => !p)) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, scope: { date, region, service, terminator } };
}

/** Decodes the query the way SigV4 reads it: `+` stays a plus (clients encode spaces as `%20`). */
function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    const v = decode(eq < 0 ? '' : pair.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

export function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function httpDateToAmz(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : formatAmzDate(new Date(t));
}

/** The signer is loaded on first use: most emulators never see a signed request. */
let loaded: ReturnType<typeof load> | undefined;
function signer() {
  return (loaded ??= load());
}

async function load() {
  const [{ Hash }, { SignatureV4, getCanonicalHeaders, getSigningKey }] = await Promise.all([import('@smithy/hash-node'), import('@smithy/signature-v4')]);
  // smithy builds canonical requests in protected methods; this subclass only exposes them.
  class Canonicalizer extends SignatureV4 {
    canonicalRequest(request: SmithyRequest, headers: Record<string, string>, payloadHash: string): string {
      return this.createCanonicalRequest(request, headers, payloadHash);
    }
  }
  const make = (uriEscapePath: boolean) => new Canonicalizer({ credentials: { accessKeyId: '', secretAccessKey: '' }, region: '', service: '', sha256: Hash.bind(null, 'sha256'), uriEscapePath });
  return { Hash: Hash.bind(null, 'sha256'), getCanonicalHeaders, getSigningKey, escaped: make(true), s3: make(false) };
}
