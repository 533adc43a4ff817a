/**
 * The REST section of the AuthModel: API Gateway REST APIs as they are deployed (every method with its
 * resolved authorization, CDK's defaults already applied by CDK itself), the Lambda functions they call,
 * and the IAM policies the identity pool's roles carry. Plain JSON; loaders (CDK synthesis of
 * `amplify/backend.ts`, a deployed API read with the API Gateway SDK) only normalize into it.
 */
import type { PolicyStatement } from '../auth-resources.js';

/** API Gateway's method verbs; `ANY` matches every verb not declared on the same resource. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export type MethodVerb = HttpMethod | 'ANY';

export interface RestSection {
  /** Region and account written into the execute-api ARNs of the APIs and policies below. */
  region: string;
  account: string;
  apis: RestApi[];
  /** HTTP APIs (API Gateway v2): routes, JWT authorizers and answers of their own. */
  httpApis: HttpApi[];
  /** Lambda functions the APIs call (integrations and authorizers). */
  functions: RestFunction[];
  /** Identity-based policies of the identity pool's roles, as the app attaches them. */
  rolePolicies: RolePolicies;
  /**
   * The identity pool's id as the policies above name it (a `Ref` to the pool: cfn.ts's stand-in): the value of
   * `cognito-identity.amazonaws.com:aud` for the pool's credentials. The emulator adopts it as its pool's id.
   */
  identityPoolId?: string;
  /**
   * The app user pool's clients allowed the client-credentials grant (machine-to-machine), with the scopes each may
   * be granted: what a method's `authorizationScopes` can name besides the sign-in scope. Absent: none, or not read.
   */
  appClients?: AppClient[];
  /** What the source could not tell or authmatrix does not model (HTTP APIs, resource policies, ...). */
  caveats: string[];
}

/** A user-pool app client allowed the client-credentials grant (CDK `oAuth.flows.clientCredentials`). */
export interface AppClient {
  /** Its `ClientName`, else its construct id (`addClient('m2m-client', …)`), else its logical id. */
  name: string;
  /** `AllowedOAuthScopes`: resource-server scopes (`api/read`) and standard ones the grant may hold. */
  scopes: string[];
}

/** IAM policy documents (`{ Version, Statement }`), values resolved to strings, statements always a list. */
export type PolicyDocument = { Version?: string; Statement: PolicyStatement[] };
export type { PolicyStatement };

export interface RolePolicies {
  /** The identity pool's authenticated role (signed-in users without a group role). */
  authenticated: PolicyDocument[];
  /** The identity pool's unauthenticated role (guests). */
  unauthenticated: PolicyDocument[];
  /** Each user-pool group's role, by group name. */
  groups: Record<string, PolicyDocument[]>;
  /** The user-pool groups by precedence, first wins: a member of several gets the first one's role. */
  groupPrecedence: string[];
}

export interface RestApi {
  /** The name the client uses (`outputs.custom.API[name]`, `restApiName`). */
  name: string;
  /** The API id written in ARNs and URLs. */
  id: string;
  /** The deployed stage (`deployOptions.stageName`, `prod` when CDK chose it). */
  stage: string;
  /** The stage's variables (`deployOptions.variables`, the stage's `Variables`); absent when it defines none. */
  stageVariables?: StageVariables;
  /** Where API keys are read from: the `x-api-key` header, or the Lambda authorizer's `usageIdentifierKey`. */
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  methods: RestMethod[];
  authorizers: RestAuthorizer[];
  /** API keys, with the stages their usage plans cover. */
  apiKeys: RestApiKey[];
  /** Customized gateway responses (e.g. CORS headers on DEFAULT_4XX). */
  gatewayResponses: GatewayResponse[];
  /**
   * A Gen 1 REST category's API: the CLI's inputs file it is read from, in `amplify/backend/api/<name>/`:
   * `cli-inputs.json`, or `api-params.json` in a project from before it (app shape gen1-club). Findings name it.
   */
  gen1Inputs?: 'cli-inputs.json' | 'api-params.json';
}

