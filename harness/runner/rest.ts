/**
 * Running REST cells: the persona's request as aws-amplify sends it (harness/client/rest.ts) with what
 * the cell's presentation says (its signature, a token, an API key) placed on the header path the cell
 * names, then the answer classified: a gateway denial (API Gateway's `x-amzn-ErrorType` with 401, 403,
 * or 500 for an authorizer failure) or a request that reached the integration, whatever the integration
 * answered (a handler's answer is never an auth verdict).
 */
import { RestClient, type RestResult } from '../client/rest.js';
import type { RestDecision } from '../rules/rest.js';
import type { Cell } from '../matrix/cells.js';
import { OVERRIDDEN } from '../matrix/rest-cells.js';
import type { RestAction } from '../matrix/rest-action.js';
import type { ResolvedRest } from './broker.js';
import { redactValue } from '../client/redact.js';

/** Error types API Gateway sends when it refuses a caller (docs/rest.md). */
const DENIALS = new Set([
  'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'InvalidSignatureException', 'UnrecognizedClientException',
  'ExpiredTokenException', 'AccessDeniedException', 'UnauthorizedException', 'ForbiddenException', 'AuthorizerConfigurationException',
]);

/** The origin a preflight names. */
const PREFLIGHT_ORIGIN = 'https://authmatrix.example';

export interface RestObservation {
  outcome: 'allow' | 'deny' | 'error';
  status?: number;
  errorType?: string;
  message?: unknown;
  summary: string;
}

export interface RestRuntime {
  /** Each API's endpoint and signing region, by the name the client uses. */
  endpoints: Record<string, { endpoint: string; region: string }>;
  credentials: (persona: string) => Promise<ResolvedRest>;
  headersOf: (persona: string) => Record<string, string> | undefined;
}

export async function sendRest(rt: RestRuntime, cell: Cell, action: RestAction): Promise<{ obs: RestObservation; result: RestResult }> {
  const api = rt.endpoints[action.api];
  if (!api) throw new Error(`the run has no endpoint for REST API ${action.api}`);
  const creds = await rt.credentials(cell.persona);
  const credential = presented(action, creds);
  const own = rt.headersOf(cell.persona) ?? {};
  const global = action.headerPath === 'global' ? credential : action.headerPath === 'override' ? Object.fromEntries(Object.keys(credential).map((k) => [k, OVERRIDDEN])) : {};
  // A preflight is what a browser sends before a cross-origin request (docs/rest.md, "HTTP APIs").
  const preflight: Record<string, string> = action.method === 'OPTIONS' ? { origin: PREFLIGHT_ORIGIN, 'access-control-request-method': 'GET' } : {};
  const perRequest = action.headerPath === 'global' ? { ...own, ...preflight } : { ...own, ...preflight, ...credential };
  const client = new RestClient({
    apiName: action.api,
    endpoint: api.endpoint,
    region: api.region,
    ...(creds.credentials ? { credentials: creds.credentials } : {}),
    ...(Object.keys(global).length ? { libraryHeaders: () => global } : {}),
  });
  const call = (method: string, path: string) => client.send({
    method: method as RestAction['method'],
    path: path.replace(/^\//, ''),
    ...(Object.keys(perRequest).length ? { headers: perRequest } : {}),
    ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: { authmatrix: cell.id } } : {}),
  });
  if (action.after) await call(action.after.method, action.after.path);
  const result = await call(action.method, action.path);
  // Headers the persona presents to Lambda authorizers are credentials too.
  const secret = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  const sent = { ...result.sent, headers: Object.fromEntries(Object.entries(result.sent.headers).map(([k, v]) => [k, secret.has(k) ? redactValue(v) : v])) };
  const obs = action.httpApi ? classifyHttpApi(result) : classifyRest(result);
  const json = obs.outcome === 'deny' ? { message: obs.message } : result.json;
  return { obs, result: { ...result, sent, json, body: '' } };
}

