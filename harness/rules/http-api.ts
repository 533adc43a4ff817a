/**
 * The oracle's account of an HTTP API (API Gateway v2), independent of the emulator: a route with no
 * authorization lets every request through; an IAM route needs a SigV4 signature whose role's identity-based
 * policies allow `execute-api:Invoke` on the route's ARN (the same policy evaluation as REST APIs); a JWT route
 * needs a token of the authorizer's issuer whose `aud` (or, without `aud`, `client_id`) is one of its audiences,
 * and, when the route names scopes, a `scope` claim holding one of them; a Lambda authorizer route calls the app's
 * function when every identity source is present, and its answer (`isAuthorized`, or an IAM policy on the route's ARN)
 * decides. Sources and the answers' wire form: docs/rest.md, "HTTP APIs".
 */
import type { HttpApi, HttpRoute, HttpMethod, RestSection } from '../schema/rest/model.js';
import { caveatText } from './iam-policy.js';
import { authorizerPolicyVerdict, invokeVerdict, methodRule, missingIdentitySource, type RestCaller, type RestDecision } from './rest.js';

export interface HttpApiRequest {
  api: HttpApi;
  route: HttpRoute;
  verb: HttpMethod;
  path: string;
}

/** An HTTP API's own answers (`{"message": …}` bodies; no `x-amzn-ErrorType`). */
export const HTTP_API_ANSWERS = {
  notFound: { status: 404, message: 'Not Found' },
  unauthorized: { status: 401, message: 'Unauthorized' },
  forbidden: { status: 403, message: 'Forbidden' },
  internalError: { status: 500, message: 'Internal Server Error' },
} as const;

export function decideHttpApi(section: RestSection, caller: RestCaller, req: HttpApiRequest): RestDecision {
  const { api, route } = req;
  const rule = methodRule(api, route);
  const deny = (answer: { status: number; message: string }, reason: string, authorizer?: string): RestDecision =>
    ({ outcome: 'deny', rule, reason, status: answer.status, message: answer.message, requestLevel: true, ...(authorizer ? { authorizer } : {}) });
  const authz = route.authorization;
  switch (authz.type) {
    case 'NONE':
      return { outcome: 'allow', rule, reason: `allowed: ${rule} has no authorization` };
    case 'AWS_IAM': {
      if (caller.authorization) {
        // A token where a signature is expected: the header is read as a malformed signature; only the status is compared.
        return { outcome: 'deny', rule, reason: `denied: ${rule} requires a SigV4 signature, and the request's Authorization header holds a token instead`, status: 403, requestLevel: true };
      }
      if (!caller.signer) return deny(HTTP_API_ANSWERS.forbidden, `denied: ${rule} requires a SigV4 signature and the request is not signed`);
      const signer = caller.signer;
      if (signer.kind === 'admin') return { outcome: 'allow', rule, reason: `allowed: ${signer.roleName}'s own policies allow execute-api:Invoke on every API` };
      const { role, arn, verdict } = invokeVerdict(section, api, signer, req.verb, req.path);
      const caveat = caveatText(verdict);
      if (verdict.effect === 'Allow') return { outcome: 'allow', rule, reason: `allowed: ${role}'s policy allows execute-api:Invoke on ${verdict.resource} (${arn})${caveat}` };
      return deny(HTTP_API_ANSWERS.forbidden, verdict.effect === 'Deny'
        ? `denied: ${role}'s policy denies execute-api:Invoke on ${verdict.resource} explicitly${caveat}`
        : `denied: ${role}'s policy does not allow execute-api:Invoke on ${arn}${signer.kind === 'authenticated' && signer.groups.length ? ' (a group member gets the group\'s role instead of the authenticated role)' : ''}${caveat}`);
    }
    case 'JWT': {
      const found = api.authorizers.find((a) => a.id === authz.authorizer);
      const authorizer = found?.type === 'JWT' ? found : undefined;
      const name = authorizer?.name ?? authz.authorizer;
      const refuse = (why: string) => deny(HTTP_API_ANSWERS.unauthorized, `denied: ${rule} uses the JWT authorizer ${name}, and ${why}`, name);
      const token = caller.authorization;
      if (!token) return refuse(caller.signer ? 'the request carries a SigV4 signature instead of a token' : 'the request has no Authorization header');
      if (token.kind !== 'cognito' || token.pool !== 'app' || authorizer?.issuer !== 'app') return refuse('the token was not issued by the issuer the authorizer trusts');
      // An ID token names the client in `aud`, an access token in `client_id` (no `aud`): either passes.
      if (!authorizer.audience.includes('app')) return refuse(`the token names the app's client, which is not among the authorizer's audiences`);
      if (!authz.scopes.length) return { outcome: 'allow', rule, reason: `allowed: ${rule} accepts any valid ${token.use === 'id' ? 'ID' : 'access'} token of the user pool (authorizer ${name}, no scopes)`, authorizer: name };
      const held = token.scopes.find((s) => authz.scopes.includes(s));
      if (!held) return deny(HTTP_API_ANSWERS.forbidden, `denied: ${rule} requires one of the scopes ${authz.scopes.join(', ')}, and the ${token.use === 'id' ? 'ID token holds no scope' : 'access token holds none of them'}`, name);
      return { outcome: 'allow', rule, reason: `allowed: the access token holds the scope ${held} that ${rule} requires (authorizer ${name})`, authorizer: name };
    }
    case 'CUSTOM': {
      const found = api.authorizers.find((a) => a.id === authz.authorizer);
      if (found?.type !== 'REQUEST') return deny(HTTP_API_ANSWERS.internalError, `denied: ${rule} names an authorizer the API does not have`);
      const name = found.name;
      const missing = missingIdentitySource(found, caller, api.stageVariables);
      if (missing) return deny(HTTP_API_ANSWERS.unauthorized, `denied: the Lambda authorizer ${name} is not invoked: ${missing}`, name);
      const answer = caller.authorizerAnswers?.[found.id];
      if (!answer) return deny(HTTP_API_ANSWERS.unauthorized, `denied: the Lambda authorizer ${name} refuses the caller`, name);
      switch (answer.kind) {
        case 'unauthorized':
        case 'error':
          return deny(HTTP_API_ANSWERS.internalError, `denied: the Lambda authorizer ${name} fails (${answer.kind === 'error' ? answer.message : 'Unauthorized'}), which an HTTP API answers with 500`, name);
        case 'simple':
          return answer.isAuthorized
            ? { outcome: 'allow', rule, reason: `allowed: the Lambda authorizer ${name} answers isAuthorized: true for this caller`, authorizer: name }
            : deny(HTTP_API_ANSWERS.forbidden, `denied: the Lambda authorizer ${name} answers isAuthorized: false for this caller`, name);
        case 'policy': {
          const verdict = authorizerPolicyVerdict(section, api, name, answer.policy, req.verb, req.path);
          return verdict.effect === 'Allow' ? { outcome: 'allow', rule, reason: verdict.reason, authorizer: name } : deny(HTTP_API_ANSWERS.forbidden, verdict.reason, name);
        }
      }
    }
  }
}

