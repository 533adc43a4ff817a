/**
 * One table per semantic fact of the generated resolvers (amplify-category-api's
 * packages/amplify-graphql-auth-transformer, read where the documentation is incomplete; those cases say so).
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../harness/rules/decide.js';
import { delivery, readRelation, relationPin } from '../../harness/rules/visibility.js';
import type { Identity } from '../../harness/rules/identity.js';
import { ALL_MODES, anonymous, apiKey, guest, iamAdmin, iamUser, lambda, oidc, owner, schema, SUB, user } from '../helpers.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import type { AuthModel } from '../../harness/schema/model.js';

const outcome = (auth: ReturnType<typeof schema>, who: Identity, op: Parameters<typeof decide>[2], target: Parameters<typeof decide>[3]) =>
  decide(auth, who, op, target).outcome;

describe('deny by default', () => {
  const auth = schema(`type Note @model { body: String }`, { genericIamAccess: true });
  it.each([
    ['user-pool user', user('alice', ['Admin'])],
    ['API key', apiKey],
    ['guest', guest],
    ['identity-pool user', iamUser],
    ['Lambda caller', lambda],
  ])('a model without rules denies a %s everything', (_, who) => {
    for (const op of ['get', 'update', 'delete'] as const) expect(outcome(auth, who, op, { type: 'Note', record: { id: '1', body: 'x' } })).toBe('deny');
    expect(outcome(auth, who, 'create', { type: 'Note', input: { body: 'x' } })).toBe('deny');
    expect(outcome(auth, who, 'list', { type: 'Note', records: [{ id: '1' }] })).toBe('deny');
  });
  it('except a plain IAM principal under generic IAM access (Gen 2)', () => {
    expect(outcome(auth, iamAdmin, 'get', { type: 'Note', record: { id: '1' } })).toBe('allow');
    const gen1 = schema(`type Note @model { body: String }`, { genericIamAccess: false });
    expect(outcome(gen1, iamAdmin, 'get', { type: 'Note', record: { id: '1' } })).toBe('deny');
  });
  it('and API keys in sandbox mode (global auth rule)', () => {
    const sandbox = schema(`input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Note @model { body: String }`);
    expect(sandbox.params.sandboxMode).toBe(true);
    expect(outcome(sandbox, apiKey, 'create', { type: 'Note', input: { body: 'x' } })).toBe('allow');
    expect(outcome(sandbox, user('alice'), 'create', { type: 'Note', input: { body: 'x' } })).toBe('deny');
  });
  it('requests without credentials are refused before any rule', () => {
    const d = decide(schema(`type P @model @auth(rules: [{allow: public}]) { x: String }`), anonymous, 'get', { type: 'P', record: { id: '1' } });
    expect(d).toMatchObject({ outcome: 'deny', requestLevel: true });
  });
});

describe('rules are ORed', () => {
  const auth = schema(`type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { title: String }`);
  const rec = { id: '1', owner: owner('alice') };
  it.each([
    ['the owner', user('alice'), 'allow'],
    ['an Admin', user('bob', ['Admin']), 'allow'],
    ['anyone else', user('bob'), 'deny'],
  ] as const)('%s: %s', (_, who, expected) => {
    expect(outcome(auth, who, 'update', { type: 'Post', record: rec, input: { id: '1', title: 't' } })).toBe(expected);
  });
  it('the quoted rule is the static one when both match (groups before owner)', () => {
    expect(decide(auth, user('alice', ['Admin']), 'get', { type: 'Post', record: rec }).rule).toBe('Post#2');
  });
});

describe('provider matching', () => {
  const auth = schema(`type P @model @auth(rules: [
    {allow: public, provider: apiKey, operations: [read]},
    {allow: public, provider: identityPool, operations: [create]},
    {allow: private, provider: iam, operations: [update]},
    {allow: custom, operations: [delete]}
  ]) { x: String }`);
  const rec = { id: '1', x: 'a' };
  it.each([
    ['API key reads', apiKey, 'get', 'allow'],
    ['API key cannot create', apiKey, 'create', 'deny'],
    ['guest (unauth role) creates', guest, 'create', 'allow'],
    ['authenticated identity-pool role is not a guest', iamUser, 'create', 'deny'],
    ['authenticated role updates', iamUser, 'update', 'allow'],
    ['guest cannot update', guest, 'update', 'deny'],
    ['Lambda caller deletes', lambda, 'delete', 'allow'],
    ['user-pool user matches no rule', user('alice'), 'get', 'deny'],
    ['OIDC user matches no rule', oidc({ sub: 'x' }), 'get', 'deny'],
  ] as const)('%s', (_, who, op, expected) => {
    const target = op === 'create' ? { type: 'P', input: { x: 'a' } } : { type: 'P', record: rec, input: { id: '1', x: 'b' } };
    expect(outcome(auth, who, op, target)).toBe(expected);
  });
  it('a refused Lambda token is a request-level denial', () => {
    expect(decide(auth, { kind: 'lambda', authorized: false }, 'delete', { type: 'P', record: rec })).toMatchObject({ outcome: 'deny', requestLevel: true });
  });
  it('OIDC rules match only OIDC tokens', () => {
    const o = schema(`type T @model @auth(rules: [{allow: private, provider: oidc}]) { x: String }`);
    expect(outcome(o, oidc({ sub: 'x' }), 'get', { type: 'T', record: rec })).toBe('allow');
    expect(outcome(o, user('alice'), 'get', { type: 'T', record: rec })).toBe('deny');
  });
});

describe('owner matching with sub::username', () => {
  const auth = schema(`type Todo @model @auth(rules: [{allow: owner}]) { x: String }`);
  it.each([
    ['the composite claim', owner('alice'), 'allow'],
    ['a legacy stored sub', SUB.alice, 'allow'],
    ['a legacy stored username', 'alice', 'allow'],
    ["another user's composite", owner('bob'), 'deny'],
    ['null', null, 'deny'],
  ] as const)('stored owner = %s → %s', (_, stored, expected) => {
    expect(outcome(auth, user('alice'), 'update', { type: 'Todo', record: { id: '1', owner: stored }, input: { id: '1', x: 'y' } })).toBe(expected);
  });
  it('an ID token (cognito:username, no username) matches too', () => {
    const idToken: Identity = { kind: 'userPool', claims: { sub: SUB.alice, 'cognito:username': 'alice', token_use: 'id' } };
    expect(outcome(auth, idToken, 'delete', { type: 'Todo', record: { id: '1', owner: owner('alice') } })).toBe('allow');
  });
  it('a token without the username never matches an owner rule on writes', () => {
    const noName: Identity = { kind: 'userPool', claims: { sub: SUB.alice } };
    expect(outcome(auth, noName, 'delete', { type: 'Todo', record: { id: '1', owner: owner('alice') } })).toBe('deny');
  });
  it('identityClaim iss makes every user of the pool a co-owner', () => {
    const iss = schema(`type Todo @model @auth(rules: [{allow: owner, identityClaim: "iss"}]) { x: String }`);
    const a = user('alice', [], { iss: 'https://pool' });
    const b = user('bob', [], { iss: 'https://pool' });
    const created = decide(iss, a, 'create', { type: 'Todo', input: { x: '1' } });
    expect(created.filled).toEqual({ owner: 'https://pool' });
    expect(outcome(iss, b, 'delete', { type: 'Todo', record: { id: '1', owner: 'https://pool' } })).toBe('allow');
  });
  it('multi-owner lists match on contains', () => {
    const multi = schema(`type Doc @model @auth(rules: [{allow: owner, ownerField: "editors"}]) { editors: [String] }`);
    const rec = { id: '1', editors: [owner('bob'), owner('alice')] };
    expect(outcome(multi, user('alice'), 'update', { type: 'Doc', record: rec, input: { id: '1' } })).toBe('allow');
    expect(outcome(multi, user('carol'), 'update', { type: 'Doc', record: rec, input: { id: '1' } })).toBe('deny');
  });
});

describe('groups', () => {
  const auth = schema(`type P @model @auth(rules: [{allow: groups, groups: ["Devs"]}]) { x: String }`);
  const rec = { id: '1' };
  it.each([
    [['Devs'], 'allow'],
    [['Devs-Admin'], 'deny'],
    [['devs'], 'deny'],
    [[], 'deny'],
  ] as const)('static group Devs with a list claim %j → %s (exact membership)', (groups, expected) => {
    expect(outcome(auth, user('alice', [...groups]), 'get', { type: 'P', record: rec })).toBe(expected);
  });
  it('a plain-string group claim is a substring test for static groups (from the generated VTL; the reference says exact)', () => {
    const custom = schema(`type P @model @auth(rules: [{allow: groups, groups: ["Admin"], groupClaim: "role", provider: oidc}]) { x: String }`);
    expect(outcome(custom, oidc({ sub: 'x', role: 'Admin' }), 'get', { type: 'P', record: rec })).toBe('allow');
    expect(outcome(custom, oidc({ sub: 'x', role: 'SuperAdmin' }), 'get', { type: 'P', record: rec })).toBe('allow');
    expect(outcome(custom, oidc({ sub: 'x', role: '["Viewer"]' }), 'get', { type: 'P', record: rec })).toBe('deny');
  });
  const dyn = schema(`type Proj @model @auth(rules: [{allow: groups, groupsField: "team"}, {allow: groups, groupsField: "viewers", operations: [read]}]) { team: String viewers: [String] }`);
  it.each([
    ['scalar field names the caller’s group', { team: 'A', viewers: null }, ['A'], 'allow'],
    ['scalar field names another group', { team: 'B', viewers: null }, ['A'], 'deny'],
    ['list field overlaps', { team: null, viewers: ['C', 'A'] }, ['A'], 'allow'],
    ['null group field does not match', { team: null, viewers: null }, ['A'], 'deny'],
  ] as const)('dynamic groups: %s', (_, fields, groups, expected) => {
    expect(outcome(dyn, user('alice', [...groups]), 'get', { type: 'Proj', record: { id: '1', ...fields } })).toBe(expected);
  });
  it('a dynamic-group claim may be a JSON-encoded list in a string', () => {
    const o = schema(`type Proj @model @auth(rules: [{allow: groups, groupsField: "team", groupClaim: "grp", provider: oidc}]) { team: String }`);
    expect(outcome(o, oidc({ sub: 'x', grp: '["A","B"]' }), 'get', { type: 'Proj', record: { id: '1', team: 'B' } })).toBe('allow');
    expect(outcome(o, oidc({ sub: 'x', grp: 'B' }), 'get', { type: 'Proj', record: { id: '1', team: 'B' } })).toBe('allow');
  });
});

describe('field-level owner rules take part in the model\'s create check', () => {
  // Found by the field-locality law (fast-check): owner roles fill their field in rule order, and a
  // partial one (create only on its field) fills it first, so the model's own owner rule on the same
  // field then sees someone else's value (amplify-category-api,
  // packages/amplify-graphql-auth-transformer/src/vtl-generator/ddb/resolvers/mutation.create.ts, dynamicRoleExpression).
  // Without subscriptions: two owner roles on one owner field would define it twice in the subscription filter input.
  const auth = schema(`type P @model(subscriptions: null) @auth(rules: [
    {allow: owner, ownerField: "editors", operations: []},
    {allow: owner, ownerField: "editors", identityClaim: "sub", operations: [create]}
  ]) {
    title: String
    editors: [String]
    secret: String @auth(rules: [{allow: owner, ownerField: "editors", operations: [create]}])
  }`);
  const plain = schema(`type P @model(subscriptions: null) @auth(rules: [
    {allow: owner, ownerField: "editors", operations: []},
    {allow: owner, ownerField: "editors", identityClaim: "sub", operations: [create]}
  ]) {
    title: String
    editors: [String]
    secret: String
  }`);
  it('without the field rule the create is allowed; with it, the earlier role fills editors first and the create is refused', () => {
    expect(outcome(plain, user('alice'), 'create', { type: 'P', input: { title: 't' } })).toBe('allow');
    expect(decide(auth, user('alice'), 'create', { type: 'P', input: { title: 't' } })).toMatchObject({ outcome: 'deny', deniedFields: ['title'] });
  });
});

describe('create', () => {
  const auth = schema(`type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { title: String owner: String }`);
  it('fills the owner field with the caller’s claim', () => {
    expect(decide(auth, user('alice'), 'create', { type: 'Post', input: { title: 't' } })).toMatchObject({ outcome: 'allow', filled: { owner: owner('alice') } });
  });
  it.each([
    ['naming oneself', owner('alice'), 'allow'],
    ['naming oneself by username', 'alice', 'allow'],
    ['naming another user (spoofing)', owner('bob'), 'deny'],
  ] as const)('an owner-authorized caller %s', (_, value, expected) => {
    expect(outcome(auth, user('alice'), 'create', { type: 'Post', input: { title: 't', owner: value } })).toBe(expected);
  });
  it('a static rule lets the caller name any owner', () => {
    expect(outcome(auth, user('carol', ['Admin']), 'create', { type: 'Post', input: { owner: owner('bob') } })).toBe('allow');
  });
  it('populateOwnerFieldForStaticGroupAuth fills the owner for a static-group creator, and only then', () => {
    expect(decide(auth, user('carol', ['Admin']), 'create', { type: 'Post', input: { title: 't' } }).filled).toEqual({ owner: owner('carol') });
    const off = schema(`type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { title: String owner: String }`, { populateOwnerFieldForStaticGroupAuth: false });
    expect(decide(off, user('carol', ['Admin']), 'create', { type: 'Post', input: { title: 't' } }).filled).toBeUndefined();
  });
  it('an IAM creator under generic access leaves the owner null', () => {
    expect(decide(auth, iamAdmin, 'create', { type: 'Post', input: { title: 't' } })).toMatchObject({ outcome: 'allow' });
    expect(decide(auth, iamAdmin, 'create', { type: 'Post', input: { title: 't' } }).filled).toBeUndefined();
  });
  it('any other satisfied rule lets a mismatched owner through, an earlier owner rule included (source, not in the reference)', () => {
    const two = schema(`type Doc @model @auth(rules: [{allow: owner}, {allow: owner, ownerField: "editors"}]) { owner: String editors: [String] }`);
    expect(outcome(two, user('alice'), 'create', { type: 'Doc', input: { editors: [owner('bob')] } })).toBe('allow');
  });
  it('fields no matching rule may create give Unauthorized on [...]', () => {
    const f = schema(`type E @model @auth(rules: [{allow: owner}]) { name: String salary: Float @auth(rules: [{allow: groups, groups: ["HR"]}]) }`);
    expect(decide(f, user('alice'), 'create', { type: 'E', input: { name: 'n', salary: 1 } })).toMatchObject({ outcome: 'deny', deniedFields: ['salary'] });
    expect(outcome(f, user('alice'), 'create', { type: 'E', input: { name: 'n' }, select: ['id'] })).toBe('allow');
    // Selecting salary in the response: the write happens, the field the owner may not read errors.
    expect(decide(f, user('alice'), 'create', { type: 'E', input: { name: 'n' } })).toMatchObject({ outcome: 'partial', deniedFields: ['salary'] });
  });
  it('multi-owner: a caller authorized only by the owners list must include itself', () => {
    const m = schema(`type Doc @model @auth(rules: [{allow: owner, ownerField: "editors"}]) { editors: [String] }`);
    expect(outcome(m, user('alice'), 'create', { type: 'Doc', input: { editors: [owner('bob')] } })).toBe('deny');
    expect(outcome(m, user('alice'), 'create', { type: 'Doc', input: { editors: [owner('bob'), owner('alice')] } })).toBe('allow');
    expect(decide(m, user('alice'), 'create', { type: 'Doc', input: {} }).filled).toEqual({ editors: [owner('alice')] });
  });
  it('a dynamic-group member creates only naming its own group, and groups are never auto-filled', () => {
    const d = schema(`type Proj @model @auth(rules: [{allow: groups, groupsField: "team"}]) { team: String }`);
    expect(outcome(d, user('alice', ['A']), 'create', { type: 'Proj', input: { team: 'A' } })).toBe('allow');
    expect(outcome(d, user('alice', ['A']), 'create', { type: 'Proj', input: { team: 'B' } })).toBe('deny');
    expect(outcome(d, user('alice', ['A']), 'create', { type: 'Proj', input: {} })).toBe('deny');
  });
});

describe('get and list', () => {
  const auth = schema(`type Todo @model @auth(rules: [{allow: owner}]) { x: String }`);
  const mine = { id: 'a', owner: owner('alice') };
  const theirs = { id: 'b', owner: owner('bob') };
  it('another owner’s record is denied on get', () => {
    expect(outcome(auth, user('alice'), 'get', { type: 'Todo', record: theirs })).toBe('deny');
  });
  it('list filters silently to the caller’s records', () => {
    expect(decide(auth, user('alice'), 'list', { type: 'Todo', records: [mine, theirs] })).toMatchObject({ outcome: 'filtered', visibleIds: ['a'] });
    expect(decide(auth, user('carol'), 'list', { type: 'Todo', records: [mine, theirs] })).toMatchObject({ outcome: 'filtered', visibleIds: [] });
  });
  it('a static-group-only model listed by a non-member is an error, not an empty list', () => {
    const g = schema(`type Salary @model @auth(rules: [{allow: groups, groups: ["Admin"]}]) { x: Int }`);
    expect(outcome(g, user('alice'), 'list', { type: 'Salary', records: [{ id: '1' }] })).toBe('deny');
  });
  it('static rules plus an owner rule: a caller matching neither gets an empty list (e2e listSalaries)', () => {
    const g = schema(`type Salary @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { x: Int }`);
    expect(decide(g, user('carol'), 'list', { type: 'Salary', records: [mine] })).toMatchObject({ outcome: 'filtered', visibleIds: [] });
  });
  it('a caller whose token cannot form a filter is denied', () => {
    const d = schema(`type Proj @model @auth(rules: [{allow: groups, groupsField: "team"}]) { team: String }`);
    expect(outcome(d, user('alice'), 'list', { type: 'Proj', records: [] })).toBe('deny');
  });
  it('a denied field reads back null with an error; the rest returns (partial)', () => {
    const f = schema(`type E @model @auth(rules: [{allow: private, operations: [read]}, {allow: owner}]) { name: String ssn: String @auth(rules: [{allow: owner}]) }`);
    const rec = { id: '1', name: 'n', ssn: 's', owner: owner('alice') };
    expect(decide(f, user('bob'), 'get', { type: 'E', record: rec })).toMatchObject({ outcome: 'partial', deniedFields: ['ssn'] });
    expect(outcome(f, user('alice'), 'get', { type: 'E', record: rec })).toBe('allow');
  });
  it('a field rule replaces the model rules for its field and can grant what the model lacks', () => {
    const f = schema(`type P @model @auth(rules: [{allow: owner}]) { title: String @auth(rules: [{allow: public, provider: apiKey, operations: [read]}]) body: String }`);
    const rec = { id: '1', title: 't', body: 'b', owner: owner('alice') };
    expect(decide(f, apiKey, 'get', { type: 'P', record: rec })).toMatchObject({ outcome: 'partial', deniedFields: ['body'] });
    expect(decide(f, apiKey, 'get', { type: 'P', record: rec, select: ['id', 'title'] }).outcome).toBe('allow');
    expect(decide(f, user('alice'), 'get', { type: 'P', record: rec })).toMatchObject({ outcome: 'partial', deniedFields: ['title'] });
  });
});

describe('update', () => {
  const auth = schema(`type Todo @model @auth(rules: [{allow: owner}]) { x: String owner: String }`);
  const rec = { id: '1', x: 'a', owner: owner('alice') };
  it('a non-owner is Unauthorized, not ConditionalCheckFailed', () => {
    expect(outcome(auth, user('bob'), 'update', { type: 'Todo', record: rec, input: { id: '1', x: 'b' } })).toBe('deny');
  });
  it('owners may transfer ownership (a takeover risk)', () => {
    expect(outcome(auth, user('alice'), 'update', { type: 'Todo', record: rec, input: { id: '1', owner: owner('bob') } })).toBe('allow');
  });
  it('a field rule without update on the owner field stops transfer, even sending it unchanged', () => {
    const p = schema(`type Todo @model @auth(rules: [{allow: owner}]) { x: String owner: String @auth(rules: [{allow: owner, operations: [read, delete]}]) }`);
    expect(decide(p, user('alice'), 'update', { type: 'Todo', record: rec, input: { id: '1', owner: owner('alice') } })).toMatchObject({ outcome: 'deny', deniedFields: ['owner'] });
    expect(outcome(p, user('alice'), 'update', { type: 'Todo', record: rec, input: { id: '1', x: 'b' } })).toBe('allow');
  });
  it('setting a field to null needs delete on it', () => {
    const noDelete = schema(`type Todo @model @auth(rules: [{allow: owner, operations: [create, read, update]}]) { x: String }`);
    expect(decide(noDelete, user('alice'), 'update', { type: 'Todo', record: rec, input: { id: '1', x: null } })).toMatchObject({ outcome: 'deny', deniedFields: ['x'] });
    expect(outcome(noDelete, user('alice'), 'update', { type: 'Todo', record: rec, input: { id: '1', x: 'b' } })).toBe('allow');
  });
  it('a role that may delete but not update: the update resolver would take it, but the mutation carries no directive for its mode unless that mode is the default (reftool, default apiKey vs userPool)', () => {
    const sdl = `type Item @model @auth(rules: [{allow: owner, ownerField: "storeOwner", operations: [create, read, delete]}, {allow: public, operations: [create, read]}]) { qty: Int storeOwner: String }`;
    const rec = { id: '1', qty: 1, storeOwner: owner('alice') };
    const update = (auth: AuthModel, who: Identity) => decide(auth, who, 'update', { type: 'Item', record: rec, input: { id: '1' } });
    const apiKeyDefault = authModelFromSdl({ sdl, file: 'test.graphql', kind: 'gen1', authModes: { ...ALL_MODES, default: 'apiKey' }, params: GEN1_DEFAULT_PARAMS });
    expect(update(apiKeyDefault, user('alice'))).toMatchObject({ outcome: 'deny', reason: expect.stringMatching(/updateItem carries no directive for it: AppSync refuses the field/) });
    const userPoolDefault = authModelFromSdl({ sdl, file: 'test.graphql', kind: 'gen1', authModes: { ...ALL_MODES, default: 'userPool' }, params: GEN1_DEFAULT_PARAMS });
    expect(update(userPoolDefault, user('alice')).outcome).toBe('allow');
    expect(decide(userPoolDefault, user('alice'), 'update', { type: 'Item', record: rec, input: { id: '1', qty: 2 } })).toMatchObject({ outcome: 'deny', deniedFields: ['qty'] });
    expect(update(userPoolDefault, apiKey).outcome).toBe('deny');
  });
  it('a dynamic-group member can re-point the group field', () => {
    const d = schema(`type Proj @model @auth(rules: [{allow: groups, groupsField: "team"}]) { team: String }`);
    expect(outcome(d, user('alice', ['A']), 'update', { type: 'Proj', record: { id: '1', team: 'A' }, input: { id: '1', team: 'B' } })).toBe('allow');
  });
});

describe('delete', () => {
  it('needs delete permission on every field: a create-only field rule blocks it even unselected', () => {
    const auth = schema(`type E @model @auth(rules: [{allow: owner}]) { name: String notes: String @auth(rules: [{allow: owner, operations: [create, read]}]) }`);
    const rec = { id: '1', owner: owner('alice') };
    expect(decide(auth, user('alice'), 'delete', { type: 'E', record: rec, select: ['id'] })).toMatchObject({ outcome: 'deny', rule: 'E#1' });
  });
});

describe('mutation responses', () => {
  const sdl = (level: string) => `type N @model${level} @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) { body: String secret: String @auth(rules: [{allow: owner}]) }`;
  const rec = { id: '1', body: 'b', secret: 's', owner: owner('alice') };
  it('restricted fields come back null even for the owner, without an error', () => {
    expect(decide(schema(sdl('')), user('alice'), 'update', { type: 'N', record: rec, input: { id: '1', body: 'c' } })).toMatchObject({ outcome: 'allow', redactedFields: ['secret'] });
  });
  it('no redaction when subscriptions are off or public', () => {
    expect(decide(schema(sdl('(subscriptions: null)')), user('alice'), 'update', { type: 'N', record: rec, input: { id: '1' } }).redactedFields).toBeUndefined();
    expect(decide(schema(sdl('(subscriptions: {level: public})')), user('alice'), 'update', { type: 'N', record: rec, input: { id: '1' } }).redactedFields).toBeUndefined();
  });
  it('plain queries are not redacted', () => {
    expect(decide(schema(sdl('')), user('alice'), 'get', { type: 'N', record: rec })).toMatchObject({ outcome: 'allow' });
    expect(decide(schema(sdl('')), user('alice'), 'get', { type: 'N', record: rec }).redactedFields).toBeUndefined();
  });
  it('a field every reader may read is not redacted', () => {
    const all = schema(`type N @model @auth(rules: [{allow: owner}]) { body: String secret: String @auth(rules: [{allow: owner}]) }`);
    expect(decide(all, user('alice'), 'create', { type: 'N', input: { body: 'b', secret: 's' } }).redactedFields).toBeUndefined();
  });
});

describe('relations', () => {
  const auth = schema(`
    type Post @model @auth(rules: [{allow: public, provider: apiKey}, {allow: private}]) { title: String comments: [Comment] @hasMany(references: ["postId"]) }
    type Comment @model @auth(rules: [{allow: owner}]) { postId: ID post: Post @belongsTo(references: ["postId"]) }
    type Audit @model @auth(rules: [{allow: groups, groups: ["Admin"]}]) { postId: ID }
    type Log @model @auth(rules: [{allow: public, provider: apiKey}]) { entries: [Audit] @hasMany(references: ["postId"]) }
  `);
  const children = [{ id: 'c1', postId: 'p', owner: owner('alice') }, { id: 'c2', postId: 'p', owner: owner('bob') }];
  it('hasMany drops children the caller cannot read', () => {
    expect(readRelation(auth, user('alice'), 'Post', 'comments', children)).toMatchObject({ outcome: 'filtered', visibleIds: ['c1'] });
  });
  it('a connection to a static-group model the caller is not in is null with an error', () => {
    expect(readRelation(auth, apiKey, 'Log', 'entries', [{ id: 'a1', postId: 'p' }]).outcome).toBe('deny');
  });

  // test/fixtures/fidelity/relation-listen-only (recorded with reftool): the relation's auth step takes every role
  // that reads the related model in any way, `listen` included, though the list itself refuses the caller.
  describe('a rule granting only listen opens the relation', () => {
    const listen = schema(`
      type Project @model @auth(rules: [{allow: private}]) { id: ID! members: [Member] @hasMany(indexName: "byProject", fields: ["id"]) }
      type Member @model @auth(rules: [{allow: groups, groups: ["Admin"]}, {allow: private, operations: [listen]}, {allow: groups, groupsField: "team"}]) { id: ID! projectId: ID! @index(name: "byProject") team: String }
    `);
    const members = [{ id: 'm1', projectId: 'p', team: 'red' }, { id: 'm2', projectId: 'p', team: null }];
    it.each([
      ['a member of the record\'s group', user('bob', ['red'])],
      ['a signed-in user in no group', user('carol')],
    ] as const)('%s reads every related record, unfiltered', (_, who) => {
      expect(readRelation(listen, who, 'Project', 'members', members)).toMatchObject({ outcome: 'allow', visibleIds: ['m1', 'm2'] });
    });
    it('the list is still the list\'s own rules: filtered to the group, refused without one', () => {
      expect(decide(listen, user('bob', ['red']), 'list', { type: 'Member', records: members })).toMatchObject({ outcome: 'filtered', visibleIds: ['m1'] });
      expect(outcome(listen, user('carol'), 'list', { type: 'Member', records: members })).toBe('deny');
    });
  });

  // test/fixtures/fidelity/relation-key-pinned (recorded with reftool): a relation keyed by the related model's owner field.
  describe('keyed by an owner field of the related model', () => {
    const pinned = schema(`
      type Board @model @auth(rules: [{allow: private}]) { id: ID! owner: String notes: [Note] @hasMany(indexName: "byOwner", fields: ["owner"]) memos: [Memo] @hasMany(indexName: "memosByOwner", fields: ["owner"]) }
      type Note @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { id: ID! owner: String @index(name: "byOwner") }
      type Memo @model @auth(rules: [{allow: owner}, {allow: owner, ownerField: "editors"}]) { id: ID! owner: String @index(name: "memosByOwner") editors: [String] }
    `);
    const notes = [{ id: 'na', owner: owner('alice') }, { id: 'nb', owner: owner('bob') }];
    const board = { id: 'b1', owner: owner('alice') };
    const read = (who: Identity, f: 'notes' | 'memos', source: Record<string, unknown>) =>
      readRelation(pinned, who, 'Board', f, notes.filter((n) => n.owner === source.owner), { source, related: notes });
    it.each([
      ['the owner reads their board by its key, unfiltered', user('alice'), 'notes', board, ['na']],
      ['someone else reads their own notes under it (the key takes their claim)', user('bob'), 'notes', board, ['nb']],
      ['someone without notes reads none', user('carol'), 'notes', board, []],
      ['a board without owner: the key takes the caller\'s claim', user('bob'), 'notes', { id: 'b3', owner: null }, ['nb']],
      ['the owner\'s username alone names them too', user('alice'), 'notes', { id: 'b2', owner: 'alice' }, []],
      ['a static rule lets the caller read by the parent\'s key', user('bob', ['Admin']), 'notes', board, ['na']],
    ] as const)('%s', (_, who, f, source, ids) => {
      expect(read(who, f, source)).toMatchObject({ outcome: 'allow', visibleIds: ids });
    });
    it('another owner rule outside the key keeps the parent\'s key and filters', () => {
      expect(read(user('bob'), 'memos', board)).toMatchObject({ outcome: 'filtered', visibleIds: [] });
      expect(relationPin(pinned.models.find((m) => m.name === 'Memo')!, pinned.models[0]!.fields.find((f) => f.name === 'memos')!.relation!, user('bob'), board)).toBeNull();
    });
  });
});

describe('custom operations', () => {
  const auth = schema(`type Query { echo: String @function(name: "f") @auth(rules: [{allow: private}, {allow: groups, groups: ["Admin"]}]) }`);
  it.each([
    ['a signed-in user', 'allow', user('alice')],
    ['an API-key caller', 'deny', apiKey],
    ['a guest', 'deny', guest],
    ['a generic IAM principal', 'allow', iamAdmin],
  ] as const)('%s → %s', (_, expected, who) => {
    expect(decide(auth, who as Identity, 'custom', { type: 'echo' }).outcome).toBe(expected);
  });
});

describe('subscriptions', () => {
  const auth = schema(`type Todo @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admin"]}]) { x: String owner: String }`);
  it.each([
    ['owner argument omitted → runtime filter', user('alice'), {}, 'filtered'],
    ['own owner argument', user('alice'), { owner: 'alice' }, 'filtered'],
    ["another's owner argument is rejected", user('alice'), { owner: 'bob' }, 'deny'],
    ['static-rule callers get every event; their argument is ignored', user('carol', ['Admin']), { owner: 'bob' }, 'allow'],
  ] as const)('%s', (_, who, args, expected) => {
    expect(decide(auth, who, 'onCreate', { type: 'Todo', ownerArgs: args }).outcome).toBe(expected);
  });
  it('public subscriptions need no rule', () => {
    const pub = schema(`type Todo @model(subscriptions: {level: public}) @auth(rules: [{allow: owner}]) { x: String }`);
    expect(decide(pub, user('carol'), 'onCreate', { type: 'Todo' }).outcome).toBe('allow');
  });
  const event = { actor: user('alice'), record: { id: '1', x: 'a', owner: owner('alice') } };
  it.each([
    ['the owner receives its own event', user('alice'), true],
    ['a stranger receives nothing', user('bob'), false],
    ['an Admin receives every event', user('carol', ['Admin']), true],
  ] as const)('%s', (_, who, delivered) => {
    expect(delivery(auth, 'Todo', { subscriber: who, operation: 'onCreate' }, event).delivered).toBe(delivered);
  });
  it('event payloads carry the mutation response’s redaction', () => {
    const f = schema(`type N @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) { body: String secret: String @auth(rules: [{allow: owner}]) }`);
    const d = delivery(f, 'N', { subscriber: user('alice'), operation: 'onCreate' }, { actor: user('alice'), record: { id: '1', body: 'b', secret: 's', owner: owner('alice') } });
    expect(d).toMatchObject({ delivered: true, nulledFields: ['secret'] });
  });
});

describe('Lambda authorizer', () => {
  it('deniedFields come back null without an error', () => {
    const auth = schema(`type T @model @auth(rules: [{allow: custom}]) { subject: String owner: String }`);
    const who: Identity = { kind: 'lambda', authorized: true, deniedFields: ['T.owner'] };
    expect(decide(auth, who, 'get', { type: 'T', record: { id: '1', subject: 's', owner: 'o' } })).toMatchObject({ outcome: 'allow', redactedFields: ['owner'] });
  });
});

describe('IAM', () => {
  it('Gen 1 admin roles skip every rule by role name', () => {
    const auth = schema(`type P @model @auth(rules: [{allow: owner}]) { x: String }`, { genericIamAccess: false, adminRoles: ['AdminRole'] });
    expect(outcome(auth, iamAdmin, 'delete', { type: 'P', record: { id: '1', owner: owner('bob') } })).toBe('allow');
    expect(outcome(auth, { kind: 'iam', principal: 'other', roleName: 'Other' }, 'delete', { type: 'P', record: { id: '1' } })).toBe('deny');
  });
});
