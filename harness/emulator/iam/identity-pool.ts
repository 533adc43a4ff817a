/**
 * Credential vending: the Cognito identity pool (guests get the unauthenticated role when the pool allows
 * them; signed-in users get the role token-based role mapping picks, their highest-priority group's role
 * or else the authenticated role) and STS for roles outside the pool. Every credential is bound to one
 * role and its compiled policies; requests signed with it are verified by `sigv4.ts` for any service.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Claims } from '../cognito/jwt.js';
import type { PolicyDocument } from '../../schema/auth-resources.js';
import type { CompiledPolicy, RequestContext } from './policy.js';
import { verifySigV4, type SigV4Request, type SigV4Result } from './sigv4.js';

/** An IAM role the emulator hands out: its id (auth-resources' role ids), name and compiled policies. */
export interface EmulatedRole {
  id: string;
  name: string;
  policies: readonly CompiledPolicy[];
  /** The documents `policies` were compiled from, by policy name (what IAM's GetRolePolicy answers). */
  documents: readonly { name: string; document: PolicyDocument }[];
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

/** GetId or GetCredentialsForIdentity refused (the identity pool's own error names). */
export class VendingError extends Error {
  constructor(
    readonly code: 'NotAuthorizedException' | 'InvalidIdentityPoolConfigurationException' | 'ResourceNotFoundException' | 'LimitExceededException',
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

/** A verified user-pool login: the provider (`cognito-idp.<region>.amazonaws.com/<poolId>`) and its ID token's claims. */
export interface Login {
  provider: string;
  idToken: Claims;
}

const HOUR_MS = 3600_000;
/** Bounds: identities kept (GetId beyond answers LimitExceededException) and credentials remembered (the oldest are forgotten). */
const MAX_IDENTITIES = 100_000;
const MAX_ISSUED = 100_000;

export class IdentityPool {
  private readonly issued = new Map<string, { credentials: IamCredentials; caller: IamCaller }>();
  /** Identity id → the login it belongs to (`<provider>:<sub>`), or null for an unauthenticated identity. */
  private readonly identities = new Map<string, string | null>();
  /** `<provider>:<sub>` → identity id: GetId returns the same identity for the same login; guests get a new one each time. */
  private readonly byLogin = new Map<string, string>();

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

  /** A new unauthenticated identity and its credentials (GetId, then GetCredentialsForIdentity). */
  guest(): IamCredentials {
    return this.credentialsForIdentity(this.getId());
  }

  /** A signed-in user's identity and credentials (GetId, then GetCredentialsForIdentity, both with the login). */
  signedIn(login: Login): IamCredentials {
    return this.credentialsForIdentity(this.getId(login), login);
  }

  /** GetId: the login's identity (made on first use), or a new unauthenticated identity if the pool admits guests. */
  getId(login?: Login): string {
    if (!login && !this.options.allowUnauthenticated) throw new VendingError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    const key = login && loginKey(login);
    const known = key && this.byLogin.get(key);
    if (known) return known;
    if (this.identities.size >= MAX_IDENTITIES) throw new VendingError('LimitExceededException', `This emulated identity pool holds its maximum of ${MAX_IDENTITIES} identities.`);
    const identityId = `${this.options.region}:${randomUUID()}`;
    this.identities.set(identityId, key ?? null);
    if (key) this.byLogin.set(key, identityId);
    return identityId;
  }

  /**
   * GetCredentialsForIdentity. An unauthenticated identity gets the unauthenticated role; presented with a
   * login that has no identity yet, it becomes that login's identity (Cognito links them). An authenticated
   * identity needs its own login, and gets the role token-based mapping picks: the one named by
   * `cognito:preferred_role`, else `ambiguousRoleResolution`.
   */
  credentialsForIdentity(identityId: string, login?: Login): IamCredentials {
    const owner = this.identities.get(identityId);
    if (owner === undefined) throw new VendingError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    if (!login) {
      if (owner !== null) throw new VendingError('NotAuthorizedException', "Logins don't match. Please include at least one valid login for this identity or identity pool.");
      if (!this.options.allowUnauthenticated) throw new VendingError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
      return this.identity(this.options.unauthRole, identityId, 'unauthenticated', null);
    }
    const key = loginKey(login);
    if (owner === null) {
      // Linking a login that already has its own identity would merge the two: not emulated.
      if (this.byLogin.has(key)) throw new VendingError('NotAuthorizedException', "Logins don't match. Please include at least one valid login for this identity or identity pool.");
      this.identities.set(identityId, key);
      this.byLogin.set(key, identityId);
    } else if (owner !== key) {
      throw new VendingError('NotAuthorizedException', "Logins don't match. Please include at least one valid login for this identity or identity pool.");
    }
    const { idToken, provider } = login;
    const preferred = typeof idToken['cognito:preferred_role'] === 'string' ? idToken['cognito:preferred_role'] : undefined;
    let role = this.options.authRole;
    if (preferred !== undefined) {
      const named = [this.options.authRole, ...this.options.roles].find((r) => this.roleArn(r) === preferred);
      if (!named) throw new VendingError('InvalidIdentityPoolConfigurationException', `Invalid identity pool configuration. Check assigned IAM roles for this pool.`);
      role = named;
    } else if (this.options.ambiguousRoleResolution === 'Deny') {
      throw new VendingError('NotAuthorizedException', 'Token is not from a supported provider of this identity pool.');
    }
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

  /**
   * Verifies a SigV4-signed request for `service` against the credentials issued here; scoped to the pool's
   * region unless the service is global (IAM signs for us-east-1).
   */
  verify(req: SigV4Request, service: { name: string; s3?: boolean; region?: string }, now = Date.now()): Promise<SigV4Result<IamCaller>> {
    return verifySigV4(req, {
      service: service.name,
      region: service.region ?? this.options.region,
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
    if (this.issued.size >= MAX_ISSUED) this.forgetOldest();
    this.issued.set(credentials.accessKeyId, { credentials, caller: { principal, role, context } });
    return credentials;
  }

  /** Forgets the expired credentials, or else the oldest tenth (a Map iterates in insertion order). */
  private forgetOldest(): void {
    const now = Date.now();
    for (const [key, { credentials }] of this.issued) if (credentials.expiration.getTime() <= now) this.issued.delete(key);
    let drop = this.issued.size >= MAX_ISSUED ? MAX_ISSUED / 10 : 0;
    for (const key of this.issued.keys()) {
      if (drop-- <= 0) break;
      this.issued.delete(key);
    }
  }
}

const loginKey = (login: Login): string => `${login.provider}:${String(login.idToken.sub)}`;
