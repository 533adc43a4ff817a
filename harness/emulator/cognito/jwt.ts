/**
 * Issuing and verifying the JWTs of a user pool or an OIDC provider: signed RS256 with our own key, or,
 * for a trusted external issuer (a real IdP, cognito-local), verified against its JWKS URL.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { NO_VALID_HEADER, TOKEN_EXPIRED, UNPARSABLE_JWT, unauthorized } from '../failure.js';
import type { SigningKey } from './keys.js';

export type Claims = Record<string, unknown>;

export class JwtIssuer {
  private keySet?: JWTVerifyGetKey;

  constructor(
    readonly issuer: string,
    private readonly key: SigningKey | undefined,
    private readonly jwksUrl?: string,
  ) {}

  /**
   * A signed token with the given claims (iss, iat, exp, jti filled in unless given). `notBefore` (seconds
   * since the epoch) sets `nbf` and `iat` and starts the lifetime then; `issuer` claims another `iss` while
   * still signing with this issuer's key. Both exist to mint tokens that must be refused (probes).
   */
  async sign(claims: Claims, expiresInSeconds = 3600, options: { notBefore?: number; issuer?: string } = {}): Promise<string> {
    if (!this.key) throw new Error(`the issuer ${this.issuer} is external: authmatrix cannot sign its tokens`);
    const { SignJWT } = await import('jose');
    const start = options.notBefore ?? Math.floor(Date.now() / 1000);
    const nbf = options.notBefore !== undefined ? { nbf: options.notBefore } : {};
    return new SignJWT({ jti: randomUUID(), iat: start, exp: start + expiresInSeconds, ...nbf, ...claims, iss: options.issuer ?? this.issuer })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, typ: 'JWT' })
      .sign(await this.key.privateKey());
  }

  /** Verifies signature (RS256 only), iss, exp and nbf; the caller checks the audience and token use. */
  async verify(token: string): Promise<Claims> {
    const { decodeProtectedHeader, errors, jwtVerify } = await import('jose');
    try {
      decodeProtectedHeader(token);
    } catch {
      throw unauthorized(UNPARSABLE_JWT);
    }
    try {
      const { payload } = await jwtVerify(token, await this.keys(), { issuer: this.issuer, algorithms: ['RS256'], clockTolerance: 0 });
      return payload as JWTPayload & Claims;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw unauthorized(TOKEN_EXPIRED);
      throw unauthorized(NO_VALID_HEADER);
    }
  }

  private async keys(): Promise<JWTVerifyGetKey> {
    if (this.keySet) return this.keySet;
    const { createLocalJWKSet, createRemoteJWKSet } = await import('jose');
    this.keySet = this.jwksUrl ? createRemoteJWKSet(new URL(this.jwksUrl), { cacheMaxAge: 600_000 }) : createLocalJWKSet(await this.key!.jwks());
    return this.keySet;
  }
}

/** The `iss` of a JWT-shaped string without verifying it (for choosing the verifier). */
export function unverifiedIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
