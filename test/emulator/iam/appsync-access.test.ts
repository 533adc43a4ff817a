/**
 * AppSync's IAM authorization, one table run twice: through the emulator over HTTP with credentials it
 * vends (identity pool, group roles by token-based role mapping, STS roles with configured policies), and
 * through the oracle's `decide`. Each row is a fact of docs/semantics.md ("IAM"):
 * - `401`: the caller's role policies do not allow `appsync:GraphQL` on the root field, so AppSync answers
 *   HTTP 401 UnauthorizedException before any resolver;
 * - `Unauthorized`: the policy lets the request through and the generated resolver refuses it (HTTP 200,
 *   errorType Unauthorized);
 * - `allow`: data comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientAuth } from '../../../harness/client/auth.js';
import { RealtimeClient, RealtimeError } from '../../../harness/client/realtime.js';
import { startEmulator, type Emulator } from '../../../harness/emulator/emulator.js';
import { decide, type OperationName, type Target } from '../../../harness/rules/decide.js';
import type { Identity } from '../../../harness/rules/identity.js';
import { amplifyAuthResources, type PolicyDocument } from '../../../harness/schema/auth-resources.js';
import type { AuthModel } from '../../../harness/schema/model.js';
import { schema } from '../../helpers.js';
import { client } from '../start.js';

const allow = (...resources: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: resources }] });
const field = (type: string, name: string) => `arn:aws:appsync:*:*:apis/*/types/${type}/fields/${name}`;

/** Gen 2 parameters (generic IAM access on), every mode, an identity pool with guests and two group roles. */
function gen2Model(): AuthModel {
  const model = schema(`
    type Note @model @auth(rules: [{allow: owner}, {allow: private, provider: iam}]) { id: ID! body: String }
    type Notice @model @auth(rules: [{allow: public, provider: iam}, {allow: owner}]) { id: ID! title: String }
    type Diary @model @auth(rules: [{allow: owner}]) { id: ID! text: String }
  `);
  const resources = amplifyAuthResources({
    groups: [
      { name: 'Editors', precedence: 0, hasRole: true, policies: [{ name: 'notes-read', source: 'test', document: allow(field('Query', 'listNotes'), field('Query', 'getNote')) }] },
      { name: 'Readers', precedence: 1, hasRole: true },
    ],
    identityPool: { allowUnauthenticated: true },
  });
  return { ...model, authResources: resources };
}

type Expected = 'allow' | '401' | 'Unauthorized';

interface Row {
  name: string;
  who: Identity;
  op: 'list' | 'get' | 'create';
  type: string;
  expected: Expected;
}

const guest: Identity = { kind: 'iam', principal: 'unauthRole' };
const signedIn: Identity = { kind: 'iam', principal: 'authRole' };
const member = (...groups: string[]): Identity => ({ kind: 'iam', principal: 'authRole', groups });
const role = (roleName: string, policies?: PolicyDocument[]): Identity => ({ kind: 'iam', principal: 'other', roleName, ...(policies ? { policies } : {}) });

const QUERY_ONLY = [allow('arn:aws:appsync:*:*:apis/*/types/Query/*')];
const ALL_BUT_GET_NOTE: PolicyDocument[] = [
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:*', Resource: '*' }, { Effect: 'Deny', Action: 'appsync:GraphQL', Resource: field('Query', 'getNote') }] },
];

const ROWS: Row[] = [
  // Amplify's generated policies: the authenticated role reaches models with an identity-pool rule.
  { name: 'the authenticated role lists a model with a private iam rule', who: signedIn, op: 'list', type: 'Note', expected: 'allow' },
  { name: 'the authenticated role has no policy for a model without identity-pool rules', who: signedIn, op: 'list', type: 'Diary', expected: '401' },
  { name: 'the authenticated role reaches a public iam model, where the rules do not admit it', who: signedIn, op: 'create', type: 'Notice', expected: 'Unauthorized' },
  { name: 'a guest lists a model with a public iam rule', who: guest, op: 'list', type: 'Notice', expected: 'allow' },
  { name: 'a guest has no policy for a model with only a private iam rule', who: guest, op: 'list', type: 'Note', expected: '401' },
  // Group roles: the group's role replaces the authenticated role, with its own policies only.
  { name: 'a group role whose policy allows listNotes lists notes', who: member('Editors'), op: 'list', type: 'Note', expected: 'allow' },
  { name: 'a group role without createNote is refused though the authenticated role has it', who: member('Editors'), op: 'create', type: 'Note', expected: '401' },
  { name: 'a group role with no policies is refused everything', who: member('Readers'), op: 'list', type: 'Note', expected: '401' },
  { name: 'the highest-priority group decides (Editors before Readers)', who: member('Readers', 'Editors'), op: 'get', type: 'Note', expected: 'allow' },
  // Roles outside the identity pool: generic IAM access skips the rules; the policy alone decides.
  { name: 'a role allowed Query/* reads a model no rule names for IAM', who: role('Reporting', QUERY_ONLY), op: 'list', type: 'Diary', expected: 'allow' },
  { name: 'a role allowed Query/* may not create', who: role('Reporting', QUERY_ONLY), op: 'create', type: 'Diary', expected: '401' },
  { name: 'an explicit Deny wins over Allow *', who: role('Ops', ALL_BUT_GET_NOTE), op: 'get', type: 'Note', expected: '401' },
  { name: 'what the Deny does not name stays allowed', who: role('Ops', ALL_BUT_GET_NOTE), op: 'list', type: 'Note', expected: 'allow' },
  { name: 'a role with no policy at all is refused', who: role('Nothing', []), op: 'list', type: 'Note', expected: '401' },
];

let emu: Emulator;
let model: AuthModel;

beforeAll(async () => {
  model = gen2Model();
  emu = await startEmulator({ model, log: () => undefined });
});
afterAll(() => emu?.stop());

async function credentialsFor(who: Identity): Promise<ClientAuth> {
  if (who.kind !== 'iam') throw new Error('IAM rows only');
  const credentials =
    who.principal === 'unauthRole'
      ? emu.credentials.identityPool({ authenticated: false })
      : who.principal === 'authRole'
        ? emu.credentials.identityPool({ authenticated: true, username: `u-${(who.groups ?? []).join('-') || 'plain'}`, ...(who.groups ? { groups: who.groups } : {}) })
        : emu.credentials.iamRole(who.roleName, who.policies);
  return { mode: 'iam', credentials, region: emu.region };
}

function request(op: 'list' | 'get' | 'create', type: string): { query: string; variables: Record<string, unknown> } {
  const name = model.models.find((m) => m.name === type)!.operationNames[op]!;
  if (op === 'list') return { query: `query { ${name} { items { id } } }`, variables: {} };
  if (op === 'get') return { query: `query ($id: ID!) { ${name}(id: $id) { id } }`, variables: { id: 'missing' } };
  return { query: `mutation { ${name}(input: {}) { id } }`, variables: {} };
}

function oracleTarget(op: OperationName, type: string): Target {
  if (op === 'create') return { type, input: {}, select: ['id'] };
  if (op === 'get') return { type, record: { id: 'missing' }, select: ['id'] };
  return { type, records: [], select: ['id'] };
}

describe('AppSync IAM authorization: the emulator over HTTP', () => {
  it.each(ROWS)('$name', async (row) => {
    const r = await client(emu, await credentialsFor(row.who)).graphql(request(row.op, row.type));
    if (row.expected === '401') {
      expect(r.status).toBe(401);
      expect(r.errors).toEqual([expect.objectContaining({ errorType: 'UnauthorizedException', message: 'Permission denied' })]);
    } else if (row.expected === 'Unauthorized') {
      expect(r.status).toBe(200);
      expect(r.errors.map((e) => e.errorType)).toEqual(['Unauthorized']);
    } else {
      expect(r.status).toBe(200);
      expect(r.errors, JSON.stringify(r.body)).toEqual([]);
    }
  });
});

describe('AppSync IAM authorization: the oracle', () => {
  it.each(ROWS)('$name', (row) => {
    const d = decide(model, row.who, row.op, oracleTarget(row.op, row.type));
    if (row.expected === 'allow') expect(d.outcome, d.reason).not.toBe('deny');
    else {
      expect(d.outcome).toBe('deny');
      expect(Boolean(d.requestLevel), d.reason).toBe(row.expected === '401');
    }
  });
  it('names the role and the field in its reasons', () => {
    expect(decide(model, member('Readers'), 'list', oracleTarget('list', 'Note')).reason).toMatch(/role of group Readers.*Query\.listNotes.*401/);
    expect(decide(model, role('Ops', ALL_BUT_GET_NOTE), 'get', oracleTarget('get', 'Note')).reason).toMatch(/IAM role Ops has an explicit Deny of appsync:GraphQL on Query\.getNote/);
  });
});

describe('AppSync IAM authorization of realtime starts', () => {
  const SUBSCRIBERS: Array<{ name: string; who: Identity; expected: 'allow' | '401' }> = [
    { name: 'the authenticated role subscribes to a model with a private iam rule', who: signedIn, expected: 'allow' },
    { name: 'a group role whose policy names only the queries may not subscribe', who: member('Editors'), expected: '401' },
    { name: 'a role allowed Subscription/* subscribes under generic IAM access', who: role('Listener', [allow('arn:aws:appsync:*:*:apis/*/types/Subscription/*')]), expected: 'allow' },
  ];
  it.each(SUBSCRIBERS)('$name', async ({ who, expected }) => {
    const auth = await credentialsFor(who);
    const c = await RealtimeClient.connect({ url: emu.url, auth });
    try {
      const started = await c.subscribe({ query: 'subscription { onCreateNote { id } }' }).then(
        () => 'allow' as const,
        (e: unknown) => e,
      );
      if (expected === 'allow') expect(started).toBe('allow');
      else expect((started as RealtimeError).errors).toEqual([{ errorType: 'UnauthorizedException', message: 'Permission denied' }]);
    } finally {
      c.close();
    }
    const d = decide(model, who, 'onCreate', { type: 'Note' });
    if (expected === 'allow') expect(d.outcome, d.reason).not.toBe('deny');
    else expect(d).toMatchObject({ outcome: 'deny', requestLevel: true });
  });
});

describe('Gen 1 admin roles (adminRoles, generic IAM access off)', () => {
  let gen1: Emulator;
  let gen1Model: AuthModel;
  const ADMIN = role('AdminRole');
  beforeAll(async () => {
    gen1Model = schema(
      `
      type Doc @model @auth(rules: [{allow: owner}, {allow: private, provider: iam}]) {
        id: ID!
        title: String
        secret: String @auth(rules: [{allow: private, provider: iam}])
      }
      type Loose @model { id: ID! x: String }
    `,
      { genericIamAccess: false, adminRoles: ['AdminRole'] },
    );
    // IAM as the default mode, so that Loose's operations admit IAM callers at AppSync's directive check and
    // the generated resolver is what refuses them.
    gen1Model = { ...gen1Model, authModes: { ...gen1Model.authModes, default: 'iam' }, authResources: amplifyAuthResources({ groups: [], identityPool: { allowUnauthenticated: false } }) };
    gen1 = await startEmulator({ model: gen1Model, log: () => undefined });
  });
  afterAll(() => gen1?.stop());
  const adminClient = () => client(gen1, { mode: 'iam', credentials: gen1.credentials.iamRole('AdminRole'), region: gen1.region });

  it('pass where the model has rules', async () => {
    const r = await adminClient().graphql({ query: 'query { listDocs { items { id } } }' });
    expect(r.errors).toEqual([]);
    expect(decide(gen1Model, ADMIN, 'list', { type: 'Doc', records: [], select: ['id'] }).outcome).toBe('allow');
  });
  it('are refused by a model without rules, as everybody is (the admin check lives in the rules’ resolver)', async () => {
    const r = await adminClient().graphql({ query: 'query { listLooses { items { id } } }' });
    expect(r.status).toBe(200);
    expect(r.errors.map((e) => e.errorType)).toEqual(['Unauthorized']);
    expect(decide(gen1Model, ADMIN, 'list', { type: 'Loose', records: [], select: ['id'] }).outcome).toBe('deny');
  });
  it('a role whose name is not an admin role gets no bypass', async () => {
    const other = client(gen1, { mode: 'iam', credentials: gen1.credentials.iamRole('Reporting'), region: gen1.region });
    const r = await other.graphql({ query: 'query { listDocs { items { id } } }' });
    expect(r.errors.map((e) => e.errorType)).toEqual(['Unauthorized']);
    expect(decide(gen1Model, role('Reporting'), 'list', { type: 'Doc', records: [], select: ['id'] }).outcome).toBe('deny');
  });
  it('their mutation responses keep a field only some readers may read; the authenticated role’s are redacted (subscriptions are on)', async () => {
    const mutation = { query: 'mutation { createDoc(input: { title: "t", secret: "s" }) { id title secret } }' };
    const byAdmin = await adminClient().graphql(mutation);
    expect(byAdmin.errors).toEqual([]);
    expect(byAdmin.data).toMatchObject({ createDoc: { title: 't', secret: 's' } });
    const input = { title: 't', secret: 's' };
    expect(decide(gen1Model, ADMIN, 'create', { type: 'Doc', input, select: ['id', 'title', 'secret'] }).redactedFields ?? []).toEqual([]);

    const user = client(gen1, { mode: 'iam', credentials: gen1.credentials.identityPool({ authenticated: true, username: 'u1' }), region: gen1.region });
    const byUser = await user.graphql(mutation);
    expect(byUser.errors).toEqual([]);
    expect(byUser.data).toMatchObject({ createDoc: { title: 't', secret: null } });
    expect(decide(gen1Model, signedIn, 'create', { type: 'Doc', input, select: ['id', 'title', 'secret'] }).redactedFields).toEqual(['secret']);
  });
});
