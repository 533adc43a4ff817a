/**
 * The oracle's account of an HTTP API's CORS preflights (harness/rules/http-api.ts, decideHttpPreflight): a route that
 * takes OPTIONS at the path handles it with its authorization, else the $default route, else the API's CORS
 * configuration answers it, and an API without one answers 404.
 */
import { describe, expect, it } from 'vitest';
import { decideHttpPreflight } from '../../harness/rules/http-api.js';
import type { HttpApi, HttpRoute, RestSection } from '../../harness/schema/rest/model.js';

const integration = { kind: 'other', type: 'none' } as const;
const route = (method: HttpRoute['method'], resourcePath: string, authorization: HttpRoute['authorization'] = { type: 'NONE' }): HttpRoute => ({ method, resourcePath, authorization, integration });
const cors = { allowOrigins: ['*'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: [], allowCredentials: false };
const api = (routes: HttpRoute[], withCors = true): HttpApi => ({ name: 'shop', id: 'abc', stage: '$default', routes, authorizers: [], ...(withCors ? { cors } : {}) });
const section = (a: HttpApi): RestSection => ({
  region: 'us-east-1', account: '123456789012', apis: [], httpApis: [a], functions: [], caveats: [],
  rolePolicies: { authenticated: [], unauthenticated: [], groups: {}, groupPrecedence: [] },
});
const decide = (a: HttpApi, path: string) => decideHttpPreflight(section(a), a, path);

describe('HTTP API preflights', () => {
  it.each([
    ['no route takes OPTIONS: the CORS configuration answers', [route('GET', '/items', { type: 'AWS_IAM' })], '/items', 'allow', undefined],
    ['an ANY route with IAM takes it: refused unsigned', [route('GET', '/items'), route('ANY', '/items/{proxy+}', { type: 'AWS_IAM' })], '/items/x', 'deny', 403],
    ['a greedy variable needs a segment: /items is not /items/{proxy+}', [route('ANY', '/items/{proxy+}', { type: 'AWS_IAM' })], '/items', 'allow', undefined],
    ['an OPTIONS route without authorization wins over a less specific ANY route', [route('ANY', '/{proxy+}', { type: 'AWS_IAM' }), route('OPTIONS', '/items/{id}')], '/items/x', 'allow', undefined],
    ['a literal ANY route wins over a variable OPTIONS route', [route('OPTIONS', '/items/{id}'), route('ANY', '/items/x', { type: 'AWS_IAM' })], '/items/x', 'deny', 403],
    ['the $default route takes what no route does', [route('GET', '/items'), route('ANY', '$default', { type: 'AWS_IAM' })], '/items', 'deny', 403],
  ] as const)('%s', (_, routes, path, outcome, status) => {
    const d = decide(api([...routes]), path);
    expect(d.outcome).toBe(outcome);
    expect(d.status).toBe(status);
    expect(d.reason).toMatch(outcome === 'allow' && !routes.some((r) => r.method === 'OPTIONS') ? /CORS configuration answers the preflight/ : /routed to/);
  });

  it('without a CORS configuration, a preflight no route takes is 404 Not Found', () => {
    expect(decide(api([route('GET', '/items')], false), '/items')).toMatchObject({ outcome: 'deny', status: 404, message: 'Not Found' });
  });
});
