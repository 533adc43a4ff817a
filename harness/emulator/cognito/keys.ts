/**
 * RS256 signing keys, made on first use. A 2048-bit pair takes a thread 250–500 ms to generate (about a second of
 * CPU for the two keys of a run on two cores), so the pairs are kept in the user's cache (harness/schema/cache-dir.ts,
 * readable by that user only) and the n-th key a process uses is the n-th pair there: two keys of one process
 * never share a pair. They sign tokens only the emulator that holds them accepts, for its own random pool ids.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CryptoKey, JWK } from 'jose';
import { cacheDir } from '../../schema/cache-dir.js';

interface Pair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/** Pairs this process has taken from the cache. */
let taken = 0;

async function pair(slot: number): Promise<Pair> {
  const { exportJWK, generateKeyPair, importJWK } = await import('jose');
  const dir = cacheDir('keys');
  const file = dir && path.join(dir, `rs256-${slot}.json`);
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
  if (file) {
    try {
      const next = `${file}.${process.pid}`;
      writeFileSync(next, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
      renameSync(next, file);
    } catch {
      // The next process makes its own.
    }
  }
  return { privateKey, publicKey, jwk: await exportJWK(publicKey) };
}

export class SigningKey {
  readonly kid = randomBytes(12).toString('base64url');
  private made: Promise<Pair> | undefined;

  private get ready(): Promise<Pair> {
    this.made ??= pair(taken++).then((p) => ({ ...p, jwk: { kty: p.jwk.kty, n: p.jwk.n, e: p.jwk.e, kid: this.kid, alg: 'RS256', use: 'sig' } }));
    return this.made;
  }

  async privateKey(): Promise<CryptoKey> {
    return (await this.ready).privateKey;
  }

  async publicKey(): Promise<CryptoKey> {
    return (await this.ready).publicKey;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.ready).jwk] };
  }
}
