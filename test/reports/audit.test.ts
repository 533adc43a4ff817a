/**
 * The audit report: the same content as index.html in a static document, and its PDF, which must stay
 * readable: its page count is bounded and the text of each section is checked in the PDF itself.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { findings } from '../../harness/lint/lint.js';
import { renderAuditHtml, writeAudit } from '../../reports/audit.js';
import { totalsOf } from '../../reports/results.js';
import { cli } from '../cli/cli.js';
import { CHROMIUM, chromiumOrFail } from './chromium.js';
import { cell, noteCells, report } from './fixtures.js';
import { syntheticRun } from './synthetic.js';

function sample() {
  const hostile = cell({ id: 'Note|update|stranger|owned', persona: 'stranger', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'allow', rule: 'Note#1', reason: 'only owners <img src=x onerror=alert(1)>' });
  hostile.requestId = 'req-0001';
  hostile.evidence = {
    request: { url: 'http://127.0.0.1:4000/graphql', headers: { authorization: '[JWT redacted, 981 chars]', 'content-type': 'application/json' }, body: { query: 'mutation { updateNote(input: {id: "1"}) { id } }' } },
    response: { status: 200, requestId: 'req-0001', body: { data: { updateNote: { id: '1', note: 'x'.repeat(5000) } } } },
  };
  return report([hostile, ...noteCells()], {
    untested: [{ id: 'Note|get|owner|shared', persona: 'owner', model: 'Note', operation: 'get', expected: 'allow', reason: 'nobody in the cast can create a shared record' }],
    only: ['Note'],
  });
}

/** The text of a section: from its heading to the next one. */
function section(html: string, n: number): string {
  const start = html.indexOf(`<h2>${n}. `);
  const end = html.indexOf(`<h2>${n + 1}. `);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, end < 0 ? undefined : end);
}

