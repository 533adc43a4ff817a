/**
 * SigV4 headers for IAM probes, signed like every request (harness/client/sigv4.ts) but with the
 * service, region and date chosen by the probe. The result is sent as custom headers, which the
 * GraphQL client does not re-sign.
 */
import { signRequest, type AwsCredentials } from '../client/sigv4.js';

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

export function sigv4Headers(c: SigningChoices): Promise<Record<string, string>> {
  const headers = { 'content-type': CONTENT_TYPE, 'x-amz-user-agent': PROBE_USER_AGENT };
  return signRequest(new URL(c.url), headers, c.body, c.credentials, c.region, {
    ...(c.service ? { service: c.service } : {}),
    ...(c.signingDate ? { signingDate: c.signingDate } : {}),
  });
}

/** A region that is not `region`. */
export function otherRegion(region: string): string {
  return region === 'eu-west-3' ? 'us-east-1' : 'eu-west-3';
}
