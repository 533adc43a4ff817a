/**
 * An HTTP API's CORS configuration, applied as API Gateway applies it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): the API answers a preflight
 * (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) that no route takes, and puts the configured headers
 * on the integration's answers to a request with an `Origin`, in place of the integration's own CORS headers.
 * A route that takes the `OPTIONS` request (an `OPTIONS` or `ANY` route, the `$default` route) handles it instead,
 * with its authorization: the http-gateway routes first.
 */
import type { HttpCors } from '../../schema/rest/model.js';
import type { HttpAnswer } from './responses.js';

export function isPreflight(verb: string, headers: Record<string, string>): boolean {
  return verb === 'OPTIONS' && !!headers.origin && !!headers['access-control-request-method'];
}

/** The allowed origin to echo (`*`, or the request's own when listed or matching a `scheme://*` pattern), else undefined. */
function allowedOrigin(cors: HttpCors, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  return cors.allowOrigins.some((o) => o === origin || (o.endsWith('*') && origin.startsWith(o.slice(0, -1)))) ? origin : undefined;
}

/** The preflight answer: 204 with the configured headers for an allowed origin, without any for another. */
export function preflightAnswer(cors: HttpCors, headers: Record<string, string>, requestId: string): HttpAnswer {
  const origin = allowedOrigin(cors, headers.origin);
  const out: Record<string, string> = { 'apigw-requestid': requestId };
  if (origin) {
    out['access-control-allow-origin'] = origin;
    if (cors.allowMethods.length) out['access-control-allow-methods'] = cors.allowMethods.join(',');
    if (cors.allowHeaders.length) out['access-control-allow-headers'] = cors.allowHeaders.join(',');
    if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
    if (cors.maxAge !== undefined) out['access-control-max-age'] = String(cors.maxAge);
  }
  return { status: 204, headers: out, body: '' };
}

/** The integration's answer with its own CORS headers replaced by the configured ones. */
export function withCorsHeaders(cors: HttpCors, origin: string | undefined, answer: HttpAnswer): HttpAnswer {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !k.toLowerCase().startsWith('access-control-')));
  const allowed = allowedOrigin(cors, origin);
  if (allowed) {
    headers['access-control-allow-origin'] = allowed;
    if (cors.exposeHeaders.length) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { ...answer, headers };
}
