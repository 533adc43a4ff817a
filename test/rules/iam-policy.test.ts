import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate, type IamContext } from '../../harness/rules/iam-policy.js';
import { plannedIdentityId, signerContext } from '../../harness/rules/rest.js';
import type { PolicyStatement } from '../../harness/schema/rest/model.js';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/items/abc/x';
const stmt = (Condition: PolicyStatement['Condition'], Effect: 'Allow' | 'Deny' = 'Allow', Resource = '*'): PolicyStatement => ({ Effect, Action: 'execute-api:Invoke', Resource, Condition });
const run = (s: PolicyStatement, ctx: IamContext) => evaluate([{ Statement: [s] }], 'execute-api:Invoke', ARN, ctx);
const known = (present: Record<string, string[]>, absent: string[] = []): IamContext =>
  ({ present: Object.fromEntries(Object.entries(present).map(([k, values]) => [k, { values, complete: true }])), absent });

describe('IAM conditions in the oracle (reference_policies_elements_condition_operators.html)', () => {
  const ctx = known({ 'cognito-identity.amazonaws.com:amr': ['authenticated', 'cognito-idp.us-east-1.amazonaws.com/pool'], k: ['Abc'] }, ['gone']);
  it.each([
    [{ StringEquals: { k: 'Abc' } }, 'Allow'],
    [{ StringEquals: { k: 'abc' } }, 'none'],
    // Key names ignore case, values do not.
    [{ StringEquals: { K: 'Abc' } }, 'Allow'],
    [{ StringEqualsIgnoreCase: { k: 'abc' } }, 'Allow'],
    [{ StringNotEquals: { k: ['x', 'y'] } }, 'Allow'],
    [{ StringNotEquals: { k: ['x', 'Abc'] } }, 'none'],
    [{ StringLike: { k: 'A*' } }, 'Allow'],
    [{ StringNotLike: { k: 'A*' } }, 'none'],
    // Several operators and keys: all must hold.
    [{ StringLike: { k: 'A*' }, StringEquals: { k: 'nope' } }, 'none'],
    // Absent keys: a plain operator fails, a negated one holds, IfExists holds, ForAllValues holds, ForAnyValue fails.
    [{ StringEquals: { gone: 'x' } }, 'none'],
    [{ StringNotEquals: { gone: 'x' } }, 'Allow'],
    [{ StringEqualsIfExists: { gone: 'x' } }, 'Allow'],
    [{ 'ForAllValues:StringEquals': { gone: 'x' } }, 'Allow'],
    [{ 'ForAnyValue:StringEquals': { gone: 'x' } }, 'none'],
    [{ Null: { gone: 'true' } }, 'Allow'],
    [{ Null: { k: 'true' } }, 'none'],
    [{ Null: { k: 'false' } }, 'Allow'],
    // Multi-valued amr.
    [{ 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } }, 'Allow'],
    [{ 'ForAllValues:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } }, 'none'],
    [{ 'ForAllValues:StringLike': { 'cognito-identity.amazonaws.com:amr': ['authenticated', 'cognito-idp.*'] } }, 'Allow'],
  ] as const)('%j → %s', (condition, effect) => {
    const v = run(stmt(condition as PolicyStatement['Condition']), ctx);
    expect(v.effect).toBe(effect);
    expect(v.caveats).toEqual([]);
  });

  it('an unknown operator or key is a caveat, never a grant', () => {
    for (const condition of [{ IpAddress: { k: '10.0.0.0/8' } }, { StringEquals: { 'aws:SourceIp': 'x' } }] as PolicyStatement['Condition'][]) {
      const v = run(stmt(condition), ctx);
      expect(v.effect).toBe('none');
      expect(v.caveats[0]).toMatch(/not modelled by the oracle/);
    }
  });

  it('the signer context: a guest is decided on amr, the identity id and pool id are caveats', () => {
    const guest = signerContext({ kind: 'unauthenticated' });
    const user = signerContext({ kind: 'authenticated', groups: [] });
    const amr = { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } };
    expect(run(stmt(amr), guest)).toEqual({ effect: 'none', caveats: [] });
    expect(run(stmt(amr), user).effect).toBe('Allow');
    const aud = run(stmt({ StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool' } }), user);
    expect(aud.effect).toBe('none');
    expect(aud.caveats[0]).toMatch(/known only at run time/);
  });

  it('policy variables in Resource (reference_policies_variables.html): a definite miss, a known value, or a caveat', () => {
    const pattern = 'arn:aws:execute-api:*:*:api/prod/*/items/${cognito-identity.amazonaws.com:sub}/*';
    expect(run(stmt(undefined, 'Allow', pattern), known({ 'cognito-identity.amazonaws.com:sub': ['abc'] })).effect).toBe('Allow');
    expect(run(stmt(undefined, 'Allow', pattern), known({ 'cognito-identity.amazonaws.com:sub': ['other'] })).effect).toBe('none');
    const user = signerContext({ kind: 'authenticated', groups: [] });
    const open = run(stmt(undefined, 'Allow', pattern), user);
    expect(open.effect).toBe('none');
    expect(open.caveats[0]).toMatch(/\$\{cognito-identity.amazonaws.com:sub\}/);
    expect(run(stmt(undefined, 'Allow', pattern.replace('/items/', '/admin/')), user)).toEqual({ effect: 'none', caveats: [] });
  });
});

describe("a signer's identity id (the persona's planned id, which the run's paths carry until the minted one replaces it)", () => {
  const owner = signerContext({ kind: 'authenticated', groups: [], persona: 'owner' }, undefined, 'us-east-1');
  const own = plannedIdentityId('us-east-1', 'owner');
  const other = plannedIdentityId('us-east-1', 'stranger');
  const arn = (id: string) => `arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/notes/${id}/n1`;
  const onSub = (condition?: PolicyStatement['Condition'], resource = 'arn:aws:execute-api:*:*:api/dev/*/notes/${cognito-identity.amazonaws.com:sub}/*') =>
    ({ Statement: [{ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: resource, ...(condition ? { Condition: condition } : {}) }] });

  it('is shaped like a minted one: the region, a colon, then a part no minted id has', () => {
    expect(own).toMatch(/^us-east-1:authmatrix-identity-owner$/);
    expect(plannedIdentityId('eu-west-1', 'groupMember:Admin')).toBe('eu-west-1:authmatrix-identity-groupMember-Admin');
  });

  it('decides ${sub} in Resource: the own id matches, another never does, and no caveat is left', () => {
    expect(evaluate([onSub()], 'execute-api:Invoke', arn(own), owner)).toMatchObject({ effect: 'Allow', caveats: [] });
    expect(evaluate([onSub()], 'execute-api:Invoke', arn(other), owner)).toEqual({ effect: 'none', caveats: [] });
  });

  it('decides conditions on sub, a policy variable in their value included', () => {
    const self = onSub({ StringEquals: { 'cognito-identity.amazonaws.com:sub': '${cognito-identity.amazonaws.com:sub}' } }, '*');
    expect(evaluate([self], 'execute-api:Invoke', arn(other), owner).effect).toBe('Allow');
    const region = onSub({ StringLike: { 'cognito-identity.amazonaws.com:sub': 'us-east-1:*' } }, '*');
    expect(evaluate([region], 'execute-api:Invoke', arn(other), owner).effect).toBe('Allow');
    const literal = onSub({ StringEquals: { 'cognito-identity.amazonaws.com:sub': 'us-east-1:0a1b2c3d-0000-4000-8000-000000000000' } }, '*');
    expect(evaluate([literal], 'execute-api:Invoke', arn(own), owner)).toEqual({ effect: 'none', caveats: [] });
  });

  it('leaves undecided what names another unknown value, or the literal ${*}', () => {
    const unknownSigner = signerContext({ kind: 'authenticated', groups: [] }, undefined, 'us-east-1');
    const self = onSub({ StringEquals: { 'cognito-identity.amazonaws.com:sub': '${cognito-identity.amazonaws.com:sub}' } }, '*');
    expect(evaluate([self], 'execute-api:Invoke', arn(own), unknownSigner).caveats[0]).toMatch(/known only at run time/);
    const star = onSub({ StringLike: { 'cognito-identity.amazonaws.com:sub': 'us-east-1:${*}' } }, '*');
    expect(evaluate([star], 'execute-api:Invoke', arn(own), owner).effect).toBe('none');
  });
});

describe('laws', () => {
  const value = fc.constantFrom('a', 'b', 'Ab', 'x*');
  const condition = fc.record({ op: fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'StringEqualsIfExists'), key: fc.constantFrom('k', 'gone'), values: fc.array(value, { minLength: 1, maxLength: 3 }) });
  const ctx = known({ k: ['a', 'Ab'] }, ['gone']);
  it('an explicit Deny whose condition holds wins over any Allow; a statement whose condition fails never grants', () => {
    fc.assert(fc.property(condition, fc.boolean(), (c, withAllow) => {
      const cond = { [c.op]: { [c.key]: c.values } };
      const holds = run(stmt(cond), ctx).effect === 'Allow';
      const statements = [stmt(cond, 'Deny'), ...(withAllow ? [stmt(undefined)] : [])];
      const v = evaluate([{ Statement: statements }], 'execute-api:Invoke', ARN, ctx);
      if (holds) expect(v.effect).toBe('Deny');
      else expect(v.effect).toBe(withAllow ? 'Allow' : 'none');
    }));
  });
});
