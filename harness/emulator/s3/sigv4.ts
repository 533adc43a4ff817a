/**
 * SigV4 as S3 answers it, in the Authorization header or in a presigned URL's query
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html). The signature is
 * checked by the verifier every service shares (`../iam/sigv4.ts`, in its S3 mode: the path as sent, the
 * declared payload digest); this module turns its failures into S3's own error codes and fields.
 */
import { parseAmzDate, verifySigV4, type IssuedKey, type SigV4Failure } from '../iam/sigv4.js';
import { S3Error } from './errors.js';

export interface S3SignatureInput {
  method: string;
  /** `host[:port]` as received. */
  host: string;
  rawUrl: string;
  headers: Record<string, string>;
}

/** S3 accepts requests up to 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Who signed the request: undefined when it carries no signature at all (S3 then treats it as
 * anonymous); throws the S3Error S3 would answer with when the signature does not hold.
 */
export async function verifyS3Signature<P>(req: S3SignatureInput, keys: (accessKeyId: string) => IssuedKey<P> | undefined, region: string, now = Date.now()): Promise<P | undefined> {
  const q = req.rawUrl.indexOf('?');
  const query = q < 0 ? '' : req.rawUrl.slice(q + 1);
  const verified = await verifySigV4(
    { method: req.method, path: q < 0 ? req.rawUrl : req.rawUrl.slice(0, q), query, headers: { ...req.headers, host: req.host } },
    { service: 's3', region, keys, s3: true, maxSkewMs: MAX_SKEW_MS, now },
  );
  if (verified.ok) return verified.principal;
  const { failure } = verified;
  if (failure.kind === 'missing') return undefined;
  throw s3Error(failure, new URLSearchParams(query), req, region, now);
}

function s3Error(f: Exclude<SigV4Failure, { kind: 'missing' }>, q: URLSearchParams, req: S3SignatureInput, region: string, now: number): S3Error {
  const presigned = q.has('X-Amz-Credential') || q.has('X-Amz-Algorithm');
  const mismatch = (fields?: Record<string, string>) =>
    new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', fields);
  switch (f.kind) {
    case 'incomplete':
      if (!presigned && req.headers['x-amz-content-sha256'] === undefined && req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
        return new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
      }
      return presigned
        ? new S3Error(400, 'AuthorizationQueryParametersError', f.message)
        : new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${f.message}`);
    case 'scope':
      if (f.part === 'region') return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${f.found}' is wrong; expecting '${region}'`, { Region: region });
      if (f.part === 'service') return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${f.found}". This endpoint belongs to "s3".`);
      if (f.part === 'terminator') return new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
      return mismatch();
    case 'unknownKey':
      return new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyOf(q, req) });
    case 'invalidToken':
      return new S3Error(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    case 'expiredToken':
      return new S3Error(400, 'ExpiredToken', 'The provided token has expired.');
    case 'expired': {
      if (!presigned) {
        return new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
          RequestTime: req.headers['x-amz-date'] ?? '',
          ServerTime: iso(new Date(now)),
          MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
        });
      }
      if (f.when === 'tooEarly') return new S3Error(403, 'AccessDenied', 'Request is not valid yet');
      const expires = q.get('X-Amz-Expires') ?? '';
      const signedAt = parseAmzDate(q.get('X-Amz-Date') ?? '')!;
      return new S3Error(403, 'AccessDenied', 'Request has expired', { 'X-Amz-Expires': expires, Expires: iso(new Date(signedAt.getTime() + Number(expires) * 1000)), ServerTime: iso(new Date(now)) });
    }
    case 'mismatch':
      return mismatch({ StringToSign: f.stringToSign, CanonicalRequest: f.canonicalRequest });
    case 'contentSha256Mismatch':
      return new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

function accessKeyOf(q: URLSearchParams, req: S3SignatureInput): string {
  const credential = q.get('X-Amz-Credential') ?? /Credential=([^/,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return credential.split('/')[0] ?? '';
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
