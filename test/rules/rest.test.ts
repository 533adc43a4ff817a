/**
 * The REST oracle on its own: a table of API Gateway's answers (status, error type, message) for each way
 * a request is authorized, and laws over generated policies and callers (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRest, evaluate, type RestCaller } from '../../harness/rules/rest.js';
import type { PolicyDocument, RestApi, RestMethod, RestSection } from '../../harness/schema/rest/model.js';

const lambda = { kind: 'lambda' as const, function: 'fn' };
const m = (verb: RestMethod['method'], resourcePath: string, authorization: RestMethod['authorization'], apiKeyRequired = false): RestMethod => ({ resourcePath, method: verb, authorization, apiKeyRequired, integration: lambda });

const api: RestApi = {
  name: 'api', id: 'abc123defg', stage: 'dev', apiKeySource: 'HEADER',
  methods: [
    m('GET', '/items', { type: 'AWS_IAM' }),
    m('ANY', '/items/{proxy+}', { type: 'AWS_IAM' }),
    m('GET', '/me', { type: 'COGNITO_USER_POOLS', authorizer: 'cog', scopes: [] }),
    m('GET', '/scoped', { type: 'COGNITO_USER_POOLS', authorizer: 'cog', scopes: ['items/read'] }),
    m('GET', '/partner', { type: 'CUSTOM', authorizer: 'tok' }),
    m('GET', '/keyed', { type: 'CUSTOM', authorizer: 'tok' }, true),
    m('GET', '/open', { type: 'NONE' }, true),
  ],
  authorizers: [
    { id: 'cog', name: 'Cog', type: 'COGNITO_USER_POOLS', userPools: ['app'], identitySource: 'method.request.header.Authorization', ttlSeconds: 300 },
    { id: 'tok', name: 'Tok', type: 'TOKEN', function: 'fn', identitySource: 'method.request.header.Authorization', validationRegex: '^Bearer .+$', ttlSeconds: 300 },
  ],
  apiKeys: [{ id: 'k', name: 'k', enabled: true, stages: ['dev'] }],
  gatewayResponses: [],
};
const allow = (resource: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource }] });
const arn = (rest: string) => `arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/${rest}`;
const section = (overrides: Partial<RestSection['rolePolicies']> = {}): RestSection => ({
  region: 'us-east-1', account: '123456789012', apis: [api], httpApis: [], functions: [], caveats: [],
  rolePolicies: { authenticated: [allow(arn('*/items'))], unauthenticated: [], groups: { Admins: [allow(arn('*/items/*'))], Staff: [] }, groupPrecedence: ['Admins', 'Staff'], ...overrides },
});
const decide = (caller: RestCaller, verb: string, path: string, s = section()) => {
  const method = s.apis[0]!.methods.find((x) => (x.method === verb || x.method === 'ANY') && new RegExp(`^${x.resourcePath.replace(/\{[^}]+\+\}/, '.+')}$`).test(path))!;
  return decideRest(s, caller, { api: s.apis[0]!, method, verb: verb as never, path });
};
const wire = (d: ReturnType<typeof decide>) => ({ outcome: d.outcome, status: d.status, errorType: d.errorType, message: d.message ?? d.messageEnd });

const idToken = { kind: 'cognito' as const, use: 'id' as const, scopes: [], pool: 'app' as const };
const accessToken = (scopes: string[]) => ({ kind: 'cognito' as const, use: 'access' as const, scopes, pool: 'app' as const });
const policy = (effect: 'Allow' | 'Deny', resource: string) => ({ kind: 'policy' as const, principalId: 'p', policy: { Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] } });

describe('API Gateway\'s answers, method by method', () => {
  it.each<[string, RestCaller, string, string, ReturnType<typeof wire>]>([
    ['IAM, unsigned', {}, 'GET', '/items', { outcome: 'deny', status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }],
    ['IAM, a token instead of a signature', { authorization: idToken, signer: { kind: 'authenticated', groups: [] } }, 'GET', '/items', { outcome: 'deny', status: 403, errorType: 'IncompleteSignatureException', message: undefined }],
    ['IAM, the authenticated role\'s policy', { signer: { kind: 'authenticated', groups: [] } }, 'GET', '/items', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['IAM, a group member gets the group\'s role, not the authenticated role', { signer: { kind: 'authenticated', groups: ['Admins'] } }, 'GET', '/items', { outcome: 'deny', status: 403, errorType: 'AccessDeniedException', message: ` is not authorized to perform: execute-api:Invoke on resource: ${arn('GET/items')} because no identity-based policy allows the execute-api:Invoke action` }],
    ['IAM, `*` in a resource spans slashes', { signer: { kind: 'authenticated', groups: ['Admins'] } }, 'DELETE', '/items/a/b', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['IAM, an administrator outside the pool', { signer: { kind: 'admin', roleName: 'admin' } }, 'GET', '/items', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['Cognito, an ID token where no scopes are set', { authorization: idToken }, 'GET', '/me', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['Cognito, an access token where no scopes are set', { authorization: accessToken(['items/read']) }, 'GET', '/me', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Cognito, an access token with the scope', { authorization: accessToken(['openid', 'items/read']) }, 'GET', '/scoped', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['Cognito, an access token without the scope', { authorization: accessToken(['openid']) }, 'GET', '/scoped', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Cognito, an ID token where scopes are set', { authorization: idToken }, 'GET', '/scoped', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Cognito, a signature instead of a token', { signer: { kind: 'unauthenticated' } }, 'GET', '/me', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Lambda, no token: not invoked', { authorizerAnswers: { tok: policy('Allow', '*') } }, 'GET', '/partner', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Lambda, the token fails the validation expression: not invoked', { authorization: { kind: 'opaque', value: 'partner' }, authorizerAnswers: { tok: policy('Allow', '*') } }, 'GET', '/partner', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Lambda, Allow', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: policy('Allow', arn('*/*')) } }, 'GET', '/partner', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['Lambda, an explicit Deny', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: policy('Deny', arn('*/*')) } }, 'GET', '/partner', { outcome: 'deny', status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to access this resource with an explicit deny' }],
    ['Lambda, a policy for another method', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: policy('Allow', arn('POST/partner')) } }, 'GET', '/partner', { outcome: 'deny', status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to access this resource' }],
    ['Lambda, Unauthorized thrown', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: { kind: 'unauthorized' } } }, 'GET', '/partner', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['Lambda, any other failure', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: { kind: 'error', message: 'boom' } } }, 'GET', '/partner', { outcome: 'deny', status: 500, errorType: 'AuthorizerConfigurationException', message: undefined }],
    ['API key after the authorizer: refused by the authorizer first', { authorization: { kind: 'opaque', value: 'Bearer x' }, apiKey: { valid: true }, authorizerAnswers: { tok: { kind: 'unauthorized' } } }, 'GET', '/keyed', { outcome: 'deny', status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' }],
    ['API key after the authorizer: allowed, then no key', { authorization: { kind: 'opaque', value: 'Bearer x' }, authorizerAnswers: { tok: policy('Allow', '*') } }, 'GET', '/keyed', { outcome: 'deny', status: 403, errorType: 'ForbiddenException', message: 'Forbidden' }],
    ['API key, a key of a usage plan', { apiKey: { valid: true } }, 'GET', '/open', { outcome: 'allow', status: undefined, errorType: undefined, message: undefined }],
    ['API key, a key outside any usage plan', { apiKey: { valid: false } }, 'GET', '/open', { outcome: 'deny', status: 403, errorType: 'ForbiddenException', message: 'Forbidden' }],
  ])('%s', (_what, caller, verb, path, want) => {
    expect(wire(decide(caller, verb, path))).toEqual(want);
  });

  it('every decision names its method and says why', () => {
    const d = decide({ signer: { kind: 'authenticated', groups: ['Admins'] } }, 'GET', '/items');
    expect(d.rule).toBe('api GET /items');
    expect(d.reason).toBe('denied: the Admins group\'s role\'s policy allows execute-api:Invoke on /items/* but not on GET /items (a group member gets the group\'s role instead of the authenticated role)');
  });
});

const resource = fc.constantFrom(arn('*/items'), arn('*/items/*'), arn('GET/items'), arn('*'), '*', arn('DELETE/*'), arn('*/other'));
const statement = fc.record({ Effect: fc.constantFrom('Allow' as const, 'Deny' as const), Action: fc.constantFrom('execute-api:Invoke', 'execute-api:*', 's3:GetObject'), Resource: resource });
const documents = fc.array(fc.record({ Statement: fc.array(statement, { maxLength: 4 }) }), { maxLength: 3 });
const request = fc.oneof(
  fc.constant({ verb: 'GET', path: '/items' }),
  fc.record({ verb: fc.constantFrom('GET', 'DELETE', 'POST'), path: fc.constantFrom('/items/a', '/items/a/b') }),
);

