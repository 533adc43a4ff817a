import { describe, expect, it } from 'vitest';
import type { PermissionChange } from '../../harness/snapshot/permission-diff.js';
import { coverageOf } from '../../reports/coverage.js';
import { renderSummaryMd } from '../../reports/summary-md.js';
import { cell, noteCells, report } from './fixtures.js';

const widened: PermissionChange = {
  key: 'Note.update|stranger|owned', persona: 'stranger', permission: 'Note.update', operation: 'update', model: 'Note', situation: 'owned',
  before: 'deny', after: 'allow', direction: 'widened', severity: 'medium', explanation: 'stranger may now update Note (owned)',
};

describe('summary.md', () => {
  const passing = noteCells().filter((c) => c.pass);
  const failing = report([...noteCells(), cell({ id: 'Note|update|stranger|owned', persona: 'stranger', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'allow', rule: 'Note#1', reason: 'only the | owner <script>alert(1)</script>' })], {
    untested: [{ id: 'Note|get|owner|shared', persona: 'owner', model: 'Note', operation: 'get', expected: 'allow', reason: 'nobody can create a shared record' }],
    contracts: [{ contract: 'strangers-never-write', file: 'c.yaml', statement: 'a stranger never writes a Note', broken: 'dynamic', cells: ['Note|update|stranger|owned'], violations: [{ cell: 'Note|update|stranger|owned', expected: 'deny', observed: 'allow', rule: null, reason: 'r' }] }],
    gate: {
      baseline: { file: 'authz.snapshot.json', changes: [widened] },
      minCoverage: { rules: 100 },
      failures: ['access widened against authz.snapshot.json: 1 widened (medium 1), 0 narrowed', 'coverage: rules 60% is below 100% (…)'],
    },
  });
  const md = renderSummaryMd(failing, coverageOf(failing));

  it('opens with the verdict, the run and the totals', () => {
    expect(md.split('\n').slice(0, 7)).toEqual([
      '## authmatrix: ❌ failed',
      '',
      'notes/schema.graphql (sha256:00112233445566778899aabbccddeeff) against the embedded emulator · authmatrix 0.1.0 · 4.2 s',
      '',
      '| cells | match | mismatches | not auth outcomes | could not run | contracts held |',
      '|---:|---:|---:|---:|---:|---:|',
      '| 9 | 6 | 3 | 1 | 1 | 0/1 |',
    ]);
  });

  it('lists mismatches, escaping what would break the table or inject markup', () => {
    expect(md).toContain('### Mismatches (3)');
    expect(md).toContain('| Note\\|delete\\|stranger\\|owned | deny | **allow** | Note#1 | expected deny, observed allow (deny by the rules) |');
    expect(md).toContain('| Note\\|update\\|stranger\\|owned | deny | **allow** | Note#1 | expected deny, observed allow (only the \\| owner &lt;script&gt;alert(1)&lt;/script&gt;) |');
    expect(md).not.toContain('<script>');
  });

  it('shows broken contracts, permission changes against the baseline, coverage, what could not run and the gate', () => {
    expect(md).toContain('### Broken contracts (1)');
    expect(md).toContain('| strangers-never-write | a stranger never writes a Note | the endpoint | Note\\|update\\|stranger\\|owned |');
    expect(md).toContain('### Permission changes against the baseline (authz.snapshot.json)');
    expect(md).toContain('#### Widened (1 change)');
    expect(md).toContain('| medium | stranger | Note.update | owned | deny | allow |');
    expect(md).toContain('| rules seen allowing and denying | 3/5 | 60% (min 100%) | Note.secret#1 (never seen denying); Query.ping#1 (never seen allowing) |');
    expect(md).toContain('| auth modes | 2/2 | 100% | – |');
    expect(md).toContain('### Could not run (1)\n\n- Note\\|get\\|owner\\|shared: nobody can create a shared record');
    expect(md).toContain('### Gate (2 failures)\n\n- access widened against authz.snapshot.json: 1 widened (medium 1), 0 narrowed\n- coverage: rules 60% is below 100% (…)');
  });

  it('says passed and leaves out empty sections on a clean run', () => {
    const clean = report(passing);
    const text = renderSummaryMd(clean, coverageOf(clean));
    expect(text.startsWith('## authmatrix: ✅ passed\n')).toBe(true);
    expect(text).toContain('| 6 | 6 | 0 | 0 | 0 | – |');
    for (const section of ['Mismatches', 'Broken contracts', 'Permission changes', 'Could not run', 'Gate']) expect(text).not.toContain(`### ${section}`);
    expect(text).toContain('### Coverage');
  });

  it('says when the run was interrupted and how far it got', () => {
    const cut = report(passing, { interrupted: { signal: 'SIGINT', cellsRun: 6, cellsPlanned: 50 } });
    const text = renderSummaryMd(cut, coverageOf(cut));
    expect(text.startsWith('## authmatrix: ⏹ interrupted\n')).toBe(true);
    expect(text).toContain('\n> Interrupted by SIGINT after 6 of 50 cells: only those are reported; the other 44 count neither as passed nor as failed.\n');
  });

  it('caps long lists so that a pull-request comment stays small', () => {
    const many = Array.from({ length: 400 }, (_, i) => cell({ id: `Note|get|stranger|r${i}`, persona: 'stranger', operation: 'get', expected: 'deny', observed: 'allow', reason: 'x'.repeat(1000) }));
    const big = report(many);
    const text = renderSummaryMd(big, coverageOf(big));
    expect(text).toContain('… and 350 more in index.html and results.json.');
    expect(text.length).toBeLessThan(30_000);
  });
});
