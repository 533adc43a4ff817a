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
});