export interface RestMethod {
  /** The resource path as API Gateway writes it: `/`, `/items`, `/items/{proxy+}`, `/users/{id}`. */
  resourcePath: string;
  method: MethodVerb;
  authorization: MethodAuthorization;
  apiKeyRequired: boolean;
  integration: Integration;
}

export type MethodAuthorization =
  | { type: 'NONE' }
  | { type: 'AWS_IAM' }
  /** Scopes set: an access token holding one of them is required; none: an ID token is required. */
  | { type: 'COGNITO_USER_POOLS'; authorizer: string; scopes: string[] }
  | { type: 'CUSTOM'; authorizer: string };

export type RestAuthorizer = CognitoAuthorizer | TokenAuthorizer | RequestAuthorizer;

interface AuthorizerBase {
  /** The authorizer's id (what methods name). */
  id: string;
  name: string;
  /** Seconds a decision is cached; 0: not cached. API Gateway's default (300) when unset. */
  ttlSeconds: number;
}

export interface CognitoAuthorizer extends AuthorizerBase {
  type: 'COGNITO_USER_POOLS';
  /** `app`: the app's own user pool (`backend.auth.resources.userPool`); otherwise a pool ARN. */
  userPools: string[];
  /** `method.request.header.Authorization` unless changed. */
  identitySource: string;
}

export interface TokenAuthorizer extends AuthorizerBase {
  type: 'TOKEN';
  /** Id of the function in `RestSection.functions`. */
  function: string;
  /** `method.request.header.<Name>`. */
  identitySource: string;
  validationRegex?: string;
}

export interface RequestAuthorizer extends AuthorizerBase {
  type: 'REQUEST';
  function: string;
  /** `method.request.header.X`, `method.request.querystring.q`, `stageVariables.v`, `context.c`; may be empty when TTL is 0. */
  identitySources: string[];
}

export interface RestApiKey {
  id: string;
  name: string;
  /** The key's value when the definition sets it; generated by the emulator otherwise. */
  value?: string;
  enabled: boolean;
  /** Stages of this API that a usage plan holding the key covers. */
  stages: string[];
}

export interface GatewayResponse {
  /** `DEFAULT_4XX`, `DEFAULT_5XX`, `MISSING_AUTHENTICATION_TOKEN`, `UNAUTHORIZED`, `ACCESS_DENIED`, ... */
  type: string;
  statusCode?: number;
  /** Header name → static value (API Gateway's quotes removed). */
  headers: Record<string, string>;
}

export type Integration =
  | { kind: 'lambda'; function: string }
  /** API Gateway answers by itself (the CORS preflight CDK adds): status and static headers. */
  | { kind: 'mock'; statusCode: number; headers: Record<string, string> }
  /** HTTP, AWS service or other integrations: authmatrix answers 200 with the request. */
  | { kind: 'other'; type: string };

export interface RestFunction {
  id: string;
  /** The function's name in the app (`defineFunction({ name })`, the construct id). */
  name: string;
  /** Absolute path of the handler module, when known. */
  entry?: string;
  /** The exported handler's name (`handler` for Amplify functions). */
  exportName: string;
}

/**
 * An HTTP API (API Gateway v2) as deployed: its routes (`GET /items`, `ANY /items/{proxy+}`, `$default`) with their
 * authorization, and its JWT and Lambda authorizers.
 */
export interface HttpApi {
  name: string;
  id: string;
  /** `$default` (no stage in the URL) or a named stage. */
  stage: string;
  /** The stage's variables (`stageVariables` of `HttpStage`, the stage's `StageVariables`); absent when it defines none. */
  stageVariables?: StageVariables;
  routes: HttpRoute[];
  authorizers: HttpAuthorizer[];
  /** The API's CORS configuration (`CorsConfiguration`): the API answers preflights no route takes. */
  cors?: HttpCors;
}

