import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAuditHtml, writeAudit } from '../../reports/audit.js';
import { cli } from '../cli/cli.js';
import { cell, noteCells, report } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';

function sample() {
  const hostile = cell({ id: 'Note|update|stranger|owned', persona: 'stranger', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'allow', rule: 'Note#1', reason: 'only owners <img src=x onerror=alert(1)>' });
  hostile.requestId = 'req-0001';
  hostile.evidence = {
    request: { url: 'http://127.0.0.1:4000/graphql', headers: { authorization: '[JWT redacted, 981 chars]', 'content-type': 'application/json' }, body: { query: 'mutation { updateNote(input: {id: "1"}) { id } }' } },
    response: { status: 200, requestId: 'req-0001', body: { data: { updateNote: { id: '1', note: 'x'.repeat(5000) } } } },
  };
  return report([...noteCells(), hostile], {
    untested: [{ id: 'Note|get|owner|shared', persona: 'owner', model: 'Note', operation: 'get', expected: 'allow', reason: 'nobody in the cast can create a shared record' }],
    only: ['Note'],
  });
}

describe('audit report', () => {
  const html = renderAuditHtml(sample(), { resultsSha256: 'ab'.repeat(32), generatedAt: '2026-11-22T11:00:00.000Z' });

  it('states what was run, against what, with which tool and when', () => {
    for (const text of ['notes/schema.graphql', 'sha256:00112233445566778899aabbccddeeff', 'emulated: embedded emulator', 'authmatrix 0.1.0',
      '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:04.200Z', 'ab'.repeat(32), 'apiKey, userPool (default userPool)', 'only Note']) {
      expect(html).toContain(text);
    }
    expect(html).toContain('<span class="fail">FAILED</span>');
  });

  it('lists the personas with how they were provisioned, the rules, findings and coverage', () => {
    expect(html).toContain('<td>owner</td><td class="n">owner</td><td>user-pool user who owns the owned fixtures</td><td>user-pool access token minted by the emulator for &quot;owner&quot;</td>');
    expect(html).toContain('Note#1: owner via ownerField `owner`, claim `sub::username` [create, update, delete, get, list, listen, sync, search]');
    expect(html).toMatch(/<h2>5\. Findings<\/h2>\s*(<table>|<p>No risky-rule findings\.<\/p>)/);
    expect(html).toContain('<td>rules seen allowing and denying</td><td class="n">3/5</td><td class="n">60%</td>');
  });

  it('says what was not tested', () => {
    const section = html.slice(html.indexOf('7. What was not tested'), html.indexOf('8. The matrix'));
    expect(section).toContain('the deployed AppSync API itself was not exercised');
    expect(section).toContain('Only cells matching Note were run');
    expect(section).toContain('Note.secret#1 (never seen denying)');
    expect(section).toContain('1 cell(s) got no auth outcome (error)');
    expect(section).toContain('nobody in the cast can create a shared record');
  });

  it('holds the full matrix with evidence, escaped and trimmed', () => {
    const matrix = html.slice(html.indexOf('8. The matrix'));
    expect(matrix.match(/<tr><td><span class="mono">Note\|/g)).toHaveLength(8);
    expect(matrix).toContain('only owners &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(matrix).toContain('authorization: [JWT redacted, 981 chars]');
    expect(matrix).toContain('HTTP 200 · request id req-0001');
    expect(matrix).toMatch(/x{1000,}… \(\d+ characters; in full in results\.json\)/);
  });

  it('writes audit.pdf with Chromium, and says why not without it', async () => {
    expect(existsSync(CHROMIUM), 'Chromium is missing: apt-get install -y chromium').toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-audit-'));
    const done = await writeAudit(sample(), dir, '{}', { chromium: CHROMIUM });
    expect(done).toEqual({ files: [path.join(dir, 'audit.html'), path.join(dir, 'audit.pdf')], notes: [] });
    const pdf = readFileSync(path.join(dir, 'audit.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    const none = mkdtempSync(path.join(tmpdir(), 'authmatrix-audit-'));
    expect(await writeAudit(sample(), none, '{}', { chromium: null })).toEqual({
      files: [path.join(none, 'audit.html')],
      notes: ['audit.pdf not written: Chromium is not installed (apt-get install chromium, or set AUTHMATRIX_CHROMIUM to its path)'],
    });
    expect(existsSync(path.join(none, 'audit.pdf'))).toBe(false);
  }, 60_000);
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
