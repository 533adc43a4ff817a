/**
 * The REST cells: every API × method (an `ANY` method once per verb in REST_ANY_VERBS, proxy and
 * parameter segments filled with a sample) × persona × what the persona presents (aws-amplify's default
 * signature, an ID or access token, an API key, a Lambda authorizer's token) × header path (per request,
 * global, a per-request header overriding a global one), each decided by the REST oracle.
 *
 * A Lambda authorizer's answer is the app's own code: the persona asked it beforehand for every method
 * (`Persona.restAnswers`, filled by personas/shared/rest-authorizers.ts). When an authorizer caches for
 * a TTL and a caller's answer for one method would decide another method differently, the order of
 * requests decides the outcome: only the first such method is a cell, a `cached` cell sends the two in
 * sequence, and the others are listed as untested with the reason.
 */
import { coversOwnIdentity, decideRest, missingIdentitySource, plannedIdentityId, type AuthorizerAnswer, type RestCaller, type RestDecision, type SigningRole } from '../rules/rest.js';
import type { AuthModel } from '../schema/model.js';
import { identitySourceOf, routeKeyOf, type HttpApi, type HttpAuthorizer, type HttpMethod, type HttpRoute, type RestApi, type RestAuthorizer, type RestMethod, type RestSection, type StageVariables } from '../schema/rest/model.js';
import { decideHttpApi, decideHttpPreflight, selectHttpRoute } from '../rules/http-api.js';
import type { Persona } from './cast.js';
import { cell, type Cell } from './cells.js';
import type { RestAction, RestHeaderPath, RestPresentation } from './rest-action.js';

/** Verbs an `ANY` method is tested with. */
export const REST_ANY_VERBS = ['GET', 'DELETE'] as const;
/** The scope Cognito puts in access tokens of a user-pool sign-in (and the emulator mints). */
export const SIGN_IN_SCOPE = 'aws.cognito.signin.user.admin';
/** What a global header holds when a per-request header overrides it. */
export const OVERRIDDEN = 'authmatrix-overridden-value';

export interface RestPlan {
  cells: Cell[];
  /** Cells that cannot run, with why. */
  untested: { cell: Cell; reason: string }[];
}

/** What each persona kind presents to a REST API. */
export function presentationsOf(p: Persona): RestPresentation[] {
  switch (p.kind) {
    case 'anonymous':
      return ['unsigned'];
    case 'guest':
    case 'iamUser':
    case 'iamAdmin':
      return ['signed'];
    case 'owner':
    case 'stranger':
    case 'groupMember':
      return ['signed', 'idToken', 'accessToken'];
    case 'oidcUser':
    case 'oidcStranger':
    case 'oidcGroupMember':
      // An OIDC token is a JWT of another issuer: aws-amplify sends it as it would a user-pool token.
      return ['oidcToken'];
    case 'restApiKey':
      return ['apiKey'];
    case 'restToken':
      return ['token'];
    case 'appClient':
      // A client-credentials grant yields an access token only.
      return ['accessToken'];
    default:
      return [];
  }
}

