/**
 * SigV4 as amplify-js signs (AppSync's `appsync` by default, API Gateway's `execute-api`): every header present is
 * signed. The canonical request is `@smithy/signature-v4`'s (its header and path rules, as the emulator verifies
 * them: harness/emulator/iam/sigv4.ts); the hashing, the date and the signing key are done here with node:crypto, the
 * key derived once per secret, day, region and service. smithy's `sign()` cost the test worker 0.1 s of the blog's
 * run (about 0.15 ms per request: the key derived again, its hash wrappers); test/client/sigv4.test.ts holds this
 * signer to smithy's, header for header.
 */
import { createHash, createHmac } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';

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

/** smithy builds the canonical request in a protected method; this subclass only exposes it. */
class Canonicalizer extends SignatureV4 {
  canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }
}
const canonicalizer = new Canonicalizer({ credentials: { accessKeyId: '', secretAccessKey: '' }, region: '', service: '', sha256: Hash.bind(null, 'sha256') });

/** Headers the signer writes itself: a caller's are dropped (smithy's `prepareRequest`). */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date']);
const ALGORITHM = 'AWS4-HMAC-SHA256';

const keys = new Map<string, Buffer>();

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
  // the caller sent one, which smithy signs as the payload's hash).
  const given = Object.keys(signed).find((k) => k.toLowerCase() === 'x-amz-content-sha256');
  const payloadHash = given !== undefined ? signed[given]! : createHash('sha256').update(body).digest('hex');
  const canonicalHeaders = getCanonicalHeaders({ headers: signed } as HttpRequest);
  const canonicalRequest = canonicalizer.canonicalRequest(
    { method: options.method ?? 'POST', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: signed } as HttpRequest,
    canonicalHeaders,
    payloadHash,
  );
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, region, service)).update(stringToSign).digest('hex');
  signed.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${Object.keys(canonicalHeaders).sort().join(';')}, Signature=${signature}`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed)) out[k.toLowerCase()] = String(v);
  return out;
}
