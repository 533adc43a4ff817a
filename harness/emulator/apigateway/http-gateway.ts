/**
 * The emulated HTTP APIs (API Gateway v2) of the AuthModel, served by the embedded emulator at
 * `/apis/{apiId}/…` (`/apis/{apiId}/{stage}/…` for a named stage). A request goes through the HTTP API's steps:
 * route selection (the most specific route for the method, routes.ts `routeByMethod`, else the `$default` route, else
 * 404 Not Found), the route's authorization (NONE; AWS_IAM with SigV4 and the role's identity-based policies; JWT: a
 * token of the authorizer's issuer, its audience, and the route's scopes; a Lambda authorizer,
 * http-lambda-authorizers.ts), then the integration with a payload 2.0 event. A CORS preflight no route takes is answered by the API's CORS
 * configuration (http-cors.ts).
 * Its answers are `{"message": …}` bodies (401 with `www-authenticate` for a JWT refusal). Sources: docs/rest.md,
 * "HTTP APIs".
 */
import { randomUUID } from 'node:crypto';
import type { Claims } from '../cognito/jwt.js';
import { routeKeyOf, type HttpApi, type HttpRoute, type RestSection } from '../../schema/rest/model.js';
import { evaluate } from '../iam/policy.js';
import type { HttpApiEvent, Integrations } from './integrations.js';
import { GatewayRefusal, type GatewayIdentity, type GatewayRequest } from './caller.js';
import type { HttpAnswer } from './responses.js';
import { Router } from './routes.js';
import { isPreflight, preflightAnswer, withCorsHeaders } from './http-cors.js';
import { HttpLambdaAuthorizers, type HttpAuthorizerRequest } from './http-lambda-authorizers.js';
import { contextVariables, identityValues } from './lambda-authorizers.js';

/** An HTTP API's own refusal: its status, message and extra headers. */
class HttpApiRefusal extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const notFound = () => new HttpApiRefusal(404, 'Not Found');
const internalError = () => new HttpApiRefusal(500, 'Internal Server Error');
const forbidden = (headers: Record<string, string> = {}) => new HttpApiRefusal(403, 'Forbidden', headers);
/** https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html */
const unauthorized = (description?: string) =>
  new HttpApiRefusal(401, 'Unauthorized', { 'www-authenticate': description ? `Bearer scope="" error="invalid_token" error_description="${description}"` : 'Bearer' });

/** The gateway's identity services, and the app's user-pool client ids (what `app` stands for in a JWT authorizer's audience). */
type HttpApiIdentity = GatewayIdentity & { appClientIds: string[] };

export class HttpApiGateway {
  static readonly PREFIX = '/apis/';
  readonly stats = { requests: 0 };
  private readonly integrations: Integrations;
  private readonly apis = new Map<string, { api: HttpApi; router: Router<HttpRoute>; fallback: HttpRoute | undefined }>();

  readonly lambdaAuthorizers: HttpLambdaAuthorizers;

  constructor(private readonly section: RestSection, private readonly identity: HttpApiIdentity, integrations: Integrations, private readonly log: (line: string) => void) {
    this.integrations = integrations;
    this.lambdaAuthorizers = new HttpLambdaAuthorizers((a) => integrations.authorizerFunction(a));
    for (const api of section.httpApis) {
      this.apis.set(api.id, { api, router: new Router(api.routes.filter((r) => r.resourcePath !== '$default')), fallback: api.routes.find((r) => r.resourcePath === '$default') });
    }
  }

  /** Forgets cached authorizer decisions. */
  reset(): void {
    this.lambdaAuthorizers.reset();
  }

  /** Where an API is served, below the emulator's base URL (with the trailing slash an HttpApi's url has). */
  static pathOf(api: HttpApi): string {
    return `${HttpApiGateway.PREFIX}${api.id}/${api.stage === '$default' ? '' : `${api.stage}/`}`;
  }

  async handle(req: GatewayRequest): Promise<HttpAnswer> {
    this.stats.requests++;
    const requestId = randomUUID();
    try {
      return await this.answer(req, requestId);
    } catch (e) {
      if (e instanceof GatewayRefusal) return reply(requestId, e.error.status, e.error.message);
      if (!(e instanceof HttpApiRefusal)) throw e;
      return reply(requestId, e.status, e.message, e.headers);
    }
  }

