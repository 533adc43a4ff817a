/**
 * The Gen 1 REST category as the CLI deploys it (harness/schema/rest/gen1.ts, docs/rest.md "Gen 1 REST category"):
 * operations to methods, the execute-api resources each role is allowed, the methods of each path, older
 * projects' `api-params.json`, and how a project without a GraphQL API is found and loaded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSchema } from '../../harness/schema/find-app.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { gen1Rest, invokeMethods, invokeResources, readPaths, type CrudOperation } from '../../harness/schema/rest/gen1.js';
import { gen1AuthResources } from '../../harness/schema/gen1-auth.js';
import { fixture } from '../cli/cli.js';
import { defaultCast } from '../../harness/matrix/cast.js';

const root = mkdtempSync(path.join(tmpdir(), 'am-gen1-rest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('operations → methods', () => {
  it.each<[CrudOperation[], boolean, string[]]>([
    [['read'], true, ['GET']],
    [['create'], true, ['POST']],
    [['update'], true, ['PUT', 'PATCH']],
    [['delete'], true, ['DELETE']],
    [['read', 'create'], true, ['GET', 'POST']],
    [['read', 'read'], true, ['GET']],
    [[], true, []],
    // The identity pool's roles: all four are every method (HEAD and OPTIONS included).
    [['create', 'read', 'update', 'delete'], true, ['*']],
    [['delete', 'update', 'read', 'create'], true, ['*']],
    // A group's role: never collapsed.
    [['create', 'read', 'update', 'delete'], false, ['POST', 'GET', 'PUT', 'PATCH', 'DELETE']],
  ])('%j (collapse %s) → %j', (ops, collapse, methods) => {
    expect(invokeMethods(ops, collapse)).toEqual(methods);
  });
});

describe('the execute-api resources of one path', () => {
  const api = 'arn:aws:execute-api:us-east-1:123456789012:abc';
  it.each<[string, CrudOperation[], 'identityPool' | 'group', string[]]>([
    ['/items', ['read'], 'identityPool', [`${api}/dev/GET/items/*`, `${api}/dev/GET/items`]],
    ['/items/{id}', ['read'], 'identityPool', [`${api}/dev/GET/items/*/*`, `${api}/dev/GET/items/*`]],
    ['/items/{id}/parts/{part-no}', ['delete'], 'identityPool', [`${api}/dev/DELETE/items/*/parts/*/*`, `${api}/dev/DELETE/items/*/parts/*`]],
    ['/items/{id}', ['read'], 'group', [`${api}/dev/GET/items/*/*`, `${api}/dev/GET/items/*`]],
    ['/items/', ['create', 'read', 'update', 'delete'], 'identityPool', [`${api}/dev/*/items/*`, `${api}/dev/*/items/`]],
    ['/items', ['update'], 'group', [`${api}/dev/PUT/items/*`, `${api}/dev/PUT/items`, `${api}/dev/PATCH/items/*`, `${api}/dev/PATCH/items`]],
  ])('%s %j on the %s role', (p, ops, role, resources) => {
    expect(invokeResources(api, 'dev', p, ops, role)).toEqual(resources);
  });
});

describe('api-params.json (projects before cli-inputs.json), converted as the CLI converts it', () => {
  const file = (paths: unknown): string => {
    const dir = mkdtempSync(path.join(root, 'params-'));
    writeFileSync(path.join(dir, 'api-params.json'), JSON.stringify({ paths }));
    return path.join(dir, 'api-params.json');
  };
  it.each<[Record<string, unknown>, object]>([
    [{ open: true }, { setting: 'open' }],
    [{ private: true, auth: 'r' }, { setting: 'private', auth: ['read'] }],
    [{ protected: true, auth: 'rw', unauth: 'r' }, { setting: 'protected', auth: ['create', 'read', 'update', 'delete'], guest: ['read'] }],
    [{ protected: true, auth: ['/GET', '/PUT', '/PATCH'], unauth: ['/GET'] }, { setting: 'protected', auth: ['read', 'update'], guest: ['read'] }],
    [{ private: true, userPoolGroups: { Admin: 'rw', Staff: ['/GET'] } }, { setting: 'private', groups: { Admin: ['create', 'read', 'update', 'delete'], Staff: ['read'] } }],
    // Neither open nor private: protected.
    [{}, { setting: 'protected' }],
  ])('privacy %j → %j', (privacy, permissions) => {
    expect(readPaths(file([{ name: '/x', lambdaFunction: 'fn', privacy }]), 'api')).toEqual({ '/x': { lambdaFunction: 'fn', permissions } });
  });
});

describe('cli-inputs.json mistakes are refused with the file named', () => {
  const file = (paths: unknown): string => {
    const dir = mkdtempSync(path.join(root, 'inputs-'));
    writeFileSync(path.join(dir, 'cli-inputs.json'), JSON.stringify({ version: 1, paths }));
    return path.join(dir, 'cli-inputs.json');
  };
  it.each<[unknown, RegExp]>([
    [{}, /REST API api has no paths/],
    [{ '/x': { permissions: {} } }, /path \/x of REST API api has no lambdaFunction/],
    [{ '/x': { lambdaFunction: 'f', permissions: { setting: 'public' } } }, /permission setting "public"/],
    [{ '/x': { lambdaFunction: 'f', permissions: { auth: ['write'] } } }, /the \/x auth permissions must be a list of create, read, update, delete/],
    [{ x: { lambdaFunction: 'f', permissions: {} } }, /path "x" of REST API api does not start with \//],
  ])('%j', (paths, message) => {
    expect(() => readPaths(file(paths), 'api')).toThrow(message);
  });
});

describe('the REST section of app shape gen1-rest', () => {
  const project = fixture('app-shapes', 'gen1-rest');
  const section = gen1Rest(project, gen1AuthResources(project))!;
  const api = section.apis[0]!;

  it('each path and its {proxy+} child: ANY calling the function (IAM, none where open) and the CORS preflight', () => {
    expect(section.apis.map((a) => [a.name, a.stage])).toEqual([['shopapi', 'staging']]);
    expect(api.methods.map((m) => `${m.method} ${m.resourcePath} ${m.authorization.type} ${m.integration.kind === 'lambda' ? m.integration.function : m.integration.kind}`)).toEqual([
      'OPTIONS /images NONE mock', 'ANY /images NONE imagesHandler', 'OPTIONS /images/{proxy+} NONE mock', 'ANY /images/{proxy+} NONE imagesHandler',
      'OPTIONS /items NONE mock', 'ANY /items AWS_IAM shopHandler', 'OPTIONS /items/{proxy+} NONE mock', 'ANY /items/{proxy+} AWS_IAM shopHandler',
      'OPTIONS /reports NONE mock', 'ANY /reports AWS_IAM shopHandler', 'OPTIONS /reports/{proxy+} NONE mock', 'ANY /reports/{proxy+} AWS_IAM shopHandler',
    ]);
    expect(api.gatewayResponses.map((r) => [r.type, r.headers['Access-Control-Allow-Origin']])).toEqual([['DEFAULT_4XX', '*'], ['DEFAULT_5XX', '*']]);
    // The functions are stubbed: no module is named.
    expect(section.functions).toEqual([{ id: 'imagesHandler', name: 'imagesHandler', exportName: 'handler' }, { id: 'shopHandler', name: 'shopHandler', exportName: 'handler' }]);
  });

  it('the roles: authenticated every method on /items, guests GET, each group its own operations; groups by precedence', () => {
    const arn = 'arn:aws:execute-api:us-east-1:123456789012:shopapi/staging';
    const resources = (docs: { Statement: { Resource?: unknown }[] }[]) => docs.flatMap((d) => d.Statement.flatMap((s) => [s.Resource].flat()));
    expect(resources(section.rolePolicies.authenticated)).toEqual([`${arn}/*/items/*`, `${arn}/*/items`]);
    expect(resources(section.rolePolicies.unauthenticated)).toEqual([`${arn}/GET/items/*`, `${arn}/GET/items`]);
    expect(resources(section.rolePolicies.groups.Staff!)).toEqual([`${arn}/GET/reports/*`, `${arn}/GET/reports`]);
    expect(resources(section.rolePolicies.groups.Managers!)).toHaveLength(10);
    expect(section.rolePolicies.groupPrecedence).toEqual(['Managers', 'Staff']);
  });
});

describe('Gen 1 projects without a GraphQL API', () => {
  it('are found by their backend-config.json when they deploy a REST API or S3 storage', () => {
    for (const shape of ['gen1-rest', 'gen1-storage-only']) {
      expect(findSchema(fixture('app-shapes', shape))).toBe(fixture('app-shapes', shape, 'amplify', 'backend', 'backend-config.json'));
    }
    // With a GraphQL API, the schema is the source (and the REST API comes along).
    expect(findSchema(fixture('app-shapes', 'gen1-club'))).toBe(fixture('app-shapes', 'gen1-club', 'amplify', 'backend', 'api', 'club', 'schema.graphql'));
  });

  it('load with the identity pool\'s modes, and no models', async () => {
    const model = await loadAuthModel(fixture('app-shapes', 'gen1-storage-only'));
    expect(model.source.kind).toBe('gen1');
    expect(model.models).toEqual([]);
    expect(model.authModes).toEqual({ default: 'iam', enabled: ['userPool', 'iam'], identityPool: { allowUnauthenticated: false } });
    expect(model.storage?.buckets.map((b) => b.name)).toEqual(['photobucket']);
    expect(model.rest).toBeUndefined();
  });

  it('a GraphQL project with the REST category gets both', async () => {
    const model = await loadAuthModel(fixture('app-shapes', 'gen1-club'));
    expect(model.models.map((m) => m.name)).toEqual(['Session', 'Attendance']);
    expect(model.rest?.apis.map((a) => a.name)).toEqual(['clubrest']);
    expect(model.caveats).toContain('the Lambda functions behind the Gen 1 REST APIs (clubMembers) are not run: a stub answers once the gateway has let a request through');
  });

  it('an older project\'s auth category, with parameters.json and no cli-inputs.json, gives the identity pool and its guests (Arahabica/hello-amplify-rest)', async () => {
    const project = path.join(root, 'older');
    const api = path.join(project, 'amplify', 'backend', 'api', 'api');
    const auth = path.join(project, 'amplify', 'backend', 'auth', 'cognito1234abcd');
    mkdirSync(api, { recursive: true });
    mkdirSync(auth, { recursive: true });
    writeFileSync(path.join(project, 'amplify', 'backend', 'backend-config.json'), JSON.stringify({ auth: { cognito1234abcd: { service: 'Cognito' } }, api: { api: { service: 'API Gateway' } } }));
    writeFileSync(path.join(auth, 'parameters.json'), JSON.stringify({ identityPoolName: 'older_identitypool', allowUnauthenticatedIdentities: true, userPoolName: 'older_userpool', authSelections: 'identityPoolAndUserPool' }));
    writeFileSync(path.join(api, 'api-params.json'), JSON.stringify({ paths: [{ name: '/items', lambdaFunction: 'fn', privacy: { protected: true, auth: ['/POST'], unauth: ['/GET'] } }] }));
    const model = await loadAuthModel(project);
    expect(model.authModes.identityPool).toEqual({ allowUnauthenticated: true });
    expect(model.authResources?.identityPool?.allowUnauthenticated).toBe(true);
    expect(model.rest?.rolePolicies.unauthenticated.flatMap((d) => d.Statement.flatMap((x) => [x.Resource].flat()))).toEqual([
      'arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/*', 'arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items',
    ]);
  });

  it('a user-pool-only auth category (no identityPoolName) gives no identity pool: no guest or identity-pool personas', async () => {
    const project = path.join(root, 'user-pool-only');
    const api = path.join(project, 'amplify', 'backend', 'api', 'pub');
    const auth = path.join(project, 'amplify', 'backend', 'auth', 'pubauth');
    mkdirSync(api, { recursive: true });
    mkdirSync(auth, { recursive: true });
    writeFileSync(path.join(project, 'amplify', 'backend', 'backend-config.json'), JSON.stringify({ auth: { pubauth: { service: 'Cognito' } }, api: { pub: { service: 'API Gateway' } } }));
    writeFileSync(path.join(auth, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig: { userPoolName: 'pub_userpool', authSelections: 'userPoolOnly' } }));
    writeFileSync(path.join(api, 'cli-inputs.json'), JSON.stringify({ version: 1, paths: { '/news': { name: '/news', lambdaFunction: 'newsFn', permissions: { setting: 'open' } } } }));
    const model = await loadAuthModel(project);
    expect(model.authResources?.identityPool).toBeUndefined();
    expect(model.authModes).toEqual({ default: 'iam', enabled: ['userPool', 'iam'] });
    const kinds = defaultCast(model).map((p) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['owner', 'stranger', 'iamAdmin']));
    expect(kinds).not.toContain('guest');
    expect(kinds).not.toContain('iamUser');
  });

  it('the CLI\'s build of the last push (api/APIGatewayAuthStack.json), where the project keeps it, is compared with the inputs: equal, nothing said; different, a caveat', () => {
    const project = path.join(root, 'pushed');
    const dir = path.join(project, 'amplify', 'backend', 'api');
    mkdirSync(path.join(dir, 'shop'), { recursive: true });
    writeFileSync(path.join(project, 'amplify', 'backend', 'backend-config.json'), JSON.stringify({ api: { shop: { service: 'API Gateway' } } }));
    writeFileSync(path.join(project, 'amplify', 'team-provider-info.json'), JSON.stringify({ main: {} }));
    const inputs = (guest: string[]) => writeFileSync(path.join(dir, 'shop', 'cli-inputs.json'), JSON.stringify({ version: 1, paths: {
      '/items/{id}': { lambdaFunction: 'f', permissions: { setting: 'protected', auth: ['create', 'read', 'update', 'delete'], guest } },
    } }));
    // Written in the shape the CLI gives it: managed policies on the role parameters, the stage behind ShouldNotCreateEnvResources.
    const arn = (method: string, p: string) => ({ 'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'shop' }, '/', { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] }, method, p]] });
    const policy = (role: string, resources: unknown[]) => ({ Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: role }], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: resources }] } } });
    writeFileSync(path.join(dir, 'APIGatewayAuthStack.json'), JSON.stringify({
      Parameters: { authRoleName: { Type: 'String' }, unauthRoleName: { Type: 'String' }, env: { Type: 'String' }, shop: { Type: 'String' } },
      Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
      Resources: {
        PolicyAPIGWAuth1: policy('authRoleName', [arn('/*', '/items/*/*'), arn('/*', '/items/*')]),
        PolicyAPIGWUnauth1: policy('unauthRoleName', [arn('/GET', '/items/*/*'), arn('/GET', '/items/*')]),
      },
    }));
    inputs(['read']);
    expect(gen1Rest(project, undefined)!.caveats.filter((c) => c.includes('amplify push'))).toEqual([]);
    inputs(['read', 'create']);
    expect(gen1Rest(project, undefined)!.caveats.filter((c) => c.includes('amplify push'))).toEqual([
      'amplify/backend/api/APIGatewayAuthStack.json, the CLI\'s build of the last `amplify push`, does not give the unauthenticated role execute-api:Invoke on 2 resources the inputs do (shop/main/POST/items/*/*, shop/main/POST/items/*): the REST category changed after that push; tested as its inputs say',
    ]);
  });

  it('an older project\'s build is the API\'s own template (PolicyAPIGW… on the role parameters): compared the same way', () => {
    const project = path.join(root, 'pushed-older');
    const dir = path.join(project, 'amplify', 'backend', 'api', 'api');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(project, 'amplify', 'backend', 'backend-config.json'), JSON.stringify({ api: { api: { service: 'API Gateway' } } }));
    writeFileSync(path.join(dir, 'api-params.json'), JSON.stringify({ paths: [{ name: '/items', lambdaFunction: 'fn', privacy: { protected: true, auth: ['/POST'], unauth: ['/GET'] } }] }));
    const arn = (method: string, p: string) => ({ 'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'api' }, '/', { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] }, method, p]] });
    const template = (authMethod: string) => JSON.stringify({
      Parameters: { authRoleName: { Type: 'String' }, unauthRoleName: { Type: 'String' }, env: { Type: 'String' } },
      Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
      Resources: {
        api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
        PolicyAPIGWapiauth: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'authRoleName' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: [arn(authMethod, '/items/*'), arn(authMethod, '/items')] }] } } },
        PolicyAPIGWapiunauth: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'unauthRoleName' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: [arn('/GET', '/items/*'), arn('/GET', '/items')] }] } } },
      },
    });
    writeFileSync(path.join(dir, 'api-cloudformation-template.json'), template('/POST'));
    expect(gen1Rest(project, undefined)!.caveats.filter((c) => c.includes('amplify push'))).toEqual([]);
    writeFileSync(path.join(dir, 'api-cloudformation-template.json'), template('/PUT'));
    expect(gen1Rest(project, undefined)!.caveats.filter((c) => c.includes('amplify push'))).toEqual([
      'amplify/backend/api/api/api-cloudformation-template.json, the CLI\'s build of the last `amplify push`, gives the authenticated role execute-api:Invoke on 2 resources the REST inputs do not (api/dev/PUT/items/*, api/dev/PUT/items) and does not give it on 2 resources the inputs do (api/dev/POST/items/*, api/dev/POST/items): the REST category changed after that push; tested as its inputs say',
    ]);
  });

  it('a REST API whose paths clash is said in a caveat, as is a stage the project does not name', () => {
    const project = path.join(root, 'clash');
    const api = path.join(project, 'amplify', 'backend', 'api', 'things');
    mkdirSync(api, { recursive: true });
    writeFileSync(path.join(project, 'amplify', 'backend', 'backend-config.json'), JSON.stringify({ api: { things: { service: 'API Gateway' } } }));
    writeFileSync(path.join(api, 'cli-inputs.json'), JSON.stringify({ version: 1, paths: {
      '/things': { lambdaFunction: 'f', permissions: { setting: 'private', auth: ['read'] } },
      '/things/{id}': { lambdaFunction: 'f', permissions: { setting: 'private', groups: { Admin: ['read'] } } },
    } }));
    const section = gen1Rest(project, undefined)!;
    expect(section.caveats).toContain('REST API things: /things/{proxy+} and /things/{id} are sibling resources with variable path parts, which API Gateway refuses to create (one variable part per level; every path gets a {proxy+} child): tested as written');
    // The group's policy for /things/{id} covers /things/* (the current CLI; older ones wrote the braces).
    expect(section.rolePolicies.groups.Admin!.flatMap((d) => d.Statement.flatMap((x) => [x.Resource].flat()))).toContain('arn:aws:execute-api:us-east-1:123456789012:things/dev/GET/things/*');
    expect(section.caveats).toContain('the Amplify environment\'s name (the REST APIs\' stage) is not in amplify/team-provider-info.json or amplify/.config/local-env-info.json: the stage is taken to be dev');
  });
});
