/**
 * SigV4 headers for IAM probes, signed with @smithy/signature-v4 like harness/client/sigv4.ts (every
 * header present is signed, no x-amz-content-sha256) but with the service, region and date chosen by
 * the probe. The result is sent as custom headers, which the GraphQL client does not re-sign.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../client/sigv4.js';

/** The headers GraphQLClient adds to every request; a signature must cover them as sent. */
export const PROBE_USER_AGENT = 'authmatrix/0.1 probes';
export const CONTENT_TYPE = 'application/json; charset=UTF-8';

export interface SigningChoices {
  url: string;
  body: string;
  credentials: AwsCredentials;
  region: string;
  service?: string;
  signingDate?: Date;
}

export async function sigv4Headers(c: SigningChoices): Promise<Record<string, string>> {
  const url = new URL(c.url);
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { 'content-type': CONTENT_TYPE, 'x-amz-user-agent': PROBE_USER_AGENT, host: url.host },
    body: c.body,
  });
  const signer = new SignatureV4({ credentials: c.credentials, region: c.region, service: c.service ?? 'appsync', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(request, c.signingDate ? { signingDate: c.signingDate } : {});
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = String(v);
  return out;
}

/** A region that is not `region`. */
export function otherRegion(region: string): string {
  return region === 'eu-west-3' ? 'us-east-1' : 'eu-west-3';
}
