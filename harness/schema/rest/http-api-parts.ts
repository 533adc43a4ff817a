/**
 * One HTTP API (API Gateway v2) normalized into the model from its parts, named as CloudFormation's
 * `AWS::ApiGatewayV2::*` properties and the v2 SDK's outputs both name them (`RouteKey`, `AuthorizerId`,
 * `JwtConfiguration.Issuer`, …): the CDK reader (from-cfn.ts) and the deployed reader (http-from-sdk.ts) give
 * their parts here, so both produce the same model.
 */
import { HTTP_METHODS, stageVariablesOf, type HttpApi, type HttpAuthorizer, type HttpCors, type HttpRoute, type Integration, type MethodVerb } from './model.js';

export interface HttpApiParts {
  routes: { RouteKey?: string; AuthorizationType?: string; AuthorizerId?: string; AuthorizationScopes?: string[]; Target?: string }[];
  /** Each with its id (CloudFormation's physical id, the SDK's `AuthorizerId`). */
  authorizers: ({ id: string } & HttpAuthorizerParts)[];
  /** By id (what a route's `Target`, `integrations/<id>`, names). */
  integrations: Map<string, { IntegrationType?: string; IntegrationUri?: string }>;
  /** The stage tested (`$default` when none is given). */
  stage?: string;
  /** That stage's `StageVariables`. */
  stageVariables?: Record<string, unknown>;
  cors?: CorsParts;
}

export interface HttpAuthorizerParts {
  Name?: string;
  AuthorizerType?: string;
  IdentitySource?: string[];
  JwtConfiguration?: { Issuer?: string; Audience?: string[] };
  AuthorizerUri?: string;
  AuthorizerPayloadFormatVersion?: string;
  EnableSimpleResponses?: boolean;
  AuthorizerResultTtlInSeconds?: number;
}

export interface CorsParts {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  AllowCredentials?: boolean;
  MaxAge?: number;
}

/** What stands for `app`, and how a Lambda ARN or invocation URI names a function of the model. */
export interface HttpApiContext {
  /** The app's user pool id: a JWT issuer ending `/<pool id>` is `app`. */
  userPool?: string;
  /** The app's user pool client id: that audience is `app`. */
  userPoolClient?: string;
  fn: (uri: string) => string;
}

export function httpApiOf(name: string, id: string, parts: HttpApiParts, ctx: HttpApiContext): HttpApi {
  const integration = (target: string | undefined): Integration => {
    const raw = parts.integrations.get(/^integrations\/(.+)$/.exec(target ?? '')?.[1] ?? '');
    if (!raw) return { kind: 'other', type: 'none' };
    const type = String(raw.IntegrationType ?? '');
    const uri = String(raw.IntegrationUri ?? '');
    return type === 'AWS_PROXY' && uri.includes(':function:') ? { kind: 'lambda', function: ctx.fn(uri) } : { kind: 'other', type };
  };
  const routes: HttpRoute[] = [];
  for (const r of parts.routes) {
    const key = String(r.RouteKey);
    const [verb, path] = key === '$default' ? ['ANY', '$default'] : key.split(' ');
    if (!verb || !path || (verb !== 'ANY' && !(HTTP_METHODS as readonly string[]).includes(verb))) continue;
    const type = String(r.AuthorizationType ?? 'NONE');
    const authorizer = String(r.AuthorizerId ?? '');
    routes.push({
      method: verb as MethodVerb,
      resourcePath: path,
      authorization: type === 'AWS_IAM' ? { type } : type === 'JWT' ? { type, authorizer, scopes: (r.AuthorizationScopes ?? []).map(String) } : type === 'CUSTOM' ? { type, authorizer } : { type: 'NONE' },
      integration: integration(r.Target),
    });
  }
  routes.sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.method.localeCompare(b.method));
  const cors = httpCors(parts.cors);
  return { name, id, stage: parts.stage ?? '$default', ...stageVariablesOf(parts.stageVariables), routes, authorizers: parts.authorizers.map((a) => authorizerOf(a, ctx)), ...(cors ? { cors } : {}) };
}

function authorizerOf(a: { id: string } & HttpAuthorizerParts, ctx: HttpApiContext): HttpAuthorizer {
  const name = String(a.Name ?? a.id);
  const sources = (a.IdentitySource ?? []).map(String);
  if (a.AuthorizerType === 'REQUEST') {
    const version = String(a.AuthorizerPayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0';
    return {
      type: 'REQUEST', id: a.id, name, function: ctx.fn(String(a.AuthorizerUri ?? '')),
      payloadVersion: version, simpleResponses: version === '2.0' && a.EnableSimpleResponses === true,
      identitySources: sources, ttlSeconds: typeof a.AuthorizerResultTtlInSeconds === 'number' ? a.AuthorizerResultTtlInSeconds : 0,
    };
  }
  const issuer = String(a.JwtConfiguration?.Issuer ?? '');
  return {
    type: 'JWT', id: a.id, name,
    issuer: ctx.userPool && issuer.endsWith(`/${ctx.userPool}`) ? 'app' : issuer,
    audience: (a.JwtConfiguration?.Audience ?? []).map((x) => (x === ctx.userPoolClient ? 'app' : String(x))),
    identitySource: sources[0] ?? '$request.header.Authorization',
  };
}

function httpCors(raw: CorsParts | undefined): HttpCors | undefined {
  if (!raw) return undefined;
  const list = (v: unknown[] | undefined) => (v ?? []).map(String);
  return {
    allowOrigins: list(raw.AllowOrigins),
    allowMethods: list(raw.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: list(raw.AllowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: list(raw.ExposeHeaders).map((h) => h.toLowerCase()),
    allowCredentials: raw.AllowCredentials === true,
    ...(typeof raw.MaxAge === 'number' ? { maxAge: raw.MaxAge } : {}),
  };
}
