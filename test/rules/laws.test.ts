/** Laws of the oracle, checked on random schemas, callers, records and operations. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, type Decision, type Target } from '../../harness/rules/decide.js';
import type { Identity } from '../../harness/rules/identity.js';
import { roleKeys } from '../../harness/rules/roles.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { MODEL_OPERATIONS, READ_OPERATIONS, type AuthModel, type Field, type ModelOperation, type Rule } from '../../harness/schema/model.js';
import { ALL_MODES, SUB, type User } from '../helpers.js';

const USERS: User[] = ['alice', 'bob', 'carol'];
const GROUPS = ['A', 'B', 'Admin'];
const PLAIN = ['title', 'secret'];

const opsArb = fc.subarray(['create', 'update', 'delete', 'read'] as const).map((ops) => {
  const out = new Set<ModelOperation>();
  for (const o of ops) (o === 'read' ? READ_OPERATIONS : [o]).forEach((x) => out.add(x as ModelOperation));
  return MODEL_OPERATIONS.filter((o) => out.has(o));
});

type RuleShape = Rule extends infer R ? (R extends Rule ? Omit<R, 'id'> : never) : never;

// Weighted towards record-dependent rules, where the interesting interactions are.
const ruleArb: fc.Arbitrary<RuleShape> = fc.oneof(
  fc.record({ kind: fc.constant('public' as const), provider: fc.constantFrom('apiKey' as const, 'iam' as const), operations: opsArb }),
  fc.record({ kind: fc.constant('private' as const), provider: fc.constantFrom('userPools' as const, 'oidc' as const, 'iam' as const), operations: opsArb }),
  fc.record({ kind: fc.constant('custom' as const), provider: fc.constant('function' as const), operations: opsArb }),
  { weight: 3, arbitrary: fc.record({
    kind: fc.constant('owner' as const),
    provider: fc.constantFrom('userPools' as const, 'oidc' as const),
    ownerField: fc.constantFrom('owner', 'editors'),
    identityClaim: fc.constantFrom('sub::username', 'username', 'sub'),
    operations: opsArb,
  }).map((r) => ({ ...r, multiOwner: r.ownerField === 'editors' })) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant('staticGroup' as const),
    provider: fc.constantFrom('userPools' as const, 'oidc' as const),
    groups: fc.subarray(GROUPS, { minLength: 1 }),
    groupClaim: fc.constant('cognito:groups'),
    operations: opsArb,
  }) },
  { weight: 3, arbitrary: fc.record({
    kind: fc.constant('dynamicGroup' as const),
    provider: fc.constantFrom('userPools' as const, 'oidc' as const),
    groupsField: fc.constantFrom('team', 'teams'),
    groupClaim: fc.constant('cognito:groups'),
    operations: opsArb,
  }).map((r) => ({ ...r, multiGroup: r.groupsField === 'teams' })) },
);

const field = (name: string, list = false): Field => ({ name, type: 'String', typeKind: 'scalar', list, required: false, implicit: false });

function model(rules: RuleShape[], secretRules?: RuleShape[]): AuthModel {
  const withIds = (rs: RuleShape[], prefix: string) => rs.map((r, i) => ({ ...r, id: `${prefix}#${i + 1}` }) as Rule);
  const secret = field('secret');
  if (secretRules) secret.rules = withIds(secretRules, 'P.secret');
  return {
    version: 1,
    source: { kind: 'gen1', path: 'laws' },
    authModes: ALL_MODES,
    params: { ...GEN1_DEFAULT_PARAMS, genericIamAccess: true },
    models: [{
      name: 'P',
      fields: [
        { ...field('id'), type: 'ID', implicit: true, required: true },
        field('title'), secret, field('owner'), field('editors', true), field('team'), field('teams', true),
      ],
      primaryKey: { partitionKey: 'id', sortKeys: [] },
      indexes: [],
      rules: withIds(rules, 'P'),
      operationNames: { get: 'getP', list: 'listPs', create: 'createP', update: 'updateP', delete: 'deleteP', onCreate: 'onCreateP', onUpdate: 'onUpdateP', onDelete: 'onDeleteP' },
      subscriptionLevel: 'on',
      timestamps: { createdAt: null, updatedAt: null },
    }],
    customTypes: [],
    inputTypes: [],
    enums: [],
    customOperations: [],
  };
}

const userArb = fc.constantFrom(...USERS);
const identityArb: fc.Arbitrary<Identity> = fc.oneof(
  fc.constant<Identity>({ kind: 'anonymous' }),
  fc.constant<Identity>({ kind: 'apiKey' }),
  fc.constantFrom<Identity>({ kind: 'iam', principal: 'unauthRole' }, { kind: 'iam', principal: 'authRole' }, { kind: 'iam', principal: 'other' }),
  fc.boolean().map<Identity>((authorized) => ({ kind: 'lambda', authorized })),
  { weight: 6, arbitrary: fc.record({ u: userArb, groups: fc.subarray(GROUPS), idToken: fc.boolean() }).map<Identity>(({ u, groups, idToken }) => ({
    kind: 'userPool',
    claims: { sub: SUB[u], [idToken ? 'cognito:username' : 'username']: u, 'cognito:groups': groups },
  })) },
  { weight: 3, arbitrary: fc.record({ u: userArb, groups: fc.subarray(GROUPS) }).map<Identity>(({ u, groups }) => ({ kind: 'oidc', claims: { sub: SUB[u], username: u, 'cognito:groups': groups } })) },
);

const ownerValue = fc.oneof(
  fc.constant(null),
  userArb.map((u) => `${SUB[u]}::${u}`),
  userArb.map((u) => SUB[u] as string),
  userArb,
);
const recordArb = fc.record({
  id: fc.constantFrom('r1', 'r2', 'r3'),
  title: fc.constant('t'),
  secret: fc.constant('s'),
  owner: ownerValue,
  editors: fc.array(ownerValue.filter((v): v is string => v !== null), { maxLength: 2 }),
  team: fc.constantFrom(null, ...GROUPS),
  teams: fc.subarray(GROUPS),
});
const inputArb = fc.record({
  title: fc.constantFrom('t2', null),
  secret: fc.constantFrom('s2', null),
  owner: ownerValue,
  editors: fc.array(ownerValue.filter((v): v is string => v !== null), { maxLength: 2 }),
  team: fc.constantFrom(null, ...GROUPS),
  teams: fc.subarray(GROUPS),
}, { requiredKeys: [] });

type Op = { op: 'create' | 'get' | 'list' | 'update' | 'delete' | 'onCreate'; target: Omit<Target, 'type'> };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  inputArb.map((input) => ({ op: 'create' as const, target: { input } })),
  fc.record({ record: recordArb, select: fc.subarray(PLAIN) }).map(({ record, select }) => ({ op: 'get' as const, target: { record, select: ['id', ...select] } })),
  { weight: 3, arbitrary: fc.uniqueArray(recordArb, { selector: (r) => r.id, minLength: 2, maxLength: 3 }).map((records) => ({ op: 'list' as const, target: { records, select: ['id', 'title'] } })) },
  fc.record({ record: recordArb, input: inputArb }).map(({ record, input }) => ({ op: 'update' as const, target: { record, input: { id: record.id, ...input }, select: ['id'] } })),
  recordArb.map((record) => ({ op: 'delete' as const, target: { record, select: ['id'] } })),
  fc.constant({ op: 'onCreate' as const, target: {} }),
);

const run = (auth: AuthModel, who: Identity, o: Op): Decision => decide(auth, who, o.op, { type: 'P', ...o.target });

/** `after` grants at least what `before` granted: the operation, the records seen, the fields read. */
function atLeast(before: Decision, after: Decision, op: Op['op']): boolean {
  if (before.outcome === 'deny') return true;
  if (after.outcome === 'deny') return false;
  if (op === 'list' && !(before.visibleIds ?? []).every((id) => (after.visibleIds ?? []).includes(id))) return false;
  if (op === 'get' || op === 'list') return (after.deniedFields ?? []).every((f) => (before.deniedFields ?? []).includes(f));
  return true;
}

