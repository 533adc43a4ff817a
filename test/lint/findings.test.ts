/**
 * Static findings: each risky schema triggers exactly its finding (severity, rule, a fix that names the
 * change), each fixed variant triggers none, the oracle agrees that the risk is real, and the examples
 * give the findings we expect (Gen 2 and its Gen 1 twin alike).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../harness/rules/decide.js';
import type { Finding, Severity } from '../../harness/lint/finding.js';
import { findings } from '../../harness/lint/lint.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel, AuthModes, CustomHandler, TransformParams } from '../../harness/schema/model.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { example, fixture } from '../cli/cli.js';
import { ALL_MODES, owner, user } from '../helpers.js';

interface Options {
  params?: Partial<TransformParams>;
  modes?: Partial<AuthModes>;
  handlers?: Map<string, CustomHandler>;
}

/** A Gen 1 model with every auth mode on and a current CLI's defaults (generic IAM access off). */
function sdl(text: string, opts: Options = {}): AuthModel {
  return authModelFromSdl({
    sdl: text,
    file: 'test.graphql',
    kind: 'gen1',
    authModes: { ...ALL_MODES, ...opts.modes },
    params: { ...GEN1_DEFAULT_PARAMS, ...opts.params },
    ...(opts.handlers ? { handlers: opts.handlers } : {}),
  });
}

const summary = (fs: Finding[]) => fs.map((f) => [f.id, f.severity, f.rule ?? null]);

interface Expected {
  id: string;
  severity: Severity;
  rule: string | null;
  /** Text the fix must contain: the concrete change. */
  fix: string;
}

interface Case extends Options {
  name: string;
  schema: string;
  expect: Expected[];
}

