/** Writes every report of a run into one directory: results.json, junit.xml, summary.md, index.html, coverage.json. */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Writes the reports into `dir` (created when missing). Each file is written aside, in a temporary
 * directory inside `dir`, and renamed into place: a reader, or a run stopped halfway, never sees half a
 * file. Returns the paths written.
 */
export function writeReports(report: RunReport, dir: string, coverage: Coverage = coverageOf(report)): string[] {
  mkdirSync(dir, { recursive: true });
  const aside = mkdtempSync(path.join(dir, '.authmatrix-writing-'));
  try {
    const files = Object.entries(renderReports(report, coverage));
    for (const [name, text] of files) writeFileSync(path.join(aside, name), text);
    return files.map(([name]) => {
      const file = path.join(dir, name);
      renameSync(path.join(aside, name), file);
      return file;
    });
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}

/** Where an interrupted run's reports go when the directory holds a complete run's. */
export const INTERRUPTED_DIR = 'interrupted';

/**
 * The reports of `authmatrix run`: a complete run's into `dir` (and the reports of an interrupted run
 * left in `dir/interrupted/` are removed); an interrupted run's into `dir` too, unless `dir` holds a
 * complete earlier run's reports, which only a complete run replaces: then into `dir/interrupted/`.
 * Returns the directory written.
 */
export function writeRunReports(report: RunReport, dir: string, coverage: Coverage = coverageOf(report)): string {
  const aside = path.join(dir, INTERRUPTED_DIR);
  if (!report.interrupted) {
    writeReports(report, dir, coverage);
    for (const name of REPORT_FILES) rmSync(path.join(aside, name), { force: true });
    try {
      rmdirSync(aside);
    } catch {
      // absent, or holding files that are not ours
    }
    return dir;
  }
  const into = holdsCompleteRun(dir) ? aside : dir;
  writeReports(report, into, coverage);
  return into;
}

function holdsCompleteRun(dir: string): boolean {
  try {
    return !(JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Partial<RunReport>).interrupted;
  } catch {
    return false;
  }
}