describe('audit report', () => {
  const html = renderAuditHtml(sample(), { resultsSha256: 'ab'.repeat(32), generatedAt: '2026-11-22T11:00:00.000Z' });

  it('states what was run, against what, with which tool and when', () => {
    for (const text of ['notes/schema.graphql', 'sha256:00112233445566778899aabbccddeeff', 'emulated: embedded emulator', 'authmatrix 0.1.0',
      '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:04.200Z', 'ab'.repeat(32), 'apiKey, userPool (default userPool)', 'only Note']) {
      expect(html).toContain(text);
    }
    expect(html).toContain('<span class="status-failed">FAILED</span>');
  });

  it('puts the findings first, then the failures by cause and the run’s problems apart', () => {
    const headings = [...html.matchAll(/<h2>(\d+)\. ([^<]+)<\/h2>/g)].map((m) => `${m[1]}. ${m[2]}`);
    expect(headings).toEqual(['1. Identification', '2. Verdict', '3. Findings', '4. Failures by cause', '5. Problems of the run, not of the app’s rules',
      '6. Scope: rules, field access and who can', '7. Personas and how they were provisioned', '8. Coverage', '9. What was not tested', '10. The matrix',
      '11. Appendix: every cell and the evidence of failed cells']);
    const lint = findings(sample().model);
    for (const f of lint) expect(section(html, 3)).toContain(f.fix.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    const causes = section(html, 4);
    expect(causes.match(/<td class="count">/g)).toHaveLength(2);
    expect(causes).toContain('rule <b class="mono">Note#1</b> owner via ownerField `owner`, claim `sub::username` · <b>update</b>');
    expect(causes).toContain('only owners &lt;img src=x onerror=alert(1)&gt;');
    const problems = section(html, 5);
    expect(problems).toContain('<span class="mono">Note|list|owner</span>');
    expect(problems).toContain('another error');
    expect(causes).not.toContain('Note|list|owner');
  });

  it('shows each model’s rules in words, its field access and who can do each operation', () => {
    const scope = section(html, 6);
    expect(scope).toContain('<b class="rule-id" title="Note#2">#2</b> public access with the API key [read]');
    expect(scope).toMatch(/<th scope="row" class="mono">secret<\/th><td><b class="rule-id" title="Note.secret#1">#1<\/b> owner via ownerField `owner`[^<]*<\/td><td><span class="grant">owner \(owner&#39;s record\)<\/span><\/td>/);
    expect(scope).toContain('<td>the record · <b>get</b></td><td><span class="v v-allow" aria-hidden="true">✓</span>allow <b class="mono">Note#2</b>: apiKey (owner&#39;s record)</td><td><span class="mono">Note#1</span> stranger (owner&#39;s record)</td>');
    expect(scope).toContain('<h3>Custom operations: ping</h3>');
  });

  it('lists the personas with how they were provisioned, and coverage with what was left out', () => {
    expect(section(html, 7)).toContain('<td>owner</td><td class="n">owner</td><td>user-pool user who owns the owned fixtures</td><td>user-pool access token minted by the emulator for &quot;owner&quot;</td>');
    expect(section(html, 8)).toContain('<td>personas</td><td class="n">3/3</td><td class="n">100%</td><td class="n">–</td><td>–</td><td>anonymous (not selected)</td>');
  });

  it('says what was not tested', () => {
    const text = section(html, 9);
    expect(text).toContain('the deployed AppSync API itself was not exercised');
    expect(text).toContain('Only cells matching Note were run');
    expect(text).toContain('Note.secret#1 (never seen denying)');
    expect(text).toContain('1 cell(s) got no auth outcome (error)');
    expect(text).toContain('nobody in the cast can create a shared record');
  });

  it('draws the matrix and lists every cell, with the evidence of failed cells, escaped and trimmed', () => {
    expect(section(html, 10)).toContain('<tr><th scope="row" class="n">stranger</th><td>·</td><td>✗</td><td>·</td><td class="bad">✓≠</td><td class="bad">✓≠</td></tr>');
    const appendix = section(html, 11);
    expect(appendix.match(/<p( class="bad")?>Note\|/g)).toHaveLength(8);
    expect(appendix).toContain('<p class="bad">Note|update|stranger|owned deny ≠ allow Note#1</p>');
    expect(html).not.toContain('<img');
    expect(appendix).toContain('authorization: [JWT redacted, 981 chars]');
    expect(appendix).toContain('HTTP 200 · request id req-0001');
    expect(appendix).toMatch(/x{1000,}… \(\d+ characters; in full in results\.json\)/);
  });

  it('says when the run was interrupted', () => {
    const cut = renderAuditHtml({ ...sample(), interrupted: { signal: 'SIGINT', cellsRun: 9, cellsPlanned: 120 } }, { resultsSha256: 'x' });
    expect(cut).toContain('<span class="status-interrupted">INTERRUPTED</span>');
    expect(cut).toContain('<b>Interrupted</b> by SIGINT after 9 of 120 cells.');
    expect(section(cut, 9)).toContain('The run was interrupted (SIGINT) after 9 of 120 cells; the others were not run.');
  });

  it('writes audit.pdf with Chromium, and says why not without it', async () => {
    chromiumOrFail();
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-audit-'));
    const done = await writeAudit(sample(), dir, '{}', { chromium: CHROMIUM });
    expect(done).toEqual({ files: [path.join(dir, 'audit.html'), path.join(dir, 'audit.pdf')], notes: [] });
    const pdf = readFileSync(path.join(dir, 'audit.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const none = mkdtempSync(path.join(tmpdir(), 'authmatrix-audit-'));
    expect(await writeAudit(sample(), none, '{}', { chromium: null })).toEqual({
      files: [path.join(none, 'audit.html')],
      notes: ['audit.pdf not written: Chromium is not installed (apt-get install chromium, or set AUTHMATRIX_CHROMIUM to its path)'],
    });
    expect(existsSync(path.join(none, 'audit.pdf'))).toBe(false);
  }, 60_000);

  it('prints a failing run of three models readably: bounded pages, each section’s text in the PDF', async () => {
    chromiumOrFail();
    const all = syntheticRun();
    const cells = all.cells.filter((c) => ['Item0', 'Item1', 'Item5'].includes(c.model ?? ''));
    const run = { ...all, cells, totals: totalsOf(cells, 0) };
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-audit-'));
    await writeAudit(run, dir, JSON.stringify(run), { chromium: CHROMIUM });
    const doc = await getDocumentProxy(new Uint8Array(readFileSync(path.join(dir, 'audit.pdf'))));
    const { totalPages, text } = await extractText(doc, { mergePages: false });
    // Measured at 45 pages for 1,336 cells (with every cell's evidence printed, examples/blog's 2,642 cells made 1,700 pages; now 43).
    expect(totalPages).toBeLessThan(60);
    const pageOf = (needle: string | RegExp) => text.findIndex((t) => (typeof needle === 'string' ? t.includes(needle) : needle.test(t)));
    const pages = ['1. Identification', '2. Verdict', '3. Findings', '4. Failures by cause', '5. Problems of the run', '6. Scope', '7. Personas', '8. Coverage', '9. What was not tested', '10. The matrix', '11. Appendix'].map(pageOf);
    expect(pages.every((p) => p >= 0)).toBe(true);
    expect([...pages].sort((a, b) => a - b)).toEqual(pages);
    // The findings, on their pages.
    const lint = findings(run.model);
    expect(text.slice(pages[2], pages[3]! + 1).join('\n').replace(/\s+/g, ' ')).toContain(lint[0]!.title.replace(/\s+/g, ' '));
    // The causes: the biggest group's count, rule and operation; the fixture problem.
    const causes = text.slice(pages[3], pages[5]! + 1).join('\n');
    expect(causes).toMatch(/\d+ no rule admits these callers · update \(field\)/);
    expect(causes).toContain('a record the cell needed could not be created');
    // Rules in words and field access of a model with field rules.
    const scope = text.slice(pages[5], pages[6]! + 1).join('\n').replace(/\s+/g, ' ');
    expect(scope).toContain('#2 public access with the API key [read] Item0#2');
    expect(scope).toMatch(/salary #1 owner via ownerField `owner`, claim `sub::username` \[read\] #2 members of group Admin owner \(owner's record\), groupMember:Admin \(every record\)/);
    // Every page carries the footer with its number.
    text.forEach((t, i) => expect(t).toContain(`page ${i + 1} of ${totalPages}`));
  }, 120_000);
});

describe('authmatrix report', () => {
  it('renders every report again from a results.json, with the audit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-report-'));
    writeFileSync(path.join(dir, 'results.json'), JSON.stringify(report(noteCells().filter((c) => c.pass))));
    const out = path.join(dir, 'out');
    const r = await cli(['report', '--results', path.join(dir, 'results.json'), '--audit', '--out', out], { env: { AUTHMATRIX_CHROMIUM: CHROMIUM } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASSED {2}6\/6 cells match/);
    expect(r.stdout).toMatch(/rules seen allowing and denying +\d+\/5/);
    for (const f of ['results.json', 'junit.xml', 'summary.md', 'index.html', 'coverage.json', 'audit.html', 'audit.pdf']) expect(existsSync(path.join(out, f)), f).toBe(true);
    const audit = readFileSync(path.join(out, 'audit.html'), 'utf8');
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(path.join(out, 'results.json'))).digest('hex');
    expect(audit).toContain(sha);
  }, 60_000);

  it('exits 1 when the run it shows failed, as run does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-report-'));
    writeFileSync(path.join(dir, 'results.json'), JSON.stringify(report(noteCells())));
    const r = await cli(['report', '--results', dir, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED');
  });

  it.each([
    ['a missing file', (dir: string) => path.join(dir, 'nope.json'), /^authmatrix: .*nope\.json: no such file or directory\. Fix: pass a results\.json or the --out directory of authmatrix run\n$/],
    ['a directory without results', (dir: string) => dir, /^authmatrix: .*: no results\.json here\. Fix: /],
    ['broken JSON', (dir: string) => { writeFileSync(path.join(dir, 'bad.json'), '{"format":'); return path.join(dir, 'bad.json'); }, /^authmatrix: .*bad\.json: not JSON \(.*\)\. Fix: /],
    ['other JSON', (dir: string) => { writeFileSync(path.join(dir, 'other.json'), '{"version":1}'); return path.join(dir, 'other.json'); }, /^authmatrix: .*other\.json: not an authmatrix results\.json\. Fix: /],
  ])('refuses %s with one line and exit 2', async (_what, make, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-report-'));
    const r = await cli(['report', '--results', make(dir), '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
