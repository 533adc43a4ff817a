/**
 * RS256 signing keys, made on first use and kept in the user's cache (harness/schema/key-pairs.ts): the n-th key a
 * process uses is the n-th pair there, so two keys of one process never share a pair. They sign tokens only the
 * emulator that holds them accepts, for its own random pool ids.
 */
import { randomBytes } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { cachedKeyPair, type KeyPair } from '../../schema/key-pairs.js';

/** Pairs this process has taken from the cache. */
let taken = 0;

export class SigningKey {
  readonly kid = randomBytes(12).toString('base64url');
  private made: Promise<KeyPair> | undefined;

  private get ready(): Promise<KeyPair> {
    this.made ??= cachedKeyPair(`rs256-${taken++}`).then((p) => ({ ...p, jwk: { kty: p.jwk.kty, n: p.jwk.n, e: p.jwk.e, kid: this.kid, alg: 'RS256', use: 'sig' } }));
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
