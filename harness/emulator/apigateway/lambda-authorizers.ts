/**
 * REST API Lambda authorizers (TOKEN and REQUEST) as API Gateway runs them: the identity source is
 * checked before the function is invoked (missing, empty, or failing the validation expression: 401
 * without invoking), the function's answer is read (`Unauthorized` thrown: 401; any other failure or an
 * unreadable answer: 500), and a returned policy is cached for the TTL under the token (TOKEN) or the identity
 * sources' values (REQUEST), so a cached policy also decides the other methods the same caller reaches
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html,
 * .../configure-api-gateway-lambda-authorization.html).
 */
import { identitySourceOf, type RequestAuthorizer, type StageVariables, type TokenAuthorizer } from '../../schema/rest/model.js';
import { compilePolicy, type CompiledPolicy } from '../iam/policy.js';
import { ExpiringCache } from '../expiring-cache.js';

export type LambdaAuthorizer = TokenAuthorizer | RequestAuthorizer;

/** What an authorizer said, as API Gateway keeps it in its cache. */
export type AuthorizerOutcome =
  | { kind: 'policy'; principalId: string; policy: CompiledPolicy; context: Record<string, string | number | boolean>; usageIdentifierKey?: string }
  | { kind: 'unauthorized' }
  | { kind: 'error'; message: string };

/** What the gateway knows of a request when it calls an authorizer. */
export interface AuthorizerRequest {
  methodArn: string;
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  pathParameters: Record<string, string>;
  requestContext: Record<string, unknown>;
  /** The request's `$context` variables by name (`identity.sourceIp`), as identity sources read them. */
  contextVariables: Record<string, string>;
  /** The stage's variables, as the event gives them: null when the stage defines none. */
  stageVariables: StageVariables | null;
}

export type AuthorizerFunction = (event: Record<string, unknown>, context: Record<string, unknown>) => unknown;

export class LambdaAuthorizers {
  private readonly cache = new ExpiringCache<AuthorizerOutcome>();
  /** Invocations per authorizer id (tests and benchmarks read it). */
  readonly invocations = new Map<string, number>();

  constructor(private readonly functionFor: (authorizer: LambdaAuthorizer) => Promise<AuthorizerFunction>) {}

  /** Undefined: API Gateway refuses with 401 without invoking the function. */
  identity(authorizer: LambdaAuthorizer, req: AuthorizerRequest): string | undefined {
    if (authorizer.type === 'TOKEN') {
      const value = sourceValue(authorizer.identitySource, req);
      if (!value) return undefined;
      if (authorizer.validationRegex && !new RegExp(authorizer.validationRegex).test(value)) return undefined;
      return value;
    }
    const values = identityValues(authorizer.identitySources, req);
    return values && JSON.stringify(values);
  }

  async authorize(authorizer: LambdaAuthorizer, identity: string, req: AuthorizerRequest, now = Date.now()): Promise<AuthorizerOutcome> {
    const key = `${authorizer.id}\u0000${identity}`;
    const ttl = authorizer.ttlSeconds;
    // A REQUEST authorizer without identity sources cannot be cached (API Gateway requires them for caching).
    const cacheable = ttl > 0 && (authorizer.type === 'TOKEN' || authorizer.identitySources.length > 0);
    const hit = cacheable ? this.cache.get(key, now) : undefined;
    if (hit) return hit;
    const outcome = await this.invoke(authorizer, identity, req);
    if (cacheable && outcome.kind === 'policy') this.cache.set(key, outcome, now + ttl * 1000);
    return outcome;
  }

  /** Forgets every cached decision. */
  reset(): void {
    this.cache.clear();
  }

