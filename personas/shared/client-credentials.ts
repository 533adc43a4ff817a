/**
 * The OAuth 2.0 client-credentials grant at a token endpoint (a Cognito user pool domain's `/oauth2/token`, or an
 * OIDC provider's): the client authenticates with its id and secret (HTTP Basic) and gets an access token only.
 */
import { exchange } from '../../harness/client/exchange.js';
import type { ClientCredentials } from '../../harness/matrix/cast.js';
import { InputError } from '../../harness/schema/errors.js';

/** An access token and when it expires (ms since the epoch; the endpoint's `expires_in`, else an hour). */
export async function clientCredentialsGrant(c: ClientCredentials, where: string): Promise<{ token: string; expires: number }> {
  let status = 0;
  let body: TokenAnswer = {};
  try {
    const res = await exchange(
      new URL(c.tokenUrl),
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
      new URLSearchParams({ grant_type: 'client_credentials', ...(c.scope ? { scope: c.scope } : {}) }).toString(),
    );
    status = res.status;
    body = parsedOrEmpty(res.text);
  } catch (e) {
    throw new InputError(`the client-credentials grant at ${c.tokenUrl} failed: ${(e as Error).message.split('\n')[0]}`, undefined, `check ${where}.tokenUrl in authmatrix.config.ts`);
  }
  if (status !== 200 || !body.access_token) throw new InputError(`the client-credentials grant at ${c.tokenUrl} failed (HTTP ${status}${body.error ? ` ${body.error}` : ''})`, undefined, `check ${where} in authmatrix.config.ts`);
  return { token: body.access_token, expires: Date.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000 };
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  error?: string;
}

/** The token endpoint's JSON answer; an answer that is not JSON (a proxy's error page) has none of its fields. */
function parsedOrEmpty(text: string): TokenAnswer {
  try {
    return JSON.parse(text) as TokenAnswer;
  } catch {
    return {};
  }
}