/** The oracle's view of the caller (authorizer answers added by the caller of this function). */
export function restCaller(p: Persona, presentation: RestPresentation): RestCaller {
  const headers = Object.fromEntries(Object.entries(p.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const base: RestCaller = Object.keys(headers).length ? { headers } : {};
  switch (presentation) {
    case 'unsigned':
      return base;
    case 'signed':
      return { ...base, signer: signerOf(p) };
    case 'idToken':
      return { ...base, authorization: { kind: 'cognito', use: 'id', scopes: [], pool: 'app' } };
    case 'accessToken':
      // A user's sign-in grants the sign-in scope; an app client's grant, the scopes the client is allowed.
      return { ...base, authorization: { kind: 'cognito', use: 'access', scopes: p.kind === 'appClient' ? p.appClient?.scopes ?? [] : [SIGN_IN_SCOPE], pool: 'app' } };
    case 'oidcToken':
      return { ...base, authorization: { kind: 'cognito', use: 'id', scopes: [], pool: 'other' } };
    case 'apiKey':
      return { ...base, apiKey: { valid: true } };
    case 'token':
      return { ...base, ...(p.token ? { authorization: { kind: 'opaque' as const, value: p.token } } : {}) };
  }
}

function signerOf(p: Persona): SigningRole {
  if (p.kind === 'guest') return { kind: 'unauthenticated', persona: p.name };
  if (p.kind === 'iamAdmin') return { kind: 'admin', roleName: p.identity.kind === 'iam' && p.identity.roleName ? p.identity.roleName : 'authmatrix-admin' };
  return { kind: 'authenticated', groups: p.groups ?? [], persona: p.name };
}

/**
 * Where a role policy puts the caller's identity id in a Resource that covers a path of the method with an identity id in
 * one of its variables (coversOwnIdentity), that path is also sent with the signer's own id and with another signer's
 * (their planned ids, plannedIdentityId, which the run replaces with the minted ones); a greedy variable is tried alone
 * and with a segment after it (`/notes/${sub}/*`). `identity` says which, in the cell's variant
 * (`userId = own identity id`, `proxy+ = another's identity id/…`).
 */
function identityRequests(section: RestSection, api: Pick<RestApi, 'id' | 'stage'>, resourcePath: string, verbs: readonly Exclude<HttpMethod, 'OPTIONS'>[], p: Persona, cast: Persona[]): IdentityRequest[] {
  const signs = (x: Persona) => presentationsOf(x).includes('signed') && x.kind !== 'iamAdmin';
  // Another signed-in identity when there is one: the closest to the caller's own.
  const other = cast.find((x) => x !== p && signs(x) && x.kind !== 'guest') ?? cast.find((x) => x !== p && signs(x));
  if (!signs(p) || !other) return [];
  const out: IdentityRequest[] = [];
  for (const [at, name] of resourcePath.matchAll(/\{([^}]+)\}/g)) {
    for (const tail of name!.endsWith('+') ? [false, true] : [false]) {
      const pathFor = (who: Persona) => {
        const id = plannedIdentityId(section.region, who.name);
        return resourcePath.replace(/\{([^}]+)\}/g, (whole, v: string) => (whole === at ? (tail ? `${id}/${sampleOf(v)}` : id) : sampleOf(v)));
      };
      for (const verb of verbs) {
        if (!coversOwnIdentity(section, api, verb, pathFor(p), p.name)) continue;
        for (const who of [p, other]) out.push({ verb, path: pathFor(who), identity: `${name} = ${who === p ? 'own' : "another's"} identity id${tail ? '/…' : ''}` });
      }
    }
  }
  return out;
}

/** A request whose path carries an identity id (identityRequests). */
interface IdentityRequest {
  verb: Exclude<HttpMethod, 'OPTIONS'>;
  path: string;
  identity: string;
}

/** The key of an authorizer's answer for a persona's presentation on one method. */
export function answerKey(authorizer: string, presentation: RestPresentation, verb: string, path: string): string {
  return `${authorizer} ${presentation} ${verb} ${path}`;
}

/** A path variable's sample: `{id}` → `authmatrix-id`, a greedy `{proxy+}` → `authmatrix-sample`. */
const sampleOf = (variable: string) => (variable.endsWith('+') ? 'authmatrix-sample' : `authmatrix-${variable}`);

/** A resource path with a sample in each variable. */
const samplePath = (resourcePath: string) => resourcePath.replace(/\{([^}]+)\}/g, (_, v: string) => sampleOf(v));

/** The concrete requests a method is tested with: its verb(s) and a path with samples in its variables. */
export function requestsOf(m: Pick<RestMethod, 'method' | 'resourcePath'>): { verb: Exclude<HttpMethod, 'OPTIONS'>; path: string }[] {
  // An HTTP API's `$default` route catches what no other route does.
  const path = m.resourcePath === '$default' ? '/authmatrix-unrouted' : samplePath(m.resourcePath);
  if (m.method === 'OPTIONS') return [];
  const verbs = m.method === 'ANY' ? [...REST_ANY_VERBS] : [m.method];
  return verbs.map((verb) => ({ verb, path }));
}

