/** Generated schemas for benchmarks: N models cycling through every rule shape. */
const SHAPES = [
  '{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }',
  '{ allow: owner }, { allow: owner, ownerField: "editors", operations: [read, update] }, { allow: groups, groups: ["Admin"] }',
  '{ allow: groups, groupsField: "team" }, { allow: groups, groupsField: "viewers", operations: [read] }, { allow: groups, groups: ["Admin"] }',
  '{ allow: private, operations: [read] }, { allow: owner }, { allow: groups, groups: ["HR"] }',
  '{ allow: public, provider: identityPool, operations: [read] }, { allow: private, provider: identityPool }',
];

export function generatedSdl(n) {
  const parts = [];
  for (let i = 0; i < n; i++) {
    const shape = i % SHAPES.length;
    const fields = ['title: String!', 'body: String', 'count: Int', 'done: Boolean'];
    if (shape === 1) fields.push('editors: [String]');
    if (shape === 2) fields.push('team: String', 'viewers: [String]');
    if (shape === 3) fields.push('secret: String @auth(rules: [{ allow: owner, operations: [read] }, { allow: groups, groups: ["HR"] }])');
    parts.push(`type Model${i} @model @auth(rules: [${SHAPES[shape]}]) {\n  ${fields.join('\n  ')}\n}`);
  }
  return parts.join('\n\n');
}