/**
 * A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`, no credentials) to `path`: a route that
 * takes `OPTIONS` there (an `OPTIONS` or `ANY` route, else the `$default` route) handles it with its authorization;
 * with none, an API with a CORS configuration answers it itself
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html: "automatically sends a response to
 * preflight OPTIONS requests, even if there isn't an OPTIONS route"; the `$default` route "catches requests for all
 * methods … including OPTIONS requests"), and one without answers 404.
 */
export function decideHttpPreflight(section: RestSection, api: HttpApi, path: string): RestDecision {
  const route = selectHttpRoute(api, 'OPTIONS', path);
  if (route) {
    const d = decideHttpApi(section, {}, { api, route, verb: 'OPTIONS', path });
    return { ...d, reason: `${d.reason} (the preflight is routed to ${route.resourcePath === '$default' ? 'the $default route' : `${route.method} ${route.resourcePath}`}, not answered by the API's CORS configuration)` };
  }
  const rule = `${api.name} OPTIONS ${path}`;
  if (!api.cors) return { outcome: 'deny', rule, reason: `denied: no route of ${api.name} takes OPTIONS ${path} and the API has no CORS configuration`, status: HTTP_API_ANSWERS.notFound.status, message: HTTP_API_ANSWERS.notFound.message, requestLevel: true };
  return { outcome: 'allow', rule, reason: `allowed: no route of ${api.name} takes OPTIONS ${path}, so the API's CORS configuration answers the preflight without authorization` };
}

/**
 * The route a request selects (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
 * "Routing API requests"): among the routes taking the verb (its own or `ANY`) whose path matches, a full match before
 * a match through a greedy variable; then the most specific path (per segment from the left: a literal, then a
 * variable, then a greedy variable); at one path the verb's own route before `ANY`; else the `$default` route; else none
 * (404 Not Found).
 */
export function selectHttpRoute(api: HttpApi, verb: string, path: string): HttpRoute | undefined {
  const segments = path === '/' ? [] : path.split('/').slice(1);
  const ranked = api.routes
    .filter((r) => (r.method === verb || r.method === 'ANY') && r.resourcePath !== '$default')
    .map((r) => ({ r, rank: matchRank(r.resourcePath === '/' ? [] : r.resourcePath.split('/').slice(1), segments) }))
    .filter((x): x is { r: HttpRoute; rank: number[] } => x.rank !== undefined)
    .sort((a, b) => Number(a.rank.includes(0)) - Number(b.rank.includes(0)) || compareRanks(b.rank, a.rank) || Number(a.r.method === 'ANY') - Number(b.r.method === 'ANY'));
  return ranked[0]?.r ?? api.routes.find((r) => r.resourcePath === '$default');
}

/** Per segment, 2 for a literal, 1 for a variable, 0 for a greedy variable (which ends the pattern); undefined: no match. */
function matchRank(pattern: string[], segments: string[]): number[] | undefined {
  const rank: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i];
    if (/^\{.+\+\}$/.test(p)) return i < segments.length && segments.slice(i).every(Boolean) ? [...rank, 0] : undefined;
    if (p === s) rank.push(2);
    else if (s && /^\{.+\}$/.test(p)) rank.push(1);
    else return undefined;
  }
  return pattern.length === segments.length ? rank : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d) return d;
  }
  return 0;
}
