/**
 * Credential vending: the Cognito identity pool (guests get the unauthenticated role when the pool allows
 * them; signed-in users get the role token-based role mapping picks, their highest-priority group's role
 * or else the authenticated role) and STS for roles outside the pool. Every credential is bound to one
 * role and its compiled policies; requests signed with it are verified by `sigv4.ts` for any service.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Claims } from '../cognito/jwt.js';
import type { CompiledPolicy, RequestContext } from './policy.js';
import { verifySigV4, type SigV4Request, type SigV4Result } from './sigv4.js';

/** An IAM role the emulator hands out: its id (auth-resources' role ids), name and compiled policies. */
export interface EmulatedRole {
  id: string;
  name: string;
  policies: readonly CompiledPolicy[];
}

export interface IamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
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

/** What a verified request carries: the principal, its role, and the IAM request context keys it brings. */
export interface IamCaller {
  principal: IamPrincipal;
  role: EmulatedRole;
  /** `aws:userid`, `aws:PrincipalArn`, `cognito-identity.amazonaws.com:sub`/`aud`/`amr`, … */
  context: RequestContext;
}

/** GetCredentialsForIdentity refused (the identity pool's own error names). */
export class VendingError extends Error {
  constructor(
    readonly code: 'NotAuthorizedException' | 'InvalidIdentityPoolConfigurationException',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface IdentityPoolOptions {
  region: string;
  accountId: string;
  poolId: string;
  allowUnauthenticated: boolean;
  /** Token-based role mapping's fallback when the ID token names no preferred role. */
  ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny';
  unauthRole: EmulatedRole;
  authRole: EmulatedRole;
  /** Every other role a token may name (group roles), by role name. */
  roles: readonly EmulatedRole[];
}

const HOUR_MS = 3600_000;

export class IdentityPool {
  private readonly issued = new Map<string, { credentials: IamCredentials; caller: IamCaller }>();
  /** GetId returns the same identity for the same login; guests get a new one each time. */
  private readonly identities = new Map<string, string>();

  constructor(readonly options: IdentityPoolOptions) {}

  static newPoolId(region: string): string {
    return `${region}:${randomUUID()}`;
  }

  get poolId(): string {
    return this.options.poolId;
  }

  roleArn(role: EmulatedRole): string {
    return `arn:aws:iam::${this.options.accountId}:role/${role.name}`;
  }

  roleSessionArn(role: EmulatedRole, session = 'CognitoIdentityCredentials'): string {
    return `arn:aws:sts::${this.options.accountId}:assumed-role/${role.name}/${session}`;
  }

  /** An unauthenticated identity: the unauthenticated role, if the pool admits guests. */
  guest(): IamCredentials {
    if (!this.options.allowUnauthenticated) throw new VendingError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    return this.identity(this.options.unauthRole, `${this.options.region}:${randomUUID()}`, 'unauthenticated', null);
  }

  /**
   * A user signed in with a verified user-pool ID token (`provider` is `cognito-idp.<region>.amazonaws.com/<poolId>`).
   * Token-based mapping: the role named by `cognito:preferred_role`, else `ambiguousRoleResolution`.
   */
  signedIn(idToken: Claims, provider: string): IamCredentials {
    const preferred = typeof idToken['cognito:preferred_role'] === 'string' ? idToken['cognito:preferred_role'] : undefined;
    let role = this.options.authRole;
    if (preferred !== undefined) {
      const named = [this.options.authRole, ...this.options.roles].find((r) => this.roleArn(r) === preferred);
      if (!named) throw new VendingError('InvalidIdentityPoolConfigurationException', `Invalid identity pool configuration. Check assigned IAM roles for this pool.`);
      role = named;
    } else if (this.options.ambiguousRoleResolution === 'Deny') {
      throw new VendingError('NotAuthorizedException', 'Token is not from a supported provider of this identity pool.');
    }
    const login = `${provider}:${String(idToken.sub)}`;
    let identityId = this.identities.get(login);
    if (!identityId) this.identities.set(login, (identityId = `${this.options.region}:${randomUUID()}`));
    return this.identity(role, identityId, 'authenticated', [provider, `${provider}:CognitoSignIn:${String(idToken.sub)}`]);
  }

  /** STS credentials for a role outside the identity pool (an admin, a function's role, a configured role). */
  assumeRole(role: EmulatedRole, session = 'authmatrix'): IamCredentials {
    const userid = `AROA${randomBytes(8).toString('hex').toUpperCase()}:${session}`;
    return this.issue(
      {
        userArn: this.roleSessionArn(role, session),
        accountId: this.options.accountId,
        username: userid,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
      },
      role,
      { 'aws:userid': userid, 'aws:PrincipalArn': this.roleArn(role), 'aws:PrincipalType': 'AssumedRole' },
    );
  }

  /** Verifies a SigV4-signed request for `service` against the credentials issued here. */
  verify(req: SigV4Request, service: { name: string; s3?: boolean }, now = Date.now()): Promise<SigV4Result<IamCaller>> {
    return verifySigV4(req, {
      service: service.name,
      region: this.options.region,
      ...(service.s3 ? { s3: true } : {}),
      now,
      keys: (accessKeyId) => {
        const found = this.issued.get(accessKeyId);
        return found && { secretAccessKey: found.credentials.secretAccessKey, sessionToken: found.credentials.sessionToken, expiration: found.credentials.expiration, principal: found.caller };
      },
    });
  }

  /** Credentials issued here, by access key, with who holds them. */
  lookup(accessKeyId: string): { credentials: IamCredentials; caller: IamCaller } | undefined {
    return this.issued.get(accessKeyId);
  }

  /** `logins`: the provider and the `<provider>:CognitoSignIn:<sub>` login of a signed-in user. */
  private identity(role: EmulatedRole, identityId: string, authType: 'authenticated' | 'unauthenticated', logins: [string, string] | null): IamCredentials {
    const userid = `AROA${randomBytes(8).toString('hex').toUpperCase()}:CognitoIdentityCredentials`;
    return this.issue(
      {
        userArn: this.roleSessionArn(role),
        accountId: this.options.accountId,
        username: userid,
        cognitoIdentityPoolId: this.options.poolId,
        cognitoIdentityId: identityId,
        cognitoIdentityAuthType: authType,
        cognitoIdentityAuthProvider: logins ? logins.map((l) => `"${l}"`).join(',') : null,
      },
      role,
      {
        // What IAM knows of a web-identity session (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
        'aws:userid': userid,
        'aws:PrincipalArn': this.roleArn(role),
        'aws:PrincipalType': 'AssumedRole',
        'cognito-identity.amazonaws.com:sub': identityId,
        'cognito-identity.amazonaws.com:aud': this.options.poolId,
        'cognito-identity.amazonaws.com:amr': logins ? [authType, ...logins] : [authType],
      },
      identityId,
    );
  }

  private issue(principal: IamPrincipal, role: EmulatedRole, context: RequestContext, identityId?: string): IamCredentials {
    const credentials: IamCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiration: new Date(Date.now() + HOUR_MS),
      ...(identityId ? { identityId } : {}),
    };
    this.issued.set(credentials.accessKeyId, { credentials, caller: { principal, role, context } });
    return credentials;
  }
}
