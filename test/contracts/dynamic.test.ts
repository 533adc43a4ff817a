/** Dynamic evaluation against what the endpoint did (cell results), and laws that hold on any matrix and any answers. */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContracts, type ContractVerdict, type ObservedCell } from '../../harness/contracts/evaluate.js';
import { loadContracts } from '../../harness/contracts/load.js';
import { parseSentence } from '../../harness/contracts/sentence.js';
import { StatementError, makeStatement, type Draft, type Records, type Statement } from '../../harness/contracts/statement.js';
import { InputError } from '../../harness/schema/errors.js';
import { ROOT } from '../cli/cli.js';
import { app, asExpected, withObserved, type Example } from './apps.js';

const contractOf = (statements: Statement[]) => [{ name: 'test', file: 't.contract.yaml', statements }];

async function dynamic(name: Example, sentence: string, changes: Record<string, Omit<ObservedCell, 'id' | 'pass'>>): Promise<ContractVerdict> {
  const matrix = await app(name);
  return checkContracts(contractOf([parseSentence(sentence)]), matrix, withObserved(matrix.cells, changes))[0]!;
}

describe('against the endpoint', () => {
  it('the examples hold when every cell answers as expected', async () => {
    for (const [name, dir] of [['blog', 'examples/blog/specs/contracts'], ['todo', 'examples/todo/specs/contracts']] as const) {
      const matrix = await app(name);
      const outcomes = checkContracts(await loadContracts([path.join(ROOT, dir)]), matrix, asExpected(matrix.cells));
      for (const o of outcomes) {
        expect([o.statement, o.broken]).toEqual([o.statement, false]);
        expect(o.explanation).toBe(`holds on the endpoint (${o.cells.length} of ${o.cells.length} cell${o.cells.length === 1 ? '' : 's'} observed, the rest expected)`);
        expect(o.unchecked).toBeUndefined();
      }
    }
  });

  it('one cell answering otherwise breaks it dynamically and is named, with its rule', async () => {
    const o = await dynamic('blog', "stranger cannot update owner's Post", { 'Post|update|stranger|owned': { observed: 'allow', summary: 'data' } });
    const cell = (await app('blog')).cells.find((c) => c.id === 'Post|update|stranger|owned')!;
    expect(o).toMatchObject({ broken: 'dynamic', explanation: 'forbidden, but granted to stranger in 1 cell' });
    expect(o.violations).toEqual([{ cell: cell.id, expected: 'deny', observed: 'allow', rule: cell.rule, reason: cell.reason, why: 'allow' }]);
    expect(cell.reason).not.toBe('');
  });

  it('REST: a cell the gateway let through breaks never; may holds while one presentation of the request gets through', async () => {
    const id = 'rest|myRestApi|DELETE /admin|owner|signed';
    const never = await dynamic('rest', 'owner never DELETE /admin', { [id]: { observed: 'allow', summary: '200' } });
    expect(never).toMatchObject({ broken: 'dynamic', explanation: 'forbidden, but granted to owner in 1 cell' });
    expect(never.violations.map((v) => [v.cell, v.expected, v.observed, v.why])).toEqual([[id, 'deny', 'allow', 'allow']]);
    const signed = 'rest|myRestApi|GET /items|owner|signed';
    const refused = await dynamic('rest', 'owner may GET /items', { [signed]: { observed: 'deny', summary: '403 AccessDeniedException' } });
    expect(refused).toMatchObject({ broken: 'dynamic', explanation: 'owner is granted it in none of its 3 cells for myRestApi:GET /items' });
    const idToken = 'rest|myRestApi|GET /items|owner|idToken';
    const other = await dynamic('rest', 'owner may GET /items', { [signed]: { observed: 'deny' }, [idToken]: { observed: 'allow' } });
    expect(other.broken).toBe(false);
  });

  it('a refused cell breaks a may statement', async () => {
    const o = await dynamic('blog', 'apiKey reads Post', { 'Post|get|apiKey|shared': { observed: 'deny', summary: '401 UnauthorizedException' } });
    expect(o).toMatchObject({ broken: 'dynamic', explanation: 'refused to apiKey in 1 cell' });
    expect(o.violations.map((v) => [v.cell, v.expected, v.observed, v.why])).toEqual([['Post|get|apiKey|shared', 'allow', 'deny', 'deny']]);
  });

  it('a cell that errored makes the statement unverifiable, which breaks it', async () => {
    for (const sentence of ['apiKey reads Post', 'apiKey never writes Post', 'only groupMember:Admin and iamAdmin may delete unowned Post']) {
      const id = sentence === 'apiKey reads Post' ? 'Post|get|apiKey|owned' : sentence.startsWith('apiKey') ? 'Post|delete|apiKey|owned' : 'Post|delete|groupMember:Admin|unowned';
      const o = await dynamic('blog', sentence, { [id]: { observed: 'error', summary: 'HTTP 502' } });
      expect(o).toMatchObject({ broken: 'dynamic' });
      expect(o.violations.map((v) => [v.cell, v.observed, v.why])).toContainEqual([id, 'error', 'errored, so it cannot be verified: error (HTTP 502)']);
      expect(o.explanation).toMatch(/1 cell could not be verified$/);
    }
  });

  it('lists: the records seen decide; without them a mismatching list cannot be verified', async () => {
    const sentence = "stranger cannot list owner's Todo";
    const seen = await dynamic('todo', sentence, { 'Todo|list|stranger': { observed: 'filtered', seen: ['owned'] } });
    expect(seen.violations.map((v) => [v.cell, v.why])).toEqual([['Todo|list|stranger', 'sees owned']]);
    const all = await dynamic('todo', sentence, { 'Todo|list|stranger': { observed: 'allow' } });
    expect(all.violations.map((v) => v.why)).toEqual(['sees owned']);
    const other = await dynamic('todo', sentence, { 'Todo|list|stranger': { observed: 'filtered', seen: ['unowned'] } });
    expect(other.broken).toBe(false);
    const unknown = await dynamic('todo', sentence, { 'Todo|list|stranger': { observed: 'filtered', summary: '1 of 2 fixtures' } });
    expect(unknown).toMatchObject({ broken: 'dynamic', explanation: '1 cell could not be verified' });
    expect(unknown.violations.map((v) => v.why)).toEqual(['cannot tell whether it returns owned: filtered (1 of 2 fixtures)']);
  });

  it('fields: a mismatching answer counts only when the field comes back, or cannot be told', async () => {
    const id = 'Employee|get|stranger|owned|ssn';
    const redacted = await dynamic('blog', 'stranger never reads Employee.ssn', { [id]: { observed: 'allow', nulledFields: ['ssn'] } });
    expect(redacted.broken).toBe(false);
    const returned = await dynamic('blog', 'stranger never reads Employee.ssn', { [id]: { observed: 'allow', nulledFields: [] } });
    expect(returned.violations.map((v) => [v.cell, v.why])).toEqual([[id, 'returns ssn (allow)']]);
    const unsure = await dynamic('blog', 'stranger never reads Employee.ssn', { [id]: { observed: 'allow', summary: 'data' } });
    expect(unsure.violations.map((v) => [v.cell, v.why])).toEqual([[id, 'cannot tell whether ssn comes back: allow (data)']]);
  });

  it('relation reads that return the model count for its fields', async () => {
    const id = 'Project|get|groupMember:Admin|shared|members';
    const sentence = 'groupMember:Admin never reads Employee.ssn';
    const cell = (await app('blog')).cells.find((c) => c.id === id)!;
    expect([cell.kind, cell.expected, cell.decision.deniedFields?.includes('ssn')]).toEqual(['relation', 'partial', true]);
    expect((await dynamic('blog', sentence, {})).cells).toContain(id);
    const leak = await dynamic('blog', sentence, { [id]: { observed: 'allow', seen: ['owned'], deniedFields: [], nulledFields: [] } });
    expect(leak).toMatchObject({ broken: 'dynamic', explanation: 'forbidden, but granted to groupMember:Admin in 1 cell' });
    expect(leak.violations.map((v) => [v.cell, v.observed, v.why])).toEqual([[id, 'allow', 'sees owned with ssn']]);
  });

  it('a statement the matrix itself breaks stays static, with what was observed', async () => {
    const matrix = await app('blog');
    const [o] = checkContracts(await loadContracts([path.join(ROOT, 'test/fixtures/contracts/broken.contract.yaml')]), matrix, asExpected(matrix.cells));
    expect(o).toMatchObject({ statement: 'apiKey deletes Post', broken: 'static' });
    expect(o!.violations.map((v) => [v.cell, v.expected, v.observed])).toEqual(['owned', 'shared', 'unowned'].map((r) => [`Post|delete|apiKey|${r}`, 'deny', 'deny']));
  });

  it('cells the run did not execute are judged by their expectation and listed', async () => {
    const matrix = await app('blog');
    const results = asExpected(matrix.cells).filter((r) => r.id !== 'Post|get|apiKey|owned');
    const [o] = checkContracts(contractOf([parseSentence('apiKey reads Post')]), matrix, results);
    expect(o).toMatchObject({ broken: false, unchecked: ['Post|get|apiKey|owned'], explanation: 'holds on the endpoint (3 of 4 cells observed, the rest expected)' });
  });
});

