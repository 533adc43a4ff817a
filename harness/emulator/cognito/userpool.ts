/**
 * A Cognito user pool as AppSync sees it: RS256 ID and access tokens with Cognito's claims, verified
 * against the pool's JWKS. Also verifies tokens of a trusted external pool (e.g. cognito-local).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { NO_VALID_HEADER, unauthorized } from '../failure.js';
import { JwtIssuer, type Claims } from './jwt.js';
import type { SigningKey } from './keys.js';

export interface UserPoolUser {
  username: string;
  /** Stable per username unless given. */
  sub?: string;
  groups?: string[];
  email?: string;
  /** Extra claims (e.g. `custom:tenant`), put in the ID token; claims named here also go into the access token. */
  claims?: Claims;
  expiresInSeconds?: number;
  /** Seconds since the epoch; defaults to now. */
  authTime?: number;
  /** Seconds since the epoch: the tokens are not valid before then (`nbf`, and `iat` too). For probes. */
  notBefore?: number;
  /** Claim this `iss` while signing with the pool's key (a token that must be refused). For probes. */
  issuer?: string;
  /** The app client the tokens name (access `client_id`, ID `aud`); default the pool's client. */
  clientId?: string;
}

export interface UserPoolTokens {
  idToken: string;
  accessToken: string;
  sub: string;
  username: string;
}

export class UserPool {
  readonly issuer: string;
  private readonly jwt: JwtIssuer;
  private readonly subs = new Map<string, string>();
  /** The IAM role claims a group member's ID token carries (set when the app's groups have roles). */
  groupRoles?: (groups: readonly string[]) => Claims;

  constructor(
    readonly poolId: string,
    readonly clientId: string,
    issuerBase: string,
    key: SigningKey | undefined,
    private readonly appClientIdRegex?: string,
    jwksUrl?: string,
  ) {
    this.issuer = `${issuerBase.replace(/\/$/, '')}/${poolId}`;
    this.jwt = new JwtIssuer(this.issuer, key, jwksUrl);
  }

  static newIds(region: string): { poolId: string; clientId: string } {
    const alnum = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);
    return { poolId: `${region}_${alnum(9)}`, clientId: alnum(26).toLowerCase() };
  }

  subFor(username: string): string {
    let sub = this.subs.get(username);
    if (!sub) this.subs.set(username, (sub = randomUUID()));
    return sub;
  }

  async mint(user: UserPoolUser): Promise<UserPoolTokens> {
    const sub = user.sub ?? this.subFor(user.username);
    const authTime = user.authTime ?? Math.floor(Date.now() / 1000);
    const common: Claims = { sub, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: authTime };
    if (user.groups?.length) common['cognito:groups'] = user.groups;
    const ttl = user.expiresInSeconds ?? 3600;
    const clientId = user.clientId ?? this.clientId;
    const signing = { ...(user.notBefore !== undefined ? { notBefore: user.notBefore } : {}), ...(user.issuer ? { issuer: user.issuer } : {}) };
    const idToken = await this.jwt.sign({
      ...common,
      email_verified: true,
      ...(user.email ? { email: user.email } : {}),
      'cognito:username': user.username,
      ...(user.groups?.length && this.groupRoles ? this.groupRoles(user.groups) : {}),
      aud: clientId,
      token_use: 'id',
      ...user.claims,
    }, ttl, signing);
    const accessToken = await this.jwt.sign({
      ...common,
      client_id: clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.username,
      ...user.claims,
    }, ttl, signing);
    return { idToken, accessToken, sub, username: user.username };
  }

  /**
   * The access token of a client-credentials grant: the client is its own subject (`sub` = `client_id`), `scope`
   * holds the granted scopes; no username, no groups, no ID token (the grant authorizes an application, not a user).
   */
  async clientToken(client: { clientId: string; scopes: readonly string[] }, expiresInSeconds = 3600): Promise<string> {
    return this.jwt.sign({
      sub: client.clientId,
      client_id: client.clientId,
      token_use: 'access',
      scope: client.scopes.join(' '),
      auth_time: Math.floor(Date.now() / 1000),
      version: 2,
    }, expiresInSeconds);
  }

  /** The stand-in id of an app client the app declares (stable per name; 26 lower-case letters and digits, as Cognito's). */
  static appClientId(name: string): string {
    return createHash('sha256').update(`authmatrix:app-client:${name}`).digest('base64url').replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 26);
  }

  /** Both token kinds are accepted; the client id is checked against `appIdClientRegex` when set. */
  async verify(token: string): Promise<Claims> {
    const claims = await this.jwt.verify(token);
    const use = claims.token_use;
    if (use !== 'id' && use !== 'access') throw unauthorized(NO_VALID_HEADER);
    if (this.appClientIdRegex) {
      const client = use === 'id' ? claims.aud : claims.client_id;
      const ids = Array.isArray(client) ? client : [client];
      const re = new RegExp(`^(?:${this.appClientIdRegex})$`);
      if (!ids.some((c) => typeof c === 'string' && re.test(c))) throw unauthorized(NO_VALID_HEADER);
    }
    return claims;
  }
}
