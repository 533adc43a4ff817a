/**
 * How the loader reads Gen 1 relations, as amplify-graphql-relational-transformer does (schema.ts
 * ensureHasManyConnectionField, ensureHasOneConnectionField, ensureBelongsToConnectionField; utils.ts
 * getConnectionAttributeName, getFieldsNodes, getRelatedTypeIndex). test/fixtures/fidelity/relation-keys replays
 * the same facts against the emulator with what the generated resolvers answered.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/schema/errors.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { schema } from '../helpers.js';

const PUBLIC = '@model @auth(rules: [{allow: public}])';

function relation(auth: AuthModel, model: string, field: string) {
  const f = auth.models.find((m) => m.name === model)!.fields.find((x) => x.name === field)!;
  return { local: f.relation!.local, remote: f.relation!.remote };
}

function field(auth: AuthModel, model: string, name: string) {
  return auth.models.find((m) => m.name === model)!.fields.find((f) => f.name === name);
}

describe('implicit key fields (no fields, no references)', () => {
  it.each([
    ['@hasMany adds <parent><Field><key> to the child; a paired @belongsTo reads it',
      `type Note ${PUBLIC} { id: ID! kids: [Task] @hasMany }\ntype Task ${PUBLIC} { id: ID! note: Note @belongsTo }`,
      [['Note', 'kids', ['id'], ['noteKidsId']], ['Task', 'note', ['noteKidsId'], ['id']]], [['Task', 'noteKidsId', 'ID']]],
    ['@hasOne adds the key to its own type; a paired @belongsTo gets its own',
      `type Car ${PUBLIC} { id: ID! engine: Engine @hasOne }\ntype Engine ${PUBLIC} { id: ID! car: Car @belongsTo }`,
      [['Car', 'engine', ['carEngineId'], ['id']], ['Engine', 'car', ['engineCarId'], ['id']]], [['Car', 'carEngineId', 'ID'], ['Engine', 'engineCarId', 'ID']]],
    ['the key field is named after the related primary key, with one per sort key, of their types',
      `type Shelf ${PUBLIC} { code: String! @primaryKey(sortKeyFields: ["n"]) n: Int! books: [Book] @hasMany }\ntype Book ${PUBLIC} { id: ID! }`,
      [['Shelf', 'books', ['code', 'n'], ['shelfBooksCode', 'shelfBooksN']]], [['Book', 'shelfBooksCode', 'String'], ['Book', 'shelfBooksN', 'Int']]],
  ] as const)('%s', (_, sdl, relations, added) => {
    const auth = schema(sdl);
    for (const [m, f, local, remote] of relations) expect(relation(auth, m, f)).toEqual({ local, remote });
    for (const [m, f, type] of added) expect(field(auth, m, f)).toMatchObject({ type, implicit: false, required: false });
  });

  it('a non-null relation field makes its key required on create', () => {
    const auth = schema(`type Note ${PUBLIC} { id: ID! kids: [Task]! @hasMany }\ntype Task ${PUBLIC} { id: ID! }`);
    expect(field(auth, 'Task', 'noteKidsId')).toMatchObject({ required: true });
  });

  it('a declared field of that name is kept as declared', () => {
    const auth = schema(`type Note ${PUBLIC} { id: ID! kids: [Task] @hasMany }\ntype Task ${PUBLIC} { id: ID! noteKidsId: ID! }`);
    expect(auth.models.find((m) => m.name === 'Task')!.fields.filter((f) => f.name === 'noteKidsId')).toEqual([expect.objectContaining({ required: true })]);
  });
});

describe('fields name the declaring type’s fields; references the related type’s', () => {
  it.each([
    ['@hasOne(fields) reads the related record by its primary key',
      `type Project ${PUBLIC} { id: ID! teamID: ID team: Team @hasOne(fields: ["teamID"]) }\ntype Team ${PUBLIC} { id: ID! }`, 'Project', 'team', ['teamID'], ['id']],
    ['@hasMany(indexName, fields) matches them against the index',
      `type Project ${PUBLIC} { id: ID! members: [Member] @hasMany(indexName: "byProject", fields: ["id"]) }\ntype Member ${PUBLIC} { id: ID! projectID: ID @index(name: "byProject") }`, 'Project', 'members', ['id'], ['projectID']],
    ['@hasMany(fields) without an index matches the related primary key',
      `type Box ${PUBLIC} { id: ID! itemCode: String items: [Item] @hasMany(fields: ["itemCode"]) }\ntype Item ${PUBLIC} { code: String! @primaryKey(sortKeyFields: ["n"]) n: Int! }`, 'Box', 'items', ['itemCode'], ['code']],
    ['@hasMany(references) names the child’s fields holding the parent key',
      `type Post ${PUBLIC} { id: ID! comments: [Comment] @hasMany(references: ["postId"]) }\ntype Comment ${PUBLIC} { id: ID! postId: ID post: Post @belongsTo(references: ["postId"]) }`, 'Post', 'comments', ['id'], ['postId']],
    ['@belongsTo(references) names its own fields',
      `type Post ${PUBLIC} { id: ID! comments: [Comment] @hasMany(references: ["postId"]) }\ntype Comment ${PUBLIC} { id: ID! postId: ID post: Post @belongsTo(references: ["postId"]) }`, 'Comment', 'post', ['postId'], ['id']],
    ['@belongsTo(fields) names its own fields too',
      `type Post ${PUBLIC} { id: ID! comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"]) }\ntype Comment ${PUBLIC} { id: ID! postID: ID @index(name: "byPost") post: Post @belongsTo(fields: ["postID"]) }`, 'Comment', 'post', ['postID'], ['id']],
  ] as const)('%s', (_, sdl, m, f, local, remote) => {
    expect(relation(schema(sdl), m, f)).toEqual({ local, remote });
  });
});

describe('relations the transformer refuses', () => {
  it.each([
    ['a @belongsTo whose related type has no @hasOne or @hasMany back',
      `type Post ${PUBLIC} { id: ID! }\ntype Comment ${PUBLIC} { id: ID! post: Post @belongsTo }`, /Post must have a relationship with Comment in order to use @belongsTo/],
    ['fields and references together', `type Post ${PUBLIC} { id: ID! postId: ID comments: [Comment] @hasMany(fields: ["id"], references: ["postId"]) }\ntype Comment ${PUBLIC} { id: ID! postId: ID }`, /both fields and references/],
    ['a field that does not exist', `type Project ${PUBLIC} { id: ID! team: Team @hasOne(fields: ["teamID"]) }\ntype Team ${PUBLIC} { id: ID! }`, /teamID is not a field in Project/],
    ['a reference that does not exist', `type Post ${PUBLIC} { id: ID! comments: [Comment] @hasMany(references: ["postId"]) }\ntype Comment ${PUBLIC} { id: ID! }`, /postId is not a field in Comment/],
    ['a partial sort key', `type Box ${PUBLIC} { id: ID! a: String b: Int items: [Item] @hasMany(fields: ["a", "b"]) }\ntype Item ${PUBLIC} { code: String! @primaryKey(sortKeyFields: ["n", "m"]) n: Int! m: Int! }`, /partial sort keys are not accepted/],
    ['an index the related type does not have', `type Project ${PUBLIC} { id: ID! members: [Member] @hasMany(indexName: "byX", fields: ["id"]) }\ntype Member ${PUBLIC} { id: ID! }`, /index byX, which Member does not have/],
  ])('%s', (_, sdl, message) => {
    expect(() => schema(sdl)).toThrow(InputError);
    expect(() => schema(sdl)).toThrow(message);
  });
});

describe('a @belongsTo without fields paired with a @hasMany that names its own (ArturoBarrios/AAASoccer)', () => {
  it('reads a key no record holds: no relation and no key field (the transformer accepts it; its resolver reads userLocationsId, always null)', () => {
    const auth = schema(`type User ${PUBLIC} { id: ID! locations: [Location] @hasMany(indexName: "byUser", fields: ["id"]) }
type Location ${PUBLIC} { id: ID! userID: ID! @index(name: "byUser") user: User @belongsTo }`);
    expect(relation(auth, 'User', 'locations')).toEqual({ local: ['id'], remote: ['userID'] });
    expect(field(auth, 'Location', 'user')?.relation).toBeUndefined();
    expect(field(auth, 'Location', 'userLocationsId')).toBeUndefined();
  });

  it('@manyToMany: the join model keys and relations are its own fields, so the rules of both sides grant them', () => {
    const auth = schema(`type Room ${PUBLIC} { id: ID! members: [Member] @manyToMany(relationName: "RoomMember") }
type Member ${PUBLIC} { id: ID! rooms: [Room] @manyToMany(relationName: "RoomMember") }`);
    for (const f of ['roomId', 'memberId', 'room', 'member']) expect(field(auth, 'RoomMember', f)).toMatchObject({ implicit: false, required: true });
    expect(field(auth, 'RoomMember', 'id')).toMatchObject({ implicit: true });
  });
});
