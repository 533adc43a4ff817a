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
  /** The identity ids the run minted, by the planned ids the cells' paths carry (rules/rest.ts plannedIdentityId). */
  identityIds: ReadonlyMap<string, string>;
}

/** A planned path with the minted identity ids in place of the planned ones. */
export function withMintedIdentityIds(path: string, ids: ReadonlyMap<string, string>): string {
  let out = path;
  for (const [planned, minted] of ids) out = out.split(planned).join(minted);
  const left = /[\w-]+:authmatrix-identity-[\w-]+/.exec(out);
  if (left) throw new Error(`the path names the identity id ${left[0]}, and no persona of this run has it`);
  return out;
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
  if (action.after) await call(action.after.method, withMintedIdentityIds(action.after.path, rt.identityIds));
  const result = await call(action.method, withMintedIdentityIds(action.path, rt.identityIds));
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

/**
 * An execute-api ARN's account and API id, as AWS's messages name them: a deployed app's are its own, the model's are
 * stand-ins (docs/rest.md, "Reading a deployed API"), and neither decides who may call what.
 */
const ARN_IDS = /arn:aws:execute-api:([\w-]+):\d{12}:[A-Za-z0-9]+\//g;
const withoutArnIds = (m: unknown) => (typeof m === 'string' ? m.replace(ARN_IDS, 'arn:aws:execute-api:$1:<account>:<api>/') : m);

/**
 * `identityIds`: the minted ids, which stand in AWS's messages (a resource's ARN) where the cell's planned ids are.
 * Messages are compared without the ARNs' account and API ids (ARN_IDS).
 */
export function judgeRest(cell: Cell, obs: RestObservation, identityIds: ReadonlyMap<string, string>): { pass: boolean; detail: string } {
  const planned = cell.decision as RestDecision;
  const minted = (m: string | undefined) => (m === undefined ? m : withoutArnIds(withMintedIdentityIds(m, identityIds)) as string);
  const d = { ...planned, message: minted(planned.message), messageEnd: minted(planned.messageEnd) };
  const message = withoutArnIds(obs.message);
  if (obs.outcome === 'error') return { pass: false, detail: `expected ${cell.expected}, got an error that is not an auth outcome: ${obs.summary}` };
  if (cell.expected === 'allow') {
    return obs.outcome === 'allow' ? { pass: true, detail: '' } : { pass: false, detail: `expected API Gateway to let the request through, got ${obs.summary}` };
  }
  const expected = `${d.status}${d.errorType ? ` ${d.errorType}` : ''}`;
  if (obs.outcome !== 'deny') return { pass: false, detail: `expected ${expected}, the request reached the integration (${obs.summary})` };
  if (obs.status !== d.status || obs.errorType !== d.errorType) return { pass: false, detail: `expected ${expected}, got ${obs.status}${obs.errorType ? ` ${obs.errorType}` : ''}` };
  if (d.message !== undefined && message !== d.message) return { pass: false, detail: `expected the message ${JSON.stringify(d.message)}, got ${JSON.stringify(obs.message)}` };
  if (d.messageEnd !== undefined && !(typeof message === 'string' && /^User: \S+$/.test(message.slice(0, -d.messageEnd.length)) && message.endsWith(d.messageEnd))) {
    return { pass: false, detail: `expected a message "User: <caller>${d.messageEnd}", got ${JSON.stringify(obs.message)}` };
  }
  return { pass: true, detail: '' };
}
