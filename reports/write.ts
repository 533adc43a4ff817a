/** Writes every report of a run into one directory: results.json, junit.xml, summary.md, index.html, coverage.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coverageOf, type Coverage } from './coverage.js';
import { renderIndexHtml } from './html/index.js';
import { renderJunit } from './junit.js';
import type { RunReport } from './results.js';
import { scrubReport } from './scrub.js';
import { renderSummaryMd } from './summary-md.js';

export const REPORT_FILES = ['results.json', 'junit.xml', 'summary.md', 'index.html', 'coverage.json'] as const;

/** The files' contents, rendered from the report alone (secrets that slipped into its evidence redacted). */
export function renderReports(given: RunReport, coverage: Coverage = coverageOf(given)): Record<(typeof REPORT_FILES)[number], string> {
  const report = scrubReport(given);
  return {
    'results.json': JSON.stringify(report) + '\n',
    'junit.xml': renderJunit(report),
    'summary.md': renderSummaryMd(report, coverage),
    'index.html': renderIndexHtml(report, coverage),
    'coverage.json': JSON.stringify(coverage, null, 2) + '\n',
  };
}

/** Writes the reports into `dir` (created when missing); returns the paths written. */
export function writeReports(report: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderReports(report)).map(([name, text]) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  });
}
