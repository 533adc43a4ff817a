/**
 * Lambda authorizers' identity sources, for REST (`method.request.…`) and HTTP APIs (`$request.…`, `$context.…`) alike:
 * the oracle's `missingIdentitySource` (harness/rules/rest.ts) and the emulator's `identityValues`
 * (harness/emulator/apigateway/lambda-authorizers.ts) each decide whether API Gateway calls the authorizer; and the
 * planner's `cached after` cells follow the cache key, which `$context.routeKey` splits per route
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html, "Identity sources",
 * "Caching authorizer responses").
 */
import { describe, expect, it } from 'vitest';
import { contextVariables, identityValues } from '../../harness/emulator/apigateway/lambda-authorizers.js';
import { restCells } from '../../harness/matrix/rest-cells.js';
import type { Persona } from '../../harness/matrix/cast.js';
import { missingIdentitySource, type RestCaller } from '../../harness/rules/rest.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { REQUEST_CONTEXT_VARIABLES, type HttpApi, type HttpLambdaAuthorizer, type RestSection } from '../../harness/schema/rest/model.js';

const caller: RestCaller = { headers: { 'x-key': 'k1', 'x-blank': '' }, authorization: { kind: 'opaque', value: 'tok' } };
const request = { accountId: '123456789012', apiId: 'abc', domainName: '127.0.0.1:3000', httpMethod: 'GET', sourceIp: '127.0.0.1', path: '/a', requestId: 'r-1', stage: '$default' };
// The stage's variables (RestApi `deployOptions.variables`, an HTTP API stage's `stageVariables`).
const stage = { realm: 'partners', blank: ' ' };
const wire = { headers: { 'x-key': 'k1', 'x-blank': '', authorization: 'tok' }, query: {}, contextVariables: contextVariables(request, { routeKey: 'GET /a' }), stageVariables: stage };

describe('identity sources: called or 401 without a call', () => {
  it.each([
    ['a REST header', ['method.request.header.X-Key'], true],
    ['an HTTP API header', ['$request.header.x-key'], true],
    ['Authorization, REST and HTTP', ['method.request.header.Authorization', '$request.header.Authorization'], true],
    ['a header not sent', ['$request.header.x-other'], false],
    ['an empty header', ['method.request.header.x-blank'], false],
    ['a query string (the cells send none)', ['$request.querystring.q'], false],
    ['a REST query string', ['method.request.querystring.q'], false],
    ['an HTTP API context variable', ['$request.header.x-key', '$context.routeKey'], true],
    ['a REST context variable', ['context.stage'], true],
    ['a nested context variable', ['$context.identity.sourceIp'], true],
    ['a context variable set only for some callers', ['$context.identity.apiKey'], false],
    ['a context variable set after the authorizer', ['$context.authorizer.principalId'], false],
    ['a stage variable the stage defines, REST and HTTP', ['stageVariables.realm', '$request.header.x-key', '$stageVariables.realm'], true],
    ['a stage variable the stage does not define', ['$request.header.x-key', '$stageVariables.other'], false],
    ['a blank stage variable', ['stageVariables.blank'], false],
    ['a source API Gateway does not read', ['header.x-key'], false],
  ] as const)('%s', (_, sources, called) => {
    expect(missingIdentitySource({ type: 'REQUEST', identitySources: sources }, caller, stage) === undefined).toBe(called);
    expect(identityValues(sources, wire) !== undefined).toBe(called);
  });

  it('a stage variable is the stage\'s value, and missing on both sides when the stage defines no variables', () => {
    expect(identityValues(['$request.header.x-key', '$stageVariables.realm'], wire)).toEqual(['k1', 'partners']);
    expect(missingIdentitySource({ type: 'REQUEST', identitySources: ['stageVariables.realm'] }, caller, undefined)).toBe('the identity source stageVariables.realm is missing (the stage defines no variable realm)');
    expect(identityValues(['stageVariables.realm'], { ...wire, stageVariables: null })).toBeUndefined();
    expect(missingIdentitySource({ type: 'REQUEST', identitySources: ['$stageVariables.other'] }, caller, stage)).toBe('the identity source $stageVariables.other is missing (the stage defines no variable other)');
    expect(missingIdentitySource({ type: 'REQUEST', identitySources: ['stageVariables.blank'] }, caller, stage)).toBe('the identity source stageVariables.blank is empty (the stage variable blank is blank)');
  });

  it('a TOKEN authorizer: its header, matching the validation expression', () => {
    expect(missingIdentitySource({ type: 'TOKEN', identitySource: 'method.request.header.Authorization', validationRegex: '^tok$' }, caller, undefined)).toBeUndefined();
    expect(missingIdentitySource({ type: 'TOKEN', identitySource: 'method.request.header.Authorization', validationRegex: '^other$' }, caller, undefined)).toMatch(/does not match the validation expression/);
    expect(missingIdentitySource({ type: 'TOKEN', identitySource: 'method.request.header.Authorization' }, {}, undefined)).toMatch(/Authorization is missing or empty/);
  });

  it.each(['rest', 'http'] as const)('the %s gateway sets exactly the context variables the oracle takes as present, none empty', (kind) => {
    const own: Record<string, string> = kind === 'rest' ? { resourcePath: '/a' } : { routeKey: 'GET /a' };
    const set = contextVariables(request, own, new Date('2026-12-05T09:08:07Z'));
    expect(Object.keys(set).sort()).toEqual([...REQUEST_CONTEXT_VARIABLES[kind]].sort());
    expect(Object.values(set).every((v) => v.trim() !== '')).toBe(true);
    expect(set.requestTime).toBe('05/Dec/2026:09:08:07 +0000');
    for (const name of REQUEST_CONTEXT_VARIABLES[kind]) {
      const source = kind === 'rest' ? `context.${name}` : `$context.${name}`;
      expect(missingIdentitySource({ type: 'REQUEST', identitySources: [source] }, caller, undefined)).toBeUndefined();
      expect(identityValues([source], { ...wire, contextVariables: set })).toEqual([set[name]]);
    }
  });

  it('the emulator reads context variables by their names, and a blank header is missing', () => {
    expect(identityValues(['$request.header.x-key', '$context.routeKey'], wire)).toEqual(['k1', 'GET /a']);
    expect(identityValues(['method.request.header.x-key'], { ...wire, headers: { 'x-key': '  ' } })).toBeUndefined();
  });
});

