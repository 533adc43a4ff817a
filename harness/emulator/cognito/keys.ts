/**
 * RS256 signing keys, generated in the background at start so that starting stays fast (jose itself is
 * loaded on first use too).
 */
import { randomBytes } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';

export class SigningKey {
  readonly kid = randomBytes(12).toString('base64url');
  private readonly pair: Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }>;

  constructor() {
    this.pair = import('jose').then(async ({ exportJWK, generateKeyPair }) => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      return { privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' } };
    });
    // Surface nothing here: callers await it and see the error then.
    this.pair.catch(() => undefined);
  }

  async privateKey(): Promise<CryptoKey> {
    return (await this.pair).privateKey;
  }

  async publicKey(): Promise<CryptoKey> {
    return (await this.pair).publicKey;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.pair).jwk] };
  }
}
