/**
 * Adversarial probes: requests with bad credentials that an AppSync endpoint must refuse with the wire
 * error AppSync gives (listed with their sources in harness/probes/credentials.ts). A probe passes only
 * when it is refused exactly as expected; an accepted request or a different refusal fails.
 */
import type { GraphQLResult } from '../client/http.js';
import type { RestResult, RestVerb } from '../client/rest.js';
import type { AuthMode } from '../schema/model.js';

/** The credential attacks, per auth mode (see `credentialProbes`). */
export type CredentialAttack =
  | 'missing'
  // JWT modes (userPool, oidc)
  | 'badSignature' | 'algNone' | 'hs256PublicKey' | 'unknownKid' | 'expired' | 'notYetValid' | 'wrongIssuer' | 'wrongAudience'
  | 'anotherPool' | 'iatTTL' | 'authTTL'
  // apiKey
  | 'unknownKey' | 'expiredKey'
  // iam (SigV4)
  | 'tamperedBody' | 'wrongRegion' | 'wrongService' | 'staleDate' | 'missingSecurityToken'
  // lambda
  | 'failsValidation' | 'denied'
  // realtime WebSocket variants
  | 'realtimeConnectMissing' | 'realtimeConnectForged' | 'realtimeStartMissing' | 'realtimeStartForged';

/** An HTTP refusal: status, `x-amzn-ErrorType` (and the body's errorType), and the message where the reference fixes it. */
export interface ExpectedRefusal {
  status: 401 | 403;
  errorType: 'UnauthorizedException' | 'InvalidSignatureException' | 'UnrecognizedClientException';
  message?: string;
}

/** A realtime refusal: `connection_error` at connection_init, or an `error` for the start's id. */
export interface ExpectedRealtimeRefusal {
  answer: 'connection_error' | 'error';
  errorType: string;
  errorCode?: number;
  message?: string;
}

interface ProbeBase {
  /** `probe|<mode>|<attack>`, unique and stable. */
  id: string;
  mode: AuthMode;
  attack: CredentialAttack;
  /** What is sent, as a report shows it: `an expired user-pool token`. */
  title: string;
  /** The real credential the attack starts from and how it was altered (never the credential itself). */
  basis: string;
  /** Set when the probe cannot run on this target (why); `send()` then rejects. */
  notRun?: string;
}

export interface HttpProbe extends ProbeBase {
  transport: 'http';
  expected: ExpectedRefusal;
  send(): Promise<GraphQLResult>;
}

export interface RealtimeProbe extends ProbeBase {
  transport: 'websocket';
  expected: ExpectedRealtimeRefusal;
  send(): Promise<RealtimeExchange>;
}

/** Attacks on REST APIs (harness/probes/rest.ts). */
export type RestAttack = 'forgedToken' | 'expiredToken' | 'missingScope' | 'tamperedSignature' | 'wrongStage' | 'noRoute';

/**
 * API Gateway's own denial: status, `x-amzn-ErrorType`, and the `{"message"}` body's text where it is fixed; an HTTP
 * API's carries no `x-amzn-ErrorType` and a body that is only `{"message"}` (docs/rest.md, "HTTP APIs").
 */
export type RestRefusal =
  | { status: 401 | 403; errorType: 'UnauthorizedException' | 'InvalidSignatureException' | 'MissingAuthenticationTokenException'; message?: string }
  | { status: 401 | 403 | 404; httpApi: true; message?: string };

export interface RestProbe {
  /** `probe|rest|<api>|<attack>`. */
  id: string;
  transport: 'rest';
  attack: RestAttack;
  api: string;
  verb: RestVerb;
  /** The path sent below the stage. */
  path: string;
  title: string;
  basis: string;
  notRun?: string;
  expected: RestRefusal;
  send(): Promise<RestResult>;
}

/** The data API's probes (harness/probes/credentials.ts). */
export type AppSyncProbe = HttpProbe | RealtimeProbe;
export type Probe = AppSyncProbe | RestProbe;

/** What happened on a realtime probe's WebSocket, with the credentials redacted. */
export interface RealtimeExchange {
  transport: 'websocket';
  /** The server's answer to the probed message; `none` when the socket failed, closed or stayed silent. */
  answer: 'connection_ack' | 'connection_error' | 'start_ack' | 'error' | 'none';
  errors: { errorType?: string; message: string; errorCode?: number }[];
  sent: { url: string; stage: 'connect' | 'start'; handshake: Record<string, string>; start?: { data: string; authorization: Record<string, string> } };
}

export interface ProbeJudgement {
  pass: boolean;
  /** `401 UnauthorizedException`, `200 data`, `connection_error com.amazonaws…#UnauthorizedException`, `start_ack`. */
  observed: string;
  /** Why it passed or failed, naming what was expected; never a credential. */
  detail: string;
}

/** A probe run end to end, for a report cell. */
export interface ProbeRun extends ProbeJudgement {
  probe: Probe;
  status: 'pass' | 'fail' | 'notRun' | 'error';
  /** The request as sent, redacted (absent for notRun and error). */
  evidence?: GraphQLResult['sent'] | RealtimeExchange['sent'] | RestResult['sent'];
}

/**
 * Minting what only the issuer can sign (an emulated target): odd tokens and keys that must be refused.
 * `devEndpointMinter` implements it over the emulator's `POST /.authmatrix/credentials`.
 */
export interface ProbeMinter {
  userPool(spec: {
    username: string;
    groups?: string[];
    expiresInSeconds?: number;
    /** Seconds since the epoch. */
    notBefore?: number;
    issuer?: string;
    clientId?: string;
    /** Claims set on both tokens (the access token's `scope`, for one). */
    claims?: Record<string, unknown>;
  }): Promise<{ idToken: string; accessToken: string }>;
  oidc(spec: {
    sub: string;
    claims?: Record<string, unknown>;
    expiresInSeconds?: number;
    /** Seconds since the epoch, as the next three. */
    issuedAt?: number;
    authTime?: number;
    notBefore?: number;
    audience?: string;
    issuer?: string;
  }): Promise<string>;
  apiKey(spec: { expiresInDays: number }): Promise<string>;
  /** Where the OIDC issuer's public keys are served, when not at the issuer's discovery document. */
  oidcJwksUrl?: string;
}