export function restCells(auth: AuthModel, cast: Persona[]): RestPlan {
  const section = auth.rest;
  const plan: RestPlan = { cells: [], untested: [] };
  if (!section) return plan;
  for (const api of section.apis) {
    const representative = firstOfEachAuthorization(api.methods);
    for (const p of cast) {
      for (const presentation of presentationsOf(p)) {
        const cached = cacheSplit(section, api, p, presentation);
        for (const m of api.methods) {
          const own = presentation === 'signed' ? identityRequests(section, api, m.resourcePath, requestsOf(m).map((r) => r.verb), p, cast) : [];
          for (const req of [...requestsOf(m), ...own]) {
            const paths: RestHeaderPath[] = headerCarried(presentation, p) && representative.has(m) ? ['request', 'global', 'override'] : ['request'];
            for (const headerPath of paths) {
              const c = restCell(section, api, m, req, p, presentation, headerPath);
              const skip = (headerPath === 'request' ? cached.skipped.get(`${req.verb} ${req.path}`) : undefined) ?? unanswered(api, m, req, p, presentation);
              if (skip) plan.untested.push({ cell: c, reason: skip });
              else plan.cells.push(c);
            }
          }
        }
        plan.cells.push(...cached.cells);
      }
    }
    plan.cells.push(...preflightCells(section, api, cast));
  }
  for (const api of section.httpApis) {
    const http = httpApiCells(section, api, cast);
    plan.cells.push(...http.cells, ...httpPreflightCells(section, api, cast));
    plan.untested.push(...http.untested);
  }
  return plan;
}

/** A request an HTTP API cell sends, with the route the oracle selects for it. */
export interface HttpRequest {
  route: HttpRoute;
  verb: Exclude<HttpMethod, 'OPTIONS'>;
  path: string;
  /** A verb the sample path's own routes do not take, falling through to another route (an `ANY`, greedy or `$default` one). */
  fallThrough?: true;
  /** Its path carries an identity id (identityRequests), as the variant says. */
  identity?: string;
}

/** The verbs a fall-through request tries, in this order: the first one a route's path does not take. */
const FALL_THROUGH_VERBS = ['POST', 'PUT', 'DELETE', 'PATCH', 'GET'] as const;

/**
 * The requests of an HTTP API's cells, each with the route the oracle selects for its verb and path (which may be
 * another than the route it was made for): every route's own requests, and for each route's path, the first verb no
 * route of that path takes when another route takes it there (it falls through to that route). One per verb and path.
 */
export function httpRequestsOf(api: HttpApi): HttpRequest[] {
  const out = new Map<string, HttpRequest>();
  const add = (verb: HttpRequest['verb'], path: string, fallThrough: boolean) => {
    const route = selectHttpRoute(api, verb, path);
    if (route && !out.has(`${verb} ${path}`)) out.set(`${verb} ${path}`, { route, verb, path, ...(fallThrough ? { fallThrough: true as const } : {}) });
  };
  for (const route of api.routes) for (const req of requestsOf(route)) add(req.verb, req.path, false);
  for (const route of api.routes) {
    if (route.resourcePath === '$default') continue;
    const takes = (verb: string) => api.routes.some((r) => r.resourcePath === route.resourcePath && (r.method === verb || r.method === 'ANY'));
    const verb = FALL_THROUGH_VERBS.find((v) => !takes(v));
    const path = requestsOf({ method: 'GET', resourcePath: route.resourcePath })[0]!.path;
    if (verb && selectHttpRoute(api, verb, path)) add(verb, path, true);
  }
  return [...out.values()];
}

/** identityRequests for an HTTP API's routes, each with the route the oracle selects for it. */
function httpIdentityRequests(section: RestSection, api: HttpApi, p: Persona, cast: Persona[]): HttpRequest[] {
  const out = new Map<string, HttpRequest>();
  for (const r of api.routes) {
    if (r.resourcePath === '$default') continue;
    for (const { verb, path, identity } of identityRequests(section, api, r.resourcePath, requestsOf(r).map((x) => x.verb), p, cast)) {
      const route = selectHttpRoute(api, verb, path);
      if (route) out.set(`${verb} ${path}`, { route, verb, path, identity });
    }
  }
  return [...out.values()];
}