describe('laws', () => {
  it('an explicit Deny covering the method wins over any Allow', () => {
    fc.assert(fc.property(documents, request, (docs, req) => {
      const s = section({ authenticated: [...docs, { Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: arn(`${req.verb}${req.path}`) }] }] });
      const d = decide({ signer: { kind: 'authenticated', groups: [] } }, req.verb, req.path, s);
      expect(d.outcome).toBe('deny');
      expect(d.messageEnd).toMatch(/with an explicit deny in an identity-based policy$/);
    }));
  });

  it('nothing is allowed that no statement allows (implicit deny), and adding an Allow never takes access away', () => {
    fc.assert(fc.property(documents, request, resource, (docs, req, extra) => {
      const caller: RestCaller = { signer: { kind: 'authenticated', groups: [] } };
      const before = decide(caller, req.verb, req.path, section({ authenticated: docs }));
      if (evaluate(docs, 'execute-api:Invoke', arn(`${req.verb}${req.path}`)).effect !== 'Allow') expect(before.outcome).toBe('deny');
      const after = decide(caller, req.verb, req.path, section({ authenticated: [...docs, allow(extra)] }));
      if (before.outcome === 'allow') expect(after.outcome).toBe('allow');
    }));
  });

  it('a member of several groups is decided by exactly one role: the first group\'s by precedence', () => {
    fc.assert(fc.property(documents, documents, fc.subarray(['Admins', 'Staff'], { minLength: 1 }), request, (a, b, groups, req) => {
      const s = section({ groups: { Admins: a, Staff: b } });
      const first = ['Admins', 'Staff'].find((g) => groups.includes(g))!;
      const alone = decide({ signer: { kind: 'authenticated', groups: [first] } }, req.verb, req.path, s);
      const member = decide({ signer: { kind: 'authenticated', groups } }, req.verb, req.path, s);
      expect(member.outcome).toBe(alone.outcome);
      // The authenticated role's policy never counts for a group member.
      const withAuth = decide({ signer: { kind: 'authenticated', groups } }, req.verb, req.path, { ...s, rolePolicies: { ...s.rolePolicies, authenticated: [allow('*')] } });
      expect(withAuth.outcome).toBe(member.outcome);
    }));
  });

  it('Cognito: an ID token passes exactly where no scopes are set; an access token exactly where it holds one', () => {
    fc.assert(fc.property(fc.subarray(['items/read', 'items/write', 'openid']), fc.subarray(['items/read', 'openid']), (required, held) => {
      const s = section();
      const scoped: RestApi = { ...s.apis[0]!, methods: [m('GET', '/x', { type: 'COGNITO_USER_POOLS', authorizer: 'cog', scopes: required })] };
      const d = (caller: RestCaller) => decideRest({ ...s, apis: [scoped] }, caller, { api: scoped, method: scoped.methods[0]!, verb: 'GET', path: '/x' }).outcome;
      expect(d({ authorization: idToken })).toBe(required.length ? 'deny' : 'allow');
      expect(d({ authorization: accessToken(held) })).toBe(required.length && held.some((h) => required.includes(h)) ? 'allow' : 'deny');
    }));
  });
});
