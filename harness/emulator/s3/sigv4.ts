/**
 * SigV4 as S3 checks it, in the Authorization header or in a presigned URL's query
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html): the canonical
 * request over the path as sent (S3 does not normalize or re-encode it), the sorted query, the signed
 * headers and the payload digest the client declares (`x-amz-content-sha256`; `UNSIGNED-PAYLOAD` for
 * presigned URLs), recomputed from the secret the emulator issued. Every failure is S3's own error.
 */
import { createHash, createHmac } from 'node:crypto';
import { parseAmzDate, safeEqual } from '../iam/sigv4.js';
import { S3Error } from './errors.js';

export interface IssuedCredentials {
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface S3SignatureInput {
  method: string;
  /** `host[:port]` as received. */
  host: string;
  rawUrl: string;
  headers: Record<string, string>;
}

/** S3 accepts requests up to 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const WEEK_SECONDS = 604800;

/** The access key a request is signed with, and whether it is presigned; undefined when it is not signed. */
export function signingKeyId(req: S3SignatureInput): string | undefined {
  const q = queryOf(req.rawUrl);
  const credential = q.get('X-Amz-Credential') ?? /Credential=([^/,\s]+)/.exec(req.headers.authorization ?? '')?.[1];
  return credential?.split('/')[0];
}

/** Checks the signature; throws the S3Error S3 would answer with. */
export function verifyS3Signature(req: S3SignatureInput, issued: IssuedCredentials | undefined, region: string, now = Date.now()): void {
  const q = queryOf(req.rawUrl);
  const presigned = q.has('X-Amz-Signature') || q.has('X-Amz-Credential');
  const auth = req.headers.authorization ?? '';
  let credential: string;
  let signedHeaders: string;
  let signature: string;
  let amzDate: string;
  if (presigned) {
    if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    credential = q.get('X-Amz-Credential') ?? '';
    signedHeaders = q.get('X-Amz-SignedHeaders') ?? '';
    signature = q.get('X-Amz-Signature') ?? '';
    amzDate = q.get('X-Amz-Date') ?? '';
    if (!credential || !signedHeaders || !signature || !amzDate) {
      throw new S3Error(400, 'AuthorizationQueryParametersError', 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
    }
  } else {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(auth);
    if (!m) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
    [, credential, signedHeaders, signature] = m as unknown as [string, string, string, string];
    amzDate = req.headers['x-amz-date'] ?? '';
  }
  const [accessKeyId, scopeDate, scopeRegion, service, terminator] = credential.split('/');
  if (!issued) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId ?? '' });
  const token = presigned ? q.get('X-Amz-Security-Token') : req.headers['x-amz-security-token'];
  if (token !== issued.sessionToken) throw new S3Error(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  if (issued.expiration.getTime() < now) throw new S3Error(400, 'ExpiredToken', 'The provided token has expired.');
  if (terminator !== 'aws4_request' || !scopeDate || !service) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  if (scopeRegion !== region) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`, { Region: region });
  if (service !== 's3') throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`);
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (scopeDate !== amzDate.slice(0, 8)) throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  if (presigned) {
    const expires = Number(q.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1) throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be non-negative');
    if (expires > WEEK_SECONDS) throw new S3Error(400, 'AuthorizationQueryParametersError', `X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than ${WEEK_SECONDS} seconds`);
    if (signedAt.getTime() > now + MAX_SKEW_MS) throw new S3Error(403, 'AccessDenied', 'Request is not valid yet');
    if (now > signedAt.getTime() + expires * 1000) {
      throw new S3Error(403, 'AccessDenied', 'Request has expired', { 'X-Amz-Expires': String(expires), Expires: iso(new Date(signedAt.getTime() + expires * 1000)), ServerTime: iso(new Date(now)) });
    }
  } else if (Math.abs(now - signedAt.getTime()) > MAX_SKEW_MS) {
    throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: amzDate, ServerTime: iso(new Date(now)), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) });
  }
  const payload = presigned ? 'UNSIGNED-PAYLOAD' : req.headers['x-amz-content-sha256'];
  if (!payload) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  const names = signedHeaders.split(';');
  if (!names.includes('host')) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; host must be a signed header.');
  const headerLines = names.map((n) => `${n}:${(n === 'host' ? req.host : req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const [path] = req.rawUrl.split('?');
  const canonical = [req.method, path || '/', canonicalQuery(q, presigned), headerLines, signedHeaders, payload].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = ['s3', 'aws4_request'].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${issued.secretAccessKey}`, scopeDate), scopeRegion!));
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (!safeEqual(expected, signature)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { StringToSign: toSign, CanonicalRequest: canonical });
  }
}

/** Query parameters decoded as S3 reads them (`+` is a plus, not a space), first value of each. */
function queryOf(rawUrl: string): Map<string, string> {
  const i = rawUrl.indexOf('?');
  const out = new Map<string, string>();
  if (i < 0) return out;
  for (const part of rawUrl.slice(i + 1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    if (!out.has(k)) out.set(k, eq < 0 ? '' : decode(part.slice(eq + 1)));
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

function canonicalQuery(q: Map<string, string>, presigned: boolean): string {
  return [...q].filter(([k]) => !(presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