/**
 * An HTTP API's cells: every request of httpRequestsOf × persona × presentation, the token presentations also through
 * global headers on one route per kind. A Lambda authorizer's route whose answer is not known is listed as untested;
 * one whose cached answer would decide it otherwise than its own (the order of requests deciding) is a `cached after`
 * cell (httpCacheSplit).
 */
function httpApiCells(section: RestSection, api: HttpApi, cast: Persona[]): RestPlan {
  const out: RestPlan = { cells: [], untested: [] };
  const representative = firstOfEachAuthorization(api.routes);
  const requests = httpRequestsOf(api);
  // An app client's token names that client in `client_id`, and the oracle knows a JWT authorizer's audience only
  // as the app's own client or not (rules/http-api.ts): app clients are not tested on HTTP APIs (docs/rest.md).
  for (const p of cast.filter((x) => x.kind !== 'appClient')) {
    // HTTP APIs have no API keys: an API-key holder of the app's REST APIs has nothing to present to them.
    for (const presentation of presentationsOf(p).filter((x) => x !== 'apiKey')) {
      const cached = httpCacheSplit(section, api, requests, p, presentation);
      const own = presentation === 'signed' ? httpIdentityRequests(section, api, p, cast) : [];
      for (const req of [...requests, ...own]) {
        const paths: RestHeaderPath[] = headerCarried(presentation, p) && representative.has(req.route) && !req.fallThrough ? ['request', 'global', 'override'] : ['request'];
        for (const headerPath of paths) {
          const c = httpCell(section, api, req, p, presentation, headerPath);
          // Every header path carries the same identity: a cached answer meets them all.
          const skip = cached.skipped.get(`${req.verb} ${req.path}`) ?? unanswered(api, req.route, req, p, presentation);
          if (skip) out.untested.push({ cell: c, reason: skip });
          else out.cells.push(c);
        }
      }
      out.cells.push(...cached.cells);
    }
  }
  return out;
}

function httpCell(section: RestSection, api: HttpApi, req: HttpRequest, p: Persona, presentation: RestPresentation, headerPath: RestHeaderPath, after?: { method: string; path: string }): Cell {
  const decided = decideHttpApi(section, withAnswers(restCaller(p, presentation), api.authorizers, p, presentation, req, after), { api, route: req.route, verb: req.verb, path: req.path });
  const decision = after ? { ...decided, reason: `${decided.reason} (its answer cached from ${after.method} ${after.path})` } : decided;
  const variant = [presentation, req.identity, headerPath !== 'request' ? headerPath : undefined, after ? `cached after ${after.method} ${after.path}` : undefined].filter(Boolean).join(':');
  return cell({
    id: `rest|${api.name}|${req.verb} ${req.path}|${p.name}|${variant}`,
    kind: 'rest', persona: p.name, api: api.name, path: req.route.resourcePath, operation: req.verb as Cell['operation'], variant,
    action: { type: 'rest', api: api.name, method: req.verb, path: req.path, presentation, headerPath, httpApi: true, ...(after ? { after } : {}) },
  }, decision);
}

/** CORS preflights of an API with a CORS configuration: one per path of its routes, sent by the anonymous persona. */
function httpPreflightCells(section: RestSection, api: HttpApi, cast: Persona[]): Cell[] {
  const anonymous = cast.find((p) => p.kind === 'anonymous');
  if (!api.cors || !anonymous) return [];
  const paths = new Map<string, string>();
  for (const route of api.routes) {
    if (route.resourcePath === '$default') continue;
    const path = requestsOf({ method: 'GET', resourcePath: route.resourcePath })[0]!.path;
    // Labelled with the route that takes the preflight, when one does.
    paths.set(path, selectHttpRoute(api, 'OPTIONS', path)?.resourcePath ?? route.resourcePath);
  }
  return [...paths].map(([path, resourcePath]) => cell({
    id: `rest|${api.name}|OPTIONS ${path}|${anonymous.name}|preflight`,
    kind: 'rest', persona: anonymous.name, api: api.name, path: resourcePath, operation: 'OPTIONS' as Cell['operation'], variant: 'preflight',
    action: { type: 'rest', api: api.name, method: 'OPTIONS', path, presentation: 'unsigned', headerPath: 'request', httpApi: true },
  }, decideHttpPreflight(section, api, path)));
}

