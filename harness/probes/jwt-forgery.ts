/**
 * Forged JWTs made from a real token of the cast: a flipped signature byte, `alg: none`, HS256 keyed
 * with the issuer's public key, and the real claims re-signed with a key of our own (an unknown `kid`,
 * another issuer). All built with jose, as a real attacker would.
 */
import { createPublicKey } from 'node:crypto';
import { exchange } from '../client/exchange.js';
import type { CryptoKey, JWK } from 'jose';
import { cachedKeyPair } from '../schema/key-pairs.js';

export type JwtClaims = Record<string, unknown>;

export function claimsOf(token: string): JwtClaims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JwtClaims;
}

export function headerOf(token: string): { alg?: string; kid?: string } {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string; kid?: string };
}

/** The same token with one signature character changed (in the middle, so decoded bytes change). */
export function flipSignature(token: string): string {
  const [h, p, sig = ''] = token.split('.');
  const i = Math.floor(sig.length / 2);
  const flipped = sig[i] === 'A' ? 'B' : 'A';
  return `${h}.${p}.${sig.slice(0, i)}${flipped}${sig.slice(i + 1)}`;
}

/** The token's claims, unsigned (`alg: none`, empty signature). */
export async function unsigned(token: string): Promise<string> {
  const { UnsecuredJWT } = await import('jose');
  return new UnsecuredJWT(claimsOf(token)).encode();
}

/** The token's claims signed HS256 with the issuer's RSA public key (PEM) as the HMAC secret. */
export async function hs256WithPublicKey(token: string, jwks: { keys: JWK[] }): Promise<string> {
  const kid = headerOf(token).kid;
  const jwk = jwks.keys.find((k) => k.kid === kid) ?? jwks.keys[0];
  if (!jwk) throw new Error('the issuer publishes no keys');
  const pem = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const { SignJWT } = await import('jose');
  return new SignJWT(claimsOf(token)).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }).sign(new TextEncoder().encode(pem));
}

let ownKey: Promise<CryptoKey> | undefined;

/** The token's claims (with `overrides`) signed RS256 by a key of authmatrix's own, under `kid`. */
export async function resignedWithOwnKey(token: string, kid: string, overrides: JwtClaims = {}): Promise<string> {
  const { SignJWT } = await import('jose');
  // Its own file: the emulator's keys are `rs256-<n>` (harness/emulator/cognito/keys.ts), and a forged token must
  // never be signed by a key an issuer publishes.
  ownKey ??= cachedKeyPair('rs256-probe').then((k) => k.privateKey);
  return new SignJWT({ ...claimsOf(token), ...overrides }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(await ownKey);
}

/** `https://x/` ↔ `https://x`: an issuer that differs from the real one by a trailing slash only. */
export function lookalikeIssuer(issuer: string): string {
  return issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`;
}

/** The issuer's public keys: `jwksUrl`, else Cognito's `<iss>/.well-known/jwks.json`, else OIDC discovery. */
export async function issuerJwks(issuer: string, jwksUrl?: string): Promise<{ keys: JWK[] }> {
  const base = issuer.replace(/\/$/, '');
  let url = jwksUrl;
  if (!url) {
    const cognito = await getJson(`${base}/.well-known/jwks.json`).catch(() => undefined);
    if (cognito && Array.isArray((cognito as { keys?: unknown }).keys)) return cognito as { keys: JWK[] };
    url = String(((await getJson(`${base}/.well-known/openid-configuration`)) as { jwks_uri?: string }).jwks_uri ?? '');
  }
  const jwks = (await getJson(url)) as { keys?: JWK[] };
  if (!Array.isArray(jwks.keys)) throw new Error(`no JWKS at ${url}`);
  return { keys: jwks.keys };
}

async function getJson(url: string): Promise<unknown> {
  const res = await exchange(new URL(url), 'GET', {});
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return JSON.parse(res.text);
}
