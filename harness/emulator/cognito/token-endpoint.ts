/**
 * A user pool domain's token endpoint (`POST /oauth2/token`), for the client-credentials grant only: the app's
 * machine-to-machine clients (RestSection.appClients) authenticate with their id and secret (HTTP Basic, or
 * `client_id` and `client_secret` in the form) and get an access token of the pool (UserPool.clientToken) holding the
 * scopes they ask for, all of which they must be allowed, or every scope they are allowed when they ask for none.
 * Errors are OAuth's (`{"error": …}`, status 400), as Cognito answers them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppClient } from '../../schema/rest/model.js';
import { UserPool } from './userpool.js';

export const TOKEN_PATH = '/oauth2/token';

/** An app client as the emulated pool holds it: its stand-in id and a secret made when the emulator starts. */
export interface MachineClient extends AppClient {
  clientId: string;
  clientSecret: string;
}

export function machineClients(clients: readonly AppClient[]): MachineClient[] {
  return clients.map((c) => ({ ...c, clientId: UserPool.appClientId(c.name), clientSecret: randomBytes(32).toString('base64url') }));
}

export type GrantResult = { ok: true; scopes: string[] } | { ok: false; error: string; description: string };

/** The scopes a grant holds: those asked for (space-separated) when the client is allowed them all, else all it is allowed. */
export function grantedScopes(client: AppClient, scope: string | undefined): GrantResult {
  const asked = scope?.split(' ').filter(Boolean);
  const refused = asked?.filter((s) => !client.scopes.includes(s)) ?? [];
  if (refused.length) return { ok: false, error: 'invalid_scope', description: `app client ${client.name} is not allowed ${refused.join(', ')}` };
  return { ok: true, scopes: asked?.length ? asked : [...client.scopes] };
}

/** Answers one token request: its headers and its form body. */
export async function tokenRequest(pool: UserPool, clients: readonly MachineClient[], headers: Record<string, string>, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const fail = (error: string, description: string) => ({ status: 400, body: { error, error_description: description } });
  if (!/^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '')) return fail('invalid_request', 'the body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(body);
  const basic = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  let id = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return fail('invalid_client', 'the Basic credentials are not client_id:client_secret');
    [id, secret] = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  }
  const client = clients.find((c) => c.clientId === id);
  if (!client || secret === undefined || !sameSecret(secret, client.clientSecret)) return fail('invalid_client', 'client authentication failed');
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') return fail('unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not served here`);
  const granted = grantedScopes(client, form.get('scope') ?? undefined);
  if (!granted.ok) return fail(granted.error, granted.description);
  const expiresIn = 3600;
  return { status: 200, body: { access_token: await pool.clientToken({ clientId: client.clientId, scopes: granted.scopes }, expiresIn), expires_in: expiresIn, token_type: 'Bearer' } };
}

function sameSecret(given: string, held: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(held);
  return a.length === b.length && timingSafeEqual(a, b);
}