/** The first method (or route) of each authorization type, preflights aside: where header paths beyond the request's are tested. */
function firstOfEachAuthorization<M extends Pick<RestMethod, 'method'> & { authorization: { type: string } }>(methods: readonly M[]): Set<M> {
  const seen = new Map<string, M>();
  for (const m of methods) if (m.method !== 'OPTIONS' && !seen.has(m.authorization.type)) seen.set(m.authorization.type, m);
  return new Set(seen.values());
}

/**
 * An HTTP API Lambda authorizer that caches (a TTL and at least one identity source) keeps its answer under the identity
 * sources' values and uses it for every route of the API with that authorizer
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html, "Caching authorizer
 * responses"): a simple response decides them all as it is, an IAM policy is evaluated on each route's ARN. Where the
 * answer one request got would decide another otherwise than that request's own, the order decides: the first request
 * (one its own answer lets in, when there is one) is an ordinary cell, the others are `cached after` it, and their
 * ordinary cells are left out with why. Answers that fail are not cached.
 */
function httpCacheSplit(section: RestSection, api: HttpApi, requests: readonly HttpRequest[], p: Persona, presentation: RestPresentation): CacheSplit {
  const out: CacheSplit = { skipped: new Map(), cells: [] };
  const caller = restCaller(p, presentation);
  for (const a of api.authorizers) {
    if (a.type !== 'REQUEST' || a.ttlSeconds === 0 || a.identitySources.length === 0 || missingIdentitySource(a, caller, api.stageVariables)) continue;
    const fresh = (x: HttpRequest, from: Sent = x) =>
      decideHttpApi(section, withAnswers(caller, api.authorizers, p, presentation, from), { api, route: x.route, verb: x.verb, path: x.path });
    const kind = (x: HttpRequest) => p.restAnswers?.[answerKey(a.id, presentation, x.verb, x.path)]?.kind;
    const cachedAnswer = (x: HttpRequest) => kind(x) === 'simple' || kind(x) === 'policy';
    // The caller's headers are one cache key; context variables among the identity sources split it.
    const mine = requests.filter((x) => x.route.authorization.type === 'CUSTOM' && x.route.authorization.authorizer === a.id);
    for (const reqs of byCacheEntry(a.identitySources, mine, (x) => ({ verb: x.verb, path: x.path, route: routeKeyOf(x.route) }))) splitByCache(out, a, reqs, (x) => x, cachedAnswer, fresh, (x, after) => httpCell(section, api, x, p, presentation, 'request', after));
  }
  return out;
}

/**
 * What an identity source holds for one caller's request, as far as it splits an authorizer's cache between them:
 * a context variable is the same on all of them (`accountId`, `apiId`, `stage`, `domainName`, `protocol`,
 * `identity.sourceIp`), per method (`httpMethod`), per route (`routeKey`, `resourcePath`: per-route answers, as AWS
 * suggests) or per request (`path`, `requestId`, `requestTime`…: never reused); a header or query source is the
 * caller's own, the same on every request (''), and a stage variable the stage's, the same on every request too.
 */
function cachePart(source: string, x: { verb: string; path: string; route: string }): string {
  const ref = identitySourceOf(source);
  if (ref?.kind !== 'context') return '';
  if (['accountId', 'apiId', 'stage', 'domainName', 'protocol', 'identity.sourceIp'].includes(ref.name)) return '';
  if (ref.name === 'httpMethod') return x.verb;
  if (ref.name === 'routeKey' || ref.name === 'resourcePath') return x.route;
  return `${x.verb} ${x.path}`;
}

