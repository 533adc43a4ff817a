/** The API schema the emulator serves for what an app declares beside its models. */
import { buildSchema, type GraphQLInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../harness/emulator/appsync/api-schema.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';

const model = (sdl: string) => authModelFromSdl({ sdl, file: 'test.graphql', kind: 'gen1', authModes: { default: 'apiKey', enabled: ['apiKey'], apiKey: { expiresInDays: 7 } }, params: GEN1_DEFAULT_PARAMS });

describe('declared input types', () => {
  it('an input named like a non-model type\'s generated input replaces it: the transformer only adds the inputs a schema lacks', () => {
    const api = buildApiSchema(model(`
      type Location { lat: Float! lon: Float! }
      input LocationInput { lat: Float lon: Float }
      type Place @model @auth(rules: [{ allow: public }]) { id: ID! location: Location }
      type Mutation { mark(at: LocationInput!): Boolean @aws_api_key }
    `));
    const input = buildSchema(api.sdl).getType('LocationInput') as GraphQLInputObjectType;
    expect(Object.fromEntries(Object.values(input.getFields()).map((f) => [f.name, String(f.type)]))).toEqual({ lat: 'Float', lon: 'Float' });
    expect(api.sdl.match(/^input LocationInput /gm)).toHaveLength(1);
  });

  it('a non-model type without a declared input gets one generated from its fields', () => {
    const api = buildApiSchema(model(`
      type Location { lat: Float! lon: Float! }
      type Place @model @auth(rules: [{ allow: public }]) { id: ID! location: Location }
    `));
    const input = buildSchema(api.sdl).getType('LocationInput') as GraphQLInputObjectType;
    expect(String(input.getFields().lat!.type)).toBe('Float!');
  });

  // Pinned against the transformer's output (reftool, @aws-amplify/graphql-transformer on this schema): the model
  // transformer keeps a declared model input whatever skipOverrideMutationInputTypes says, and @primaryKey rewrites
  // the inputs of the mutations the model enables.
  it.each([
    ['CreateNoteInput', { title: 'String!' }],
    ['UpdateNoteInput', { id: 'ID!', title: 'String', body: 'String' }],
    ['CreateCallInput', { receiverId: 'ID!' }],
    ['UpdateCallInput', { receiverId: 'ID!' }],
    ['DeleteCallInput', { senderId: 'ID!', receiverId: 'ID!' }],
    ['CreateTagInput', { label: 'String', name: 'String!' }],
    ['UpdateTagInput', { name: 'String!', label: 'String' }],
  ])('a declared model input is kept (with @primaryKey\'s rewrites): %s', (name, fields) => {
    const api = buildApiSchema(model(`
      type Note @model @auth(rules: [{ allow: public }]) { id: ID! title: String! body: String }
      input CreateNoteInput { title: String! }
      type Call @model(mutations: { create: "makeCall", update: null, delete: "dropCall" }) @auth(rules: [{ allow: public }]) {
        senderId: ID! @primaryKey(sortKeyFields: ["receiverId"])
        receiverId: ID!
        note: String
      }
      input CreateCallInput { receiverId: ID! }
      input UpdateCallInput { receiverId: ID! }
      input DeleteCallInput { receiverId: ID! }
      type Tag @model @auth(rules: [{ allow: public }]) { name: String! @primaryKey label: String }
      input CreateTagInput { id: ID label: String name: String! }
      input UpdateTagInput { id: ID! name: String label: String }
    `));
    const input = buildSchema(api.sdl).getType(name) as GraphQLInputObjectType;
    expect(Object.fromEntries(Object.values(input.getFields()).map((f) => [f.name, String(f.type)]))).toEqual(fields);
    expect(api.sdl.match(new RegExp(`^input ${name} `, 'gm'))).toHaveLength(1);
  });
});
