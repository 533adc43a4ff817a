/**
 * What runs once API Gateway has let a request through: the app's Lambda handler module with a Lambda
 * proxy event (or, in `stub` mode or when the module is unknown, a stand-in answering 200 with the event),
 * a MOCK integration's static answer (CDK's CORS preflight), or a stand-in for other integrations.
 * The answer is the handler's: it is never an authorization verdict.
 */
import type { Integration, RestFunction, RestSection, StageVariables } from '../../schema/rest/model.js';
import { loadHandler } from '../../schema/user-module.js';
import type { HttpAnswer } from './responses.js';
import { gatewayAnswer, gatewayErrors } from './responses.js';
import type { LambdaAuthorizer } from './lambda-authorizers.js';

/** `handlers`: run the app's modules where known; `stub`: never run app code for integrations. */
export type IntegrationMode = 'handlers' | 'stub';

export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  /** The stage's variables; null when it defines none. */
  stageVariables: StageVariables | null;
  requestContext: Record<string, unknown>;
  body: string | null;
  isBase64Encoded: boolean;
}

/** An HTTP API's Lambda proxy event, payload format 2.0 (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html). */
export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  /** Present when the stage defines variables. */
  stageVariables?: StageVariables;
  requestContext: Record<string, unknown>;
  body?: string;
  isBase64Encoded: boolean;
}

type Handler = (event: unknown, context: Record<string, unknown>) => unknown;

export class Integrations {
  private readonly modules = new Map<string, Promise<Handler>>();
  private readonly functions: Map<string, RestFunction>;

  constructor(section: RestSection, private readonly mode: IntegrationMode, private readonly log: (line: string) => void) {
    this.functions = new Map(section.functions.map((f) => [f.id, f]));
  }

  /** The authorizer's function: always the app's module (an authorizer that cannot run refuses everyone). */
  authorizerFunction(authorizer: Pick<LambdaAuthorizer, 'function' | 'name'>): Promise<Handler> {
    const fn = this.functions.get(authorizer.function);
    if (!fn?.entry) return Promise.reject(new Error(`the module of the authorizer ${authorizer.name} is not known`));
    return this.handler(fn);
  }

  /**
   * `event`: a REST API's proxy event, or an HTTP API's (payload 2.0); `seen`: what a stub answers with (the route the
   * request took).
   */
  async run(integration: Integration, event: ProxyEvent | HttpApiEvent, seen: Record<string, string>): Promise<HttpAnswer> {
    if (integration.kind === 'mock') return { status: integration.statusCode, headers: { ...integration.headers }, body: '' };
    const fn = integration.kind === 'lambda' ? this.functions.get(integration.function) : undefined;
    if (!fn?.entry || this.mode === 'stub') return stub(seen);
    let result: unknown;
    try {
      const handler = await this.handler(fn);
      result = await handler(event, { functionName: fn.name, awsRequestId: String(event.requestContext.requestId ?? '') });
    } catch (e) {
      this.log(`the handler of ${fn.name} failed: ${(e as Error)?.message ?? String(e)}`);
      return gatewayAnswer(gatewayErrors.integrationFailure(), []);
    }
    return proxyAnswer(result) ?? gatewayAnswer(gatewayErrors.integrationFailure(), []);
  }

  private handler(fn: RestFunction): Promise<Handler> {
    let h = this.modules.get(fn.id);
    if (!h) this.modules.set(fn.id, (h = loadHandler<Handler>(fn.entry!)));
    return h;
  }
}

/** A Lambda proxy result as API Gateway maps it; undefined when it is malformed (API Gateway answers 502). */
function proxyAnswer(result: unknown): HttpAnswer | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const status = Number(r.statusCode ?? 200);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string> = {};
  if (r.multiValueHeaders && typeof r.multiValueHeaders === 'object') {
    for (const [k, v] of Object.entries(r.multiValueHeaders)) headers[k.toLowerCase()] = (Array.isArray(v) ? v : [v]).join(',');
  }
  if (r.headers && typeof r.headers === 'object') for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  const body = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : undefined;
  if (body === undefined) return undefined;
  return { status, headers, body: r.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('latin1') : body };
}

function stub(seen: Record<string, string>): HttpAnswer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
    body: JSON.stringify({ authmatrix: 'stub integration', ...seen }),
  };
}
