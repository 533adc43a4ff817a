/**
 * HTTP API Lambda authorizers as API Gateway v2 runs them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html): every identity
 * source must be present and not empty, or the answer is 401 without invoking (`identityValues`, as for REST APIs:
 * lambda-authorizers.ts); the function gets a payload 2.0 event
 * (`identitySource` a list of values, `routeArn`) or a 1.0 one (a REST API's REQUEST event); its answer is
 * `{ isAuthorized, context }` with simple responses, otherwise an IAM policy evaluated on the route's ARN; a failure
 * or an unreadable answer is a 500. A decision is cached for the TTL under the identity sources' values (when there is
 * at least one), so it also decides the caller's other routes with the same authorizer: a simple answer as it is, a
 * policy evaluated on each route's ARN ("Caching authorizer responses" on the page above).
 */
import type { HttpLambdaAuthorizer, StageVariables } from '../../schema/rest/model.js';
import { compilePolicy, evaluate, type CompiledPolicy } from '../iam/policy.js';
import { ExpiringCache } from '../expiring-cache.js';

/** What the authorizer said, as the cache keeps it. */
export type HttpAuthorizerOutcome =
  | { kind: 'simple'; isAuthorized: boolean; context: Record<string, unknown> }
  | { kind: 'policy'; policy: CompiledPolicy; context: Record<string, unknown> }
  | { kind: 'error'; message: string };

/** What the gateway knows of the request when it calls an authorizer. */
export interface HttpAuthorizerRequest {
  routeArn: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  verb: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParameters: Record<string, string>;
  requestContext: Record<string, unknown>;
  /** The request's `$context` variables by name, as identity sources read them (lambda-authorizers.ts `contextVariables`). */
  contextVariables: Record<string, string>;
  /** The stage's variables; null when it defines none. */
  stageVariables: StageVariables | null;
}

type AuthorizerFunction = (event: Record<string, unknown>, context: Record<string, unknown>) => unknown;

export class HttpLambdaAuthorizers {
  private readonly cache = new ExpiringCache<HttpAuthorizerOutcome>();
  /** Invocations per authorizer id (tests read it). */
  readonly invocations = new Map<string, number>();

  constructor(private readonly functionFor: (authorizer: HttpLambdaAuthorizer) => Promise<AuthorizerFunction>) {}

  /** Whether the caller may take the route: the answer, from the cache or the function, applied to the route's ARN. */
  async decide(authorizer: HttpLambdaAuthorizer, identity: string[], req: HttpAuthorizerRequest, now = Date.now()): Promise<{ allowed: boolean; context: Record<string, unknown> } | { error: string }> {
    const key = `${authorizer.id}\u0000${JSON.stringify(identity)}`;
    // "To enable caching, your authorizer must have at least one identity source."
    const cacheable = authorizer.ttlSeconds > 0 && authorizer.identitySources.length > 0;
    let o = cacheable ? this.cache.get(key, now) : undefined;
    if (!o) {
      o = await this.invoke(authorizer, identity, req);
      if (cacheable && o.kind !== 'error') this.cache.set(key, o, now + authorizer.ttlSeconds * 1000);
    }
    if (o.kind === 'error') return { error: o.message };
    if (o.kind === 'simple') return { allowed: o.isAuthorized, context: o.context };
    return { allowed: evaluate([o.policy], { action: 'execute-api:Invoke', resource: req.routeArn }).outcome === 'allow', context: o.context };
  }

  reset(): void {
    this.cache.clear();
  }

  private async invoke(authorizer: HttpLambdaAuthorizer, identity: string[], req: HttpAuthorizerRequest): Promise<HttpAuthorizerOutcome> {
    this.invocations.set(authorizer.id, (this.invocations.get(authorizer.id) ?? 0) + 1);
    const event = authorizer.payloadVersion === '2.0'
      ? {
          version: '2.0', type: 'REQUEST', routeArn: req.routeArn, identitySource: identity, routeKey: req.routeKey, rawPath: req.rawPath,
          rawQueryString: req.rawQueryString, headers: req.headers, ...(Object.keys(req.query).length ? { queryStringParameters: req.query } : {}),
          ...(Object.keys(req.pathParameters).length ? { pathParameters: req.pathParameters } : {}), ...(req.stageVariables ? { stageVariables: req.stageVariables } : {}),
          requestContext: req.requestContext,
        }
      : {
          version: '1.0', type: 'REQUEST', methodArn: req.routeArn, identitySource: identity.join(','), authorizationToken: req.headers.authorization,
          resource: req.routeKey.replace(/^\S+ /, ''), path: req.rawPath, httpMethod: req.verb, headers: req.headers, queryStringParameters: req.query,
          pathParameters: req.pathParameters, stageVariables: req.stageVariables, requestContext: req.requestContext,
        };
    let out: unknown;
    try {
      const fn = await this.functionFor(authorizer);
      out = await fn(event, { functionName: authorizer.name });
    } catch (e) {
      return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    const a = out as { isAuthorized?: unknown; context?: unknown; principalId?: unknown; policyDocument?: { Statement?: unknown } } | null | undefined;
    const context = a?.context && typeof a.context === 'object' ? (a.context as Record<string, unknown>) : {};
    if (authorizer.simpleResponses) {
      return typeof a?.isAuthorized === 'boolean' ? { kind: 'simple', isAuthorized: a.isAuthorized, context } : { kind: 'error', message: 'the answer has no boolean isAuthorized' };
    }
    if (!a || a.principalId === undefined || !a.policyDocument?.Statement) return { kind: 'error', message: 'the answer has no principalId and policyDocument' };
    try {
      const statements = Array.isArray(a.policyDocument.Statement) ? a.policyDocument.Statement : [a.policyDocument.Statement];
      return { kind: 'policy', policy: compilePolicy(`${authorizer.name}'s answer`, { ...a.policyDocument, Statement: statements } as Parameters<typeof compilePolicy>[1]), context };
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
  }
}
