/**
 * REST findings: each risky REST definition triggers exactly its finding, the fixed one none, the REST
 * oracle agrees that the risk is real, and the REST example (its amplify/backend.ts synthesized by CDK)
 * gives the findings its comments describe.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findings } from '../../harness/lint/lint.js';
import { decideRest } from '../../harness/rules/rest.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import type { HttpRoute, PolicyDocument, RestMethod, RestSection } from '../../harness/schema/rest/model.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { example, fixture } from '../cli/cli.js';
import { ALL_MODES } from '../helpers.js';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev';
const allow = (...resources: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resources }] });
const m = (method: RestMethod['method'], resourcePath: string, authorization: RestMethod['authorization'], apiKeyRequired = false): RestMethod =>
  ({ method, resourcePath, authorization, apiKeyRequired, integration: { kind: 'lambda', function: 'fn' } });

function withRest(methods: RestMethod[], policies: Partial<RestSection['rolePolicies']> = {}): AuthModel {
  // A Gen 2 app's: its REST APIs are CDK (a Gen 1 project's come from the CLI's REST category, with fixes of their own).
  const auth = authModelFromSdl({ sdl: 'type Note @model @auth(rules: [{ allow: owner }]) { body: String }', file: 't.graphql', kind: 'gen2', authModes: ALL_MODES, params: GEN1_DEFAULT_PARAMS });
  const rest: RestSection = {
    region: 'us-east-1', account: '123456789012', functions: [], caveats: [], httpApis: [],
    apis: [{ name: 'api', id: 'abc123defg', stage: 'dev', apiKeySource: 'HEADER', methods, authorizers: [], apiKeys: [], gatewayResponses: [] }],
    rolePolicies: { authenticated: [], unauthenticated: [], groups: {}, groupPrecedence: [], ...policies },
  };
  return { ...auth, rest };
}

const restFindings = (auth: AuthModel) => findings(auth).filter((f) => f.check.startsWith('rest-')).map((f) => [f.id, f.severity]);

describe('REST findings, risky and fixed', () => {
  it.each<[string, AuthModel, [string, string][], AuthModel]>([
    ['a write method with no authorization',
      withRest([m('POST', '/orders', { type: 'NONE' }), m('GET', '/health', { type: 'NONE' })]), [['rest-open-write:api POST /orders', 'high']],
      withRest([m('POST', '/orders', { type: 'AWS_IAM' }), m('GET', '/health', { type: 'NONE' })])],
    ['an ANY proxy with no authorization',
      withRest([m('ANY', '/files/{proxy+}', { type: 'NONE' })]), [['rest-open-write:api ANY /files/{proxy+}', 'high']],
      withRest([m('ANY', '/files/{proxy+}', { type: 'COGNITO_USER_POOLS', authorizer: 'c', scopes: [] })])],
    ['an API key as the only guard of a read',
      withRest([m('GET', '/catalog', { type: 'NONE' }, true)]), [['rest-api-key-only:api GET /catalog', 'medium']],
      withRest([m('GET', '/catalog', { type: 'AWS_IAM' }, true)])],
    ['an API key as the only guard of a write',
      withRest([m('DELETE', '/catalog', { type: 'NONE' }, true)]), [['rest-api-key-only:api DELETE /catalog', 'high']],
      withRest([m('DELETE', '/catalog', { type: 'AWS_IAM' }, true)])],
    ['the guide\'s `*` method policy on the unauthenticated role',
      withRest([m('GET', '/items', { type: 'AWS_IAM' }), m('POST', '/items', { type: 'AWS_IAM' })], { unauthenticated: [allow(`${ARN}/*/items`)] }), [['rest-guest-write:api POST /items', 'high']],
      withRest([m('GET', '/items', { type: 'AWS_IAM' }), m('POST', '/items', { type: 'AWS_IAM' })], { unauthenticated: [allow(`${ARN}/GET/items`)] })],
    ['a group role without the authenticated role\'s policy',
      withRest([m('GET', '/items', { type: 'AWS_IAM' })], { authenticated: [allow(`${ARN}/*/items`)], groups: { Admins: [], Staff: [allow(`${ARN}/*/*`)] }, groupPrecedence: ['Admins', 'Staff'] }),
      [['rest-group-role-missing:Admins', 'medium']],
      withRest([m('GET', '/items', { type: 'AWS_IAM' })], { authenticated: [allow(`${ARN}/*/items`)], groups: { Admins: [allow(`${ARN}/GET/items`)], Staff: [allow(`${ARN}/*/*`)] }, groupPrecedence: ['Admins', 'Staff'] })],
    ['a policy on every API of the account',
      withRest([m('GET', '/items', { type: 'AWS_IAM' })], { authenticated: [allow('arn:aws:execute-api:*:*:*')] }), [['rest-wildcard-policy:the authenticated role', 'low']],
      withRest([m('GET', '/items', { type: 'AWS_IAM' })], { authenticated: [allow(`${ARN}/*/*`)] })],
  ])('%s', (_name, risky, expected, fixed) => {
    expect(restFindings(risky)).toEqual(expected);
    expect(restFindings(fixed)).toEqual([]);
  });

  it('an HTTP API\'s routes are read the same way: an open write route, a guest write, a group role without the policy', () => {
    const route = (method: HttpRoute['method'], resourcePath: string, authorization: HttpRoute['authorization']): HttpRoute => ({ method, resourcePath, authorization, integration: { kind: 'lambda', function: 'fn' } });
    const HTTP = 'arn:aws:execute-api:us-east-1:123456789012:h77p0api/$default';
    const auth = withRest([], { unauthenticated: [allow(`${HTTP}/*/items`)], authenticated: [allow(`${HTTP}/*/items`)], groups: { Admins: [] }, groupPrecedence: ['Admins'] });
    const http: AuthModel = { ...auth, rest: { ...auth.rest!, httpApis: [{ name: 'shop', id: 'h77p0api', stage: '$default', authorizers: [], routes: [route('POST', '/orders', { type: 'NONE' }), route('POST', '/items', { type: 'AWS_IAM' })] }] } };
    expect(restFindings(http).sort()).toEqual([['rest-group-role-missing:Admins', 'medium'], ['rest-guest-write:shop POST /items', 'high'], ['rest-open-write:shop POST /orders', 'high']]);
  });

  it('a finding names the method rule and a CDK fix', () => {
    const [f] = findings(withRest([m('POST', '/orders', { type: 'NONE' })])).filter((x) => x.check === 'rest-open-write');
    expect(f).toMatchObject({ rule: 'api POST /orders', title: 'Anyone may POST /orders of api' });
    expect(f!.fix).toContain('authorizationType: AuthorizationType.IAM');
  });

  it('a Gen 1 project\'s findings name the path\'s permissions in cli-inputs.json, not CDK (app shape gen1-rest)', async () => {
    const auth = await loadAuthModel(fixture('app-shapes', 'gen1-rest'));
    const found = findings(auth).filter((f) => f.check.startsWith('rest-'));
    expect(found.map((f) => [f.id, f.severity]).sort()).toEqual([
      ['rest-group-role-missing:Managers', 'medium'], ['rest-group-role-missing:Staff', 'medium'],
      ['rest-open-write:shopapi ANY /images', 'high'], ['rest-open-write:shopapi ANY /images/{proxy+}', 'high'],
    ]);
    for (const f of found) {
      expect(f.fix).toContain('cli-inputs.json');
      expect(f.fix).not.toMatch(/backend\.ts|AuthorizationType|backend\.auth/);
    }
    expect(found.find((f) => f.id === 'rest-open-write:shopapi ANY /images/{proxy+}')!.explanation).toContain('the path `/images` is `"setting": "open"` in amplify/backend/api/shopapi/cli-inputs.json');
  });

  it('an older project\'s findings name its api-params.json and the privacy keys there, not cli-inputs.json', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'am-lint-api-params-'));
    try {
      const backend = path.join(project, 'amplify', 'backend');
      const write = (rel: string, value: unknown) => {
        mkdirSync(path.dirname(path.join(backend, rel)), { recursive: true });
        writeFileSync(path.join(backend, rel), JSON.stringify(value));
      };
      write('backend-config.json', { auth: { clubauth: { service: 'Cognito' } }, api: { clubrest: { service: 'API Gateway' } } });
      write('auth/clubauth/parameters.json', { identityPoolName: 'club_identitypool', allowUnauthenticatedIdentities: true, userPoolName: 'club_userpool' });
      write('auth/userPoolGroups/user-pool-group-precedence.json', [{ groupName: 'Coaches', precedence: 1 }]);
      write('api/clubrest/api-params.json', { paths: [
        { name: '/notices', lambdaFunction: 'fn', privacy: { open: true } },
        { name: '/members', lambdaFunction: 'fn', privacy: { protected: true, auth: 'rw', unauth: 'rw' } },
      ] });
      const found = findings(await loadAuthModel(project)).filter((f) => f.check.startsWith('rest-'));
      expect(found.map((f) => f.id).sort()).toEqual([
        'rest-group-role-missing:Coaches', 'rest-guest-write:clubrest ANY /members', 'rest-guest-write:clubrest ANY /members/{proxy+}',
        'rest-open-write:clubrest ANY /notices', 'rest-open-write:clubrest ANY /notices/{proxy+}',
      ]);
      for (const f of found) {
        expect(`${f.explanation} ${f.fix}`).not.toContain('cli-inputs.json');
        expect(f.fix).toContain('amplify/backend/api/clubrest/api-params.json');
      }
      const byId = (id: string) => found.find((f) => f.id === id)!;
      expect(byId('rest-open-write:clubrest ANY /notices').explanation).toContain('the path `/notices` is `"privacy": { "open": true }` in amplify/backend/api/clubrest/api-params.json');
      expect(byId('rest-guest-write:clubrest ANY /members').fix).toContain('`"unauth"`');
      expect(byId('rest-group-role-missing:Coaches').fix).toContain('`"userPoolGroups": { "Coaches": "rw" }`');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('guests cannot write when the identity pool refuses guests', () => {
    const auth = withRest([m('POST', '/items', { type: 'AWS_IAM' })], { unauthenticated: [allow(`${ARN}/*/items`)] });
    expect(restFindings({ ...auth, authModes: { ...auth.authModes, identityPool: { allowUnauthenticated: false } } })).toEqual([]);
  });

  it('the oracle agrees: the guest write is allowed, the group member refused', () => {
    const guest = withRest([m('POST', '/items', { type: 'AWS_IAM' })], { unauthenticated: [allow(`${ARN}/*/items`)] }).rest!;
    expect(decideRest(guest, { signer: { kind: 'unauthenticated' } }, { api: guest.apis[0]!, method: guest.apis[0]!.methods[0]!, verb: 'POST', path: '/items' }).outcome).toBe('allow');
    const group = withRest([m('GET', '/items', { type: 'AWS_IAM' })], { authenticated: [allow(`${ARN}/*/items`)], groups: { Admins: [] }, groupPrecedence: ['Admins'] }).rest!;
    const req = { api: group.apis[0]!, method: group.apis[0]!.methods[0]!, verb: 'GET' as const, path: '/items' };
    expect(decideRest(group, { signer: { kind: 'authenticated', groups: [] } }, req).outcome).toBe('allow');
    expect(decideRest(group, { signer: { kind: 'authenticated', groups: ['Admins'] } }, req).outcome).toBe('deny');
  });
});

describe('the REST example', () => {
  it('guests may write /items (the guide\'s policy), only an API key guards /catalog, Admins lose /items', async () => {
    const auth = await loadAuthModel(example('rest'));
    expect(restFindings(auth)).toEqual([
      ['rest-guest-write:myRestApi ANY /items/{proxy+}', 'high'],
      ['rest-guest-write:myRestApi DELETE /items', 'high'],
      ['rest-guest-write:myRestApi POST /items', 'high'],
      ['rest-guest-write:myRestApi PUT /items', 'high'],
      ['rest-api-key-only:myRestApi GET /catalog', 'medium'],
      ['rest-group-role-missing:Admins', 'medium'],
    ]);
  });
});