describe('HTTP API cached answers follow the cache key', () => {
  const integration = { kind: 'other', type: 'none' } as const;
  const authorizer = (identitySources: string[]): HttpLambdaAuthorizer => ({ type: 'REQUEST', id: 'auth', name: 'keyAuth', function: 'fn', payloadVersion: '2.0', simpleResponses: true, identitySources, ttlSeconds: 300 });
  const api = (identitySources: string[]): HttpApi => ({
    name: 'shop', id: 'abc', stage: '$default', authorizers: [authorizer(identitySources)],
    routes: ['/a', '/b'].map((resourcePath) => ({ method: 'GET' as const, resourcePath, authorization: { type: 'CUSTOM' as const, authorizer: 'auth' }, integration })),
  });
  const model = (a: HttpApi) => ({
    rest: { region: 'us-east-1', account: '123456789012', apis: [], httpApis: [a], functions: [], caveats: [], rolePolicies: { authenticated: [], unauthenticated: [], groups: {}, groupPrecedence: [] } } satisfies RestSection,
  }) as unknown as AuthModel;
  // The authorizer lets the key in on /a only.
  const holder: Persona = {
    name: 'keyHolder', kind: 'restToken', description: 'a holder of a key', identity: {} as Persona['identity'], headers: { 'x-key': 'k1' },
    restAnswers: { 'auth token GET /a': { kind: 'simple', isAuthorized: true }, 'auth token GET /b': { kind: 'simple', isAuthorized: false } },
  };
  const cellsOf = (sources: string[]) => restCells(model(api(sources)), [holder]);

  it('cached under the header alone: /b is sent after /a and let in; its ordinary cell is left out, with why', () => {
    const plan = cellsOf(['$request.header.x-key']);
    expect(plan.cells.map((c) => [c.id, c.expected])).toEqual([
      ['rest|shop|GET /a|keyHolder|token', 'allow'],
      ['rest|shop|GET /b|keyHolder|token:cached after GET /a', 'allow'],
    ]);
    expect(plan.cells[1]!.reason).toMatch(/isAuthorized: true .*\(its answer cached from GET \/a\)$/);
    expect(plan.untested.map((u) => u.cell.id)).toEqual(['rest|shop|GET /b|keyHolder|token']);
  });

  it('with $context.routeKey among the sources, each route has its own cache entry: plain cells, nothing left out', () => {
    const plan = cellsOf(['$request.header.x-key', '$context.routeKey']);
    expect(plan.cells.map((c) => [c.id, c.expected])).toEqual([
      ['rest|shop|GET /a|keyHolder|token', 'allow'],
      ['rest|shop|GET /b|keyHolder|token', 'deny'],
    ]);
    expect(plan.untested).toEqual([]);
  });

  it('a context variable the same on every request (the caller\'s source IP) keeps one entry; one set per request (requestId) keeps none', () => {
    expect(cellsOf(['$request.header.x-key', '$context.identity.sourceIp']).cells.map((c) => c.id)).toEqual(cellsOf(['$request.header.x-key']).cells.map((c) => c.id));
    const perRequest = cellsOf(['$request.header.x-key', '$context.requestId']);
    expect(perRequest.cells.map((c) => [c.id, c.expected])).toEqual([
      ['rest|shop|GET /a|keyHolder|token', 'allow'],
      ['rest|shop|GET /b|keyHolder|token', 'deny'],
    ]);
    expect(perRequest.untested).toEqual([]);
  });
});