  private async invoke(authorizer: LambdaAuthorizer, identity: string, req: AuthorizerRequest): Promise<AuthorizerOutcome> {
    this.invocations.set(authorizer.id, (this.invocations.get(authorizer.id) ?? 0) + 1);
    const event = authorizer.type === 'TOKEN'
      ? { type: 'TOKEN', authorizationToken: identity, methodArn: req.methodArn }
      : {
          type: 'REQUEST',
          methodArn: req.methodArn,
          resource: req.resource,
          path: req.path,
          httpMethod: req.httpMethod,
          headers: req.headers,
          multiValueHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, [v]])),
          queryStringParameters: Object.keys(req.query).length ? req.query : null,
          multiValueQueryStringParameters: Object.keys(req.query).length ? Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, [v]])) : null,
          pathParameters: Object.keys(req.pathParameters).length ? req.pathParameters : null,
          stageVariables: req.stageVariables,
          requestContext: req.requestContext,
        };
    let answer: unknown;
    try {
      const fn = await this.functionFor(authorizer);
      answer = await fn(event, { functionName: authorizer.name, awsRequestId: String(req.requestContext.requestId ?? '') });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return message === 'Unauthorized' ? { kind: 'unauthorized' } : { kind: 'error', message };
    }
    return readAnswer(answer);
  }
}

/** The authorizer's output, or an error when API Gateway could not use it. */
function readAnswer(answer: unknown): AuthorizerOutcome {
  if (answer === 'Unauthorized') return { kind: 'unauthorized' };
  const a = answer as { principalId?: unknown; policyDocument?: unknown; context?: unknown; usageIdentifierKey?: unknown } | null;
  if (!a || typeof a !== 'object' || a.principalId === undefined || !a.policyDocument) return { kind: 'error', message: 'the authorizer returned no principalId and policyDocument' };
  let policy: CompiledPolicy;
  try {
    policy = compilePolicy('the authorizer\'s policy', a.policyDocument);
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const context: Record<string, string | number | boolean> = {};
  if (a.context && typeof a.context === 'object') {
    for (const [k, v] of Object.entries(a.context)) {
      // Only strings, numbers and booleans may be returned in the context map.
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return { kind: 'error', message: `context.${k} is not a string, number or boolean` };
      context[k] = v;
    }
  }
  return {
    kind: 'policy',
    principalId: String(a.principalId),
    policy,
    context,
    ...(typeof a.usageIdentifierKey === 'string' ? { usageIdentifierKey: a.usageIdentifierKey } : {}),
  };
}

/** What an identity source is read from. */
type IdentityInputs = Pick<AuthorizerRequest, 'headers' | 'query' | 'contextVariables' | 'stageVariables'>;

/**
 * The values of a REQUEST authorizer's identity sources, or undefined when one is missing or empty (401 without
 * invoking; schema/rest/model.ts `identitySourceOf` names them). A stage variable is the stage's value.
 */
export function identityValues(sources: readonly string[], req: IdentityInputs): string[] | undefined {
  const values = sources.map((s) => sourceValue(s, req));
  return values.every((v): v is string => v !== undefined) ? values : undefined;
}

function sourceValue(source: string, req: IdentityInputs): string | undefined {
  const ref = identitySourceOf(source);
  if (ref?.kind === 'header') return nonEmpty(req.headers[ref.name.toLowerCase()]);
  if (ref?.kind === 'query') return nonEmpty(req.query[ref.name]);
  if (ref?.kind === 'context') return nonEmpty(req.contextVariables[ref.name]);
  if (ref?.kind === 'stageVariable') return nonEmpty(req.stageVariables?.[ref.name]);
  return undefined;
}

/**
 * The `$context` variables API Gateway has set when it calls an authorizer (the same for REST and HTTP APIs but for
 * `resourcePath` and `routeKey`, given in `own`). `requestTime` in the common log format, as API Gateway writes it.
 */
export function contextVariables(r: { accountId: string; apiId: string; domainName: string; httpMethod: string; sourceIp: string; path: string; requestId: string; stage: string }, own: Record<string, string>, now = new Date()): Record<string, string> {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(now.toUTCString())!;
  return {
    accountId: r.accountId, apiId: r.apiId, domainName: r.domainName, httpMethod: r.httpMethod, 'identity.sourceIp': r.sourceIp, path: r.path,
    protocol: 'HTTP/1.1', requestId: r.requestId, requestTime: `${day}/${month}/${year}:${time} +0000`, requestTimeEpoch: String(now.getTime()), stage: r.stage, ...own,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
