/**
 * Schemas Amplify's transformer refuses are refused by the loader too, each with the transformer's reason and a
 * fix; the nearest schema it accepts loads. The reasons and their code paths: harness/schema/sdl/refusals.ts and
 * harness/schema/sdl/rules.ts (graphql-auth-transformer validations, accesscontrol/acm.ts setRole,
 * graphql-index-transformer validateNotOwnerAuth), checked against @aws-amplify/graphql-transformer 2.5.1.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/schema/errors.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { ALL_MODES } from '../helpers.js';

const load = (sdl: string) => authModelFromSdl({ sdl, file: 'schema.graphql', kind: 'gen1', authModes: ALL_MODES, params: GEN1_DEFAULT_PARAMS });

function refusal(sdl: string): string {
  try {
    load(sdl);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('the schema loaded');
}

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
    ['@auth on a type without @model',
      'type Info @auth(rules: [{ allow: private }]) { secret: String } type Post @model @auth(rules: [{ allow: private }]) { info: Info }',
      /Info has @auth but no @model; types annotated with @auth must also be annotated with @model/,
      'type Info { secret: String @auth(rules: [{ allow: private }]) } type Post @model @auth(rules: [{ allow: private }]) { info: Info }'],
    ['the same role granted by two model rules',
      'type Post @model @auth(rules: [{ allow: owner, operations: [read] }, { allow: owner, operations: [update] }]) { title: String }',
      /@auth Post:userPools:owner:owner:sub::username already exists for Post \(rule Post#2 repeats an earlier rule's role\)\. Fix: merge the two rules/,
      'type Post @model @auth(rules: [{ allow: owner, operations: [read, update] }]) { title: String }'],
    ['an owner field as the primary key\'s sort key (useSubUsernameForDefaultIdentityClaim)',
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! @primaryKey(sortKeyFields: ["owner"]) owner: String! }',
      /the primary key's sort key 'owner' cannot be used as an owner @auth field too/,
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! @primaryKey(sortKeyFields: ["createdAt"]) createdAt: AWSDateTime! owner: String }'],
    ['two owner rules on one undeclared owner field (it would be added twice)',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String }',
      /field "Post\.owner" can only be defined once: rules Post#1 and Post#2 are both owner rules on owner/,
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, ownerField: "author", provider: oidc, identityClaim: "sub" }]) { title: String }'],
    ['two owner rules on one declared owner field, subscriptions on (the subscription filter input gets it twice)',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }',
      /field "ModelSubscriptionPostFilterInput\.owner" can only be defined once/,
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }'],
  ])('%s', (_, refused, reason, accepted) => {
    expect(refusal(refused)).toMatch(reason);
    expect(load(accepted).models.length).toBeGreaterThan(0);
  });
});

describe('schemas the transformer accepts, though one might expect a refusal', () => {
  it.each([
    ['a required field whose field rules leave out a role that reads the model',
      'type Post @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) { title: String! @auth(rules: [{ allow: owner }]) }'],
    ['a declared id: ID! beside field rules that do not cover it',
      'type Post @model @auth(rules: [{ allow: owner }]) { id: ID! title: String @auth(rules: [{ allow: owner }]) }'],
    ['two owner rules on one declared owner field with subscriptions off',
      'type Post @model(subscriptions: null) @auth(rules: [{ allow: owner }, { allow: owner, provider: oidc, identityClaim: "sub" }]) { title: String owner: String }'],
  ])('%s (checked with the transformer)', (_, schema) => {
    expect(load(schema).models[0]!.name).toBe('Post');
  });
});
