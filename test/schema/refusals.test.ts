/**
 * Schemas Amplify's transformer refuses are refused by the loader too, each with the transformer's reason and a
 * fix; the nearest schema it accepts loads. The reasons and their code paths: harness/schema/sdl/refusals.ts and
 * harness/schema/sdl/rules.ts (graphql-auth-transformer validations, accesscontrol/acm.ts setRole,
 * graphql-index-transformer validateNotOwnerAuth). Every row was run through the real transformer with reftool
 * (@aws-amplify/graphql-transformer 2.5.1, graphql-auth-transformer 4.2.9); docs/semantics.md "Schemas the
 * transformer refuses" lists them.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/schema/errors.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { ALL_MODES } from '../helpers.js';

const load = (sdl: string, useSubUsernameForDefaultIdentityClaim = true) =>
  authModelFromSdl({ sdl, file: 'schema.graphql', kind: 'gen1', authModes: ALL_MODES, params: { ...GEN1_DEFAULT_PARAMS, useSubUsernameForDefaultIdentityClaim } });

function refusal(sdl: string): string {
  try {
    load(sdl);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('the schema loaded');
}

const OWNER = '@auth(rules: [{ allow: owner }])';

describe('schemas the transformer refuses', () => {
  it.each([
    ['a field rule granting get (field rules know only read)',
      'type Post @model @auth(rules: [{ allow: owner }]) { title: String @auth(rules: [{ allow: owner, operations: [get] }]) }',
      /'get' operation is not allowed at the field level \(rule Post\.title#1\)\. Fix: write read instead/,
      'type Post @model @auth(rules: [{ allow: owner }]) { title: String @auth(rules: [{ allow: owner, operations: [read] }]) }'],
    ['read beside get and list',
      'type Post @model @auth(rules: [{ allow: owner, operations: [read, get, list] }]) { title: String }',
      /'get,list' operations are specified in addition to 'read'/,
      'type Post @model @auth(rules: [{ allow: owner, operations: [get, list] }]) { title: String }'],
    ['@auth with no rules',
      'type Post @model @auth(rules: []) { title: String }',
      /@auth on Post does not have any auth rules\. Fix: add a rule, or remove @auth/,
      'type Post @model @auth(rules: [{ allow: private }]) { title: String }'],
    ['field @auth with no rules',
      `type Post @model ${OWNER} { title: String @auth(rules: []) }`,
      /@auth on title does not have any auth rules\. Fix: add a rule/,
      `type Post @model ${OWNER} { title: String @auth(rules: [{ allow: owner }]) }`],
    ['@auth on a type without @model',
      'type Info @auth(rules: [{ allow: private }]) { secret: String } type Post @model @auth(rules: [{ allow: private }]) { info: Info }',
      /Info has @auth but no @model; types annotated with @auth must also be annotated with @model/,
      'type Info { secret: String @auth(rules: [{ allow: private }]) } type Post @model @auth(rules: [{ allow: private }]) { info: Info }'],
    ['operations in a field rule of a type without @model',
      'type Info { secret: String @auth(rules: [{ allow: private, operations: [read] }]) } type Post @model @auth(rules: [{ allow: private }]) { info: Info }',
      /@auth rules on Info\.secret cannot specify 'operations'.*Fix: remove operations/,
      'type Info { secret: String @auth(rules: [{ allow: private }]) } type Post @model @auth(rules: [{ allow: private }]) { info: Info }'],
    ['operations in the rules of a custom query',
      `type Post @model ${OWNER} { title: String } type Query { hi: String @auth(rules: [{ allow: private, operations: [read] }]) }`,
      /@auth rules on Query\.hi cannot specify 'operations'.*Fix: remove operations/,
      `type Post @model ${OWNER} { title: String } type Query { hi: String @auth(rules: [{ allow: private }]) }`],
    ['@auth on an interface field',
      `interface Titled { title: String @auth(rules: [{ allow: private }]) } type Post @model ${OWNER} { title: String }`,
      /cannot be placed on an interface's field \(Titled\.title\)\. Fix: put the rules on the fields of the types that implement the interface/,
      `interface Titled { title: String } type Post @model ${OWNER} { title: String @auth(rules: [{ allow: private }]) }`],
    ['the same role granted by two model rules',
      'type Post @model @auth(rules: [{ allow: owner, operations: [read] }, { allow: owner, operations: [update] }]) { title: String }',
      /@auth Post:userPools:owner:owner:sub::username already exists for Post \(rule Post#2 repeats an earlier rule's role\)\. Fix: merge the two rules/,
      'type Post @model @auth(rules: [{ allow: owner, operations: [read, update] }]) { title: String }'],
    ['one static group in two model rules',
      'type Post @model @auth(rules: [{ allow: groups, groups: ["Admin"] }, { allow: groups, groups: ["Admin", "Ops"], operations: [read] }]) { title: String }',
      /@auth Post:userPools:staticGroup:Admin:cognito:groups already exists for Post \(rule Post#2/,
      'type Post @model @auth(rules: [{ allow: groups, groups: ["Admin"] }, { allow: groups, groups: ["Ops"], operations: [read] }]) { title: String }'],
    ['an owner field as the primary key\'s sort key (useSubUsernameForDefaultIdentityClaim)',
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! @primaryKey(sortKeyFields: ["owner"]) owner: String! }',
      /the primary key's sort key 'owner' cannot be used as an owner @auth field too.*Fix: use another field for the sort key/,
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! @primaryKey(sortKeyFields: ["createdAt"]) createdAt: AWSDateTime! owner: String }'],
    ['two owner rules on one undeclared owner field (it would be added twice)',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String }',
      /field "Post\.owner" can only be defined once: rules Post#1 and Post#2 are both owner rules on owner/,
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "author", provider: oidc, identityClaim: "sub" }]) { title: String }'],
    ['the same with two identity claims and subscriptions: null (an undeclared field is added to the type)',
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, identityClaim: "sub", operations: [read] }]) { title: String }',
      /field "Post\.owner" can only be defined once.*Fix: give the rules one provider and identity claim, or use another ownerField/,
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, identityClaim: "sub", operations: [read] }]) { title: String owner: String }'],
    ['two owner rules on one declared owner field, subscriptions on (the subscription filter input gets it twice)',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }',
      /field "ModelSubscriptionPostFilterInput\.owner" can only be defined once.*or turn subscriptions off/,
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }'],
    ['two owner rules on one multi-owner (list) field, subscriptions on',
      'type Post @model @auth(rules: [{ allow: owner, ownerField: "editors" }, { allow: owner, ownerField: "editors", identityClaim: "sub", operations: [read] }]) { title: String editors: [String] }',
      /field "ModelSubscriptionPostFilterInput\.editors" can only be defined once: rules Post#1 and Post#2 are both owner rules on editors/,
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner, ownerField: "editors" }, { allow: owner, ownerField: "editors", identityClaim: "sub", operations: [read] }]) { title: String editors: [String] }'],
    ['an owner rule on the model and another on a field, one owner field (the field rule adds a role)',
      `type Post @model ${OWNER} { title: String @auth(rules: [{ allow: owner, identityClaim: "sub", operations: [read] }]) owner: String }`,
      /field "ModelSubscriptionPostFilterInput\.owner" can only be defined once: rules Post#1 and Post\.title#1/,
      `type Post @model ${OWNER} { title: String @auth(rules: [{ allow: owner, operations: [read] }]) owner: String }`],
    ['a declared id: ID! that a role reading another field may not read',
      `type Post @model ${OWNER} { id: ID! title: String @auth(rules: [{ allow: private }]) }`,
      /required field Post\.id may not be read by userPools:private.*Fix: make id optional, give those callers read on it/,
      `type Post @model ${OWNER} { id: ID title: String @auth(rules: [{ allow: private }]) }`],
    ['the same when the role reads the other field by the later of two field rules (an earlier read replaced is no read)',
      `type Post @model ${OWNER} { id: ID! title: String @auth(rules: [{ allow: private, operations: [update] }, { allow: private, operations: [read] }]) }`,
      /required field Post\.id may not be read by userPools:private/,
      `type Post @model ${OWNER} { id: ID! title: String @auth(rules: [{ allow: private, operations: [read] }, { allow: private, operations: [update] }]) }`],
    ['a required field left out of the field rules of a role that reads another field',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { body: String title: String! @auth(rules: [{ allow: owner }]) }',
      /required field Post\.title may not be read by userPools:private.*or set @model\(subscriptions: \{ level: off \}\)/,
      'type Post @model(subscriptions: { level: off }) @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { body: String title: String! @auth(rules: [{ allow: owner }]) }'],
    ['the same with subscriptions: null (the check defaults the level to on)',
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { body: String title: String! @auth(rules: [{ allow: owner }]) }',
      /required field Post\.title may not be read by userPools:private.*Fix: make title optional/,
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { body: String title: String @auth(rules: [{ allow: owner }]) }'],
  ])('%s', (_, refused, reason, accepted) => {
    expect(refusal(refused)).toMatch(reason);
    expect(load(accepted).models.length).toBeGreaterThan(0);
  });
});

describe('schemas the transformer accepts, though one might expect a refusal', () => {
  it.each([
    ['a required field whose field rules leave out a role that reads no other field',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { title: String! @auth(rules: [{ allow: owner }]) }'],
    ['a declared id: ID! beside field rules that do not cover it',
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! title: String @auth(rules: [{ allow: owner }]) }'],
    ['a declared id: ID! beside field rules that add no reader',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { id: ID! title: String @auth(rules: [{ allow: owner }]) }'],
    ['an undeclared id beside a field rule for another role',
      `type Post @model ${OWNER} { title: String @auth(rules: [{ allow: private }]) }`],
    ['the same role in the model rules and a field rule (the field rule replaces it there)',
      `type Post @model ${OWNER} { title: String @auth(rules: [{ allow: owner, operations: [read] }]) }`],
    ['two owner rules on one declared owner field with subscriptions off',
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }'],
    ['... with subscription level off',
      'type Post @model(subscriptions: { level: off }) @auth(rules: [{ allow: owner }, { allow: owner, identityClaim: "sub", operations: [read] }]) { title: String owner: String }'],
    ['two owner rules on two owner fields',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "editors", identityClaim: "sub", operations: [read] }]) { title: String editors: String }'],
    ['a required field left out of a reader\'s field rules, subscription level public',
      'type Post @model(subscriptions: { level: public }) @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { body: String title: String! @auth(rules: [{ allow: owner }]) }'],
    ['an owner sort key whose identity claim is a single claim',
      'type Post @model @auth(rules: [{ allow: owner, identityClaim: "username" }]) { id: ID! @primaryKey(sortKeyFields: ["owner"]) owner: String! }'],
  ])('%s (checked with the transformer)', (_, schema) => {
    expect(load(schema).models[0]!.name).toBe('Post');
  });

  it('an owner sort key without useSubUsernameForDefaultIdentityClaim (checked with the transformer)', () => {
    expect(load(`type Post @model ${OWNER} { id: ID! @primaryKey(sortKeyFields: ["owner"]) owner: String! }`, false).models).toHaveLength(1);
  });
});
