/**
 * The Cognito Identity API of the emulated identity pool, as the AWS SDK's CognitoIdentityClient speaks
 * it: `POST` with `X-Amz-Target: AWSCognitoIdentityService.<Operation>`, a JSON 1.1 body, errors as
 * `{"__type", "message"}` with HTTP 400. GetId and GetCredentialsForIdentity are unsigned; a user-pool
 * login (`Logins["cognito-idp.<region>.amazonaws.com/<poolId>"]`) is an ID token verified against that
 * pool's keys. https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html
 * GetIdentityPoolRoles (the pool's authenticated and unauthenticated roles, which a deployed run reads) is signed:
 * SigV4 for `cognito-identity`, and the caller's policies must allow `cognito-identity:GetIdentityPoolRoles` on the
 * pool's ARN, else `NotAuthorizedException` (the error the API lists for it).
 */
import { AuthFailure, TOKEN_EXPIRED } from '../failure.js';
import type { Claims } from '../cognito/jwt.js';
import type { UserPool } from '../cognito/userpool.js';
import { VendingError, type IamCredentials, type IdentityPool, type Login } from './identity-pool.js';
import { accessDeniedMessage, evaluate } from './policy.js';
import type { SigV4Request } from './sigv4.js';

export const IDENTITY_API_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'AWSCognitoIdentityService.';
/** A request holds an identity pool id and up to 10 logins of a few KB each. */
export const IDENTITY_API_BODY_LIMIT = 64 * 1024;

export interface IdentityApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A user pool the identity pool accepts logins from; `addsGroupRoles` fills in the role claims its tokens lack. */
export interface LoginPool {
  pool: UserPool;
  addsGroupRoles: boolean;
}

/** The identity API over one identity pool and the user pools it trusts. */
export class IdentityApi {
  constructor(
    private readonly pool: IdentityPool,
    private readonly userPools: readonly LoginPool[],
  ) {}

