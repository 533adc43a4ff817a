/**
 * Cognito identity-pool credentials (guest and signed-in identities assume the unauth/auth roles) and
 * plain IAM principals; requests signed with them are verified by `sigv4.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { verifySigV4, type SignedRequest, type SigningCredentials } from './sigv4.js';

export interface IamCredentials extends SigningCredentials {
  /** Cognito identity id, for identity-pool credentials. */
  identityId?: string;
}

/** Who signed a request, as `$ctx.identity` describes an IAM caller. */
export interface IamPrincipal {
  userArn: string;
  accountId: string;
  username: string;
  cognitoIdentityPoolId: string | null;
  cognitoIdentityId: string | null;
  cognitoIdentityAuthType: 'authenticated' | 'unauthenticated' | null;
  cognitoIdentityAuthProvider: string | null;
}

export class IdentityPool {
  private readonly issued = new Map<string, { credentials: IamCredentials; principal: IamPrincipal }>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly poolId: string,
    readonly authRoleName: string,
    readonly unauthRoleName: string,
  ) {}

  static newPoolId(region: string): string {
    return `${region}:${randomUUID()}`;
  }

  roleSessionArn(roleName: string, session = 'CognitoIdentityCredentials'): string {
    return `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${session}`;
  }

  /**
   * Credentials for an identity-pool identity (a guest, or a user signed in with a user-pool token);
   * `role` replaces the authenticated role (a group's role, chosen by token-based role mapping).
   */
  identity(authenticated: boolean, login?: { provider: string; username: string }, role = authenticated ? this.authRoleName : this.unauthRoleName): IamCredentials {
    const identityId = `${this.region}:${randomUUID()}`;
    return this.issue({
      userArn: this.roleSessionArn(role),
      accountId: this.accountId,
      username: `${randomBytes(10).toString('hex').toUpperCase()}:CognitoIdentityCredentials`,
      cognitoIdentityPoolId: this.poolId,
      cognitoIdentityId: identityId,
      cognitoIdentityAuthType: authenticated ? 'authenticated' : 'unauthenticated',
      cognitoIdentityAuthProvider: authenticated && login ? `"${login.provider}","${login.provider}:CognitoSignIn:${login.username}"` : null,
    }, identityId);
  }

  /** Credentials for an IAM role that is not a Cognito identity (an admin, a Lambda function's role). */
  role(roleName: string): IamCredentials {
    return this.issue({
      userArn: this.roleSessionArn(roleName, 'authmatrix'),
      accountId: this.accountId,
      username: `${randomBytes(10).toString('hex').toUpperCase()}:authmatrix`,
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    });
  }

  /** Credentials this pool issued, by access key (other services verify their own signatures). */
  lookup(accessKeyId: string): { credentials: IamCredentials; principal: IamPrincipal } | undefined {
    return this.issued.get(accessKeyId);
  }

  private issue(principal: IamPrincipal, identityId?: string): IamCredentials {
    const credentials: IamCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiration: new Date(Date.now() + 3600_000),
      ...(identityId ? { identityId } : {}),
    };
    this.issued.set(credentials.accessKeyId, { credentials, principal });
    return credentials;
  }

  /** Verifies a SigV4-signed request for `service` against the credentials this pool issued. */
  verify(req: SignedRequest, now = Date.now(), service = 'appsync'): Promise<IamPrincipal> {
    return verifySigV4(req, (accessKeyId) => this.issued.get(accessKeyId), this.region, now, service);
  }
}
