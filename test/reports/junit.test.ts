import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../reports/junit.js';
import { cell, noteCells, report } from './fixtures.js';
import { validJunit } from './junit-schema.js';

/** The attributes of the first element `<tag` whose name attribute is `name`. */
function attrs(xml: string, tag: string, name: string): Record<string, string> {
  const m = new RegExp(`<${tag} name="${name.replace(/[|.]/g, '\\$&')}"([^>]*)>`).exec(xml);
  if (!m) throw new Error(`no <${tag} name="${name}">`);
  return Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
}

const HOSTILE = 'a <b>&"quote"\'s\u0001 ]]> </testcase> 🙂';

function sample() {
  const cells = [
    ...noteCells(),
    cell({ id: 'Note|update|stranger|owned', persona: 'stranger', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'allow', reason: HOSTILE, detail: `leaked ${HOSTILE}` }),
  ];
  return report(cells, {
    untested: [{ id: 'Note|get|owner|shared', persona: 'owner', model: 'Note', operation: 'get', expected: 'allow', reason: 'nobody in the cast can create a shared record' }],
    contracts: [
      { contract: 'Notes', file: 'specs/contracts/notes.yaml', line: 4, statement: 'a stranger never writes a Note', broken: 'dynamic', explanation: 'broken on the endpoint: Note|update|stranger|owned allows', cells: ['Note|update|stranger|owned'], violations: [{ cell: 'Note|update|stranger|owned', expected: 'deny', observed: 'allow', rule: null, reason: 'no rule grants it', why: 'allow' }] },
      { contract: 'Notes', file: 'specs/contracts/notes.yaml', line: 5, statement: 'the API key reads notes', broken: false, cells: ['Note|get|apiKey|owned'], violations: [] },
    ],
    gate: { failures: ['access widened against authz.snapshot.json: 1 widened (high 1), 0 narrowed'] },
  });
}

describe('junit.xml', () => {
  const xml = renderJunit(sample());

  it('is valid against the JUnit schema', async () => {
    expect(await validJunit(xml)).toEqual({ valid: true, errors: [] });
  });

  it('has one testcase per cell, grouped by model or custom operation, with totals that add up', () => {
    const note = attrs(xml, 'testsuite', 'Note');
    // 8 Note cells (7 from noteCells, the hostile one) and the cell that could not run.
    expect(note).toMatchObject({ tests: '9', failures: '2', errors: '1', skipped: '1' });
    expect(attrs(xml, 'testsuite', 'Query.ping')).toMatchObject({ tests: '1', failures: '0', errors: '0', skipped: '0' });
    expect(attrs(xml, 'testsuite', 'contracts')).toMatchObject({ tests: '2', failures: '1' });
    expect(attrs(xml, 'testsuite', 'gate')).toMatchObject({ tests: '1', failures: '1' });
    expect(attrs(xml, 'testsuites', 'authmatrix notes/schema.graphql')).toMatchObject({ tests: '13', failures: '4', errors: '1', skipped: '1', time: '4.200', timestamp: '2026-11-22T10:00:00' });
    expect(xml.match(/<testcase /g)).toHaveLength(13);
    expect(attrs(xml, 'testcase', 'Note|create|owner')).toEqual({ classname: 'authmatrix.Note', time: '0.003' });
  });

  it('puts expected, observed, rule and reason in each failure; errors and untested cells apart', () => {
    expect(xml).toContain('<failure message="expected deny, observed allow: expected deny, observed allow" type="mismatch">expected: deny&#10;observed: allow&#10;detail: expected deny, observed allow&#10;rule: Note#1&#10;reason: deny by the rules');
    expect(xml).toMatch(/<testcase name="Note\|list\|owner"[^>]*>\s*<error message="expected filtered, observed error/);
    expect(xml).toContain('<skipped message="could not run: nobody in the cast can create a shared record"/>');
    expect(xml).toContain('<testcase name="Notes: a stranger never writes a Note" classname="authmatrix.contracts" time="0.000">\n      <failure message="broken on the endpoint: Note|update|stranger|owned allows" type="broken-contract-endpoint">specs/contracts/notes.yaml:4: a stranger never writes a Note&#10;Note|update|stranger|owned: expected deny, observed allow (allow); rule (none): no rule grants it</failure>');
    expect(xml).toMatch(/<testcase name="Notes: the API key reads notes" classname="authmatrix.contracts" time="0.000"\/>/);
  });

  it('escapes what it carries: markup, quotes and characters XML cannot hold', () => {
    expect(xml).toContain('a &lt;b&gt;&amp;&quot;quote&quot;&apos;s\uFFFD ]]&gt; &lt;/testcase&gt; 🙂');
    expect(xml).not.toContain(HOSTILE);
    expect(xml).not.toContain('\u0001');
  });

  it('is checked by a schema that refuses what the consumers would refuse', async () => {
    const broken = [
      xml.replace('<testcase name="Note|create|owner"', '<testcase'),
      xml.replace(/time="0\.003"/, 'time="soon"'),
      xml.replace(/(<testsuite name="Note"[^>]*) tests="9"/, '$1'),
      xml.replace('<skipped message', '<ignored message'),
    ];
    for (const doc of broken) expect((await validJunit(doc)).valid).toBe(false);
  });
});
