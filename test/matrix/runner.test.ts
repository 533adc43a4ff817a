/**
 * The runner's pieces on their own: classifying answers (only auth outcomes count as deny), judging
 * them against cells (down to the fields and records), and planning fixtures (a private copy for every
 * mutating cell, creators the oracle allows, untestable cells named with a reason).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLResult } from '../../harness/client/http.js';
import { castWith, type Persona } from '../../harness/matrix/cast.js';
import { type Cell } from '../../harness/matrix/cells.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { classifyList, classifyRecord, withoutRefusalsOnCopies, type Observation } from '../../harness/matrix/classify.js';
import { creatorFor, eventResetId, planRun } from '../../harness/matrix/plan.js';
import { judge } from '../../harness/matrix/verdict.js';
import { fixtures, foreignKeys } from '../../harness/matrix/fixtures.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { example, fixture } from '../cli/cli.js';
import { schema } from '../helpers.js';
import { groupsOf, stagesOf } from '../../harness/runner/session.js';
import { result } from '../../harness/runner/execute.js';

function answer(status: number, body: { data?: Record<string, unknown> | null; errors?: { message: string; errorType?: string | null; path?: (string | number)[] | null }[] }): GraphQLResult {
  return { status, data: body.data ?? null, errors: body.errors ?? [], body, text: JSON.stringify(body), headers: {}, requestId: 'r', latencyMs: 1, sent: { url: 'u', headers: {}, body: {} } };
}

const unauthorized = (root: string, type = 'Query') => ({ message: `Not Authorized to access ${root} on type ${type}`, errorType: 'Unauthorized', path: [root] });

describe('classifying answers', () => {
  const ctx = { root: 'getPost', selected: ['id', 'title', 'content', 'owner'], record: { id: 'p', title: 't', content: 'c', owner: null } };

  it.each<[string, GraphQLResult, Partial<Observation>]>([
    ['a 401 is a request-level denial', answer(401, { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] }), { outcome: 'deny', level: 'request' }],
    ['a 403 signature failure too', answer(403, { errors: [{ errorType: 'InvalidSignatureException', message: 'Signature expired' }] }), { outcome: 'deny', level: 'request' }],
    ['null and Unauthorized is a resolver denial', answer(200, { data: { getPost: null }, errors: [unauthorized('getPost')] }), { outcome: 'deny', level: 'resolver' }],
    ['Unauthorized on [...] names the fields', answer(200, { data: { createPost: null }, errors: [{ message: 'Unauthorized on [owner, editors]', errorType: 'Unauthorized', path: ['getPost'] }] }), { outcome: 'deny', deniedFields: ['editors', 'owner'] }],
    ['a record with a field error is partial', answer(200, { data: { getPost: { id: 'p', title: 't', content: null, owner: null } }, errors: [unauthorized('content', 'Post')].map((e) => ({ ...e, path: ['getPost', 'content'] })) }), { outcome: 'partial', deniedFields: ['content'] }],
    ['a validation error is invalid, not a denial', answer(200, { errors: [{ message: "Validation error of type WrongType: argument 'input.owner' …", path: null }] }), { outcome: 'invalid' }],
    ['ConditionalCheckFailed is a failed condition, not a denial', answer(200, { data: { getPost: null }, errors: [{ message: 'The conditional request failed', errorType: 'DynamoDB:ConditionalCheckFailedException', path: ['getPost'] }] }), { outcome: 'conditionFailed' }],
    ['another DynamoDB error is an error', answer(200, { data: { getPost: null }, errors: [{ message: 'Throughput exceeded', errorType: 'DynamoDB:ProvisionedThroughputExceededException', path: ['getPost'] }] }), { outcome: 'error' }],
    ['a 5xx is an error', answer(502, {}), { outcome: 'error' }],
    ['a null field that holds a value is redaction; one that holds none is blank', answer(200, { data: { getPost: { id: 'p', title: 't', content: null, owner: null } } }), { outcome: 'allow', nulledFields: ['content'], blankFields: ['owner'] }],
  ])('%s', (_name, r, want) => {
    expect(classifyRecord(r, ctx)).toMatchObject(want);
  });

  it('lists: only the run’s fixtures count, other records and their errors are ignored', () => {
    const known = new Map([['1', 'owned'], ['2', 'unowned']]);
    const view = { selected: ['id', 'ssn'], records: new Map([['owned', { id: '1', ssn: 's' }], ['unowned', { id: '2', ssn: 's' }]]) };
    const r = answer(200, {
      data: { listEmployees: { items: [{ id: '1', ssn: 's' }, { id: 'other', ssn: null }] } },
      errors: [{ message: 'Not Authorized to access ssn on type Employee', errorType: 'Unauthorized', path: ['listEmployees', 'items', 1, 'ssn'] }],
    });
    expect(classifyList(r, 'listEmployees', known, ['owned', 'unowned'], view)).toMatchObject({ outcome: 'filtered', seen: ['owned'] });
    const both = answer(200, { data: { listEmployees: { items: [{ id: '2', ssn: null }, { id: '1', ssn: 's' }] } }, errors: [{ message: 'x', errorType: 'Unauthorized', path: ['listEmployees', 'items', 0, 'ssn'] }] });
    expect(classifyList(both, 'listEmployees', known, ['owned', 'unowned'], view)).toMatchObject({ outcome: 'partial', deniedFields: ['ssn'], seen: ['owned', 'unowned'] });
  });

  it("a relation's refusals on other cells' copies are dropped, those on the run's fixtures kept (MeowKyWay/LINE-Clone: a copy handed to the reader by a transfer cell)", () => {
    const at = { root: 'getUser', field: 'friendOf', many: true, known: new Map([['f-owned', 'owned']]), childKey: 'id' };
    const refusal = (i: number) => ({ message: 'Not Authorized to access favorite on type UserFriend', errorType: 'Unauthorized', path: ['getUser', 'friendOf', 'items', i, 'favorite'] });
    const items = [{ id: 'f-owned', favorite: true }, { id: 'f-unowned-15', favorite: null }];
    const onCopy = answer(200, { data: { getUser: { id: 'u', friendOf: { items } } }, errors: [refusal(1)] });
    expect(withoutRefusalsOnCopies(onCopy, at).errors).toEqual([]);
    expect(classifyRecord(withoutRefusalsOnCopies(onCopy, at), { root: 'getUser' })).toMatchObject({ outcome: 'allow' });
    const onFixture = answer(200, { data: { getUser: { id: 'u', friendOf: { items } } }, errors: [refusal(0), refusal(1)] });
    expect(withoutRefusalsOnCopies(onFixture, at).errors).toEqual([refusal(0)]);
    // A refusal of the relation field itself stays, whatever the items.
    const field = answer(200, { data: { getUser: { id: 'u', friendOf: null } }, errors: [{ message: 'x', errorType: 'Unauthorized', path: ['getUser', 'friendOf'] }] });
    expect(withoutRefusalsOnCopies(field, at).errors).toHaveLength(1);
  });
});

describe('judging a cell', () => {
  const cell = (expected: Cell['expected'], decision: Partial<Cell['decision']> = {}, kind: Cell['kind'] = 'model'): Cell => ({
    id: 'Post|get|stranger|owned', kind, persona: 'stranger', model: 'Post', operation: 'get', expected, rule: 'Post#1', reason: 'r',
    decision: { outcome: expected === 'invalid' ? 'deny' : expected === 'conditionFailed' ? 'allow' : expected, rule: 'Post#1', reason: 'r', ...decision }, action: { type: 'get', model: 'Post', instance: 'Post|owned' },
  });

  it.each<[string, Cell, Observation, boolean]>([
    ['deny matches a resolver denial', cell('deny'), { outcome: 'deny', level: 'resolver', summary: '' }, true],
    ['a failed condition matches where the condition was a wrong guess', cell('conditionFailed'), { outcome: 'conditionFailed', summary: '' }, true],
    ['a failed condition is no allow', cell('allow'), { outcome: 'conditionFailed', summary: '' }, false],
    ['nor is an allow a failed condition', cell('conditionFailed'), { outcome: 'allow', summary: '' }, false],
    ['nor is a denial', cell('conditionFailed'), { outcome: 'deny', level: 'resolver', summary: '' }, false],
    ['a request-level refusal is not the resolver denial expected', cell('deny'), { outcome: 'deny', level: 'request', summary: '' }, false],
    ['nor the other way round', cell('deny', { requestLevel: true }), { outcome: 'deny', level: 'resolver', summary: '' }, false],
    ['the fields of Unauthorized on [...] must be the same', cell('deny', { deniedFields: ['owner'] }), { outcome: 'deny', level: 'resolver', deniedFields: ['editors'], summary: '' }, false],
    ['an error is never a denial', cell('deny'), { outcome: 'error', summary: 'timeout' }, false],
    ['an allow where deny is expected fails', cell('deny'), { outcome: 'allow', summary: '' }, false],
    ['partial must name the same fields', cell('partial', { deniedFields: ['ssn'] }), { outcome: 'partial', deniedFields: ['ssn', 'salary'], summary: '' }, false],
    ['redaction must be the expected one', cell('allow', { redactedFields: ['ssn'] }), { outcome: 'allow', nulledFields: [], summary: '' }, false],
    ['…except on fields that hold nothing', cell('allow', { redactedFields: ['ssn'] }), { outcome: 'allow', blankFields: ['ssn'], summary: '' }, true],
    ['a list must show exactly the expected records', cell('filtered', { visibleIds: ['owned'] }), { outcome: 'filtered', seen: ['owned', 'shared'], summary: '' }, false],
    ['…and passes when it does', cell('filtered', { visibleIds: ['owned'] }), { outcome: 'filtered', seen: ['owned'], summary: '' }, true],
    ['an invalid request is expected to be invalid', cell('invalid'), { outcome: 'deny', level: 'resolver', summary: '' }, false],
    ['a subscription that starts when it must not fails', cell('deny', {}, 'subscription'), { outcome: 'allow', summary: 'start_ack' }, false],
    ['an event that arrives when it must not fails', cell('deny', {}, 'delivery'), { outcome: 'allow', summary: 'delivered' }, false],
  ])('%s', (_name, c, obs, pass) => {
    const v = judge(c, obs);
    expect(v.pass).toBe(pass);
    expect(v.detail === '').toBe(pass);
  });
});

describe('evidence of an answer', () => {
  const cell: Cell = {
    id: 'Post|list|stranger', kind: 'model', persona: 'stranger', model: 'Post', operation: 'list', expected: 'deny', rule: 'Post#1', reason: 'r',
    decision: { outcome: 'deny', rule: 'Post#1', reason: 'r' }, action: { type: 'list', model: 'Post' },
  };
  const obs: Observation = { outcome: 'deny', level: 'resolver', summary: '' };
  const listOf = (n: number) => ({ data: { listPosts: { items: Array.from({ length: n }, (_, i) => ({ id: `post-${i}` })) } } });

  it('a short body is kept as it is', () => {
    const body = listOf(3);
    expect(result(cell, obs, answer(200, body)).evidence?.response.body).toEqual(body);
  });

  it('a long one is cut short, measured and previewed on the text received', () => {
    // Indented as a server may send it: a re-serialization would be shorter and begin differently.
    const r = { ...answer(200, listOf(400)), text: JSON.stringify(listOf(400), null, 2) };
    expect(result(cell, obs, r).evidence?.response.body).toEqual({ $truncated: `${r.text.length} bytes`, preview: r.text.slice(0, 4096) });
  });
});

describe('planning fixtures', () => {
  let blog: AuthModel;
  let cast: Persona[];
  let cells: Cell[];
  beforeAll(async () => {
    blog = await loadAuthModel(example('blog'));
    cast = castWith(blog, { lambdaAllowed: { token: 'helpdesk-alice' }, lambdaDenied: { token: 'x' } });
    cells = expectedMatrix(blog, cast);
  });

  it('inference through an update condition: a persona who may update an Employee but not read its salary guesses it, right (allow) and wrong (the condition fails)', () => {
    const infer = cells.filter((c) => c.operation === 'update' && c.variant?.startsWith('infer:'));
    expect(infer.map((c) => [c.id, c.expected])).toEqual([
      ['Employee|update|owner|owned|infer:salary', 'allow'],
      ['Employee|update|owner|owned|infer:salary:wrong', 'conditionFailed'],
    ]);
    const [right, wrong] = infer.map((c) => c.action as Extract<Cell['action'], { type: 'update' }>);
    expect(right!.condition).toEqual({ salary: { eq: 1.5 } });
    expect(wrong!.condition).toEqual({ salary: { eq: 2.5 } });
    expect(infer[1]!.reason).toMatch(/the condition tests salary, which owner may not read, against the stored value: a wrong guess fails with ConditionalCheckFailed$/);
  });

  it('every mutating cell gets its own copy; reads share the fixture', () => {
    const plan = planRun(blog, cast, cells, { nonce: 'n' });
    const mutating = plan.cells.filter((c) => c.action.type === 'update' || c.action.type === 'delete');
    const instances = mutating.map((c) => (c.action as { instance: string }).instance);
    expect(instances.every((i) => /#\d+$/.test(i))).toBe(true);
    expect(new Set(instances).size).toBe(instances.length);
    const reads = plan.cells.filter((c) => c.action.type === 'get').map((c) => (c.action as { instance: string }).instance);
    expect(reads.every((i) => !i.includes('#'))).toBe(true);
    const created = new Set(plan.fixtures.map((f) => f.instance));
    for (const i of [...instances, ...reads]) expect(created.has(i)).toBe(true);
  });

  it('creators are personas the oracle lets create exactly the record', () => {
    const post = blog.models.find((m) => m.name === 'Post')!;
    const [owned, , unowned] = fixtures(blog, post, cast);
    expect(creatorFor(blog, post, owned!.record, cast)?.creator).toBe('owner');
    expect(creatorFor(blog, post, unowned!.record, cast)?.creator).toBe('iamAdmin');
    // Without the IAM admin nobody can make a Post without owner: its cells are untestable, and say why.
    const noAdmin = cast.filter((p) => p.kind !== 'iamAdmin');
    expect(creatorFor(blog, post, unowned!.record, noAdmin)).toBeNull();
    const plan = planRun(blog, noAdmin, expectedMatrix(blog, noAdmin), { nonce: 'n' });
    const untested = plan.untested.filter((u) => u.cell.model === 'Post');
    expect(untested.length).toBeGreaterThan(0);
    expect(untested[0]!.reason).toMatch(/nobody in the cast can create Post's a record without owner or group/);
    expect(plan.cells.some((c) => c.model === 'Post' && c.fixture === 'unowned')).toBe(false);
  });

  it("a model keyed by its owner: leaving the key out to have it filled makes the creator's own record, so it creates only that one (Eppey/eppey's User: the owner was picked for the record owned by nobody and collided with its own)", () => {
    const users = schema(`type User @model @auth(rules: [{ allow: owner, ownerField: "id" }, { allow: groups, groups: ["admin"] }]) { id: ID! nickname: String! }`);
    const crew = castWith(users, {}).filter((p) => p.kind !== 'iamAdmin');
    const user = users.models[0]!;
    const all = fixtures(users, user, crew);
    const creators = Object.fromEntries(all.map((f) => [f.name, creatorFor(users, user, f.record, crew)?.creator]));
    expect(creators.owned).toBe('owner');
    expect(creators.unowned).toBe('groupMember:admin');
  });

  it('required keys in a cycle: the key closing it names a parent whose key can be planned, whichever model is declared first (a biography keyed by id and kind cannot be named ahead; its profile can)', () => {
    const profile = `type Profile @model @auth(rules: [{ allow: owner }]) { id: ID! name: String bio: Bio! @hasOne }`;
    const bio = `type Bio @model @auth(rules: [{ allow: owner }]) { id: ID! @primaryKey(sortKeyFields: ["kind"]) kind: String! text: String profile: Profile! @belongsTo }`;
    for (const sdl of [`${profile}\n${bio}`, `${bio}\n${profile}`]) {
      const model = schema(sdl);
      const keys = foreignKeys(model);
      expect(keys.filter((k) => k.ahead).map((k) => [k.child, k.parent])).toEqual([['Bio', 'Profile']]);
      // Bio is planned first, naming the profile's planned key; the profile then names the created biography.
      const plan = planRun(model, castWith(model, {}), expectedMatrix(model, castWith(model, {})), { nonce: 'n' });
      const order = [...new Set(plan.fixtures.map((f) => f.model))];
      expect(order).toEqual(['Bio', 'Profile']);
      const bioOwned = plan.fixtures.find((f) => f.instance === 'Bio|owned')!;
      const profileOwned = plan.fixtures.find((f) => f.instance === 'Profile|owned')!;
      expect(bioOwned.input.bioProfileId).toBe(profileOwned.input.id);
    }
  });

  it('a foreign key a record leaves pointing nowhere holds a value of that record alone (was: one value per run, shared by every such record and copy)', () => {
    const model = schema(`
      type Shelf @model @auth(rules: [{ allow: private }]) { id: ID! box: Box @hasOne(fields: ["boxId"]) boxId: ID }
      type Box @model @auth(rules: [{ allow: private }]) { id: ID! label: String }
    `);
    const plan = planRun(model, castWith(model, {}), expectedMatrix(model, castWith(model, {})), { nonce: 'n' });
    const detached = plan.fixtures.filter((f) => f.model === 'Shelf' && typeof f.input.boxId === 'string').map((f) => f.input.boxId as string);
    expect(detached.length).toBeGreaterThan(1);
    expect(new Set(detached).size).toBe(detached.length);
  });

  it('a batch needs the records of its parts: one reading a record nobody in the cast can create cannot run either', async () => {
    const rest = await loadAuthModel(example('rest'));
    const noAdmin = castWith(rest, {}).filter((p) => p.kind !== 'iamAdmin');
    const plan = planRun(rest, noAdmin, expectedMatrix(rest, noAdmin), { nonce: 'n' });
    const parts = (c: Cell) => (c.action.type === 'batch' ? c.action.parts.map((p) => `${p.cell.model}|${p.cell.fixture}`) : []);
    expect(plan.untested.filter((u) => u.cell.kind === 'batch').map((u) => [u.cell.id, parts(u.cell), u.reason])).toEqual([
      ['batch|owner', ['Note|owned', 'Note|unowned'], expect.stringMatching(/nobody in the cast can create Note's a record without owner or group/)],
    ]);
    expect(plan.cells.filter((c) => c.kind === 'batch')).toEqual([]);
  });

  it('a model keyed by its owner holds one record per owner: on a store the run can reset, the cells and subscription events needing a copy run alone on the shared one; elsewhere they cannot run, and say why', async () => {
    const shapes = await loadAuthModel(fixture('app-shapes', 'owner-identifier'));
    const crew = castWith(shapes, {});
    const all = expectedMatrix(shapes, crew).filter((c) => c.model === 'Profile');
    const deployed = planRun(shapes, crew, all, { nonce: 'n' });
    expect(deployed.serial).toEqual({});
    expect(deployed.untested.map((u) => u.cell.id)).toContain('Profile|update|owner|owned');
    expect(deployed.untested.find((u) => u.cell.id === 'Profile|onUpdate|owner|by:owner')?.reason).toBe("Profile's key is its owner field userId: one record per owner, and a second owner's record for this subscription event needs the store reset around it, which only the embedded emulator allows");
    expect(deployed.scenarios.some((s) => s.serial)).toBe(false);
    const emulated = planRun(shapes, crew, all, { nonce: 'n', seed: true });
    const update = emulated.cells.find((c) => c.id === 'Profile|update|owner|owned')!;
    expect(update.action).toMatchObject({ type: 'update', instance: 'Profile|owned' });
    expect(emulated.serial[update.id]).toEqual({ model: 'Profile', before: 'fixture', fixture: 'Profile|owned' });
    expect(emulated.serial['Profile|create|owner']).toMatchObject({ model: 'Profile', before: 'absent', fixture: 'Profile|owned' });
    // Records owned by nobody in the cast get keys of their own, so their copies are made as usual.
    const unowned = emulated.cells.find((c) => c.id === 'Profile|update|owner|unowned')!;
    expect((unowned.action as { instance: string }).instance).toMatch(/^Profile\|unowned#\d+$/);
    expect(emulated.serial[unowned.id]).toBeUndefined();
    // The scenario's events on the owner's record are made alone on it, reset around each (no sentinel: the runner
    // waits after each event); a create naming the owner's key removes the record first.
    const scenario = emulated.scenarios.find((s) => s.model === 'Profile')!;
    expect(scenario).toMatchObject({ serial: true, sentinels: [] });
    const byOwner = scenario.events.find((e) => e.key === 'Profile|onUpdate|by:owner')!;
    expect(byOwner).toMatchObject({ serial: true, action: { type: 'update', instance: 'Profile|owned' } });
    expect(emulated.serial[eventResetId(byOwner.key)]).toEqual({ model: 'Profile', before: 'fixture', fixture: 'Profile|owned' });
    expect(emulated.serial[eventResetId('Profile|onCreate|by:owner')]).toMatchObject({ model: 'Profile', before: 'absent', fixture: 'Profile|owned' });
    for (const id of Object.keys(emulated.serial)) expect(id.startsWith('event:') ? scenario.events.some((e) => eventResetId(e.key) === id) : emulated.cells.some((c) => c.id === id)).toBe(true);
    expect(emulated.untested).toEqual([]);
  });

  it('property: whatever subset of cells is planned, private copies never repeat and every instance is created', () => {
    fc.assert(fc.property(fc.subarray(cells.map((_, i) => i), { minLength: 1, maxLength: 300 }), (picked) => {
      const plan = planRun(blog, cast, picked.map((i) => cells[i]!), { nonce: 'n' });
      const copies = plan.cells.flatMap((c) => (c.action.type === 'update' || c.action.type === 'delete' ? [c.action.instance] : []));
      const events = plan.scenarios.flatMap((s) => [...s.events, ...s.sentinels]).flatMap((e) => (e.action.type === 'create' ? [] : [e.action.instance]));
      const all = [...copies, ...events];
      expect(new Set(all).size).toBe(all.length);
      const created = new Set(plan.fixtures.map((f) => f.instance));
      for (const i of all) expect(created.has(i)).toBe(true);
    }), { numRuns: 40 });
  });
});

describe('the stages of a run (harness/runner/session.ts stagesOf)', () => {
  const stagesFor = async (app: string, personas: Parameters<typeof castWith>[1] = {}) => {
    const model = await loadAuthModel(app);
    const cast = castWith(model, personas);
    const plan = planRun(model, cast, expectedMatrix(model, cast), { nonce: 'n', seed: true });
    return { plan, stages: stagesOf(groupsOf({ cells: plan.cells, scenarios: plan.scenarios, serial: Object.keys(plan.serial) })) };
  };

  it('the blog: operations in order, each stage at once; custom mutations one at a time, last; every cell once', async () => {
    const { plan, stages } = await stagesFor(example('blog'), { lambdaAllowed: { token: 'helpdesk-alice' }, lambdaDenied: { token: 'x' } });
    expect(stages.map((s) => [s.title, s.concurrent])).toEqual([
      ['creates', true], ['reads', true], ['updates', true], ['deletes', true], ['subscriptions, custom queries and probes', true],
      ['onCreate events', true], ['onUpdate events', true], ['other events', true], ['one at a time', false],
    ]);
    const ops = (title: string) => new Set(stages.find((s) => s.title === title)!.groups.flatMap((g) => g.cells.map((c) => c.operation)));
    expect(ops('reads')).toEqual(new Set(['get', 'list']));
    expect(ops('updates')).toEqual(new Set(['update']));
    expect(stages.at(-1)!.groups.every((g) => g.cells.every((c) => c.kind === 'custom' && c.operation === 'mutation'))).toBe(true);
    const ids = stages.flatMap((s) => s.groups.flatMap((g) => g.cells.map((c) => c.id)));
    expect(ids.sort()).toEqual(plan.cells.map((c) => c.id).sort());
  });

  it('law: within a stage run at once, no two cells write the same record, and no cell reads a record another writes', async () => {
    const blogPersonas = { lambdaAllowed: { token: 'helpdesk-alice' }, lambdaDenied: { token: 'x' } };
    for (const [app, personas] of [[example('blog'), blogPersonas], [fixture('app-shapes', 'key-relations'), {}], [fixture('app-shapes', 'owner-identifier'), {}]] as const) {
      const { stages } = await stagesFor(app, personas);
      for (const stage of stages.filter((s) => s.concurrent)) {
        const written = new Map<string, string>();
        const read = new Set<string>();
        for (const cell of stage.groups.flatMap((g) => g.cells)) {
          const a = cell.action as { type: string; instance?: string };
          if (!a.instance) continue;
          if (a.type === 'update' || a.type === 'delete') {
            expect(written.get(a.instance), `${cell.id} and ${written.get(a.instance)} both write ${a.instance}`).toBeUndefined();
            written.set(a.instance, cell.id);
          } else read.add(a.instance);
        }
        for (const instance of read) expect(written.has(instance), `${instance} is read and written in stage ${stage.title}`).toBe(false);
      }
    }
  });

  it('REST and storage groups run one at a time, first; serial cells last', async () => {
    const rest = await stagesFor(example('rest'));
    expect(rest.stages[0]).toMatchObject({ title: 'REST and storage', concurrent: false });
    expect(rest.stages.filter((s) => s.concurrent).flatMap((s) => s.groups).some((g) => g.cells[0]!.kind === 'rest')).toBe(false);
    const serial = await stagesFor(fixture('app-shapes', 'owner-identifier'));
    const last = serial.stages.at(-1)!;
    expect(last).toMatchObject({ title: 'one at a time', concurrent: false });
    expect(last.groups.at(-1)!.serial).toBe(true);
    expect(last.groups.some((g) => g.scenario?.serial)).toBe(true);
  });
});
