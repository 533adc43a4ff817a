/** The reports of a real run of examples/blog (every strategy and provider) through `authmatrix run`. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageOf, type Coverage } from '../../reports/coverage.js';
import { COVERAGE_DIMENSIONS } from '../../reports/coverage-dimensions.js';
import type { RunReport } from '../../reports/results.js';
import { renderAuditHtml } from '../../reports/audit.js';
import { sharedRun } from '../cli/cli.js';
import { validJunit } from './junit-schema.js';

let run: Awaited<ReturnType<typeof sharedRun>>;
const read = (f: string) => readFileSync(path.join(run.out, f), 'utf8');
let report: RunReport;

beforeAll(async () => {
  run = await sharedRun(['run', '--schema', 'examples/blog']);
  report = JSON.parse(read('results.json')) as RunReport;
}, 120_000);

describe('authmatrix run on examples/blog', () => {
  it('writes every report and prints the coverage table under the summary', () => {
    expect(run.code, run.stderr).toBe(0);
    for (const f of ['results.json', 'junit.xml', 'summary.md', 'index.html', 'coverage.json']) expect(existsSync(path.join(run.out, f)), f).toBe(true);
    expect(run.stdout).toMatch(/PASSED {2}\d+\/\d+ cells match[^\n]*\n\nCoverage +covered +%\n {2}rules seen allowing and denying +26\/26 +100%\n/);
  });

  it('covers every rule both ways, every operation, field, persona, mode, event and custom operation', () => {
    const coverage = JSON.parse(read('coverage.json')) as Coverage;
    expect(coverage).toEqual(coverageOf(report));
    const totals = Object.fromEntries(COVERAGE_DIMENSIONS.map((d) => [d, [coverage.dimensions[d].covered, coverage.dimensions[d].total]]));
    expect(totals).toEqual({ rules: [26, 26], operations: [40, 40], fields: [3, 3], personas: [19, 19], modes: [5, 5], events: [15, 15], customOperations: [3, 3], restMethods: [0, 0], restAuthorizers: [0, 0], storage: [0, 0] });
  });

  it('loses the deny side of every rule that can deny when no denial is seen', () => {
    // Every denial answered with an error instead: the oracle still says which rules refused, nothing showed it.
    const cells = report.cells.map((c) => (c.observed === 'deny' ? { ...c, observed: 'error' as const, pass: false } : c));
    const allowsOnly = coverageOf({ ...report, cells }).dimensions.rules;
    expect(allowsOnly.covered).toBeLessThan(26);
    expect(allowsOnly.uncovered.every((u) => u.missing === 'never seen denying')).toBe(true);
    expect(allowsOnly.uncovered.map((u) => u.item)).toEqual(expect.arrayContaining(['Post#1', 'Post#3', 'Project#1', 'Ticket#2']));
  });

  it('writes JUnit XML valid against the schema, one testcase per cell', async () => {
    const xml = read('junit.xml');
    expect(await validJunit(xml)).toEqual({ valid: true, errors: [] });
    const cases = [...xml.matchAll(/<testcase name="([^"]*)" classname="authmatrix\.(?!contracts")/g)].map((m) => m[1]!);
    const ids = [...report.cells.map((c) => c.id), ...report.untested.map((u) => u.id)];
    expect([...cases].sort()).toEqual([...ids].sort());
    expect(xml).toMatch(/<testsuite name="Post" id="0" tests="\d+" failures="0" errors="0" skipped="0"/);
  });

  it('summarizes the run for a pull request', () => {
    const md = read('summary.md');
    expect(md.startsWith('## authmatrix: ✅ passed\n')).toBe(true);
    expect(md).toContain(`| ${report.totals.cells} | ${report.totals.passed} | 0 | 0 | ${report.totals.untested} |`);
    expect(md).toContain('| rules seen allowing and denying | 26/26 | 100% | – |');
  });

  it('renders no credential in any report', () => {
    const jwt = /eyJ[\w-]{8,}\.[\w-]{8,}\./;
    const apiKey = /\bda2-(?!\[redacted\])[a-z0-9]{20,}/;
    const sigv4 = /Signature=[0-9a-f]{16,}/;
    const files = ['results.json', 'junit.xml', 'summary.md', 'index.html', 'coverage.json'].map(read);
    files.push(renderAuditHtml(report, { resultsSha256: 'x' }));
    for (const text of files) {
      expect(text).not.toMatch(jwt);
      expect(text).not.toMatch(apiKey);
      expect(text).not.toMatch(sigv4);
    }
    // The evidence is there, redacted.
    expect(read('index.html')).toContain('da2-[redacted]');
  });
});
