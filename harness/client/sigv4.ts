/** SigV4 as amplify-js signs (AppSync's `appsync` by default, API Gateway's `execute-api`): every header present is signed. */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

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

export async function signRequest(
  url: URL,
  headers: Record<string, string>,
  body: string,
  credentials: AwsCredentials,
  region: string,
  options: SigningOptions = {},
): Promise<Record<string, string>> {
  const request = new HttpRequest({
    method: options.method ?? 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    body,
  });
  // Like amplify-js: no x-amz-content-sha256 header; the body digest is part of the canonical request only.
  const signer = new SignatureV4({ credentials, region, service: options.service ?? 'appsync', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = String(v);
  return out;
}
