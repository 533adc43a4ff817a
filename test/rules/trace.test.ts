/**
 * The oracle's account of which rules decided a request (harness/rules/trace.ts), which coverage reads
 * from each cell: table tests on known semantics, and its agreement with `decide` on a whole matrix.
 */
import { describe, expect, it } from 'vitest';
import { defaultCast } from '../../harness/matrix/cast.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { decide, type OperationName, type Target } from '../../harness/rules/decide.js';
import type { Identity } from '../../harness/rules/identity.js';
import { decidingRules } from '../../harness/rules/trace.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { anonymous, apiKey, iamAdmin, owner, schema, user } from '../helpers.js';

const NOTE = schema(`
type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }, { allow: groups, groups: ["Admin"], operations: [read, delete] }]) {
  title: String
  secret: String @auth(rules: [{ allow: owner }, { allow: groups, groups: ["HR"], operations: [read] }])
}
type Query { ping: String @aws_api_key @aws_cognito_user_pools(cognito_groups: ["Admin"]) }
`);
const mine = { id: 'n1', title: 't', secret: 's', owner: owner('alice') };

function trace(who: Identity, operation: OperationName, target: Omit<Target, 'type'>, type = 'Note') {
  const t = { type, ...target };
  return decidingRules(NOTE, who, operation, t, decide(NOTE, who, operation, t));
}

describe('the rules that decided a request', () => {
  it('names the rules that admitted a granted request, with the field rules of the fields it read', () => {
    expect(trace(user('alice'), 'get', { record: mine })).toEqual({ allowing: ['Note#1', 'Note.secret#1'], refusing: [] });
    expect(trace(user('alice'), 'get', { record: mine, select: ['id', 'title'] })).toEqual({ allowing: ['Note#1'], refusing: [] });
  });

  it('names the field rules that blocked a delete: it needs delete on every field', () => {
    // Admin may delete Notes (Note#3), but the secret's own rules give nobody delete.
    expect(trace(user('bob', ['Admin']), 'delete', { record: mine })).toEqual({ allowing: [], refusing: ['Note#1', 'Note.secret#1', 'Note.secret#2'] });
    expect(trace(user('alice'), 'delete', { record: mine })).toEqual({ allowing: ['Note#1', 'Note.secret#1'], refusing: [] });
  });

  it('names the rules in force that did not admit a refused caller, including those that do not grant the operation', () => {
    // Bob is a user-pool caller: the owner rule and the Admin rule were in force for him.
    expect(trace(user('bob'), 'get', { record: mine })).toEqual({ allowing: [], refusing: ['Note#1', 'Note#3', 'Note.secret#1', 'Note.secret#2'] });
    // The API key's rule grants read only.
    expect(trace(apiKey, 'update', { record: mine, input: { id: 'n1', title: 'x' } })).toEqual({ allowing: [], refusing: ['Note#2'] });
  });

  it('judges a field rule by its field: granted where the field comes back, refusing where it is refused', () => {
    // The API key reads the record (Note#2) but not the secret, whose rules are not of its provider.
    expect(trace(apiKey, 'get', { record: mine })).toEqual({ allowing: ['Note#2'], refusing: [] });
    // Admin reads the record by Note#3; the secret's rules do not admit it: partial.
    expect(trace(user('bob', ['Admin']), 'get', { record: mine })).toEqual({ allowing: ['Note#3'], refusing: ['Note.secret#1', 'Note.secret#2'] });
    // HR reads the secret only (its group is named by the secret's rule alone): partial, by that rule.
    expect(trace(user('bob', ['HR']), 'get', { record: mine })).toEqual({ allowing: ['Note.secret#2'], refusing: [] });
  });

  it('quotes no field rule that a later rule for the same role replaced (acm.ts setRole)', () => {
    const memo = schema('type Memo @model @auth(rules: [{ allow: owner }]) { body: String secret: String @auth(rules: [{ allow: owner, operations: [read] }, { allow: owner, operations: [update] }]) }');
    const t = { type: 'Memo', record: { id: 'm1', body: 'b', secret: 's', owner: owner('alice') } };
    // The owner's read of the secret (Memo.secret#1) was replaced by update: the secret is refused, by Memo.secret#2.
    expect(decidingRules(memo, user('alice'), 'get', t, decide(memo, user('alice'), 'get', t))).toEqual({ allowing: ['Memo#1'], refusing: ['Memo.secret#2'] });
  });

  it('admits the owner on create by auto-fill, and refuses owner spoofing', () => {
    expect(trace(user('bob'), 'create', { input: { title: 'x' } })).toEqual({ allowing: ['Note#1'], refusing: [] });
    expect(trace(user('bob'), 'create', { input: { title: 'x', owner: owner('alice') } })).toEqual({ allowing: [], refusing: ['Note#1', 'Note#3'] });
  });

  it('names no rule for a refusal before any rule or a caller that skips every rule', () => {
    expect(trace(anonymous, 'get', { record: mine })).toEqual({ allowing: [], refusing: [] });
    expect(trace(iamAdmin, 'update', { record: mine, input: { id: 'n1' } })).toEqual({ allowing: [], refusing: [] });
  });

  it('names a custom operation’s rules that admitted or refused the caller', () => {
    expect(trace(apiKey, 'custom', {}, 'ping')).toEqual({ allowing: ['Query.ping#1'], refusing: [] });
    expect(trace(user('bob'), 'custom', {}, 'ping')).toEqual({ allowing: [], refusing: ['Query.ping#2'] });
  });

  it('agrees with decide on every plain cell of examples/blog: granted exactly when a model rule admitted', async () => {
    const auth = await loadAuthModel('examples/blog');
    const cells = expectedMatrix(auth, defaultCast(auth)).filter((c) => c.kind === 'model' && c.decision.decidedBy && !c.decision.deniedFields);
    expect(cells.length).toBeGreaterThan(400);
    const modelRules = new Set(auth.models.flatMap((m) => m.rules.map((r) => r.id)));
    let checked = 0;
    for (const c of cells) {
      if (c.rule === null) continue;
      // A failed condition (a wrong guess at a hidden value) got through auth too.
      const granted = c.expected === 'allow' || c.expected === 'filtered' || c.expected === 'partial' || c.expected === 'conditionFailed';
      expect(c.decision.decidedBy!.allowing.some((r) => modelRules.has(r)), c.id).toBe(granted);
      // The quoted rule admitted the caller where a record-level grant was decided (a list quotes its first filter).
      if (granted && c.operation !== 'list') expect(c.decision.decidedBy!.allowing, c.id).toContain(c.rule);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });
});