describe('laws', () => {
  const personas = ['anonymous', 'apiKey', 'guest', 'iamUser', 'iamAdmin', 'owner', 'stranger', 'groupMember:Admin', 'groupMember:HR', 'dynamicGroupMember'];
  const sometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: a, weight: 1 });
  const base = fc.record({
    personas: fc.uniqueArray(fc.constantFrom(...personas), { minLength: 1, maxLength: 2 }),
    verb: fc.constantFrom('read', 'get', 'list', 'create', 'update', 'delete', 'write', 'subscribe', 'receive'),
    object: fc.constantFrom('Post', 'Comment', 'Project', 'Employee', 'Employee.ssn', 'Employee.salary', 'Post.comments'),
    records: sometimes(fc.constantFrom<Records>({ of: 'owner' }, 'shared', 'unowned', 'own', 'other')),
  });
  const flips = fc.array(fc.record({
    k: fc.nat(),
    observed: fc.constantFrom('allow', 'deny', 'filtered', 'partial', 'invalid', 'error'),
    seen: sometimes(fc.subarray(['owned', 'shared', 'shared:viewers', 'unowned'])),
    deniedFields: sometimes(fc.subarray(['ssn', 'salary', 'owner'])),
    nulledFields: sometimes(fc.subarray(['ssn', 'salary', 'owner'])),
  }), { maxLength: 12 });

  /** The statement with this quantifier, or undefined when it is not a valid statement for the blog. */
  function statement(b: { personas: string[]; verb: string; object: string; records: Draft['records'] }, quantifier: Draft['quantifier']): Statement | undefined {
    try {
      return makeStatement({ subject: { personas: b.personas }, quantifier, verb: b.verb, object: b.object, ...(b.records ? { records: b.records } : {}) });
    } catch (e) {
      if (e instanceof StatementError) return undefined;
      throw e;
    }
  }

  function verdicts(statements: Statement[], results?: ObservedCell[]): (ContractVerdict | undefined)[] {
    return statements.map((s) => {
      try {
        return checkContracts(contractOf([s]), matrixOf!, results)[0];
      } catch (e) {
        if (e instanceof InputError) return undefined;
        throw e;
      }
    });
  }
  let matrixOf: Awaited<ReturnType<typeof app>> | undefined;

  it('a statement and its negation never both hold, statically or on any answers', async () => {
    matrixOf = await app('blog');
    let compared = 0;
    fc.assert(fc.property(base, flips, (b, changes) => {
      const may = statement(b, 'may');
      const only = statement(b, 'only');
      const never = statement(b, 'never');
      if (!may || !only || !never) return;
      const ids = [...new Set(verdicts([never])[0]?.cells ?? [])];
      if (!ids.length) return;
      const results = withObserved(matrixOf!.cells, Object.fromEntries(changes.map(({ k, ...c }) => [ids[k % ids.length]!, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Omit<ObservedCell, 'id' | 'pass'>])));
      for (const answers of [undefined, results]) {
        const [m, o, n] = verdicts([may, only, never], answers);
        if (!n) continue;
        compared++;
        if (m) expect(m.broken === false && n.broken === false).toBe(false);
        if (o) expect(o.broken === false && n.broken === false).toBe(false);
      }
    }), { numRuns: 150 });
    expect(compared).toBeGreaterThan(100);
  });

  it('answers that match the expectations never change a verdict', async () => {
    matrixOf = await app('blog');
    const results = asExpected(matrixOf.cells);
    let compared = 0;
    fc.assert(fc.property(base, fc.constantFrom<Draft['quantifier']>('may', 'never', 'only'), (b, q) => {
      const s = statement(b, q);
      if (!s) return;
      const [before] = verdicts([s]);
      const [after] = verdicts([s], results);
      if (!before) return;
      compared++;
      expect(after!.broken).toBe(before.broken);
      expect(after!.violations.map((v) => v.cell)).toEqual(before.violations.map((v) => v.cell));
    }), { numRuns: 150 });
    expect(compared).toBeGreaterThan(50);
  });
});