/** Requests grouped by the cache entry an authorizer with these identity sources keeps for them. */
function byCacheEntry<X>(sources: readonly string[], reqs: readonly X[], key: (x: X) => { verb: string; path: string; route: string }): X[][] {
  const groups = new Map<string, X[]>();
  for (const x of reqs) {
    const k = JSON.stringify(sources.map((source) => cachePart(source, key(x))));
    groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  return [...groups.values()];
}

/** Why a Lambda authorizer's cell (a REST method's or an HTTP API route's) cannot be decided: the authorizer would be called, and its answer is unknown. */
function unanswered(api: { authorizers: readonly (RestAuthorizer | HttpAuthorizer)[]; stageVariables?: StageVariables }, m: RestMethod | HttpRoute, req: { verb: string; path: string }, p: Persona, presentation: RestPresentation): string | undefined {
  if (m.authorization.type !== 'CUSTOM') return undefined;
  const id = m.authorization.authorizer;
  const authorizer = api.authorizers.find((a) => a.id === id);
  if (!authorizer || authorizer.type === 'COGNITO_USER_POOLS' || authorizer.type === 'JWT' || missingIdentitySource(authorizer, restCaller(p, presentation), api.stageVariables)) return undefined;
  if (p.restAnswers?.[answerKey(id, presentation, req.verb, req.path)]) return undefined;
  return `the Lambda authorizer ${authorizer.name} would be called for ${p.name}, and its answer is not known (its module could not be run here, or the persona's token is not minted yet)`;
}

/** Whether the presentation travels in a header the persona could also set globally. */
function headerCarried(presentation: RestPresentation, p: Persona): boolean {
  return presentation === 'idToken' || presentation === 'accessToken' || presentation === 'oidcToken' || presentation === 'apiKey' || (presentation === 'token' && !!p.token);
}

function restCell(section: RestSection, api: RestApi, m: RestMethod, req: { verb: Exclude<HttpMethod, 'OPTIONS'>; path: string; identity?: string }, p: Persona, presentation: RestPresentation, headerPath: RestHeaderPath, after?: { method: string; path: string }): Cell {
  const caller = withAnswers(restCaller(p, presentation), api.authorizers, p, presentation, req, after);
  const decision = decideRest(section, caller, { api, method: m, verb: req.verb, path: req.path });
  const variant = [presentation, req.identity, headerPath !== 'request' ? headerPath : undefined, after ? `cached after ${after.method} ${after.path}` : undefined].filter(Boolean).join(':');
  return restCellOf(api, m, req, p.name, variant, { type: 'rest', api: api.name, method: req.verb, path: req.path, presentation, headerPath, ...(after ? { after } : {}) }, decision);
}

function restCellOf(api: RestApi, m: RestMethod, req: { verb: string; path: string }, persona: string, variant: string, action: RestAction, decision: RestDecision): Cell {
  return cell({
    id: `rest|${api.name}|${req.verb} ${req.path}|${persona}|${variant}`,
    kind: 'rest',
    persona,
    api: api.name,
    path: m.resourcePath,
    operation: req.verb as Cell['operation'],
    variant,
    action,
  }, decision);
}

/** The caller with the authorizer answers the persona recorded for this request (or for `after`, whose answer the cache holds). */
function withAnswers(caller: RestCaller, authorizers: readonly { id: string }[], p: Persona, presentation: RestPresentation, req: { verb: string; path: string }, after?: { method: string; path: string }): RestCaller {
  const answers: Record<string, AuthorizerAnswer> = {};
  const from = after ? { verb: after.method, path: after.path } : req;
  for (const a of authorizers) {
    const answer = p.restAnswers?.[answerKey(a.id, presentation, from.verb, from.path)];
    if (answer) answers[a.id] = answer;
  }
  return Object.keys(answers).length ? { ...caller, authorizerAnswers: answers } : caller;
}

/**
 * Where an authorizer's cache makes the order of requests matter for this caller: the methods to leave
 * out (with why) and the `cached` cells that test the reuse in a fixed order.
 */
function cacheSplit(section: RestSection, api: RestApi, p: Persona, presentation: RestPresentation): CacheSplit {
  const out: CacheSplit = { skipped: new Map(), cells: [] };
  for (const a of api.authorizers) {
    if (a.type === 'COGNITO_USER_POOLS' || a.ttlSeconds === 0) continue;
    const caller = restCaller(p, presentation);
    if (missingIdentitySource(a, caller, api.stageVariables)) continue;
    const routes = api.methods.filter((m) => m.authorization.type === 'CUSTOM' && m.authorization.authorizer === a.id).flatMap((m) => requestsOf(m).map((r) => ({ m, r })));
    const fresh = (x: { m: RestMethod; r: { verb: Exclude<HttpMethod, 'OPTIONS'>; path: string } }, from: Sent = x.r) =>
      decideRest(section, withAnswers(caller, api.authorizers, p, presentation, from), { api, method: x.m, verb: x.r.verb, path: x.r.path });
    // Only a cached policy carries over; unknown answers leave nothing to compare.
    const cachedPolicy = (x: { r: { verb: string; path: string } }) => p.restAnswers?.[answerKey(a.id, presentation, x.r.verb, x.r.path)]?.kind === 'policy';
    const sources = a.type === 'TOKEN' ? [a.identitySource] : a.identitySources;
    for (const reqs of byCacheEntry(sources, routes, (x) => ({ verb: x.r.verb, path: x.r.path, route: x.m.resourcePath }))) {
      splitByCache(out, a, reqs, (x) => x.r, cachedPolicy, fresh, (x, after) => restCell(section, api, x.m, x.r, p, presentation, 'request', after));
    }
  }
  return out;
}

/** A request as sent: its verb and path. */
type Sent = { verb: string; path: string };
/** Requests whose ordinary cells are left out (by `VERB path`, with why), and the `cached after` cells made instead. */
type CacheSplit = { skipped: Map<string, string>; cells: Cell[] };

/**
 * One authorizer's cached answers for one caller, over the requests that share a cache entry: where the answer one
 * request got would decide another otherwise than that request's own (`fresh(x, from)`: x decided with the answer
 * `from` got), the order of requests decides. The request expected first (one its own answer lets in, when there is
 * one) stays an ordinary cell; each other is a `cached after` cell sent after it, its ordinary cell left out with why.
 * `cached`: whether a request's answer is one the gateway keeps.
 */
function splitByCache<X>(out: CacheSplit, a: { name: string; ttlSeconds: number }, reqs: readonly X[], sent: (x: X) => Sent, cached: (x: X) => boolean, fresh: (x: X, from?: Sent) => RestDecision, cachedCell: (x: X, after: { method: string; path: string }) => Cell): void {
  const first = reqs.find((x) => cached(x) && fresh(x).outcome === 'allow') ?? reqs[0];
  if (!first || !cached(first)) return;
  if (!reqs.some((x) => reqs.some((y) => cached(y) && !sameDecision(fresh(x, sent(y)), fresh(x))))) return;
  const f = sent(first);
  for (const x of reqs) {
    if (x === first) continue;
    const { verb, path } = sent(x);
    out.skipped.set(`${verb} ${path}`, `the Lambda authorizer ${a.name} caches its answer for ${a.ttlSeconds} s, and its answer for ${f.verb} ${f.path} decides ${verb} ${path} otherwise than its own would: the outcome depends on which request comes first (the cell "cached after ${f.verb} ${f.path}" tests the reuse)`);
    out.cells.push(cachedCell(x, { method: f.verb, path: f.path }));
  }
}

function sameDecision(a: RestDecision, b: RestDecision): boolean {
  return a.outcome === b.outcome && a.status === b.status && a.errorType === b.errorType && a.message === b.message;
}

/** CORS preflight: `OPTIONS` with no credentials, answered by API Gateway without authorization. */
function preflightCells(section: RestSection, api: RestApi, cast: Persona[]): Cell[] {
  const anonymous = cast.find((p) => p.kind === 'anonymous');
  if (!anonymous) return [];
  return api.methods.filter((m) => m.method === 'OPTIONS').map((m) => {
    const req = { verb: 'OPTIONS', path: samplePath(m.resourcePath) };
    const decision = decideRest(section, {}, { api, method: m, verb: 'OPTIONS', path: req.path });
    return restCellOf(api, m, req, anonymous.name, 'preflight', { type: 'rest', api: api.name, method: 'OPTIONS', path: req.path, presentation: 'unsigned', headerPath: 'request' }, decision);
  });
}
