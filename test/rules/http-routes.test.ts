/**
 * HTTP API route selection (API Gateway v2), as the oracle (harness/rules/http-api.ts `selectHttpRoute`) and the
 * emulator (harness/emulator/apigateway/routes.ts `routeByMethod`, with the `$default` route as http-gateway.ts falls
 * back to it) each implement it. AWS's priority
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html, "Routing API requests"):
 * a full match for the route and method, then a match through a greedy path variable, then `$default`; `ANY` matches
 * the methods a path does not define; no match is 404 Not Found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Router } from '../../harness/emulator/apigateway/routes.js';
import { selectHttpRoute } from '../../harness/rules/http-api.js';
import type { HttpApi, HttpRoute } from '../../harness/schema/rest/model.js';

const integration = { kind: 'other', type: 'none' } as const;
const parse = (key: string): HttpRoute => {
  const [method, resourcePath] = key === '$default' ? ['ANY', '$default'] : key.split(' ');
  return { method: method as HttpRoute['method'], resourcePath: resourcePath!, authorization: { type: 'NONE' }, integration };
};
const keyOf = (r: HttpRoute | undefined) => (r ? (r.resourcePath === '$default' ? '$default' : `${r.method} ${r.resourcePath}`) : undefined);
const api = (keys: readonly string[]): HttpApi => ({ name: 'a', id: 'a', stage: '$default', routes: keys.map(parse), authorizers: [] });

const oracle = (a: HttpApi, verb: string, path: string) => keyOf(selectHttpRoute(a, verb, path));
const emulator = (a: HttpApi, verb: string, path: string) => {
  const router = new Router(a.routes.filter((r) => r.resourcePath !== '$default'));
  return keyOf(router.routeByMethod(verb, path)?.method ?? a.routes.find((r) => r.resourcePath === '$default'));
};

// AWS's example: GET /pets/dog/{id}, GET /pets/{proxy+}, ANY /{proxy+}, $default.
const AWS_EXAMPLE = ['GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default'];

const TABLE: [string, readonly string[], string, string, string | undefined][] = [
  // The documentation's own table.
  ['the request fully matches a route', AWS_EXAMPLE, 'GET', '/pets/dog/1', 'GET /pets/dog/{id}'],
  ['no full match: the GET route with a greedy variable', AWS_EXAMPLE, 'GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
  ['ANY matches a method no route defines; greedy routes before $default', AWS_EXAMPLE, 'POST', '/test/5', 'ANY /{proxy+}'],
  // The case the REST resource tree got wrong: the path's own route does not take the method.
  ['a method the specific route does not take falls through to the greedy ANY route', ['GET /items/{id}', 'ANY /{proxy+}'], 'POST', '/items/1', 'ANY /{proxy+}'],
  ['… and to $default when no greedy route takes it', ['GET /items/{id}', '$default'], 'POST', '/items/1', '$default'],
  ['… and nowhere (404) without either', ['GET /items/{id}', 'GET /{proxy+}'], 'POST', '/items/1', undefined],
  ['GET /pets/dog/1 with POST: the greedy GET route does not take it either', AWS_EXAMPLE, 'POST', '/pets/dog/1', 'ANY /{proxy+}'],
  // Full matches before greedy ones, whatever the method.
  ['a full match with ANY beats a greedy match with the method', ['ANY /items/{id}', 'GET /items/{proxy+}'], 'GET', '/items/1', 'ANY /items/{id}'],
  ['a path variable in the middle beats a greedy prefix', ['GET /a/{proxy+}', 'GET /{x}/b'], 'GET', '/a/b', 'GET /{x}/b'],
  // Among full matches: the most specific path, then the method's own route before ANY.
  ['a literal segment beats a variable', ['GET /items/{id}', 'GET /items/special'], 'GET', '/items/special', 'GET /items/special'],
  ['the method\'s own route before ANY at one path', ['ANY /items', 'GET /items'], 'GET', '/items', 'GET /items'],
  ['ANY takes the other methods at that path', ['ANY /items', 'GET /items'], 'DELETE', '/items', 'ANY /items'],
  // Among greedy matches: the longest literal prefix.
  ['the deeper greedy route wins', ['ANY /{proxy+}', 'ANY /items/{proxy+}'], 'PUT', '/items/a/b', 'ANY /items/{proxy+}'],
  ['a greedy variable needs at least one segment', ['ANY /items/{proxy+}', '$default'], 'GET', '/items', '$default'],
  ['the root path is the route /', ['GET /', 'ANY /{proxy+}'], 'GET', '/', 'GET /'],
];

describe('HTTP API route selection', () => {
  it.each(TABLE)('%s (oracle)', (_, keys, verb, path, expected) => {
    expect(oracle(api(keys), verb, path)).toBe(expected);
  });

  it.each(TABLE)('%s (emulator)', (_, keys, verb, path, expected) => {
    expect(emulator(api(keys), verb, path)).toBe(expected);
  });

  it('the oracle and the emulator select the same route for any routes and request (law)', () => {
    // One variable name, as API Gateway requires of routes sharing a prefix.
    const segment = fc.constantFrom('a', 'b', '{x}');
    const routePath = fc.tuple(fc.array(segment, { maxLength: 3 }), fc.boolean())
      .map(([segs, greedy]) => `/${[...segs, ...(greedy ? ['{proxy+}'] : [])].join('/')}`);
    const route = fc.tuple(fc.constantFrom('GET', 'POST', 'ANY'), routePath).map(([m, p]) => `${m} ${p}`);
    const keys = fc.tuple(fc.uniqueArray(route, { maxLength: 8 }), fc.boolean()).map(([rs, dflt]) => (dflt ? [...rs, '$default'] : rs));
    const request = fc.tuple(fc.constantFrom('GET', 'POST', 'DELETE'), fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 4 })).map(([v, segs]) => ({ verb: v, path: `/${segs.join('/')}` }));
    fc.assert(fc.property(keys, request, (ks, req) => {
      const a = api(ks);
      expect(emulator(a, req.verb, req.path)).toBe(oracle(a, req.verb, req.path));
    }), { numRuns: 500 });
  });
});