const RUNS = { numRuns: Number(process.env.LAW_RUNS ?? 1500) };

/**
 * Model rules as the transformer accepts them: each role named once (accesscontrol/acm.ts setRole refuses a repeat;
 * on a field, a repeat replaces the earlier rule, so order and additions matter there: test/fixtures/fidelity/repeated-field-rules).
 */
const distinctRoles = (rules: RuleShape[]) => {
  const keys = rules.flatMap((r) => roleKeys(r as Rule).map((k) => k.key));
  return new Set(keys).size === keys.length;
};
const modelRulesArb = (size: { minLength?: number; maxLength: number }) => fc.array(ruleArb, size).filter(distinctRoles);

describe('laws of the oracle', () => {
  it('adding a rule never removes access', () => {
    fc.assert(fc.property(modelRulesArb({ maxLength: 5 }), ruleArb, identityArb, opArb, (rules, extra, who, o) => {
      fc.pre(distinctRoles([...rules, extra]));
      expect(atLeast(run(model(rules), who, o), run(model([...rules, extra]), who, o), o.op)).toBe(true);
    }), RUNS);
  });

  it('removing a rule never adds access', () => {
    fc.assert(fc.property(modelRulesArb({ minLength: 1, maxLength: 5 }), fc.nat(), identityArb, opArb, (rules, k, who, o) => {
      const fewer = rules.filter((_, i) => i !== k % rules.length);
      expect(atLeast(run(model(fewer), who, o), run(model(rules), who, o), o.op)).toBe(true);
    }), RUNS);
  });

  it('rule order never matters', () => {
    fc.assert(fc.property(modelRulesArb({ maxLength: 5 }), fc.infiniteStream(fc.nat()), identityArb, opArb, (rules, rand, who, o) => {
      const shuffled = [...rules].sort(() => (rand.next().value % 3) - 1);
      const a = run(model(rules), who, o);
      const b = run(model(shuffled), who, o);
      expect(b.outcome).toBe(a.outcome);
      expect(new Set(b.visibleIds ?? [])).toEqual(new Set(a.visibleIds ?? []));
      expect(new Set(b.deniedFields ?? [])).toEqual(new Set(a.deniedFields ?? []));
    }), RUNS);
  });

  it('a model without rules denies every identity except the generic-IAM principal', () => {
    fc.assert(fc.property(identityArb, opArb, (who, o) => {
      const d = run(model([]), who, o);
      const generic = who.kind === 'iam' && who.principal === 'other';
      expect(d.outcome === 'deny').toBe(!generic);
    }), RUNS);
  });

  // Field rules also add roles to the model's write checks; an owner rule there takes part in owner
  // auto-fill (rule order), so only reads are field-local in general, and writes are for other rule kinds
  // (semantics.test.ts pins the owner interaction).
  it('a field rule changes only its field: reads always; writes when it adds no owner rule', () => {
    const otherField = fc.constantFrom('title', 'owner', 'editors', 'team', 'teams');
    fc.assert(fc.property(modelRulesArb({ maxLength: 4 }), fc.array(ruleArb, { minLength: 1, maxLength: 2 }), identityArb, recordArb, otherField, (rules, fieldRules, who, record, f) => {
      const before = model(rules);
      const after = model(rules, fieldRules);
      const readable = (auth: AuthModel) => {
        const d = decide(auth, who, 'get', { type: 'P', record, select: ['id', f] });
        return d.outcome !== 'deny' && !(d.deniedFields ?? []).includes(f);
      };
      expect(readable(after)).toBe(readable(before));
      if (fieldRules.some((r) => r.kind === 'owner')) return;
      const value = f === 'editors' || f === 'teams' ? ['A'] : 'A';
      const write = (auth: AuthModel, op: 'create' | 'update') =>
        decide(auth, who, op, op === 'create'
          ? { type: 'P', input: { [f]: value }, select: ['id'] }
          : { type: 'P', record, input: { id: record.id, [f]: value }, select: ['id'] }).outcome === 'deny';
      expect(write(after, 'update')).toBe(write(before, 'update'));
      expect(write(after, 'create')).toBe(write(before, 'create'));
    }), RUNS);
  });
});
