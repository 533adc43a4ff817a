/**
 * The emulated API Gateway for the REST APIs of the AuthModel, served by the embedded emulator at
 * `/restapis/{apiId}/{stage}/…`. A request goes through API Gateway's steps in its order: routing (no
 * route: 403 Missing Authentication Token, whatever the caller sent), the method's authorization (NONE,
 * AWS_IAM with SigV4 and the role's policies, COGNITO_USER_POOLS, a Lambda TOKEN or REQUEST authorizer),
 * the API key of a usage plan, then the integration (the app's Lambda handler, a stub, or a mock). Gateway
 * denials are API Gateway's wire answers (responses.ts). Semantics and sources: docs/rest.md.
 */
import { randomUUID } from 'node:crypto';
import type { Claims } from '../cognito/jwt.js';
import type { RestApi, RestMethod, RestSection } from '../../schema/rest/model.js';
import { accessDeniedMessage, compilePolicy, evaluate, type CompiledPolicy } from '../iam/policy.js';
import { Integrations, type IntegrationMode, type ProxyEvent } from './integrations.js';
import { contextVariables, LambdaAuthorizers, type AuthorizerFunction, type AuthorizerRequest, type LambdaAuthorizer } from './lambda-authorizers.js';
import { gatewayAnswer, gatewayErrors, type GatewayError, type HttpAnswer } from './responses.js';
import { Router } from './routes.js';
import { GatewayRefusal, type GatewayIdentity, type GatewayRequest } from './caller.js';
import { HttpApiGateway } from './http-gateway.js';

export interface GatewayOptions {
  section: RestSection;
  identity: GatewayIdentity & { appClientIds: string[] };
  /** Values of the API keys the definition leaves to API Gateway, by key id. */
  apiKeyValues: Map<string, string>;
  integrations?: IntegrationMode;
  log: (line: string) => void;
}


export class ApiGateway {
  static readonly PREFIX = '/restapis/';
  /** https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (payload size, REST APIs). */
  static readonly PAYLOAD_LIMIT = 10 * 1024 * 1024;
  readonly authorizers: LambdaAuthorizers;
  readonly stats = { requests: 0 };
  private readonly apis = new Map<string, { api: RestApi; router: Router }>();
  private readonly integrations: Integrations;
  /** The HTTP APIs (API Gateway v2), served below HttpApiGateway.PREFIX. */
  readonly httpApis: HttpApiGateway;

  constructor(private readonly opts: GatewayOptions) {
    for (const api of opts.section.apis) this.apis.set(api.id, { api, router: new Router(api.methods) });
    this.integrations = new Integrations(opts.section, opts.integrations ?? 'handlers', opts.log);
    this.authorizers = new LambdaAuthorizers((a) => this.integrations.authorizerFunction(a) as Promise<AuthorizerFunction>);
    this.httpApis = new HttpApiGateway(opts.section, opts.identity, this.integrations, opts.log);
  }

  /** Forgets cached authorizer decisions. */
  reset(): void {
    this.authorizers.reset();
    this.httpApis.reset();
  }

