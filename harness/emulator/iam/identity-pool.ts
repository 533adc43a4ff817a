/**
 * Cognito identity-pool credentials (guest and signed-in identities assume the unauth/auth roles) and
 * plain IAM principals, plus SigV4 verification: the emulator recomputes each signature with
 * `@smithy/signature-v4` from the secret it issued.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AuthFailure } from '../failure.js';

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

export interface SignedRequest {
  method: string;
  /** `host[:port]` the client signed. */
  host: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const MAX_SKEW_MS = 5 * 60 * 1000;

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

  /** Credentials for an identity-pool identity (a guest, or a user signed in with a user-pool token). */
  identity(authenticated: boolean, login?: { provider: string; username: string }): IamCredentials {
    const identityId = `${this.region}:${randomUUID()}`;
    const role = authenticated ? this.authRoleName : this.unauthRoleName;
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

  /** Verifies a SigV4-signed request; throws the 403 AppSync gives for each kind of bad signature. */
  async verify(req: SignedRequest, now = Date.now()): Promise<IamPrincipal> {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new AuthFailure(403, 'InvalidSignatureException', 'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' parameters.');
    const [, accessKeyId, scopeDate, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
    const issued = this.issued.get(accessKeyId);
    if (!issued) throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const { credentials, principal } = issued;
    if (credentials.expiration.getTime() < now) throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is expired');
    if (req.headers['x-amz-security-token'] !== credentials.sessionToken) {
      throw new AuthFailure(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const amzDate = req.headers['x-amz-date'] ?? '';
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) throw new AuthFailure(403, 'InvalidSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
      throw new AuthFailure(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`);
    }
    if (service !== 'appsync') throw new AuthFailure(403, 'InvalidSignatureException', "Credential should be scoped to correct service: 'appsync'. ");
    if (region !== this.region) throw new AuthFailure(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
    if (scopeDate !== amzDate.slice(0, 8)) throw new AuthFailure(403, 'InvalidSignatureException', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP');

    const signed = signedList.split(';');
    const headers: Record<string, string> = {};
    for (const h of signed) {
      const v = h === 'host' ? req.headers.host ?? req.host : req.headers[h];
      if (v === undefined) throw new AuthFailure(403, 'InvalidSignatureException', `The request signature we calculated does not match the signature you provided: signed header ${h} is missing.`);
      headers[h] = v;
    }
    // The payload hash is always computed from the bytes received, never taken from the client's header.
    if ('x-amz-content-sha256' in headers) headers['x-amz-content-sha256'] = createHash('sha256').update(req.body).digest('hex');
    const [{ Hash }, { HttpRequest }, { SignatureV4 }] = await smithy();
    const [hostname, port] = (headers.host ?? req.host).split(':');
    const request = new HttpRequest({
      method: req.method,
      protocol: 'https:',
      hostname: hostname!,
      ...(port ? { port: Number(port) } : {}),
      path: req.path,
      headers,
      body: req.body,
    });
    const signer = new SignatureV4({ credentials, region: this.region, service: 'appsync', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    const out = await signer.sign(request, { signingDate, signableHeaders: new Set(signed) });
    const expected = /Signature=([0-9a-f]{64})/.exec(String(out.headers.authorization ?? out.headers.Authorization))?.[1] ?? '';
    if (!safeEqual(expected, signature)) {
      throw new AuthFailure(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    return principal;
  }
}

/** The signer is loaded on first use: most emulators never see an IAM request. */
let smithyModules: Promise<[typeof import('@smithy/hash-node'), typeof import('@smithy/protocol-http'), typeof import('@smithy/signature-v4')]> | undefined;
function smithy() {
  return (smithyModules ??= Promise.all([import('@smithy/hash-node'), import('@smithy/protocol-http'), import('@smithy/signature-v4')]));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
