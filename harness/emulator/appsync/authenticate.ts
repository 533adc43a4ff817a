/**
 * Which auth mode a request uses and who the caller is, inferred from its headers as AppSync does:
 * `x-api-key` first, then a SigV4 `Authorization`, then a JWT from a known issuer, else the Lambda
 * authorizer. Failures are AuthFailures (HTTP 401/403), never GraphQL errors.
 */
import type { AuthMode } from '../../schema/model.js';
import type { ApiKeys } from './apikeys.js';
import { AuthFailure, NO_VALID_HEADER, unauthorized } from '../failure.js';
import type { ExpiringCache } from '../expiring-cache.js';
import type { EmulatedRole, IamPrincipal, IdentityPool } from '../iam/identity-pool.js';
import type { RequestContext } from '../iam/policy.js';
import type { SigV4Failure } from '../iam/sigv4.js';
import { looksLikeJwt, unverifiedIssuer, type Claims } from '../cognito/jwt.js';
import type { LambdaAuthorizer } from './lambda-authorizer.js';
import type { OidcProvider } from '../cognito/oidc.js';
import type { UserPool } from '../cognito/userpool.js';

export type AuthContext =
  | { mode: 'apiKey'; authType: 'API Key Authorization'; identity: null }
  | { mode: 'userPool'; authType: 'User Pool Authorization'; identity: CognitoIdentity }
  | { mode: 'oidc'; authType: 'Open ID Connect Authorization'; identity: OidcIdentity }
  /** `role` and `context` decide the caller's `appsync:GraphQL` permissions (appsync/iam-access.ts). */
  | { mode: 'iam'; authType: 'IAM Authorization'; identity: IamPrincipal & { sourceIp: string[] }; role: EmulatedRole; context: RequestContext }
  | { mode: 'lambda'; authType: 'Lambda Authorization'; identity: { resolverContext: Record<string, unknown> }; deniedFields: string[] };

/** `$ctx.identity` for a user-pool caller. */
export interface CognitoIdentity {
  sub: string;
  issuer: string;
  username: string;
  claims: Claims;
  sourceIp: string[];
  defaultAuthStrategy: 'ALLOW' | 'DENY';
  groups: string[] | null;
}

export interface OidcIdentity {
  claims: Claims;
  issuer: string;
  sub: string;
}

export interface Credentials {
  modes: ReadonlySet<AuthMode>;
  apiKeys: ApiKeys;
  userPools: UserPool[];
  oidc?: OidcProvider;
  identityPool?: IdentityPool;
  lambda?: LambdaAuthorizer;
  apiId: string;
  accountId: string;
  /** Verified JWTs, kept until they expire (AppSync caches them as well). */
  verifiedTokens: ExpiringCache<Claims>;
}

export interface IncomingRequest {
  headers: Record<string, string>;
  method: string;
  host: string;
  path: string;
  body: string;
  sourceIp: string;
  /** For the Lambda authorizer's event. */
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  requestId: string;
}

async function verifyCached(verified: Credentials['verifiedTokens'], token: string, verify: (t: string) => Promise<Claims>): Promise<Claims> {
  const hit = verified.get(token);
  if (hit) return hit;
  const claims = await verify(token);
  verified.set(token, claims, typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now());
  return claims;
}

/** AppSync's answer to a bad signature: 403, credentials it does not know are UnrecognizedClientException. */
function signatureFailure(f: SigV4Failure): AuthFailure {
  const unknown = f.kind === 'unknownKey' || f.kind === 'invalidToken' || f.kind === 'expiredToken';
  return new AuthFailure(403, unknown ? 'UnrecognizedClientException' : 'InvalidSignatureException', f.message);
}

export async function authenticate(req: IncomingRequest, creds: Credentials): Promise<AuthContext> {
  const apiKey = req.headers['x-api-key'];
  const authorization = req.headers.authorization;
  if (apiKey !== undefined) {
    if (!creds.modes.has('apiKey')) throw unauthorized(NO_VALID_HEADER);
    creds.apiKeys.check(apiKey);
    return { mode: 'apiKey', authType: 'API Key Authorization', identity: null };
  }
  if (!authorization) throw unauthorized(NO_VALID_HEADER);
  if (authorization.startsWith('AWS4-HMAC-SHA256')) {
    if (!creds.modes.has('iam') || !creds.identityPool) throw unauthorized(NO_VALID_HEADER);
    const verified = await creds.identityPool.verify({ method: req.method, path: req.path, query: '', headers: { ...req.headers, host: req.headers.host ?? req.host }, body: req.body }, { name: 'appsync' });
    if (!verified.ok) throw signatureFailure(verified.failure);
    const { principal, role, context } = verified.principal;
    return {
      mode: 'iam',
      authType: 'IAM Authorization',
      identity: { ...principal, sourceIp: [req.sourceIp] },
      role,
      context: { ...context, 'aws:SourceIp': req.sourceIp, 'aws:SecureTransport': false, 'aws:CurrentTime': new Date().toISOString(), 'aws:EpochTime': Math.floor(Date.now() / 1000) },
    };
  }
  const jwtModes = creds.modes.has('userPool') || creds.modes.has('oidc');
  if (looksLikeJwt(authorization) && jwtModes) {
    const iss = unverifiedIssuer(authorization);
    const pool = creds.modes.has('userPool') ? creds.userPools.find((p) => p.issuer === iss) : undefined;
    if (pool) {
      const claims = await verifyCached(creds.verifiedTokens, authorization, (t) => pool.verify(t));
      const username = String(claims['cognito:username'] ?? claims.username ?? '');
      const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : null;
      return {
        mode: 'userPool',
        authType: 'User Pool Authorization',
        identity: { sub: String(claims.sub), issuer: pool.issuer, username, claims, sourceIp: [req.sourceIp], defaultAuthStrategy: 'ALLOW', groups },
      };
    }
    const oidc = creds.oidc;
    if (oidc && creds.modes.has('oidc') && oidc.issuer === iss) {
      const claims = await verifyCached(creds.verifiedTokens, authorization, (t) => oidc.verify(t));
      return { mode: 'oidc', authType: 'Open ID Connect Authorization', identity: { claims, issuer: oidc.issuer, sub: String(claims.sub ?? '') } };
    }
    // A JWT from no configured issuer is not handed to the Lambda authorizer while JWT modes exist.
    throw unauthorized(NO_VALID_HEADER);
  }
  if (creds.modes.has('lambda') && creds.lambda) {
    const result = await creds.lambda.check({
      authorizationToken: authorization,
      requestContext: {
        apiId: creds.apiId,
        accountId: creds.accountId,
        requestId: req.requestId,
        queryString: req.query ?? '',
        ...(req.operationName ? { operationName: req.operationName } : {}),
        variables: req.variables ?? {},
      },
      requestHeaders: req.headers,
    });
    return { mode: 'lambda', authType: 'Lambda Authorization', identity: { resolverContext: result.resolverContext }, deniedFields: result.deniedFields };
  }
  throw unauthorized(NO_VALID_HEADER);
}
