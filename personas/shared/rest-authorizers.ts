/**
 * Asks the app's REST Lambda authorizers what they answer each persona, for every method they guard:
 * the oracle decides what API Gateway makes of an answer, but the answer itself is the app's own code
 * (as for AppSync's Lambda authorizer, personas/lambda-token.ts). A module that cannot run here leaves
 * the persona without an answer, and its cells are listed as untested.
 */
import { authorizationValue, methodArn, missingIdentitySource, type AuthorizerAnswer, type RestCaller } from '../../harness/rules/rest.js';
import { answerKey, httpRequestsOf, presentationsOf, requestsOf, restCaller } from '../../harness/matrix/rest-cells.js';
import type { RestPresentation } from '../../harness/matrix/rest-action.js';
import type { Persona } from '../../harness/matrix/cast.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { identitySourceOf, routeKeyOf, type HttpApi, type HttpLambdaAuthorizer, type HttpRoute, type PolicyDocument, type RestSection } from '../../harness/schema/rest/model.js';
import { loadHandler } from '../../harness/schema/user-module.js';

type Handler = (event: Record<string, unknown>, context: Record<string, unknown>) => unknown;

/** The token a persona sends for a presentation, once provisioned (ID and access tokens). */
export type TokenOf = (p: Persona, presentation: RestPresentation) => Promise<string | undefined>;

/** Fills `restAnswers` of every persona that reaches a Lambda authorizer. */
export async function askRestAuthorizers(model: AuthModel, cast: Persona[], tokenOf?: TokenOf): Promise<void> {
  const rest = model.rest;
  if (!rest) return;
  const handlers = new Map<string, Promise<Handler | undefined>>();
  const handlerOf = (fnId: string): Promise<Handler | undefined> => {
    let h = handlers.get(fnId);
    if (!h) {
      const entry = rest.functions.find((f) => f.id === fnId)?.entry;
      handlers.set(fnId, (h = entry ? loadHandler<Handler>(entry).catch(() => undefined) : Promise.resolve(undefined)));
    }
    return h;
  };
  for (const p of cast) {
    for (const presentation of presentationsOf(p)) {
      let caller = restCaller(p, presentation);
      const token = caller.authorization?.kind === 'cognito' ? await tokenOf?.(p, presentation) : undefined;
      if (token && caller.authorization?.kind === 'cognito') caller = { ...caller, authorization: { ...caller.authorization, value: token } };
      for (const api of rest.apis) {
        for (const m of api.methods) {
          if (m.authorization.type !== 'CUSTOM') continue;
          const authorizerId = m.authorization.authorizer;
          const authorizer = api.authorizers.find((a) => a.id === authorizerId);
          if (!authorizer || authorizer.type === 'COGNITO_USER_POOLS' || missingIdentitySource(authorizer, caller, api.stageVariables)) continue;
          const handler = await handlerOf(authorizer.function);
          if (!handler) continue;
          for (const req of requestsOf(m)) {
            const arn = methodArn(rest, api, req.verb, req.path);
            const headers = { ...caller.headers, ...(authorizationValue(caller) ? { authorization: authorizationValue(caller)! } : {}) };
            const event = authorizer.type === 'TOKEN'
              ? { type: 'TOKEN', authorizationToken: headers.authorization ?? '', methodArn: arn }
              : {
                  type: 'REQUEST', methodArn: arn, resource: m.resourcePath, path: req.path, httpMethod: req.verb, headers,
                  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
                  queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, stageVariables: api.stageVariables ?? null,
                  requestContext: { accountId: rest.account, apiId: api.id, stage: api.stage, httpMethod: req.verb, resourcePath: m.resourcePath },
                };
            (p.restAnswers ??= {})[answerKey(authorizer.id, presentation, req.verb, req.path)] = await answerOf(handler, event);
          }
        }
      }
      for (const api of rest.httpApis) {
        // The requests the cells send, each to the route the oracle selects for it.
        for (const req of httpRequestsOf(api)) {
          const { route } = req;
          if (route.authorization.type !== 'CUSTOM') continue;
          const authorizerId = route.authorization.authorizer;
          const authorizer = api.authorizers.find((a) => a.id === authorizerId);
          if (authorizer?.type !== 'REQUEST' || missingIdentitySource(authorizer, caller, api.stageVariables)) continue;
          const handler = await handlerOf(authorizer.function);
          if (!handler) continue;
          (p.restAnswers ??= {})[answerKey(authorizer.id, presentation, req.verb, req.path)] = await answerOf(handler, httpAuthorizerEvent(rest, api, route, authorizer, caller, req), authorizer.simpleResponses);
        }
      }
    }
  }
}

