/**
 * SigV4 verification: the emulator recomputes each signature with `@smithy/signature-v4` from the secret it
 * issued, over the exact bytes received.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthFailure } from '../failure.js';

/** What a signature is computed with. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface SignedRequest {
  method: string;
  /** `host[:port]` the client signed. */
  host: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * Verifies a SigV4-signed request: `issued` finds the credentials an access key belongs to and who holds
 * them; throws the 403 AppSync gives for each kind of bad signature.
 */
export async function verifySigV4<P>(req: SignedRequest, issued: (accessKeyId: string) => { credentials: SigningCredentials; principal: P } | undefined, apiRegion: string, now = Date.now(), apiService = 'appsync'): Promise<P> {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new AuthFailure(403, 'InvalidSignatureException', 'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' parameters.');
  const [, accessKeyId, scopeDate, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const found = issued(accessKeyId);
  if (!found) throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  const { credentials, principal } = found;
  if (credentials.expiration.getTime() < now) throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is expired');
  if (req.headers['x-amz-security-token'] !== credentials.sessionToken) {
    throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const amzDate = req.headers['x-amz-date'] ?? '';
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) throw new AuthFailure(403, 'InvalidSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new AuthFailure(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`);
  }
  if (service !== apiService) throw new AuthFailure(403, 'InvalidSignatureException', `Credential should be scoped to correct service: '${apiService}'. `);
  if (region !== apiRegion) throw new AuthFailure(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
  if (scopeDate !== amzDate.slice(0, 8)) throw new AuthFailure(403, 'InvalidSignatureException', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP');

  const signed = signedList.split(';');
  const headers: Record<string, string> = {};
  for (const h of signed) {
    const v = h === 'host' ? req.headers.host ?? req.host : req.headers[h];
    if (v === undefined) throw new AuthFailure(403, 'InvalidSignatureException', `The request signature we calculated does not match the signature you provided: signed header ${h} is missing.`);
    headers[h] = v;
  }
  // The payload hash is always computed from the bytes received, never taken from the client's header.
  if ('x-amz-content-sha256' in headers) headers['x-amz-content-sha256'] = createHash('sha256').update(req.body).digest('hex');
  const [{ Hash }, { HttpRequest }, { SignatureV4 }] = await smithy();
  const [hostname, port] = (headers.host ?? req.host).split(':');
  const request = new HttpRequest({
    method: req.method,
    protocol: 'https:',
    hostname: hostname!,
    ...(port ? { port: Number(port) } : {}),
    path: req.path,
    headers,
    body: req.body,
  });
  const signer = new SignatureV4({ credentials, region: apiRegion, service: apiService, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const out = await signer.sign(request, { signingDate, signableHeaders: new Set(signed) });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(out.headers.authorization ?? out.headers.Authorization))?.[1] ?? '';
  if (!safeEqual(expected, signature)) {
    throw new AuthFailure(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return principal;
}

/** The signer is loaded on first use: most emulators never see an IAM request. */
let smithyModules: Promise<[typeof import('@smithy/hash-node'), typeof import('@smithy/protocol-http'), typeof import('@smithy/signature-v4')]> | undefined;
function smithy() {
  return (smithyModules ??= Promise.all([import('@smithy/hash-node'), import('@smithy/protocol-http'), import('@smithy/signature-v4')]));
}

/** Compares signatures in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `YYYYMMDDTHHMMSSZ` (X-Amz-Date) as a date; undefined when malformed. */
export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