const RISKY: Case[] = [
  {
    name: 'public write with the API key',
    schema: 'type Note @model @auth(rules: [{ allow: public }]) { body: String }',
    expect: [{ id: 'public-write:Note#1', severity: 'high', rule: 'Note#1', fix: 'replace `{ allow: public }` with `{ allow: public, operations: [read] }`' }],
  },
  {
    // Was "In the @auth rules of Note, replace …" though Note has no @auth (Specto95/jael-amplifygen1, 38 such models).
    name: 'a model without @auth under the global auth rule: give it rules of its own',
    schema: 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Note @model { body: String }',
    expect: [{ id: 'public-write:Note#1', severity: 'high', rule: 'Note#1', fix: 'Give Note rules of its own, e.g. `@auth(rules: [{ allow: public, operations: [read] }])`, instead of the global auth rule\'s `{ allow: public }`' }],
  },
  {
    name: 'create-only guest access (spam, no tampering)',
    schema: 'type Entry @model @auth(rules: [{ allow: public, provider: iam, operations: [create, read] }]) { body: String }',
    expect: [{ id: 'public-write:Entry#1', severity: 'medium', rule: 'Entry#1', fix: '`{ allow: public, provider: iam, operations: [read] }`' }],
  },
  {
    name: 'public update on one field (also wider than the model)',
    schema: 'type Post @model @auth(rules: [{ allow: owner }]) { title: String likes: Int @auth(rules: [{ allow: owner }, { allow: public, operations: [read, update] }]) }',
    expect: [
      { id: 'public-write:Post.likes#2', severity: 'high', rule: 'Post.likes#2', fix: 'In the field rule of `Post.likes`, replace `{ allow: public, operations: [read, update] }` with `{ allow: public, operations: [read] }`' },
      { id: 'field-rule-wider:Post.likes#2', severity: 'medium', rule: 'Post.likes#2', fix: 'remove `{ allow: public, operations: [read, update] }`' },
    ],
  },
  {
    name: 'a declared owner field the owner may update (transfer)',
    schema: 'type Diary @model @auth(rules: [{ allow: owner }]) { body: String owner: String }',
    expect: [{ id: 'owner-field-updatable:Diary.owner', severity: 'medium', rule: 'Diary#1', fix: '`owner: String @auth(rules: [{ allow: owner, operations: [read, create, delete] }])`' }],
  },
  {
    name: 'a declared owner field any signed-in user may update (takeover)',
    schema: 'type Wiki @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read, update] }]) { text: String owner: String }',
    expect: [
      { id: 'owner-field-updatable:Wiki.owner', severity: 'high', rule: 'Wiki#2', fix: '`owner: String @auth(rules: [{ allow: owner, operations: [read, create, delete] }, { allow: private, operations: [read] }])`' },
      { id: 'authenticated-overrides-owner:Wiki#2', severity: 'medium', rule: 'Wiki#2', fix: 'replace `{ allow: private, operations: [read, update] }` with `{ allow: private, operations: [read] }`' },
    ],
  },
  {
    name: 'co-owners who may rewrite the owner and the co-owner list',
    schema: `type Doc @model @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "editors", operations: [read, update] }]) {
      text: String owner: String editors: [String] }`,
    expect: [
      { id: 'owner-field-updatable:Doc.owner', severity: 'high', rule: 'Doc#2', fix: '{ allow: owner, ownerField: "editors", operations: [read] }' },
      { id: 'owner-field-updatable:Doc.editors', severity: 'medium', rule: 'Doc#2', fix: '`editors: [String] @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "editors", operations: [read] }])`' },
    ],
  },
  {
    // Was HIGH "Other users can take over Grade records by rewriting `instructor`" (ExcitingTheory/amplify-homework-supply):
    // the owner only chooses who else reads the grade; the instructor's own field is theirs to keep.
    name: 'a second owner field granting less than the owner has: the owner choosing who reads is no finding',
    schema: `type Grade @model @auth(rules: [{ allow: owner, ownerField: "instructor", operations: [read] }, { allow: owner }]) {
      score: Float owner: String instructor: String }`,
    expect: [{ id: 'owner-field-updatable:Grade.owner', severity: 'medium', rule: 'Grade#2', fix: '`owner: String @auth(rules: [{ allow: owner, ownerField: "instructor", operations: [read] }, { allow: owner, operations: [read, create, delete] }])`' }],
  },
  {
    name: 'a second owner field granting more than its writer has is still a takeover',
    schema: `type Ticket @model @auth(rules: [{ allow: owner, ownerField: "assignee", operations: [read, update] }, { allow: owner, operations: [read, update] }, { allow: owner, ownerField: "approver" }]) {
      text: String owner: String assignee: String approver: String }`,
    // The assignee and the owner may write themselves into approver, which grants delete they lack: a takeover. Each
    // rewriting the other's field hands out no more than it has.
    expect: [
      { id: 'owner-field-updatable:Ticket.approver', severity: 'high', rule: 'Ticket#1', fix: 'away from rule Ticket#1, rule Ticket#2 and rule Ticket#3' },
      { id: 'owner-field-updatable:Ticket.assignee', severity: 'medium', rule: 'Ticket#1', fix: 'away from rule Ticket#1 with' },
      { id: 'owner-field-updatable:Ticket.owner', severity: 'medium', rule: 'Ticket#2', fix: 'away from rule Ticket#2 with' },
    ],
  },
  {
    // Was "In the @auth rules of PostTags, replace …": no such type is written anywhere (Specto95/jael-amplifygen1's BranchOfficeUser).
    name: 'a @manyToMany join model: the fix goes to the joined model its public rule came from',
    schema: `type Tag @model @auth(rules: [{ allow: public, operations: [read] }, { allow: owner }]) { id: ID! label: String posts: [Post] @manyToMany(relationName: "PostTags") }
      type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String tags: [Tag] @manyToMany(relationName: "PostTags") }`,
    expect: [
      { id: 'public-write:Post#1', severity: 'high', rule: 'Post#1', fix: 'In the @auth rules of Post, replace' },
      { id: 'public-write:PostTags#3', severity: 'high', rule: 'PostTags#3', fix: 'In the @auth rules of Post (PostTags, the @manyToMany join model of Tag and Post, takes this rule from it), replace `{ allow: public }`' },
    ],
  },
  {
    name: 'a dynamic-group field its members may re-point',
    schema: 'type Project @model(subscriptions: null) @auth(rules: [{ allow: groups, groupsField: "team" }]) { name: String team: String }',
    expect: [{ id: 'group-field-updatable:Project.team', severity: 'medium', rule: 'Project#1', fix: '`team: String @auth(rules: [{ allow: groups, groupsField: "team", operations: [read, create, delete] }])`' }],
  },
  {
    name: 'a dynamic-group field any signed-in user may set',
    schema: `type Project @model(subscriptions: null) @auth(rules: [{ allow: groups, groupsField: "team", operations: [read] }, { allow: private, operations: [read, update] }]) {
      name: String team: String }`,
    expect: [{ id: 'group-field-updatable:Project.team', severity: 'high', rule: 'Project#2', fix: '{ allow: private, operations: [read] }' }],
  },
  {
    name: 'allow.authenticated() next to allow.owner()',
    schema: 'type Board @model @auth(rules: [{ allow: owner }, { allow: private }]) { title: String }',
    expect: [{ id: 'authenticated-overrides-owner:Board#2', severity: 'medium', rule: 'Board#2', fix: 'replace `{ allow: private }` with `{ allow: private, operations: [read, create] }`' }],
  },
  {
    name: 'identity-pool authenticated users next to an owner rule',
    schema: 'type Board @model @auth(rules: [{ allow: owner }, { allow: private, provider: iam, operations: [read, delete] }]) { title: String }',
    expect: [{ id: 'authenticated-overrides-owner:Board#2', severity: 'medium', rule: 'Board#2', fix: '`{ allow: private, provider: iam, operations: [read] }`' }],
  },
  {
    name: 'a field rule that lets signed-in users write what the model lets them read',
    schema: `type Article @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) {
      title: String status: String @auth(rules: [{ allow: owner }, { allow: private }]) }`,
    expect: [{ id: 'field-rule-wider:Article.status#2', severity: 'medium', rule: 'Article.status#2', fix: 'replace `{ allow: private }` with `{ allow: private, operations: [read] }`' }],
  },
  {
    name: 'a field hidden from the signed-in users who may list its model (inferred through list filters)',
    schema: 'type Employee @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { name: String ssn: String @auth(rules: [{ allow: owner, operations: [read] }]) }',
    expect: [{ id: 'filter-inference:Employee.ssn', severity: 'high', rule: null, fix: 'Move `ssn` out of Employee into a model of its own' }],
  },
  {
    name: 'a field an owner may update but not read (inferred through update conditions)',
    schema: 'type Payslip @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["HR"] }]) { name: String salary: Float @auth(rules: [{ allow: groups, groups: ["HR"] }]) }',
    expect: [{ id: 'filter-inference:Payslip.salary', severity: 'medium', rule: null, fix: 'Move `salary` out of Payslip into a model of its own' }],
  },
  {
    name: 'a field rule that lets signed-in users read a model they cannot',
    schema: 'type Secret @model @auth(rules: [{ allow: owner }]) { body: String title: String @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) }',
    expect: [{ id: 'field-rule-wider:Secret.title#2', severity: 'medium', rule: 'Secret.title#2', fix: 'remove `{ allow: private, operations: [read] }`' }],
  },
  {
    name: 'owners identified by iss (every user is everyone’s owner)',
    schema: 'type Memo @model @auth(rules: [{ allow: owner, identityClaim: "iss" }]) { text: String }',
    expect: [{ id: 'identity-claim-shared:Memo#1', severity: 'high', rule: 'Memo#1', fix: '`{ allow: owner }`' }],
  },
  {
    name: 'owners identified by a composite of shared claims',
    schema: 'type Memo @model @auth(rules: [{ allow: owner, identityClaim: "aud::iss" }]) { text: String }',
    expect: [{ id: 'identity-claim-shared:Memo#1', severity: 'high', rule: 'Memo#1', fix: '`{ allow: owner }`' }],
  },
  {
    name: 'owners identified by a custom attribute users can write',
    schema: 'type Profile @model @auth(rules: [{ allow: owner, identityClaim: "custom:handle" }]) { bio: String }',
    expect: [{ id: 'identity-claim-mutable:Profile#1', severity: 'medium', rule: 'Profile#1', fix: '`{ allow: owner }`' }],
  },
  {
    name: 'OIDC owners identified by email',
    schema: 'type Profile @model @auth(rules: [{ allow: owner, provider: oidc, identityClaim: "email" }]) { bio: String }',
    expect: [{ id: 'identity-claim-mutable:Profile#1', severity: 'medium', rule: 'Profile#1', fix: '`{ allow: owner, provider: oidc, identityClaim: "sub" }`' }],
  },
  {
    name: 'an OIDC owner rule on the default sub::username claim',
    schema: 'type Ticket @model @auth(rules: [{ allow: owner, provider: oidc }]) { subject: String }',
    expect: [{ id: 'oidc-owner-claim:Ticket#1', severity: 'low', rule: 'Ticket#1', fix: '`{ allow: owner, provider: oidc, identityClaim: "sub" }`' }],
  },
  {
    name: 'a group claim users can write',
    schema: 'type Report @model @auth(rules: [{ allow: groups, groups: ["Admin"], groupClaim: "custom:role" }]) { body: String }',
    expect: [{ id: 'group-claim-mutable:Report#1', severity: 'medium', rule: 'Report#1', fix: '`{ allow: groups, groups: ["Admin"] }`' }],
  },
  {
    name: 'a static group read from a claim that may be a string',
    schema: 'type Ticket @model @auth(rules: [{ allow: groups, provider: oidc, groups: ["Support"], groupClaim: "user_groups" }]) { subject: String }',
    expect: [{ id: 'group-claim-substring:Ticket#1', severity: 'low', rule: 'Ticket#1', fix: 'send `user_groups` as a JSON array' }],
  },
  {
    name: 'a model without rules',
    schema: 'type Note @model { body: String }',
    expect: [{ id: 'no-rules:Note', severity: 'low', rule: null, fix: '`type Note @model @auth(rules: [{ allow: owner }])`' }],
  },
  {
    name: 'a model whose rules grant nothing',
    schema: 'type Note @model @auth(rules: [{ allow: owner, operations: [] }]) { body: String }',
    expect: [{ id: 'no-rules:Note', severity: 'low', rule: null, fix: '@auth(rules: [{ allow: owner }])' }],
  },
  {
    name: 'a model without rules in sandbox mode',
    schema: 'type Note @model { body: String }',
    params: { sandboxMode: true },
    expect: [{ id: 'no-rules:Note', severity: 'high', rule: null, fix: '@auth(rules: [{ allow: owner }])' }],
  },
  {
    name: 'public subscriptions on an owner model',
    schema: 'type Note @model(subscriptions: { level: public }) @auth(rules: [{ allow: owner }]) { body: String }',
    expect: [{ id: 'public-subscriptions:Note', severity: 'medium', rule: null, fix: '`@model(subscriptions: { level: on })`' }],
  },
  {
    name: 'subscriptions filtered by a dynamic group list',
    schema: 'type Project @model @auth(rules: [{ allow: groups, groupsField: "teams", operations: [read] }, { allow: groups, groups: ["Admin"] }]) { name: String teams: [String] }',
    expect: [{ id: 'group-limit:Project#1', severity: 'low', rule: 'Project#1', fix: 'at most 20 groups' }],
  },
  {
    name: 'a custom mutation guarded only by its directive, on a model table',
    schema: 'type Post @model @auth(rules: [{ allow: owner }]) { title: String } type Mutation { likePost(id: ID!): Post @aws_cognito_user_pools }',
    handlers: new Map([['Mutation.likePost', { kind: 'js', entries: [{ file: '/app/resolvers/likePost.js', dataSource: 'PostTable' }] }]]),
    expect: [{ id: 'custom-op-directive-only:likePost', severity: 'medium', rule: 'Mutation.likePost#1', fix: 'In `likePost.js`, check `ctx.identity`' }],
  },
  {
    name: 'a custom query guarded only by its directive, computing its answer',
    schema: 'type Time { now: String } type Query { time: Time @aws_api_key }',
    handlers: new Map([['Query.time', { kind: 'js', entries: [{ file: '/app/resolvers/time.js', dataSource: 'NONE_DS' }] }]]),
    expect: [{ id: 'custom-op-directive-only:time', severity: 'low', rule: 'Query.time#1', fix: '`@aws_cognito_user_pools(cognito_groups: [...])`' }],
  },
  {
    name: 'a custom query running a Lambda function without @auth, returning a model',
    schema: 'type Post @model @auth(rules: [{ allow: owner }]) { title: String } type Query { anyPost(id: ID!): Post @function(name: "FnPost") }',
    expect: [{ id: 'custom-op-directive-only:anyPost', severity: 'medium', rule: 'Query.anyPost#1', fix: 'In `FnPost`, check `event.identity`' }],
  },
  {
    name: 'generic IAM access',
    schema: 'type Note @model @auth(rules: [{ allow: owner }]) { body: String }',
    params: { genericIamAccess: true },
    expect: [{ id: 'generic-iam', severity: 'low', rule: null, fix: 'enableIamAccess: false' }],
  },
  {
    name: 'IAM admin roles (a substring test)',
    schema: 'type Note @model @auth(rules: [{ allow: owner }]) { body: String }',
    params: { adminRoles: ['Admin'] },
    expect: [{ id: 'iam-admin-roles', severity: 'low', rule: null, fix: 'full, unique role names' }],
  },
  {
    name: 'an API key valid for two months',
    schema: 'type Note @model @auth(rules: [{ allow: public, operations: [read] }]) { body: String }',
    modes: { apiKey: { expiresInDays: 60 } },
    expect: [{ id: 'api-key-expiry', severity: 'low', rule: null, fix: 'expiration to 30 days or fewer' }],
  },
  {
    name: 'an API key valid for a year',
    schema: 'type Note @model @auth(rules: [{ allow: public, operations: [read] }]) { body: String }',
    modes: { apiKey: { expiresInDays: 365 } },
    expect: [{ id: 'api-key-expiry', severity: 'medium', rule: null, fix: 'expiration to 30 days or fewer' }],
  },
];