/** The event an HTTP API gives its Lambda authorizer (payload 2.0, or 1.0 as a REST REQUEST authorizer's). */
function httpAuthorizerEvent(rest: RestSection, api: HttpApi, route: HttpRoute, authorizer: HttpLambdaAuthorizer, caller: RestCaller, req: { verb: string; path: string }): Record<string, unknown> {
  const headers: Record<string, string> = { ...caller.headers, ...(authorizationValue(caller) ? { authorization: authorizationValue(caller)! } : {}) };
  const routeArn = methodArn(rest, api, req.verb, req.path);
  const routeKey = routeKeyOf(route);
  const requestContext: Record<string, unknown> = { accountId: rest.account, apiId: api.id, stage: api.stage, routeKey, http: { method: req.verb, path: req.path } };
  // Read as missingIdentitySource read them before this authorizer was asked (schema/rest/model.ts identitySourceOf).
  const identity = authorizer.identitySources.map((s) => {
    const ref = identitySourceOf(s);
    if (ref?.kind === 'stageVariable') return api.stageVariables?.[ref.name] ?? '';
    if (ref?.kind === 'context') return String(requestContext[ref.name] ?? '');
    return ref?.kind === 'header' ? headers[ref.name.toLowerCase()] ?? '' : '';
  });
  return authorizer.payloadVersion === '2.0'
    ? { version: '2.0', type: 'REQUEST', routeArn, identitySource: identity, routeKey, rawPath: req.path, rawQueryString: '', headers, ...(api.stageVariables ? { stageVariables: api.stageVariables } : {}), requestContext }
    : { version: '1.0', type: 'REQUEST', methodArn: routeArn, identitySource: identity.join(','), authorizationToken: headers.authorization, resource: route.resourcePath, path: req.path, httpMethod: req.verb, headers, queryStringParameters: {}, pathParameters: {}, stageVariables: api.stageVariables ?? null, requestContext };
}

async function answerOf(handler: Handler, event: Record<string, unknown>, simple = false): Promise<AuthorizerAnswer> {
  let out: unknown;
  try {
    out = await handler(event, { functionName: 'authmatrix-oracle' });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return message === 'Unauthorized' ? { kind: 'unauthorized' } : { kind: 'error', message };
  }
  if (simple) {
    const isAuthorized = (out as { isAuthorized?: unknown } | null)?.isAuthorized;
    return typeof isAuthorized === 'boolean' ? { kind: 'simple', isAuthorized } : { kind: 'error', message: 'no boolean isAuthorized' };
  }
  const a = out as { principalId?: unknown; policyDocument?: { Statement?: unknown }; usageIdentifierKey?: unknown } | null;
  if (!a || a.principalId === undefined || !a.policyDocument || !a.policyDocument.Statement) return { kind: 'error', message: 'no principalId and policyDocument' };
  const statements = Array.isArray(a.policyDocument.Statement) ? a.policyDocument.Statement : [a.policyDocument.Statement];
  return {
    kind: 'policy',
    principalId: String(a.principalId),
    policy: { ...(a.policyDocument as PolicyDocument), Statement: statements },
    ...(typeof a.usageIdentifierKey === 'string' ? { usageIdentifierKey: a.usageIdentifierKey } : {}),
  };
}