/** An HTTP API's `CorsConfiguration`, header names lower-cased. */
export interface HttpCors {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface HttpRoute {
  /** `GET`, …, or `ANY`; `$default` routes have `ANY`. */
  method: MethodVerb;
  /** `/items`, `/items/{proxy+}`; `$default` for the catch-all route. */
  resourcePath: string;
  authorization: { type: 'NONE' } | { type: 'AWS_IAM' } | { type: 'JWT'; authorizer: string; scopes: string[] } | { type: 'CUSTOM'; authorizer: string };
  integration: Integration;
}

/** A route's route key, as API Gateway names it (`GET /items/{id}`, `$default`). */
export function routeKeyOf(route: Pick<HttpRoute, 'method' | 'resourcePath'>): string {
  return route.resourcePath === '$default' ? '$default' : `${route.method} ${route.resourcePath}`;
}

export type HttpAuthorizer = JwtAuthorizer | HttpLambdaAuthorizer;

export interface JwtAuthorizer {
  type: 'JWT';
  id: string;
  name: string;
  /** `app`: the app's own user pool's issuer; otherwise the issuer URL. */
  issuer: string;
  /** Accepted `aud` (ID tokens) or `client_id` (access tokens) values; `app` for the app's own client. */
  audience: string[];
  /** `$request.header.Authorization` unless changed. */
  identitySource: string;
}

/** An HTTP API's Lambda authorizer (`AuthorizerType: REQUEST`). */
export interface HttpLambdaAuthorizer {
  type: 'REQUEST';
  id: string;
  name: string;
  /** Id of the function in `RestSection.functions`. */
  function: string;
  /** The event's format: 2.0 (`identitySource` a list, `routeArn`) or 1.0 (as a REST API's REQUEST authorizer). */
  payloadVersion: '1.0' | '2.0';
  /** 2.0 only: the function answers `{ isAuthorized, context }` instead of an IAM policy. */
  simpleResponses: boolean;
  /** `$request.header.Authorization`, `$request.querystring.q`; every one must be present for the function to be called. */
  identitySources: string[];
  /** Seconds a decision is cached under the identity sources' values; 0: not cached. */
  ttlSeconds: number;
}

/** A stage's variables by name, never empty (a stage without variables has none: `stageVariables` absent). */
export type StageVariables = Readonly<Record<string, string>>;

/**
 * A stage's variables as the model keeps them, from a template's or the SDK's map: values as strings, and nothing
 * when there are none.
 */
export function stageVariablesOf(raw: unknown): { stageVariables?: StageVariables } {
  if (!raw || typeof raw !== 'object') return {};
  const entries = Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)] as const);
  return entries.length ? { stageVariables: Object.fromEntries(entries) } : {};
}

/**
 * A Lambda authorizer's identity source as API Gateway names it: REST APIs `method.request.header.X`,
 * `method.request.querystring.q`, `stageVariables.v`, `context.c`; HTTP APIs the same with `$request.`,
 * `$stageVariables.`, `$context.`. Undefined for anything else.
 */
export type IdentitySourceRef = { kind: 'header' | 'query' | 'stageVariable' | 'context'; name: string };

export function identitySourceOf(source: string): IdentitySourceRef | undefined {
  const request = /^\$?(?:method\.)?request\.(header|querystring)\.(.+)$/i.exec(source);
  if (request) return { kind: request[1]!.toLowerCase() === 'header' ? 'header' : 'query', name: request[2]! };
  const stage = /^\$?stageVariables\.(.+)$/.exec(source);
  if (stage) return { kind: 'stageVariable', name: stage[1]! };
  const context = /^\$?context\.(.+)$/.exec(source);
  return context ? { kind: 'context', name: context[1]! } : undefined;
}

/**
 * The `$context` variables API Gateway has set for every request by the time it calls a Lambda authorizer, whoever
 * the caller (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html). Others depend on the
 * caller (`identity.apiKey`, `identity.userAgent`) or come later (`authorizer.*`): authmatrix takes them as missing.
 */
export const REQUEST_CONTEXT_VARIABLES: Record<'rest' | 'http', readonly string[]> = {
  rest: ['accountId', 'apiId', 'domainName', 'httpMethod', 'identity.sourceIp', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'resourcePath', 'stage'],
  http: ['accountId', 'apiId', 'domainName', 'httpMethod', 'identity.sourceIp', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'routeKey', 'stage'],
};
