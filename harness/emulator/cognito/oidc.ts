/**
 * An OIDC provider as AppSync's OPENID_CONNECT mode sees it: `iss` must equal the configured issuer,
 * `clientId` (a regex) must match the audience, and `iatTTL` / `authTTL` bound the token's age.
 */
import { NO_VALID_HEADER, TOKEN_EXPIRED, unauthorized } from '../failure.js';
import { JwtIssuer, type Claims } from './jwt.js';
import type { SigningKey } from './keys.js';

export interface OidcConfig {
  issuer: string;
  clientId?: string;
  /** Milliseconds. */
  iatTTL?: number;
  authTTL?: number;
}

export interface OidcUser {
  sub: string;
  claims?: Claims;
  expiresInSeconds?: number;
  /** Seconds since the epoch. */
  authTime?: number;
  issuedAt?: number;
  /** Override the audience (default: the configured client id). */
  audience?: string;
  /** Seconds since the epoch: the token is not valid before then (`nbf`, and `iat` unless given). For probes. */
  notBefore?: number;
  /** Claim this `iss` while signing with the provider's key (a token that must be refused). For probes. */
  issuer?: string;
}

export class OidcProvider {
  private readonly jwt: JwtIssuer;

  constructor(private readonly config: OidcConfig, key: SigningKey | undefined, jwksUrl?: string) {
    this.jwt = new JwtIssuer(config.issuer, key, jwksUrl);
  }

  get issuer(): string {
    return this.config.issuer;
  }

  async mint(user: OidcUser): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const aud = user.audience ?? this.config.clientId;
    return this.jwt.sign({
      sub: user.sub,
      auth_time: user.authTime ?? now,
      iat: user.issuedAt ?? user.notBefore ?? now,
      ...(aud ? { aud } : {}),
      ...user.claims,
    }, user.expiresInSeconds ?? 3600, { ...(user.notBefore !== undefined ? { notBefore: user.notBefore } : {}), ...(user.issuer ? { issuer: user.issuer } : {}) });
  }

  async verify(token: string): Promise<Claims> {
    const claims = await this.jwt.verify(token);
    const now = Date.now();
    if (this.config.clientId) {
      const re = new RegExp(`^(?:${this.config.clientId})$`);
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      const azp = claims.azp;
      if (!aud.some((a) => typeof a === 'string' && re.test(a)) && !(typeof azp === 'string' && re.test(azp))) throw unauthorized(NO_VALID_HEADER);
    }
    if (this.config.iatTTL && (typeof claims.iat !== 'number' || now - claims.iat * 1000 > this.config.iatTTL)) throw unauthorized(TOKEN_EXPIRED);
    if (this.config.authTTL) {
      if (typeof claims.auth_time !== 'number') throw unauthorized(NO_VALID_HEADER);
      if (now - claims.auth_time * 1000 > this.config.authTTL) throw unauthorized(TOKEN_EXPIRED);
    }
    return claims;
  }
}