const SAFE: (Options & { name: string; schema: string })[] = [
  { name: 'public read only', schema: 'type Note @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) { body: String }' },
  {
    name: 'public update and delete on a model whose update and delete mutations are off',
    schema: 'type Note @model(mutations: { create: "createNote", update: null, delete: null }) @auth(rules: [{ allow: public, operations: [read, update, delete] }]) { body: String }',
  },
  {
    name: 'guest writes when the identity pool refuses guests',
    schema: 'type Note @model @auth(rules: [{ allow: public, provider: iam }]) { body: String }',
    modes: { identityPool: { allowUnauthenticated: false } },
  },
  { name: 'an implicit owner field (not in the update input)', schema: 'type Diary @model @auth(rules: [{ allow: owner }]) { body: String }' },
  {
    name: 'an owner field made read-only for its owner by a field rule',
    schema: 'type Diary @model @auth(rules: [{ allow: owner }]) { body: String owner: String @auth(rules: [{ allow: owner, operations: [read, delete] }]) }',
  },
  {
    name: 'an owner field only an admin group may rewrite',
    schema: 'type Diary @model @auth(rules: [{ allow: owner, operations: [read, delete] }, { allow: groups, groups: ["Admin"] }]) { body: String owner: String }',
  },
  {
    name: 'a co-owner list only the record’s owner may rewrite',
    schema: 'type Doc @model @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "editors", operations: [read] }]) { text: String editors: [String] }',
  },
  { name: 'allow.authenticated() that only reads next to an owner rule', schema: 'type Board @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { title: String }' },
  { name: 'OIDC users next to a user-pool owner rule', schema: 'type Board @model @auth(rules: [{ allow: owner }, { allow: private, provider: oidc }]) { title: String }' },
  {
    name: 'a field rule narrower than the model, on a model nobody else may list or update',
    schema: 'type Employee @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["HR"], operations: [read] }]) { name: String ssn: String @auth(rules: [{ allow: owner, operations: [read] }, { allow: groups, groups: ["HR"], operations: [read] }]) }',
  },
  { name: 'owners identified by sub', schema: 'type Memo @model @auth(rules: [{ allow: owner, identityClaim: "sub" }]) { text: String }' },
  { name: 'a composite claim with one unique part', schema: 'type Memo @model @auth(rules: [{ allow: owner, identityClaim: "sub::iss" }]) { text: String }' },
  { name: 'an OIDC owner rule on sub', schema: 'type Ticket @model @auth(rules: [{ allow: owner, provider: oidc, identityClaim: "sub" }]) { subject: String }' },
  {
    name: 'an OIDC owner rule whose IdP is a Cognito user pool',
    schema: 'type Ticket @model @auth(rules: [{ allow: owner, provider: oidc }]) { subject: String }',
    modes: { oidc: { providerName: 'pool', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc' } },
  },
  { name: 'a read-only dynamic group without subscriptions', schema: 'type Project @model(subscriptions: null) @auth(rules: [{ allow: groups, groupsField: "teams", operations: [read] }]) { name: String teams: [String] }' },
  { name: 'public subscriptions on a model anyone may read', schema: 'type Note @model(subscriptions: { level: public }) @auth(rules: [{ allow: public, operations: [read] }]) { body: String }' },
  {
    name: 'a custom query whose @auth rules a generated resolver checks',
    schema: 'type Query { echo(msg: String): String @function(name: "FnEcho") @auth(rules: [{ allow: private }]) }',
  },
  {
    name: 'an API key no rule names, valid for a year',
    schema: 'type Note @model @auth(rules: [{ allow: owner }]) { body: String }',
    modes: { apiKey: { expiresInDays: 365 } },
  },
  {
    name: 'an API key valid for 30 days',
    schema: 'type Note @model @auth(rules: [{ allow: public, operations: [read] }]) { body: String }',
    modes: { apiKey: { expiresInDays: 30 } },
  },
];

describe('each risk triggers exactly its finding', () => {
  it.each(RISKY)('$name', ({ schema, expect: expected, ...opts }) => {
    const got = findings(sdl(schema, opts));
    expect(summary(got)).toEqual(expected.map((e) => [e.id, e.severity, e.rule]));
    for (const e of expected) {
      const f = got.find((x) => x.id === e.id)!;
      expect(f.fix).toContain(e.fix);
      expect(f.title.length).toBeGreaterThan(0);
      if (f.model) expect(f.explanation).toContain(f.model);
    }
  });
});

describe('and its fixed variant triggers none', () => {
  it.each(SAFE)('$name', ({ schema, ...opts }) => {
    expect(summary(findings(sdl(schema, opts)))).toEqual([]);
  });
});

describe('the oracle agrees the risks are real', () => {
  const alice = user('alice');
  const bob = user('bob');

  it('an owner hands a Diary over through a declared owner field, and cannot once the field is read-only', () => {
    const record = { id: 'd1', body: 'b', owner: owner('alice') };
    const risky = sdl('type Diary @model @auth(rules: [{ allow: owner }]) { body: String owner: String }');
    const safe = sdl('type Diary @model @auth(rules: [{ allow: owner }]) { body: String owner: String @auth(rules: [{ allow: owner, operations: [read, delete] }]) }');
    const transfer = { type: 'Diary', record, input: { id: 'd1', owner: owner('bob') } };
    expect(decide(risky, alice, 'update', transfer).outcome).toBe('allow');
    expect(decide(safe, alice, 'update', transfer)).toMatchObject({ outcome: 'deny', deniedFields: ['owner'] });
  });

  it('any signed-in user takes a Wiki page over', () => {
    const auth = sdl('type Wiki @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read, update] }]) { text: String owner: String }');
    const record = { id: 'w1', text: 't', owner: owner('alice') };
    expect(decide(auth, bob, 'update', { type: 'Wiki', record, input: { id: 'w1', owner: owner('bob') } }).outcome).toBe('allow');
  });

  it('with allow.authenticated(), a stranger deletes another user’s Board', () => {
    const auth = sdl('type Board @model @auth(rules: [{ allow: owner }, { allow: private }]) { title: String }');
    expect(decide(auth, bob, 'delete', { type: 'Board', record: { id: 'b1', title: 't', owner: owner('alice') } }).outcome).toBe('allow');
  });

  it('with identityClaim iss, a stranger reads another user’s Memo', () => {
    const auth = sdl('type Memo @model @auth(rules: [{ allow: owner, identityClaim: "iss" }]) { text: String }');
    const iss = 'https://cognito-idp.eu-west-1.amazonaws.com/pool';
    const record = { id: 'm1', text: 't', owner: iss };
    expect(decide(auth, user('bob', [], { iss }), 'get', { type: 'Memo', record }).outcome).toBe('allow');
  });

  it('a group member moves a Project to a group it is not in', () => {
    const auth = sdl('type Project @model @auth(rules: [{ allow: groups, groupsField: "team" }]) { name: String team: String }');
    const record = { id: 'p1', name: 'n', team: 'Red' };
    expect(decide(auth, user('alice', ['Red']), 'update', { type: 'Project', record, input: { id: 'p1', team: 'Blue' } }).outcome).toBe('allow');
  });

  it('a field rule wider than the model lets a stranger change Article.status', () => {
    const auth = sdl(`type Article @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) {
      title: String status: String @auth(rules: [{ allow: owner }, { allow: private }]) }`);
    const record = { id: 'a1', title: 't', status: 'draft', owner: owner('alice') };
    expect(decide(auth, bob, 'update', { type: 'Article', record, input: { id: 'a1', status: 'published' } }).outcome).toBe('allow');
  });
});

describe('Gen 2 fixes are written in Gen 2 syntax', () => {
  let risky: Finding[];
  let safe: Finding[];
  beforeAll(async () => {
    risky = findings(await loadAuthModel(fixture('risky/gen2/amplify/data/resource.ts')));
    safe = findings(await loadAuthModel(fixture('risky/safe/amplify/data/resource.ts')));
  });

  it('finds one risk per model of the risky app, most severe first', () => {
    expect(summary(risky)).toEqual([
      ['identity-claim-shared:Memo#1', 'high', 'Memo#1'],
      ['owner-field-updatable:Wiki.owner', 'high', 'Wiki#2'],
      ['public-write:Guestbook#1', 'high', 'Guestbook#1'],
      ['api-key-expiry', 'medium', null],
      ['authenticated-overrides-owner:Board#2', 'medium', 'Board#2'],
      ['authenticated-overrides-owner:Wiki#2', 'medium', 'Wiki#2'],
      ['field-rule-wider:Article.status#2', 'medium', 'Article.status#2'],
      ['identity-claim-mutable:Profile#1', 'medium', 'Profile#1'],
      ['owner-field-updatable:Diary.owner', 'medium', 'Diary#1'],
      ['generic-iam', 'low', null],
    ]);
  });

  it.each([
    ['owner-field-updatable:Diary.owner', "`owner: a.string().authorization((allow) => [allow.owner().to(['read', 'create', 'delete'])])`"],
    ['owner-field-updatable:Wiki.owner', "allow.owner().to(['read', 'create', 'delete']), allow.authenticated().to(['read'])"],
    ['public-write:Guestbook#1', "replace `allow.publicApiKey()` with `allow.publicApiKey().to(['read'])`"],
    ['authenticated-overrides-owner:Board#2', "replace `allow.authenticated()` with `allow.authenticated().to(['read', 'create'])`"],
    ['identity-claim-shared:Memo#1', '`allow.owner()` in Memo'],
    ['identity-claim-mutable:Profile#1', '`allow.owner()` in Profile'],
    ['field-rule-wider:Article.status#2', "replace `allow.authenticated()` with `allow.authenticated().to(['read'])`"],
    ['api-key-expiry', '`apiKeyAuthorizationMode: { expiresInDays: 30 }`'],
    ['generic-iam', 'allow.resource(myFunction)'],
  ])('%s: %s', (id, fix) => {
    expect(risky.find((f) => f.id === id)?.fix).toContain(fix);
  });

  it('the explanations name the model, the field and the rule', () => {
    const wiki = risky.find((f) => f.id === 'owner-field-updatable:Wiki.owner')!;
    expect(wiki.explanation).toMatch(/`Wiki\.owner` is declared.*updateWiki.*rule Wiki#2 \(any signed-in user-pool user\)/);
    expect(risky.find((f) => f.id === 'api-key-expiry')!.title).toContain('365 days');
  });

  it('the fixed app has only generic IAM access left', () => {
    expect(summary(safe)).toEqual([['generic-iam', 'low', null]]);
  });
});

describe('the examples', () => {
  it('todo: only generic IAM access', async () => {
    expect(summary(findings(await loadAuthModel(example('todo/amplify/data/resource.ts'))))).toEqual([['generic-iam', 'low', null]]);
  });

  const BLOG = [
    // Employee's field rules hide these from the signed-in users who may list employees: a list filter finds them out.
    ['filter-inference:Employee.owner', 'high', null],
    ['filter-inference:Employee.salary', 'high', null],
    ['filter-inference:Employee.ssn', 'high', null],
    ['custom-op-directive-only:likePost', 'medium', 'Mutation.likePost#1'],
    ['custom-op-directive-only:onLikePost', 'medium', 'Subscription.onLikePost#1'],
    ['group-field-updatable:Project.team', 'medium', 'Project#1'],
    ['owner-field-updatable:Post.editors', 'medium', 'Post#2'],
    ['generic-iam', 'low', null],
    ['group-claim-substring:Ticket#3', 'low', 'Ticket#3'],
    ['group-limit:Project#1', 'low', 'Project#1'],
    ['group-limit:Project#2', 'low', 'Project#2'],
  ];

  it('blog (Gen 2) and its Gen 1 twin: the same findings, each fix in its own syntax', async () => {
    const gen2 = findings(await loadAuthModel(example('blog/amplify/data/resource.ts')));
    const gen1 = findings(await loadAuthModel(example('blog-gen1/schema.graphql')));
    expect(summary(gen2)).toEqual(BLOG);
    const withoutFix = ({ fix: _, ...rest }: Finding) => rest;
    expect(gen1.map(withoutFix)).toEqual(gen2.map(withoutFix));
    const fix = (fs: Finding[], id: string) => fs.find((f) => f.id === id)!.fix;
    expect(fix(gen2, 'owner-field-updatable:Post.editors')).toContain("allow.ownersDefinedIn('editors').to(['read'])");
    expect(fix(gen1, 'owner-field-updatable:Post.editors')).toContain('editors: [String] @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "editors", operations: [read] }');
    expect(fix(gen2, 'group-limit:Project#1')).toContain(".disableOperations(['subscriptions'])");
    expect(fix(gen1, 'group-limit:Project#1')).toContain('@model(subscriptions: null)');
  });

  it('Employee’s owner field, writable only by HR, is not a finding; Post’s implicit owner is not either', async () => {
    const ids = findings(await loadAuthModel(example('blog/amplify/data/resource.ts'))).map((f) => f.id);
    expect(ids).not.toContain('owner-field-updatable:Employee.owner');
    expect(ids).not.toContain('owner-field-updatable:Post.owner');
  });
});

// ---- properties on random schemas ----------------------------------------------------------------

const OPS = ['create', 'update', 'delete', 'read'] as const;
const opsArb = fc.option(fc.subarray([...OPS]), { nil: undefined });
const withOps = (parts: string[], ops: readonly string[] | undefined) => `{ ${[...parts, ...(ops ? [`operations: [${ops.join(', ')}]`] : [])].join(', ')} }`;
const claimArb = fc.constantFrom('sub::username', 'sub', 'iss', 'email', 'custom:handle', 'aud::iss');

interface RandomRule {
  text: string;
  /** The transformer's role: a model may not grant one twice (accesscontrol/acm.ts setRole). */
  role: string;
}
const rule = (role: string, parts: string[], ops: readonly string[] | undefined): RandomRule => ({ role, text: withOps(parts, ops) });
type OwnerField = 'owner' | 'editors';
/** Each owner field's one provider and claim: two owner roles on one field would declare it twice in the generated inputs. */
type OwnerRoles = Record<OwnerField, readonly [string, string]>;

const ruleArb = (owners: OwnerRoles): fc.Arbitrary<RandomRule> => fc.oneof(
  fc.tuple(fc.constantFrom('apiKey', 'iam'), opsArb).map(([p, ops]) => rule(`public:${p}`, ['allow: public', `provider: ${p}`], ops)),
  fc.tuple(fc.constantFrom('userPools', 'oidc', 'iam'), opsArb).map(([p, ops]) => rule(`private:${p}`, ['allow: private', `provider: ${p}`], ops)),
  fc.tuple(fc.constantFrom<OwnerField>('owner', 'editors'), opsArb).map(([f, ops]) => {
    const [p, c] = owners[f];
    return rule(`owner:${f}`, ['allow: owner', `ownerField: "${f}"`, `provider: ${p}`, `identityClaim: "${c}"`], ops);
  }),
  fc.tuple(fc.constantFrom('cognito:groups', 'custom:role', 'user_groups'), opsArb).map(([c, ops]) => rule(`groups:${c}`, ['allow: groups', 'groups: ["Admin"]', `groupClaim: "${c}"`], ops)),
  fc.tuple(fc.constantFrom('team', 'teams'), opsArb).map(([f, ops]) => rule(`groupsField:${f}`, ['allow: groups', `groupsField: "${f}"`], ops)),
  opsArb.map((ops) => rule('custom', ['allow: custom'], ops)),
);

const auth = (rules: RandomRule[]) => (rules.length ? ` @auth(rules: [${rules.map((r) => r.text).join(', ')}])` : '');

/** Random models the transformer accepts: no role twice in the model's rules, one owner role per owner field. */
const ownerRoleArb = fc.tuple(fc.constantFrom('userPools', 'oidc'), claimArb);
const schemaArb = fc.record({ owner: ownerRoleArb, editors: ownerRoleArb }).chain((owners) => fc.record({
  level: fc.constantFrom('', '(subscriptions: null)', '(subscriptions: { level: public })'),
  model: fc.uniqueArray(ruleArb(owners), { maxLength: 4, selector: (r) => r.role }),
  owner: fc.option(fc.array(ruleArb(owners), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  title: fc.option(fc.array(ruleArb(owners), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  params: fc.record({ genericIamAccess: fc.boolean(), sandboxMode: fc.boolean(), adminRoles: fc.constantFrom<string[]>([], ['Admin']) }),
  days: fc.integer({ min: 1, max: 365 }),
})).map(({ level, model, owner: ownerRules, title, params, days }) => sdl(
  `type P @model${level}${auth(model)} {
    title: String${auth(title ?? [])}
    owner: String${auth(ownerRules ?? [])}
    editors: [String] team: String teams: [String]
  }`,
  { params, modes: { apiKey: { expiresInDays: days } } },
));

/** The same model with every rule list in another order (rule ids unchanged). */
function reordered(m: AuthModel): AuthModel {
  const rotate = <T>(xs: T[]): T[] => [...xs].reverse();
  return {
    ...m,
    models: m.models.map((model) => ({
      ...model,
      rules: rotate(model.rules),
      fields: model.fields.map((f) => (f.rules ? { ...f, rules: rotate(f.rules) } : { ...f })),
    })),
  };
}

describe('properties on random schemas', () => {
  const RUNS = { numRuns: 400 };

  it('findings are sorted by severity then id, with unique ids naming real models and rules', () => {
    fc.assert(fc.property(schemaArb, (m) => {
      const fs = findings(m);
      const rank = (f: Finding) => ['high', 'medium', 'low'].indexOf(f.severity);
      const ruleIds = new Set([...m.models.flatMap((x) => [...x.rules, ...x.fields.flatMap((f) => f.rules ?? [])]), ...m.customOperations.flatMap((o) => o.rules)].map((r) => r.id));
      expect(new Set(fs.map((f) => f.id)).size).toBe(fs.length);
      fs.forEach((f, i) => {
        if (i) expect(rank(fs[i - 1]!) < rank(f) || (rank(fs[i - 1]!) === rank(f) && fs[i - 1]!.id < f.id)).toBe(true);
        if (f.rule) expect(ruleIds.has(f.rule)).toBe(true);
        if (f.model) expect(m.models.some((x) => x.name === f.model)).toBe(true);
        expect(f.fix.length * f.explanation.length * f.title.length).toBeGreaterThan(0);
      });
    }), RUNS);
  });

  it('findings do not depend on the order of rules within a model, and are deterministic', () => {
    fc.assert(fc.property(schemaArb, (m) => {
      const once = findings(m);
      expect(findings(reordered(m))).toEqual(once);
      expect(findings(structuredClone(m))).toEqual(once);
    }), RUNS);
  });
});