  async handle(req: GatewayRequest): Promise<HttpAnswer> {
    this.stats.requests++;
    const url = new URL(req.url, 'http://gateway');
    const [apiId, stage, ...rest] = url.pathname.slice(ApiGateway.PREFIX.length).split('/');
    const entry = this.apis.get(apiId ?? '');
    const customized = entry?.api.gatewayResponses ?? [];
    const fail = (e: GatewayError) => gatewayAnswer(e, customized);
    if (!entry || stage !== entry.api.stage) return fail(gatewayErrors.missingToken());
    if (req.body === undefined) return fail(gatewayErrors.requestTooLarge());
    const body = req.body;
    const { api, router } = entry;
    const path = `/${rest.join('/')}`;
    const verb = req.method.toUpperCase();
    const route = router.route(verb, path);
    if (!route) return fail(gatewayErrors.missingToken());
    const headers = req.headers;
    const query = Object.fromEntries(url.searchParams);
    const requestId = randomUUID();
    const methodArn = `arn:aws:execute-api:${this.opts.section.region}:${this.opts.section.account}:${api.id}/${api.stage}/${verb}${path}`;
    const requestContext: Record<string, unknown> = {
      accountId: this.opts.section.account,
      apiId: api.id,
      stage: api.stage,
      requestId,
      resourcePath: route.resource,
      httpMethod: verb,
      path: `/${api.stage}${path}`,
      identity: { sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? null },
    };
    try {
      const authorizer = await this.authorize(api, route.method, { req, body, verb, path, methodArn, query, pathParameters: route.pathParameters, resource: route.resource, requestContext });
      const keyId = this.checkApiKey(api, route.method, headers['x-api-key'], authorizer.usageIdentifierKey);
      const event: ProxyEvent = {
        resource: route.resource,
        path,
        httpMethod: verb,
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: Object.keys(query).length ? query : null,
        multiValueQueryStringParameters: Object.keys(query).length ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
        pathParameters: Object.keys(route.pathParameters).length ? route.pathParameters : null,
        stageVariables: api.stageVariables ?? null,
        requestContext: {
          ...requestContext,
          identity: { ...(requestContext.identity as object), ...authorizer.identity, ...(keyId ? { apiKey: headers['x-api-key'] ?? authorizer.usageIdentifierKey, apiKeyId: keyId } : {}) },
          authorizer: authorizer.context,
        },
        body: body === '' ? null : body,
        isBase64Encoded: false,
      };
      return await this.integrations.run(route.method.integration, event, { resource: event.resource, path: event.path, httpMethod: event.httpMethod });
    } catch (e) {
      if (e instanceof GatewayRefusal) return fail(e.error);
      throw e;
    }
  }

