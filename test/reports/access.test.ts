/**
 * The "who can" index for REST APIs: the planner's REST cells land under API and resource, how the caller
 * presented itself, and verb, with the personas each outcome holds for and the method rule; the same
 * request through global or overriding headers is a variant of that permission and stays out.
 */
import { describe, expect, it } from 'vitest';
import { defaultCast } from '../../harness/matrix/cast.js';
import { restCells } from '../../harness/matrix/rest-cells.js';
import type { CellResult } from '../../harness/matrix/verdict.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import type { AuthModel } from '../../harness/schema/model.js';
import type { RestMethod, RestSection } from '../../harness/schema/rest/model.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { accessIndex } from '../../reports/access.js';
import { ALL_MODES } from '../helpers.js';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev';
const m = (method: RestMethod['method'], resourcePath: string, authorization: RestMethod['authorization']): RestMethod =>
  ({ method, resourcePath, authorization, apiKeyRequired: false, integration: { kind: 'lambda', function: 'fn' } });

function model(): AuthModel {
  const auth = authModelFromSdl({ sdl: 'type Note @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admins"] }]) { body: String }', file: 't.graphql', kind: 'gen1', authModes: ALL_MODES, params: GEN1_DEFAULT_PARAMS });
  const rest: RestSection = {
    region: 'us-east-1', account: '123456789012', functions: [], caveats: [], httpApis: [],
    apis: [{
      name: 'api', id: 'abc123defg', stage: 'dev', apiKeySource: 'HEADER', apiKeys: [], gatewayResponses: [],
      methods: [m('GET', '/items', { type: 'AWS_IAM' }), m('GET', '/me', { type: 'COGNITO_USER_POOLS', authorizer: 'cog', scopes: [] }), m('OPTIONS', '/items', { type: 'NONE' })],
      authorizers: [{ id: 'cog', name: 'Cog', type: 'COGNITO_USER_POOLS', userPools: ['app'], identitySource: 'method.request.header.Authorization', ttlSeconds: 300 }],
    }],
    rolePolicies: { authenticated: [{ Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/GET/items` }] }], unauthenticated: [], groups: { Admins: [] }, groupPrecedence: ['Admins'] },
  };
  return { ...auth, rest };
}

/** The planner's REST cells, as a run where every answer matched. */
function results(): CellResult[] {
  const auth = model();
  return restCells(auth, defaultCast(auth)).cells.map((c) => ({ ...c, observed: c.expected, pass: true, detail: '', summary: '', latencyMs: 0 }) as CellResult);
}

describe('who can: REST APIs', () => {
  const cells = results();
  const rest = accessIndex(cells).surfaces.find((s) => s.name === 'REST APIs')!;
  const branches = (resource: string, part: string, operation: string) => {
    const op = rest.resources.find((r) => r.name === resource)!.parts.find((p) => p.name === part)!.operations.find((o) => o.name === operation)!;
    return op.branches.map((b) => [b.outcome, b.rule, b.personas.map((p) => p.persona).sort()]);
  };

  it('a resource per API path, a part per way of presenting credentials', () => {
    expect(rest.resources.map((r) => r.name)).toEqual(['api /items', 'api /me']);
    expect(rest.resources[0]!.parts.map((p) => p.name).sort()).toEqual(['CORS preflight', 'signed (SigV4)', 'with an ID token', 'with an OIDC token', 'with an access token', 'with no credentials'].sort());
  });

  it('signed GET /items: signed-in users and the administrator pass by the method rule; guests and group members (their group\'s role) do not', () => {
    const b = branches('api /items', 'signed (SigV4)', 'GET');
    expect(b[0]).toEqual(['allow', 'api GET /items', ['iamAdmin', 'iamUser', 'owner', 'stranger']]);
    const refused = b.filter(([outcome]) => outcome === 'deny').flatMap(([, , personas]) => personas as string[]);
    expect(refused).toEqual(expect.arrayContaining(['guest', 'groupMember:Admins']));
  });

  it('the Cognito method: every signed-in user with an ID token, nobody with an access token', () => {
    expect(branches('api /me', 'with an ID token', 'GET').map(([o]) => o)).toEqual(['allow']);
    expect(branches('api /me', 'with an access token', 'GET').map(([o]) => o)).toEqual(['deny']);
    // An OIDC token is of an issuer the authorizer does not name.
    expect(branches('api /me', 'with an OIDC token', 'GET')).toEqual([['deny', 'api GET /me', ['oidcStranger', 'oidcUser']]]);
  });

  it('header variants (global, override) are cells of the run but not separate permissions', () => {
    expect(cells.some((c) => c.variant?.includes(':global'))).toBe(true);
    const placed = rest.resources.flatMap((r) => r.parts.flatMap((p) => p.operations.flatMap((o) => o.branches.flatMap((b) => b.personas.flatMap((p) => p.cells)))));
    expect(placed.every((i) => !cells[i]!.variant!.includes(':'))).toBe(true);
    expect(placed.length).toBe(cells.filter((c) => !c.variant!.includes(':')).length);
  });
});
