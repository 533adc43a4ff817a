/**
 * What both gateways (REST APIs, HTTP APIs) take from the emulator: the request as received, the identity
 * services that verify signatures and tokens, and the refusal a failed check throws.
 */
import type { Claims } from '../cognito/jwt.js';
import type { SigV4Request } from '../iam/sigv4.js';
import type { CompiledPolicy, RequestContext } from '../iam/policy.js';
import type { GatewayError } from './responses.js';

/** A SigV4-signed caller as the identity pool knows it. */
export interface SignedCaller {
  userArn: string;
  accessKey: string;
  /** The role's policies, or `all` for a principal whose own policies allow everything (an administrator). */
  policies: CompiledPolicy[] | 'all';
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  cognitoAuthenticationType: 'authenticated' | 'unauthenticated' | null;
  cognitoAuthenticationProvider: string | null;
  /** The session's condition keys and policy variables (`cognito-identity.amazonaws.com:sub`, `:aud`, `:amr`, ...). */
  context: RequestContext;
}

/** A credential check that failed, with API Gateway's answer. */
export class GatewayRefusal extends Error {
  constructor(readonly error: GatewayError) {
    super(error.message);
  }
}

/** What the gateway needs from the emulator's identity services. */
export interface GatewayIdentity {
  /** Verifies a SigV4 signature for `execute-api`; throws GatewayRefusal. */
  verifySignature(req: SigV4Request): Promise<SignedCaller>;
  /** Verifies a user-pool token of one of the pools (`app`: the emulator's); throws GatewayRefusal. */
  verifyUserPoolToken(token: string, pools: string[]): Promise<Claims>;
}

export interface GatewayRequest {
  method: string;
  /** Path and query as received (`/restapis/{id}/{stage}/items?x=1`). */
  url: string;
  host: string;
  headers: Record<string, string>;
  /** undefined: over API Gateway's 10 MB payload limit (PAYLOAD_LIMIT). */
  body: string | undefined;
  sourceIp: string;
}
