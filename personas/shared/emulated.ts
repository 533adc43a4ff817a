/** Credentials from the emulator's developer endpoint (`POST /.authmatrix/credentials`). */
import { exchange } from '../../harness/client/exchange.js';
import { InputError } from '../../harness/schema/errors.js';
import type { EmulatedTarget } from '../types.js';

export async function emulatedTarget(url: string): Promise<EmulatedTarget> {
  const devEndpoint = url.replace(/\/graphql$/, '') + '/.authmatrix';
  let info: { region: string; apiKey?: string };
  try {
    const res = await exchange(new URL(`${devEndpoint}/`), 'GET', {});
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
    info = JSON.parse(res.text) as typeof info;
  } catch (e) {
    throw new InputError(`cannot reach the emulator's developer endpoint at ${devEndpoint}/: ${(e as Error).message}`, undefined, 'start it with `authmatrix emulate` on loopback, or pass the right URL');
  }
  return { kind: 'emulated', url, region: info.region, ...(info.apiKey ? { apiKey: info.apiKey } : {}), devEndpoint };
}

export async function mint<T>(target: EmulatedTarget, spec: Record<string, unknown>): Promise<T> {
  const res = await exchange(new URL(`${target.devEndpoint}/credentials`), 'POST', { 'content-type': 'application/json' }, JSON.stringify(spec));
  const body = JSON.parse(res.text) as T & { error?: string };
  if (res.status !== 200) throw new InputError(`the emulator refused to mint ${String(spec.kind)} credentials: ${body.error ?? res.status}`, undefined, 'check that the schema enables this authorization mode');
  return body;
}

/** The claims of a JWT we were just handed (no verification needed: the target verifies it). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {};
  } catch {
    return {}; // not a JWT: the target will say so
  }
}