  private async authorize(api: RestApi, method: RestMethod, r: {
    req: GatewayRequest; body: string; verb: string; path: string; methodArn: string; query: Record<string, string>;
    pathParameters: Record<string, string>; resource: string; requestContext: Record<string, unknown>;
  }): Promise<{ identity: Record<string, unknown>; context: Record<string, unknown> | null; usageIdentifierKey?: string }> {
    const auth = method.authorization;
    const headers = r.req.headers;
    switch (auth.type) {
      case 'NONE':
        return { identity: {}, context: null };
      case 'AWS_IAM': {
        const header = headers.authorization;
        if (!header) throw new GatewayRefusal(gatewayErrors.missingToken());
        if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
          const first = header.split(' ').slice(1).join(' ') || header;
          throw new GatewayRefusal(gatewayErrors.incompleteSignature(`'${first}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`));
        }
        const url = new URL(r.req.url, 'http://gateway');
        const caller = await this.opts.identity.verifySignature({ method: r.req.method, path: url.pathname, query: url.search.slice(1), headers: { ...headers, host: headers.host ?? r.req.host }, body: r.body });
        if (caller.policies !== 'all') {
          const request = { action: 'execute-api:Invoke', resource: r.methodArn, context: caller.context };
          const decision = evaluate(caller.policies, request);
          if (decision.outcome !== 'allow') throw new GatewayRefusal(gatewayErrors.accessDenied(accessDeniedMessage(caller.userArn, request, decision)));
        }
        return {
          identity: {
            cognitoIdentityPoolId: caller.cognitoIdentityPoolId,
            cognitoIdentityId: caller.cognitoIdentityId,
            cognitoAuthenticationType: caller.cognitoAuthenticationType,
            cognitoAuthenticationProvider: caller.cognitoAuthenticationProvider,
            accessKey: caller.accessKey,
            userArn: caller.userArn,
            caller: caller.userArn.split('/').slice(-2).join(':'),
            accountId: this.opts.section.account,
          },
          context: null,
        };
      }
      case 'COGNITO_USER_POOLS': {
        const authorizer = api.authorizers.find((a) => a.id === auth.authorizer);
        if (!authorizer || authorizer.type !== 'COGNITO_USER_POOLS') throw new GatewayRefusal(gatewayErrors.authorizerError());
        const header = authorizer.identitySource.replace(/^method\.request\.header\./i, '').toLowerCase();
        const token = headers[header];
        if (!token) throw new GatewayRefusal(gatewayErrors.unauthorized());
        const claims = await this.opts.identity.verifyUserPoolToken(token, authorizer.userPools);
        if (auth.scopes.length) {
          // Scopes set: only an access token holding one of them passes.
          const held = claims.token_use === 'access' ? String(claims.scope ?? '').split(' ') : [];
          if (!held.some((s) => auth.scopes.includes(s))) throw new GatewayRefusal(gatewayErrors.unauthorized());
        } else if (claims.token_use !== 'id') {
          throw new GatewayRefusal(gatewayErrors.unauthorized());
        }
        return { identity: {}, context: { claims: stringClaims(claims) } };
      }
      case 'CUSTOM': {
        const authorizer = api.authorizers.find((a) => a.id === auth.authorizer);
        if (!authorizer || authorizer.type === 'COGNITO_USER_POOLS') throw new GatewayRefusal(gatewayErrors.authorizerError());
        const areq: AuthorizerRequest = {
          methodArn: r.methodArn, resource: r.resource, path: r.path, httpMethod: r.verb, headers,
          query: r.query, pathParameters: r.pathParameters, requestContext: r.requestContext,
          contextVariables: contextVariables({
            accountId: this.opts.section.account, apiId: api.id, domainName: r.req.host, httpMethod: r.verb, sourceIp: r.req.sourceIp,
            path: `/${api.stage}${r.path}`, requestId: String(r.requestContext.requestId), stage: api.stage,
          }, { resourcePath: r.resource }),
          stageVariables: api.stageVariables ?? null,
        };
        const identity = this.authorizers.identity(authorizer as LambdaAuthorizer, areq);
        if (identity === undefined) throw new GatewayRefusal(gatewayErrors.unauthorized());
        const outcome = await this.authorizers.authorize(authorizer as LambdaAuthorizer, identity, areq);
        if (outcome.kind === 'unauthorized') throw new GatewayRefusal(gatewayErrors.unauthorized());
        if (outcome.kind === 'error') {
          this.opts.log(`Lambda authorizer ${authorizer.name} failed: ${outcome.message}`);
          throw new GatewayRefusal(gatewayErrors.authorizerError());
        }
        const decision = evaluate([outcome.policy], { action: 'execute-api:Invoke', resource: r.methodArn });
        if (decision.outcome === 'explicitDeny') throw new GatewayRefusal(gatewayErrors.accessDenied('User is not authorized to access this resource with an explicit deny'));
        if (decision.outcome !== 'allow') throw new GatewayRefusal(gatewayErrors.accessDenied('User is not authorized to access this resource'));
        return {
          identity: {},
          context: { principalId: outcome.principalId, ...outcome.context },
          ...(outcome.usageIdentifierKey !== undefined ? { usageIdentifierKey: outcome.usageIdentifierKey } : {}),
        };
      }
    }
  }

  /** The id of the API key that passed, when the method requires one. */
  private checkApiKey(api: RestApi, method: RestMethod, header: string | undefined, fromAuthorizer: string | undefined): string | undefined {
    if (!method.apiKeyRequired) return undefined;
    const value = api.apiKeySource === 'AUTHORIZER' ? fromAuthorizer : header;
    const key = value === undefined ? undefined : api.apiKeys.find((k) => k.enabled && k.stages.includes(api.stage) && (k.value ?? this.opts.apiKeyValues.get(k.id)) === value);
    if (!key) throw new GatewayRefusal(gatewayErrors.invalidApiKey());
    return key.id;
  }
}

/** The Cognito authorizer hands claims to the integration as strings (`requestContext.authorizer.claims`). */
function stringClaims(claims: Claims): Record<string, string> {
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

/** Compiles the role policies of the REST section once, for the emulator's identity wiring. */
export function compileRolePolicies(section: RestSection): { authenticated: CompiledPolicy[]; unauthenticated: CompiledPolicy[]; groups: Map<string, CompiledPolicy[]> } {
  const compile = (role: string, docs: RestSection['rolePolicies']['authenticated']) => docs.map((d, i) => compilePolicy(`${role} policy ${i + 1}`, d));
  return {
    authenticated: compile('authenticated role', section.rolePolicies.authenticated),
    unauthenticated: compile('unauthenticated role', section.rolePolicies.unauthenticated),
    groups: new Map(Object.entries(section.rolePolicies.groups).map(([g, docs]) => [g, compile(`${g} group role`, docs)])),
  };
}
