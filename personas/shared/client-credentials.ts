/**
 * The OAuth 2.0 client-credentials grant at a token endpoint (a Cognito user pool domain's `/oauth2/token`, or an
 * OIDC provider's): the client authenticates with its id and secret (HTTP Basic) and gets an access token only.
 */
import { request } from 'undici';
import type { ClientCredentials } from '../../harness/matrix/cast.js';
import { InputError } from '../../harness/schema/errors.js';

/** An access token and when it expires (ms since the epoch; the endpoint's `expires_in`, else an hour). */
export async function clientCredentialsGrant(c: ClientCredentials, where: string): Promise<{ token: string; expires: number }> {
  let status = 0;
  let body: { access_token?: string; expires_in?: number; error?: string } = {};
  try {
    const res = await request(c.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(c.scope ? { scope: c.scope } : {}) }).toString(),
    });
    status = res.statusCode;
    body = (await res.body.json().catch(() => ({}))) as typeof body;
  } catch (e) {
    throw new InputError(`the client-credentials grant at ${c.tokenUrl} failed: ${(e as Error).message.split('\n')[0]}`, undefined, `check ${where}.tokenUrl in authmatrix.config.ts`);
  }
  if (status !== 200 || !body.access_token) throw new InputError(`the client-credentials grant at ${c.tokenUrl} failed (HTTP ${status}${body.error ? ` ${body.error}` : ''})`, undefined, `check ${where} in authmatrix.config.ts`);
  return { token: body.access_token, expires: Date.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000 };
}
