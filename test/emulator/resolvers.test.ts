/** Resolver-level auth in the emulator, over HTTP with real credentials, on the all-rules example. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphQLClient } from '../../harness/client/http.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { client, emulatorFor, iamAuth, onlyError, userPoolAuth } from './start.js';

let emu: Emulator;
let owner: GraphQLClient;
let stranger: GraphQLClient;
let admin: GraphQLClient;
let hr: GraphQLClient;
let team: GraphQLClient;
let iamAdmin: GraphQLClient;
let apiKey: GraphQLClient;
let guest: GraphQLClient;

beforeAll(async () => {
  emu = await emulatorFor('blog/amplify/data/resource.ts');
  owner = client(emu, await userPoolAuth(emu, 'owner'));
  stranger = client(emu, await userPoolAuth(emu, 'stranger'));
  admin = client(emu, await userPoolAuth(emu, 'admin', ['Admin']));
  hr = client(emu, await userPoolAuth(emu, 'hr', ['HR']));
  team = client(emu, await userPoolAuth(emu, 'teammate', ['Team']));
  iamAdmin = client(emu, iamAuth(emu, 'admin'));
  apiKey = client(emu, { mode: 'apiKey', apiKey: emu.apiKey! });
  guest = client(emu, iamAuth(emu, 'guest'));
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const CREATE_POST = 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id title owner editors } }';
const GET_POST = 'query ($id: ID!) { getPost(id: $id) { id title owner editors } }';

async function createPost(c: GraphQLClient, input: Record<string, unknown>): Promise<string> {
  const r = await c.graphql({ query: CREATE_POST, variables: { input } });
  expect(r.errors, JSON.stringify(r.body)).toEqual([]);
  return (r.data!.createPost as { id: string }).id;
}

describe('create', () => {
  it('fills the owner with sub::username and reads it back as the username', async () => {
    const r = await owner.graphql({ query: CREATE_POST, variables: { input: { title: 't' } } });
    expect(r.data).toMatchObject({ createPost: { title: 't', owner: 'owner' } });
    const stored = emu.store.table('Post').get({ id: (r.data!.createPost as { id: string }).id })!;
    expect(stored.owner).toMatch(/^[0-9a-f-]{36}::owner$/);
    // populateOwnerFieldForStaticGroupAuth: the owner rule authorized first, editors gets the caller too.
    expect(stored.editors).toBeUndefined();
  });
  it('the implicit owner field is not part of the input: sending it is a validation error, not a denial', async () => {
    const r = await owner.graphql({ query: CREATE_POST, variables: { input: { title: 't', owner: 'someone' } } });
    expect(onlyError(r).errorType).toBeFalsy();
    expect(onlyError(r).message).toMatch(/^Variable 'input' has an invalid value/);
  });
  it('an Admin create fills the owner too (populateOwnerFieldForStaticGroupAuth)', async () => {
    const id = await createPost(admin, { title: 't' });
    expect(emu.store.table('Post').get({ id })!.owner).toMatch(/::admin$/);
  });
  it('an IAM creator under generic access leaves the owner null', async () => {
    const id = await createPost(iamAdmin, { title: 't' });
    expect(emu.store.table('Post').get({ id })!.owner).toBeUndefined();
  });
  it('a dynamic-group member creates only naming its own group', async () => {
    const q = 'mutation ($input: CreateProjectInput!) { createProject(input: $input) { id team } }';
    expect((await team.graphql({ query: q, variables: { input: { name: 'p', team: 'Team' } } })).errors).toEqual([]);
    const r = await team.graphql({ query: q, variables: { input: { name: 'p', team: 'Other' } } });
    expect(onlyError(r)).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access createProject on type Mutation' });
  });
  it('a field no matching rule may create gives Unauthorized on [...]', async () => {
    const r = await owner.graphql({ query: 'mutation { createEmployee(input: { name: "n", salary: 10 }) { id } }' });
    expect(onlyError(r)).toMatchObject({ errorType: 'Unauthorized', message: 'Unauthorized on [salary]' });
    expect(r.data).toEqual({ createEmployee: null });
  });
  it('creating with an existing id is ConditionalCheckFailed', async () => {
    const id = await createPost(admin, { title: 't' });
    const r = await admin.graphql({ query: CREATE_POST, variables: { input: { id, title: 'again' } } });
    expect(onlyError(r).errorType).toBe('DynamoDB:ConditionalCheckFailedException');
    expect(onlyError(r).message).toMatch(/^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: /);
  });
});

describe('get and list', () => {
  it('another owner’s record is Unauthorized; a missing record is null without error', async () => {
    const id = await createPost(owner, { title: 't' });
    expect(onlyError(await stranger.graphql({ query: GET_POST, variables: { id } }))).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access getPost on type Query' });
    const missing = await stranger.graphql({ query: GET_POST, variables: { id: 'nope' } });
    expect(missing.errors).toEqual([]);
    expect(missing.data).toEqual({ getPost: null });
  });
  it('lists are filtered silently, and the limit applies before the filter', async () => {
    for (let i = 0; i < 3; i++) await createPost(stranger, { title: `s${i}` });
    for (let i = 0; i < 3; i++) await createPost(owner, { title: `o${i}` });
    const page = await owner.graphql({ query: 'query { listPosts(limit: 3) { items { title } nextToken } }' });
    expect(page.errors).toEqual([]);
    const conn = page.data!.listPosts as { items: unknown[]; nextToken: string | null };
    expect(conn.items).toEqual([]);
    expect(conn.nextToken).toBeTruthy();
    const next = await owner.graphql({ query: 'query ($t: String) { listPosts(limit: 3, nextToken: $t) { items { title } nextToken } }', variables: { t: conn.nextToken } });
    expect((next.data!.listPosts as { items: { title: string }[] }).items.map((i) => i.title)).toEqual(['o0', 'o1', 'o2']);
  });
  it('static rules see everything: Admin, API key, guest', async () => {
    await createPost(owner, { title: 'a' });
    await createPost(stranger, { title: 'b' });
    for (const c of [admin, apiKey, guest]) {
      const r = await c.graphql({ query: 'query { listPosts { items { title } } }' });
      expect((r.data!.listPosts as { items: unknown[] }).items).toHaveLength(2);
    }
  });
  it('a static-group-only read by a caller without groups is denied; with other groups it is an empty list', async () => {
    await iamAdmin.graphql({ query: 'mutation { createProject(input: { name: "p", team: "Team" }) { id } }' });
    expect(onlyError(await stranger.graphql({ query: 'query { listProjects { items { id } } }' })).errorType).toBe('Unauthorized');
    const r = await hr.graphql({ query: 'query { listProjects { items { id } } }' });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ listProjects: { items: [] } });
    expect((await team.graphql({ query: 'query { listProjects { items { name } } }' })).data).toEqual({ listProjects: { items: [{ name: 'p' }] } });
  });
  it('a directive-level denial: a mode with no rule on the model is refused at the field', async () => {
    const r = await apiKey.graphql({ query: 'query { listEmployees { items { id } } }' });
    expect(onlyError(r)).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access listEmployees on type Query' });
  });
});

describe('update and delete', () => {
  it('a non-owner update is Unauthorized; a missing record is Unauthorized for owners and ConditionalCheckFailed for static rules', async () => {
    const id = await createPost(owner, { title: 't' });
    const upd = 'mutation ($input: UpdatePostInput!) { updatePost(input: $input) { id title } }';
    expect(onlyError(await stranger.graphql({ query: upd, variables: { input: { id, title: 'x' } } })).errorType).toBe('Unauthorized');
    expect(onlyError(await owner.graphql({ query: upd, variables: { input: { id: 'missing', title: 'x' } } })).errorType).toBe('Unauthorized');
    expect(onlyError(await admin.graphql({ query: upd, variables: { input: { id: 'missing', title: 'x' } } })).errorType).toBe('DynamoDB:ConditionalCheckFailedException');
    expect((await owner.graphql({ query: upd, variables: { input: { id, title: 'x' } } })).data).toEqual({ updatePost: { id, title: 'x' } });
  });
  it('a co-owner in editors may update but not delete; update without delete cannot null a field', async () => {
    const id = await createPost(iamAdmin, { title: 't', content: 'c', editors: ['x::stranger'] });
    await emu.store.table('Post').put({ ...emu.store.table('Post').get({ id })!, editors: [`${(await emu.credentials.userPool({ username: 'stranger' })).sub}::stranger`] });
    const upd = 'mutation ($input: UpdatePostInput!) { updatePost(input: $input) { id content } }';
    expect((await stranger.graphql({ query: upd, variables: { input: { id, content: 'new' } } })).errors).toEqual([]);
    expect(onlyError(await stranger.graphql({ query: upd, variables: { input: { id, content: null } } }))).toMatchObject({ errorType: 'Unauthorized', message: 'Unauthorized on [content]' });
    const del = await stranger.graphql({ query: 'mutation ($id: ID!) { deletePost(input: { id: $id }) { id } }', variables: { id } });
    expect(onlyError(del).errorType).toBe('Unauthorized');
  });
  it('a field rule without update on the owner field stops transfer, even sent unchanged', async () => {
    const created = await hr.graphql({ query: 'mutation { createEmployee(input: { name: "e" }) { id } }' });
    const id = (created.data!.createEmployee as { id: string }).id;
    const ownerSub = (await emu.credentials.userPool({ username: 'owner' })).sub;
    await iamAdmin.graphql({ query: 'mutation ($id: ID!, $o: String) { updateEmployee(input: { id: $id, owner: $o }) { id } }', variables: { id, o: `${ownerSub}::owner` } });
    const r = await owner.graphql({ query: 'mutation ($id: ID!, $o: String) { updateEmployee(input: { id: $id, owner: $o }) { id } }', variables: { id, o: `${ownerSub}::owner` } });
    expect(onlyError(r)).toMatchObject({ errorType: 'Unauthorized', message: 'Unauthorized on [owner]' });
  });
  it('delete needs delete on every field: the Employee owner may not delete (ssn and salary rules lack it)', async () => {
    const ownerSub = (await emu.credentials.userPool({ username: 'owner' })).sub;
    const created = await iamAdmin.graphql({ query: 'mutation ($o: String) { createEmployee(input: { name: "e", owner: $o }) { id } }', variables: { o: `${ownerSub}::owner` } });
    const id = (created.data!.createEmployee as { id: string }).id;
    const del = (c: GraphQLClient) => c.graphql({ query: 'mutation ($id: ID!) { deleteEmployee(input: { id: $id }) { id } }', variables: { id } });
    expect(onlyError(await del(owner)).errorType).toBe('Unauthorized');
    expect((await del(hr)).errors).toEqual([]);
  });
});

describe('field-level rules and mutation responses', () => {
  async function employeeOwnedBy(username: string): Promise<string> {
    const sub = (await emu.credentials.userPool({ username })).sub;
    const r = await iamAdmin.graphql({ query: 'mutation ($o: String) { createEmployee(input: { name: "e", owner: $o, ssn: "123", salary: 9 }) { id } }', variables: { o: `${sub}::${username}` } });
    return (r.data!.createEmployee as { id: string }).id;
  }
  const GET = 'query ($id: ID!) { getEmployee(id: $id) { id name owner ssn salary } }';

  it('a denied field reads back null with an error whose path names it; the rest returns', async () => {
    const id = await employeeOwnedBy('owner');
    const r = await stranger.graphql({ query: GET, variables: { id } });
    expect(r.data).toEqual({ getEmployee: { id, name: 'e', owner: null, ssn: null, salary: null } });
    expect(r.errors.map((e) => [e.path, e.errorType, e.message])).toEqual([
      [['getEmployee', 'owner'], 'Unauthorized', 'Not Authorized to access owner on type Employee'],
      [['getEmployee', 'ssn'], 'Unauthorized', 'Not Authorized to access ssn on type Employee'],
      [['getEmployee', 'salary'], 'Unauthorized', 'Not Authorized to access salary on type Employee'],
    ]);
    const mine = await owner.graphql({ query: GET, variables: { id } });
    expect(mine.data).toEqual({ getEmployee: { id, name: 'e', owner: 'owner', ssn: '123', salary: null } });
    expect(mine.errors.map((e) => e.path)).toEqual([['getEmployee', 'salary']]);
  });
  it('a list gives one whole AppSync error per item and denied field, located at the field in the document', async () => {
    await employeeOwnedBy('owner');
    await employeeOwnedBy('owner');
    const r = await stranger.graphql({ query: 'query {\n  listEmployees {\n    items { id\n      ssn }\n  }\n}' });
    const items = (r.data!.listEmployees as { items: { ssn: unknown }[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((i) => i.ssn === null)).toBe(true);
    expect(r.errors).toEqual(items.map((_, i) => ({
      path: ['listEmployees', 'items', i, 'ssn'],
      data: null,
      errorType: 'Unauthorized',
      errorInfo: null,
      locations: [{ line: 4, column: 7, sourceName: null }],
      message: 'Not Authorized to access ssn on type Employee',
    })));
  });
  it('restricted fields come back null in mutation responses even for HR, without an error; the owner field keeps its display value', async () => {
    const id = await employeeOwnedBy('owner');
    const r = await hr.graphql({ query: 'mutation ($id: ID!) { updateEmployee(input: { id: $id, name: "n2" }) { id name owner ssn salary } }', variables: { id } });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ updateEmployee: { id, name: 'n2', owner: 'owner', ssn: null, salary: null } });
  });
});

describe('relations', () => {
  it('hasMany drops children the caller cannot read; belongsTo reads the parent by its rules', async () => {
    const postId = await createPost(owner, { title: 'p' });
    const mk = (c: GraphQLClient, body: string) => c.graphql({ query: 'mutation ($i: CreateCommentInput!) { createComment(input: $i) { id } }', variables: { i: { postId, body } } });
    await mk(owner, 'from owner');
    await mk(stranger, 'from stranger');
    const q = 'query ($id: ID!) { getPost(id: $id) { title comments { items { body } } } }';
    const asOwner = await owner.graphql({ query: q, variables: { id: postId } });
    // Comment#2 (any signed-in user reads) is static: every comment shows.
    expect((asOwner.data!.getPost as { comments: { items: unknown[] } }).comments.items).toHaveLength(2);
    const asKey = await apiKey.graphql({ query: q, variables: { id: postId } });
    expect(asKey.data).toEqual({ getPost: { title: 'p', comments: null } });
    expect(onlyError(asKey)).toMatchObject({ path: ['getPost', 'comments'], errorType: 'Unauthorized' });
  });
});

describe('custom operations', () => {
  it('a function handler runs with the caller’s identity', async () => {
    const r = await owner.graphql({ query: 'query { echo(message: "hi") { message caller } }' });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ echo: { message: 'hi', caller: 'owner' } });
  });
  it('static @auth rules are checked before the handler', async () => {
    const lambda = client(emu, { mode: 'lambda', token: 'helpdesk-alice' });
    expect(onlyError(await lambda.graphql({ query: 'query { echo(message: "hi") { message } }' }))).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access echo on type Query' });
    expect((await apiKey.graphql({ query: 'query { echo(message: "hi") { message } }' })).data).toEqual({ echo: { message: 'hi' } });
  });
  it('an AppSync JS resolver runs against the model table (a.handler.custom)', async () => {
    const postId = await createPost(owner, { title: 'liked' });
    const r = await stranger.graphql({ query: 'mutation ($id: ID!) { likePost(postId: $id) { id title } }', variables: { id: postId } });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ likePost: { id: postId, title: 'liked' } });
    const missing = await stranger.graphql({ query: 'mutation { likePost(postId: "nope") { id } }' });
    expect(onlyError(missing)).toMatchObject({ errorType: 'NotFound', message: 'Post nope not found' });
  });
  it('directive-only operations refuse other modes at AppSync level', async () => {
    const r = await apiKey.graphql({ query: 'mutation { likePost(postId: "x") { id } }' });
    expect(onlyError(r)).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access likePost on type Mutation' });
  });
});

describe('identity-pool roles and their IAM policies', () => {
  it('@aws_iam admits IAM callers, but a guest’s role has no policy for an operation without guest rules: HTTP 401 before any resolver', async () => {
    const r = await guest.graphql({ query: 'mutation { likePost(postId: "x") { id } }' });
    expect(r.status).toBe(401);
    expect(onlyError(r)).toMatchObject({ errorType: 'UnauthorizedException', message: 'Permission denied' });
    const iamUser = client(emu, iamAuth(emu, 'user'));
    expect(onlyError(await iamUser.graphql({ query: 'mutation { createComment(input: { body: "b" }) { id } }' })).errorType).toBe('Unauthorized');
    expect((await iamUser.graphql({ query: 'query { listComments { items { id } } }' })).errors).toEqual([]);
    expect((await iamAdmin.graphql({ query: 'mutation { likePost(postId: "x") { id } }' })).errors[0]?.errorType).toBe('NotFound');
  });
});
