/**
 * A large failing run for the report tests: the expected matrix of a generated 15-model schema, as if
 * every cell had run, with failures of each kind a real run shows: a rule the endpoint does not enforce
 * (its denials observed as allowed), a fixture that could not be created, a handler that could not
 * load, requests that did not validate, and mismatches hidden inside boxes whose own cell matches.
 */
import { defaultCast } from '../../harness/matrix/cast.js';
import { cellIdentity } from '../../harness/matrix/cells.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { fixtureLabels } from '../../harness/matrix/fixtures.js';
import type { CellResult } from '../../harness/matrix/verdict.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { portableModel, schemaHash, totalsOf, type RunReport } from '../../reports/results.js';

const RULES = [
  '{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }',
  '{ allow: owner }, { allow: groups, groups: ["Admin"] }, { allow: private, operations: [read] }',
  '{ allow: groups, groupsField: "team" }, { allow: groups, groups: ["Admin"] }',
];

export function syntheticSdl(models: number): string {
  const types = Array.from({ length: models }, (_, i) => {
    const fields = ['title: String', 'body: String', 'rating: Int @auth(rules: [{ allow: owner, operations: [read, update] }, { allow: private, operations: [read] }])'];
    if (i % 3 === 1) fields.push('salary: Int @auth(rules: [{ allow: owner, operations: [read] }, { allow: groups, groups: ["Admin"] }])');
    if (i % 3 !== 2) fields.push('notes: String @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admin"], operations: [read] }])');
    if (i % 3 === 2) fields.push('team: String');
    if (i > 0 && i % 4 === 0) fields.push(`parentId: ID @index(name: "byParent")`, `parent: Item${i - 1} @belongsTo(fields: ["parentId"])`);
    if (i % 4 === 3) fields.push(`children: [Item${i + 1}] @hasMany(indexName: "byParent", fields: ["id"])`);
    // id stays implicit: declared id: ID! would need read rules for the readers the field rules add (the transformer refuses it).
    return `type Item${i} @model @auth(rules: [${RULES[i % RULES.length]}]) {\n  ${fields.join('\n  ')}\n}`;
  });
  return `${types.join('\n\n')}\n\ntype Query { report(id: ID!): String @function(name: "report") @aws_api_key @aws_cognito_user_pools }\n`;
}

/** What the endpoint "answered" for a cell, failures injected by a rule of thumb per model. */
function observe(c: CellResult, i: number): Pick<CellResult, 'observed' | 'summary'> {
  const n = Number(/^Item(\d+)$/.exec(c.model ?? '')?.[1] ?? -1);
  // Items 0–4: writes are not checked (every expected denial of an update or delete came back allowed).
  if (n >= 0 && n < 5 && c.expected === 'deny' && (c.operation === 'update' || c.operation === 'delete')) return { observed: 'allow', summary: 'data' };
  // Items 8 and 9: anyone with the API key may write (the key's rule is enforced as if it granted everything).
  if ((n === 8 || n === 9) && c.persona === 'apiKey' && c.expected === 'deny' && ['create', 'update', 'delete'].includes(c.operation)) return { observed: 'allow', summary: 'data' };
  // Item 10: every event reaches every subscriber.
  if (n === 10 && c.kind === 'delivery' && c.expected === 'deny') return { observed: 'allow', summary: 'event received' };
  // Item 12: its unowned record could not be created.
  if (n === 12 && c.fixture === 'unowned') return { observed: 'error', summary: 'fixture Item12|unowned was not created: iamAdmin could not create it: HTTP 200' };
  // Item 5: its shared record could not be created, so every cell on it errs.
  if (n === 5 && c.fixture?.startsWith('shared')) return { observed: 'error', summary: `fixture Item5|${c.fixture} was not created: groupMember:Team could not create it: ConditionalCheckFailedException` };
  // Item 6: creates do not validate (a required argument authmatrix did not send).
  if (n === 6 && c.operation === 'create' && c.expected !== 'deny') return { observed: 'invalid', summary: "error: Validation error of type WrongType: argument 'input.title' with value 'NullValue' must not be null" };
  // The custom query's handler cannot load.
  if (c.customOperation && c.expected === 'allow') return { observed: 'error', summary: `InternalFailure: the handler module does not load: Cannot find module '@aws-sdk/client-ses' (request ${i})` };
  // Item 7: field reads of salary leak to readers the field rule refuses (hidden under the plain get).
  if (n === 7 && c.kind === 'field' && c.operation === 'get' && c.expected === 'partial') return { observed: 'allow', summary: 'data' };
  return { observed: c.expected === 'invalid' ? 'invalid' : c.expected, summary: c.expected === 'deny' ? 'Unauthorized: Not Authorized' : 'data' };
}

export function syntheticRun(options: { models?: number; cells?: number } = {}): RunReport {
  const auth = authModelFromSdl({
    sdl: syntheticSdl(options.models ?? 15),
    file: 'synthetic/schema.graphql',
    kind: 'gen1',
    authModes: { default: 'userPool', enabled: ['apiKey', 'userPool', 'iam'], apiKey: { expiresInDays: 7 }, userPool: {}, identityPool: { allowUnauthenticated: true } },
    params: { ...GEN1_DEFAULT_PARAMS },
  });
  const cast = defaultCast(auth);
  const planned = expectedMatrix(auth, cast);
  const cells = planned.slice(0, options.cells ?? planned.length).map((c, i): CellResult => {
    const base: CellResult = { ...cellIdentity(c), expected: c.expected, observed: c.expected === 'invalid' ? 'invalid' : c.expected, pass: true, rule: c.rule, reason: c.reason, detail: '', summary: '', latencyMs: 1 + (i % 7) };
    const seen = observe(base, i);
    const pass = seen.observed === c.expected;
    const requestId = `${String(i).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
    return {
      ...base,
      ...seen,
      pass,
      detail: pass ? '' : `expected ${c.expected}, observed ${seen.observed}`,
      requestId,
      ...(c.kind === 'delivery' ? {} : {
        evidence: {
          request: { url: 'http://127.0.0.1:20002/graphql', headers: { authorization: '[JWT redacted, 981 chars]', 'content-type': 'application/json' }, body: { query: `query { get${c.model ?? 'Thing'}(id: "x") { id title } }` } },
          response: { status: 200, requestId, body: seen.observed === 'deny' ? { data: null, errors: [{ errorType: 'Unauthorized', message: 'Not Authorized' }] } : { data: { item: { id: 'x', title: 'sample' } } } },
        },
      }),
    };
  });
  return {
    format: 'authmatrix-results',
    version: 1,
    tool: { name: 'authmatrix', version: '0.1.0' },
    schema: { path: 'synthetic/schema.graphql', hash: schemaHash(auth), source: 'gen1' },
    model: portableModel(auth),
    target: { kind: 'emulated', endpoint: 'embedded emulator' },
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:01:40.000Z',
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, description: p.description, provisioning: 'synthetic' })),
    totals: totalsOf(cells, 0),
    cells,
    untested: [],
    contracts: [],
    fixtures: Object.fromEntries(fixtureLabels(auth, cast)),
  };
}