  private async answer(req: GatewayRequest, requestId: string): Promise<HttpAnswer> {
    const url = new URL(req.url, 'http://gateway');
    const [apiId, ...below] = url.pathname.slice(HttpApiGateway.PREFIX.length).split('/');
    const entry = this.apis.get(apiId ?? '');
    if (!entry) throw notFound();
    const { api } = entry;
    if (api.stage !== '$default' && below.shift() !== api.stage) throw notFound();
    if (req.body === undefined) throw new HttpApiRefusal(413, 'Request Entity Too Large');
    const path = `/${below.join('/')}`;
    const verb = req.method.toUpperCase();
    const found = entry.router.routeByMethod(verb, path);
    const route = found?.method ?? entry.fallback;
    if (!route) {
      if (api.cors && isPreflight(verb, req.headers)) return preflightAnswer(api.cors, req.headers, requestId);
      throw notFound();
    }
    const routeKey = routeKeyOf(route);
    const query = Object.fromEntries(url.searchParams);
    const routeArn = `arn:aws:execute-api:${this.section.region}:${this.section.account}:${api.id}/${api.stage}/${verb}${path}`;
    const context = {
      accountId: this.section.account, apiId: api.id, stage: api.stage, requestId, routeKey,
      http: { method: verb, path, protocol: 'HTTP/1.1', sourceIp: req.sourceIp, userAgent: req.headers['user-agent'] ?? '' },
    };
    const authorizer = await this.authorize(api, route, req, {
      routeArn, routeKey, rawPath: path, rawQueryString: url.search.slice(1), verb, headers: req.headers, query, pathParameters: found?.pathParameters ?? {}, requestContext: context,
      contextVariables: contextVariables({ accountId: this.section.account, apiId: api.id, domainName: req.host, httpMethod: verb, sourceIp: req.sourceIp, path, requestId, stage: api.stage }, { routeKey }),
      stageVariables: api.stageVariables ?? null,
    });
    const event: HttpApiEvent = {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: url.search.slice(1),
      headers: req.headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(found && Object.keys(found.pathParameters).length ? { pathParameters: found.pathParameters } : {}),
      ...(api.stageVariables ? { stageVariables: api.stageVariables } : {}),
      requestContext: { ...context, ...(authorizer ? { authorizer } : {}) },
      ...(req.body ? { body: req.body } : {}),
      isBase64Encoded: false,
    };
    const answer = await this.integrations.run(route.integration, event, { routeKey, path, httpMethod: verb });
    return api.cors ? withCorsHeaders(api.cors, req.headers.origin, answer) : answer;
  }

  /** What the route's authorization found out about the caller (the event's `requestContext.authorizer`), or throws. */
  private async authorize(api: HttpApi, route: HttpRoute, req: GatewayRequest, r: HttpAuthorizerRequest): Promise<Record<string, unknown> | undefined> {
    const auth = route.authorization;
    const headers = req.headers;
    switch (auth.type) {
      case 'NONE':
        return undefined;
      case 'AWS_IAM': {
        if (!headers.authorization) throw forbidden();
        const url = new URL(req.url, 'http://gateway');
        const caller = await this.identity.verifySignature({ method: req.method, path: url.pathname, query: url.search.slice(1), headers: { ...headers, host: headers.host ?? req.host }, body: req.body ?? '' });
        if (caller.policies !== 'all' && evaluate(caller.policies, { action: 'execute-api:Invoke', resource: r.routeArn, context: caller.context }).outcome !== 'allow') throw forbidden();
        return { iam: { accessKey: caller.accessKey, accountId: this.section.account, userArn: caller.userArn, cognitoIdentity: caller.cognitoIdentityId ? { identityId: caller.cognitoIdentityId, identityPoolId: caller.cognitoIdentityPoolId, amr: [caller.cognitoAuthenticationType] } : null } };
      }
      case 'CUSTOM': {
        const authorizer = api.authorizers.find((a) => a.id === auth.authorizer);
        if (authorizer?.type !== 'REQUEST') throw internalError();
        const identity = identityValues(authorizer.identitySources, r);
        if (!identity) throw new HttpApiRefusal(401, 'Unauthorized');
        const decided = await this.lambdaAuthorizers.decide(authorizer, identity, r);
        if ('error' in decided) {
          this.log(`Lambda authorizer ${authorizer.name} failed: ${decided.error}`);
          throw internalError();
        }
        if (!decided.allowed) throw forbidden();
        return { lambda: decided.context };
      }
      case 'JWT': {
        const found = api.authorizers.find((a) => a.id === auth.authorizer);
        const authorizer = found?.type === 'JWT' ? found : undefined;
        if (!authorizer) throw internalError();
        const header = authorizer.identitySource.replace(/^\$request\.header\./i, '').toLowerCase();
        const raw = headers[header];
        if (!raw) throw unauthorized();
        const token = raw.replace(/^Bearer\s+/i, '');
        let claims: Claims;
        try {
          claims = await this.identity.verifyUserPoolToken(token, authorizer.issuer === 'app' ? ['app'] : []);
        } catch {
          throw unauthorized('the token could not be validated');
        }
        const audiences = authorizer.audience.flatMap((a) => (a === 'app' ? this.identity.appClientIds : [a]));
        // `aud` when the token has one, else `client_id`.
        const named = claims.aud !== undefined ? claims.aud : claims.client_id;
        if (!(Array.isArray(named) ? named : [named]).some((a) => typeof a === 'string' && audiences.includes(a))) throw unauthorized('the token does not have a valid audience');
        const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
        if (auth.scopes.length && !scopes.some((s) => auth.scopes.includes(s))) {
          throw forbidden({ 'www-authenticate': `Bearer scope="${auth.scopes.join(' ')}" error="insufficient_scope" error_description="the token does not have the scope required by the route"` });
        }
        return { jwt: { claims: Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)])), scopes: scopes.length ? scopes : null } };
      }
    }
  }
}

function reply(requestId: string, status: number, message: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { ...headers, 'content-type': 'application/json', 'apigw-requestid': requestId }, body: JSON.stringify({ message }) };
}