/** The header the presentation puts on the request (signing needs none: the client signs by itself). */
function presented(action: RestAction, creds: ResolvedRest): Record<string, string> {
  switch (action.presentation) {
    case 'idToken':
      if (!creds.idToken) throw new Error('the persona has no ID token');
      return { Authorization: creds.idToken };
    case 'accessToken':
      if (!creds.accessToken) throw new Error('the persona has no access token');
      return { Authorization: creds.accessToken };
    case 'oidcToken':
      if (!creds.authorization) throw new Error('the persona has no OIDC token');
      return { Authorization: creds.authorization };
    case 'apiKey': {
      const key = creds.apiKeys?.[action.api];
      if (!key) throw new Error(`the persona has no API key for ${action.api}`);
      return { 'x-api-key': key };
    }
    case 'token':
      return creds.authorization ? { Authorization: creds.authorization } : {};
    default:
      return {};
  }
}

export function classifyRest(r: RestResult): RestObservation {
  const errorType = r.headers['x-amzn-errortype']?.split(':')[0];
  const message = withoutCredentials((r.json as { message?: unknown } | undefined)?.message);
  if (errorType && DENIALS.has(errorType) && (r.status === 401 || r.status === 403 || r.status === 500)) {
    return { outcome: 'deny', status: r.status, errorType, message, summary: `${r.status} ${errorType}${typeof message === 'string' ? `: ${message.slice(0, 120)}` : ''}` };
  }
  return { outcome: 'allow', status: r.status, summary: `${r.status} from the ${errorType ? `gateway (${errorType})` : 'integration'}` };
}

/**
 * An HTTP API's refusal: 401 or 403 (or a failed authorizer's 500 `Internal Server Error`) whose body is only
 * `{"message": …}` and no `x-amzn-ErrorType` (docs/rest.md, "HTTP APIs"); anything else reached the integration.
 */
export function classifyHttpApi(r: RestResult): RestObservation {
  const json = r.json as Record<string, unknown> | undefined;
  const only = json && typeof json === 'object' && !Array.isArray(json) && Object.keys(json).length === 1 && typeof json.message === 'string';
  const refusal = r.status === 401 || r.status === 403 || (r.status === 500 && json?.message === 'Internal Server Error');
  if (refusal && only && !r.headers['x-amzn-errortype']) {
    const message = withoutCredentials(json.message);
    return { outcome: 'deny', status: r.status, message, summary: `${r.status}: ${String(message).slice(0, 120)}` };
  }
  return { outcome: 'allow', status: r.status, summary: `${r.status} from the integration` };
}

/** API Gateway quotes the Authorization header it could not read (IncompleteSignatureException): never kept. */
function withoutCredentials(message: unknown): unknown {
  return typeof message === 'string' ? message.replace(/'([^']*)'/g, (_, v: string) => `'${redactValue(v)}'`) : message;
}

export function judgeRest(cell: Cell, obs: RestObservation): { pass: boolean; detail: string } {
  const d = cell.decision as RestDecision;
  if (obs.outcome === 'error') return { pass: false, detail: `expected ${cell.expected}, got an error that is not an auth outcome: ${obs.summary}` };
  if (cell.expected === 'allow') {
    return obs.outcome === 'allow' ? { pass: true, detail: '' } : { pass: false, detail: `expected API Gateway to let the request through, got ${obs.summary}` };
  }
  const expected = `${d.status}${d.errorType ? ` ${d.errorType}` : ''}`;
  if (obs.outcome !== 'deny') return { pass: false, detail: `expected ${expected}, the request reached the integration (${obs.summary})` };
  if (obs.status !== d.status || obs.errorType !== d.errorType) return { pass: false, detail: `expected ${expected}, got ${obs.status}${obs.errorType ? ` ${obs.errorType}` : ''}` };
  if (d.message !== undefined && obs.message !== d.message) return { pass: false, detail: `expected the message ${JSON.stringify(d.message)}, got ${JSON.stringify(obs.message)}` };
  if (d.messageEnd !== undefined && !(typeof obs.message === 'string' && /^User: \S+$/.test(obs.message.slice(0, -d.messageEnd.length)) && obs.message.endsWith(d.messageEnd))) {
    return { pass: false, detail: `expected a message "User: <caller>${d.messageEnd}", got ${JSON.stringify(obs.message)}` };
  }
  return { pass: true, detail: '' };
}
