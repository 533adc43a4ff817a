/**
 * SigV4 as amplify-js signs (AppSync's `appsync` by default, API Gateway's `execute-api`): every header present is
 * signed. The canonical request follows `@smithy/signature-v4`'s rules (the signer the SDKs use and the emulator
 * verifies with, harness/emulator/iam/sigv4.ts): which headers are signable, how values are trimmed, the path
 * normalized and encoded twice, the query sorted; test/client/sigv4.test.ts holds this signer to smithy's `sign()`,
 * header for header. Written here with node:crypto because the test worker signs every IAM persona's request:
 * smithy's `sign()` cost about 0.15 ms a request (the key derived again, its hash wrappers), and loading smithy
 * 50–100 ms of the worker's start.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The probes sign with a wrong service or a stale date on purpose. */
export interface SigningOptions {
  service?: string;
  signingDate?: Date;
  /** Default POST (GraphQL). */
  method?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Headers the signer writes itself: a caller's are dropped. */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date']);
/** Headers never signed (proxies and browsers change them), and `proxy-*` and `sec-*` ones. */
const UNSIGNABLE = new Set(['authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma', 'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id']);

/** RFC 3986 percent-encoding: encodeURIComponent, and `!'()*` too. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Empty segments dropped, then the path encoded again (non-S3 services). smithy also resolves `.` and `..`: a URL's
 * path has none left (the URL parser resolved them, `%2e` ones too).
 */
function canonicalPath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Sorted by encoded name; a name given twice keeps its last value (the URL's search parameters as an object). */
function canonicalQuery(params: URLSearchParams): string {
  const byName = new Map<string, string>();
  for (const [k, v] of params) {
    if (k.toLowerCase() === 'x-amz-signature') continue;
    byName.set(escapeUri(k), `${escapeUri(k)}=${escapeUri(v)}`);
  }
  return [...byName.keys()].sort().map((k) => byName.get(k)!).join('&');
}

/** Lower-cased names of the signable headers, values trimmed and runs of blanks made one space. */
function canonicalHeaders(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(headers).sort()) {
    const value = headers[name];
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    if (UNSIGNABLE.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) continue;
    out.set(lower, value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, ''));
  }
  return out;
}

const keys = new Map<string, Buffer>();

/** The signing key, derived once per secret, day, region and service. */
function signingKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const id = `${shortDate}\n${region}\n${service}\n${secret}`;
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= 50) keys.clear();
    key = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
    for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    keys.set(id, key);
  }
  return key;
}

let stamped = { second: NaN, text: '' };

/** `20261205T183016Z`; the same for every request signed in that second. */
function amzDate(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== stamped.second) stamped = { second, text: d.toISOString().replace(/[-:]|\.\d{3}/g, '') };
  return stamped.text;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function signRequest(
  url: URL,
  headers: Record<string, string>,
  body: string,
  credentials: AwsCredentials,
  region: string,
  options: SigningOptions = {},
): Promise<Record<string, string>> {
  const service = options.service ?? 'appsync';
  const longDate = amzDate(options.signingDate ?? new Date());
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const signed: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...headers, host: url.host })) if (!GENERATED.has(k.toLowerCase())) signed[k] = v;
  signed['x-amz-date'] = longDate;
  if (credentials.sessionToken) signed['x-amz-security-token'] = credentials.sessionToken;
  // Like amplify-js: no x-amz-content-sha256 header; the body digest is part of the canonical request only (unless
  // the caller sent one, which is then signed as the payload's hash).
  const given = Object.keys(signed).find((k) => k.toLowerCase() === 'x-amz-content-sha256');
  const payloadHash = given !== undefined ? signed[given]! : sha256(body);
  const canonical = canonicalHeaders(signed);
  const names = [...canonical.keys()].sort();
  const canonicalRequest = [
    options.method ?? 'POST',
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    ...names.map((n) => `${n}:${canonical.get(n)}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${sha256(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, region, service)).update(stringToSign).digest('hex');
  signed.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed)) out[k.toLowerCase()] = String(v);
  return out;
}
