/**
 * The Lambda authorizer: runs the user's handler (or answers from a declared token table) with AppSync's
 * event, applies `identityValidationExpression` first, and caches results for the TTL.
 */
import { NOT_AUTHORIZED, unauthorized } from '../failure.js';
import { ExpiringCache } from '../expiring-cache.js';

export interface AuthorizerResponse {
  isAuthorized: boolean;
  resolverContext?: Record<string, unknown>;
  deniedFields?: string[];
  ttlOverride?: number;
}

export interface AuthorizerEvent {
  authorizationToken: string;
  requestContext: {
    apiId: string;
    accountId: string;
    requestId: string;
    queryString: string;
    operationName?: string;
    variables: Record<string, unknown>;
  };
  requestHeaders: Record<string, string>;
}

export type AuthorizerFn = (event: AuthorizerEvent, context: Record<string, unknown>) => Promise<AuthorizerResponse> | AuthorizerResponse;

export interface LambdaResult {
  resolverContext: Record<string, unknown>;
  deniedFields: string[];
}

const MAX_TOKEN_LENGTH = 2048;

export class LambdaAuthorizer {
  private readonly cache = new ExpiringCache<LambdaResult>();
  /** Invocations so far (the cache test and the benchmark read it). */
  invocations = 0;

  constructor(
    private readonly authorize: AuthorizerFn,
    private readonly ttlSeconds: number,
    private readonly identityValidationExpression: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** An authorizer that answers from a token table (tokens not listed are refused). */
  static fromTable(table: Record<string, AuthorizerResponse>): AuthorizerFn {
    return (event) => table[event.authorizationToken] ?? { isAuthorized: false };
  }

  async check(event: AuthorizerEvent): Promise<LambdaResult> {
    const token = event.authorizationToken;
    if (token.length > MAX_TOKEN_LENGTH) throw unauthorized(NOT_AUTHORIZED);
    if (this.identityValidationExpression && !new RegExp(this.identityValidationExpression).test(token)) throw unauthorized(NOT_AUTHORIZED);
    const hit = this.cache.get(token);
    if (hit) return hit;
    this.invocations++;
    let response: AuthorizerResponse;
    try {
      response = await this.authorize(event, { functionName: 'authmatrix-authorizer', awsRequestId: event.requestContext.requestId });
    } catch (e) {
      this.log(`Lambda authorizer threw: ${(e as Error)?.message ?? String(e)}`);
      throw unauthorized(NOT_AUTHORIZED);
    }
    if (!response || response.isAuthorized !== true) throw unauthorized(NOT_AUTHORIZED);
    const result: LambdaResult = { resolverContext: response.resolverContext ?? {}, deniedFields: response.deniedFields ?? [] };
    const ttl = typeof response.ttlOverride === 'number' ? response.ttlOverride : this.ttlSeconds;
    if (ttl > 0) this.cache.set(token, result, Date.now() + ttl * 1000);
    return result;
  }
}
