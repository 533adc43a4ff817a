/** Credentials from the emulator's developer endpoint (`POST /.authmatrix/credentials`). */
import { request } from 'undici';
import { InputError } from '../../harness/schema/errors.js';
import type { EmulatedTarget } from '../types.js';

export async function emulatedTarget(url: string): Promise<EmulatedTarget> {
  const devEndpoint = url.replace(/\/graphql$/, '') + '/.authmatrix';
  let info: { region: string; apiKey?: string };
  try {
    const res = await request(`${devEndpoint}/`);
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${await res.body.text()}`);
    info = (await res.body.json()) as typeof info;
  } catch (e) {
    throw new InputError(`cannot reach the emulator's developer endpoint at ${devEndpoint}/: ${(e as Error).message}`, undefined, 'start it with `authmatrix emulate` on loopback, or pass the right URL');
  }
  return { kind: 'emulated', url, region: info.region, ...(info.apiKey ? { apiKey: info.apiKey } : {}), devEndpoint };
}

export async function mint<T>(target: EmulatedTarget, spec: Record<string, unknown>): Promise<T> {
  const res = await request(`${target.devEndpoint}/credentials`, { method: 'POST', body: JSON.stringify(spec), headers: { 'content-type': 'application/json' } });
  const body = (await res.body.json()) as T & { error?: string };
  if (res.statusCode !== 200) throw new InputError(`the emulator refused to mint ${String(spec.kind)} credentials: ${body.error ?? res.statusCode}`, undefined, 'check that the schema enables this authorization mode');
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
