/**
 * RS256 key pairs kept in the user's cache (cache-dir.ts, readable by that user only). A 2048-bit pair takes a
 * thread 250–500 ms to generate: the emulator's signing keys (harness/emulator/cognito/keys.ts) and the probes'
 * forging key (harness/probes/jwt-forgery.ts) would otherwise cost a run about a second of CPU, the probe's key on
 * the test worker's critical path. Each use names its own file: two keys never share a pair.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CryptoKey, JWK } from 'jose';
import { cacheDir, putCacheEntry } from './cache-dir.js';

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key (`kty`, `n`, `e`). */
  jwk: JWK;
}

/** The pair cached under `name` (a plain file name), made and cached when absent or unreadable. */
export async function cachedKeyPair(name: string): Promise<KeyPair> {
  const { exportJWK, generateKeyPair, importJWK } = await import('jose');
  const dir = cacheDir('keys');
  const file = dir && path.join(dir, `${name}.json`);
  if (file) {
    try {
      const { d, dp, dq, e, n, p, q, qi } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      const privateKey = (await importJWK({ kty: 'RSA', n, e, d, p, q, dp, dq, qi }, 'RS256', { extractable: true })) as CryptoKey;
      const publicKey = (await importJWK({ kty: 'RSA', n, e }, 'RS256')) as CryptoKey;
      return { privateKey, publicKey, jwk: { kty: 'RSA', n, e } };
    } catch {
      // Not there yet, or not a key: made now.
    }
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  if (file) putCacheEntry(file, JSON.stringify(await exportJWK(privateKey)));
  const { kty, n, e } = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk: { kty, n, e } };
}