  /** One request: the `X-Amz-Target` header and the raw body; `signed`, the request as its signature covers it. */
  async handle(target: string | undefined, raw: string, signed: SigV4Request): Promise<IdentityApiAnswer> {
    const operation = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw === '' ? '{}' : raw);
      if (!isObject(parsed)) throw new Error('not an object');
      input = parsed;
    } catch {
      return refusal('SerializationException', 'Start of structure or map found where not expected.');
    }
    try {
      switch (operation) {
        case 'GetId': {
          this.checkPoolId(input.IdentityPoolId);
          return ok({ IdentityId: this.pool.getId(await this.login(input.Logins)) });
        }
        case 'GetCredentialsForIdentity': {
          const identityId = input.IdentityId;
          if (typeof identityId !== 'string' || !/^[\w-]+:[0-9a-f-]+$/.test(identityId)) return invalid('identityId', identityId);
          const credentials = this.pool.credentialsForIdentity(identityId, await this.login(input.Logins));
          return ok({ IdentityId: identityId, Credentials: wire(credentials) });
        }
        case 'GetIdentityPoolRoles': {
          const refused = await this.refusal(signed, 'cognito-identity:GetIdentityPoolRoles');
          if (refused) return refused;
          this.checkPoolId(input.IdentityPoolId);
          const { authRole, unauthRole } = this.pool.options;
          return ok({ IdentityPoolId: this.pool.poolId, Roles: { authenticated: this.pool.roleArn(authRole), unauthenticated: this.pool.roleArn(unauthRole) } });
        }
        default:
          return refusal('UnknownOperationException', `Unknown operation ${target ?? '(no X-Amz-Target)'}; this endpoint serves GetId, GetCredentialsForIdentity and GetIdentityPoolRoles.`);
      }
    } catch (e) {
      if (e instanceof VendingError) return refusal(e.code, e.message);
      if (e instanceof Refusal) return refusal(e.type, e.message);
      throw e;
    }
  }

  /**
   * Verifies a user-pool login (the ID token of a user-pool provider this pool trusts), as the
   * emulator's own credential endpoint does too. Throws VendingError as the identity pool refuses.
   */
  async verifyLogin(provider: string, token: string): Promise<Login> {
    const match = /^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/.exec(provider);
    const found = match && match[1] === this.pool.options.region ? this.userPools.find((p) => p.pool.poolId === match[2]) : undefined;
    if (!found) throw new VendingError('NotAuthorizedException', 'Token is not from a supported provider of this identity pool.');
    let claims: Claims;
    try {
      claims = await found.pool.verify(token);
    } catch (e) {
      if (!(e instanceof AuthFailure)) throw e;
      if (e.message === TOKEN_EXPIRED) throw new VendingError('NotAuthorizedException', `Invalid login token. Token expired: ${Math.floor(Date.now() / 1000)} >= ${await expiryOf(token)}`);
      throw new VendingError('NotAuthorizedException', "Invalid login token. Couldn't verify signed token.");
    }
    if (claims.token_use !== 'id') throw new VendingError('NotAuthorizedException', 'Invalid login token. Not a valid OpenId Connect identity token.');
    if (found.pool.clientId && claims.aud !== found.pool.clientId) throw new VendingError('NotAuthorizedException', 'Invalid login token. Incorrect token audience.');
    const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
    if (found.addsGroupRoles && !('cognito:roles' in claims) && groups.length && found.pool.groupRoles) claims = { ...claims, ...found.pool.groupRoles(groups) };
    return { provider, idToken: claims };
  }

  /** Why a signed operation is refused: no or a bad signature, or policies that do not allow `action` on the pool. */
  private async refusal(signed: SigV4Request, action: string): Promise<IdentityApiAnswer | undefined> {
    const verified = await this.pool.verify(signed, { name: 'cognito-identity' });
    if (!verified.ok) {
      const f = verified.failure;
      if (f.kind === 'missing') return refusal('MissingAuthenticationTokenException', 'Missing Authentication Token');
      if (f.kind === 'unknownKey' || f.kind === 'invalidToken' || f.kind === 'expiredToken') return refusal('UnrecognizedClientException', 'The security token included in the request is invalid.');
      return refusal('InvalidSignatureException', f.message);
    }
    const { options, poolId } = this.pool;
    const request = { action, resource: `arn:aws:cognito-identity:${options.region}:${options.accountId}:identitypool/${poolId}`, context: verified.principal.context };
    const decision = evaluate(verified.principal.role.policies, request);
    return decision.outcome === 'allow' ? undefined : refusal('NotAuthorizedException', accessDeniedMessage(verified.principal.principal.userArn, request, decision));
  }

  private checkPoolId(poolId: unknown): void {
    if (typeof poolId !== 'string' || !/^[\w-]+:[0-9a-f-]+$/.test(poolId)) throw new Refusal('InvalidParameterException', validation('identityPoolId', poolId));
    if (poolId !== this.pool.poolId) throw new VendingError('ResourceNotFoundException', `IdentityPool '${poolId}' not found.`);
  }

  /** The login of a `Logins` map (none when absent or empty); only user-pool providers are known here. */
  private async login(logins: unknown): Promise<Login | undefined> {
    if (logins === undefined || logins === null) return undefined;
    if (!isObject(logins) || !Object.values(logins).every((t) => typeof t === 'string')) throw new Refusal('InvalidParameterException', 'Logins must map provider names to tokens.');
    const entries = Object.entries(logins as Record<string, string>);
    if (entries.length > 10) throw new Refusal('InvalidParameterException', validation('logins', `${entries.length} entries`, 'Member must have length less than or equal to 10'));
    if (entries.length > 1) throw new VendingError('NotAuthorizedException', 'This emulated identity pool trusts one user-pool provider per login.');
    const [entry] = entries;
    return entry ? this.verifyLogin(entry[0], entry[1]) : undefined;
  }
}

class Refusal extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

const ok = (body: Record<string, unknown>): IdentityApiAnswer => ({ status: 200, body });
const refusal = (type: string, message: string): IdentityApiAnswer => ({ status: 400, body: { __type: type, message } });
const invalid = (field: string, value: unknown): IdentityApiAnswer => refusal('InvalidParameterException', validation(field, value));

function validation(field: string, value: unknown, constraint = 'Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+'): string {
  return `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' failed to satisfy constraint: ${value === undefined ? 'Member must not be null' : constraint}`;
}

/** Credentials as JSON 1.1 sends them: the expiration in epoch seconds. */
function wire(c: IamCredentials): Record<string, unknown> {
  return { AccessKeyId: c.accessKeyId, SecretKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: Math.floor(c.expiration.getTime() / 1000) };
}

async function expiryOf(token: string): Promise<number | string> {
  const { decodeJwt } = await import('jose');
  return decodeJwt(token).exp ?? '?';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
