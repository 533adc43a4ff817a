/**
 * `authmatrix report`: renders the reports of a run again from its results.json (`--results`), merges
 * the results of shards (`--merge <dirs...>`), and writes the audit report (`--audit`: audit.html, and
 * audit.pdf when Chromium is installed). Exit 0, or 1 when the run the reports show failed its gate
 * (mismatches, broken contracts, gate failures), as `authmatrix run` would have; bad input exits 2.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../schema/errors.js';
import { writeAudit } from '../../reports/audit.js';
import { coverageOf, renderCoverageTable } from '../../reports/coverage.js';
import { mergeLabeled, type Labeled } from '../../reports/merge.js';
import { RESULTS_FORMAT, type RunReport } from '../../reports/results.js';
import { runFailed } from '../../reports/summary-md.js';
import { terminalSummary } from '../../reports/terminal.js';
import { writeReports } from '../../reports/write.js';

export interface ReportOptions { results: string; merge?: string[]; audit?: boolean; out: string }

/** A results.json, given as the file or the directory `authmatrix run --out` wrote. */
function readResults(where: string): Labeled {
  let file = path.resolve(where);
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    throw new InputError('no such file or directory', { file: where }, 'pass a results.json or the --out directory of authmatrix run');
  }
  if (isDir) file = path.join(file, 'results.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('no results.json here', { file: where }, 'pass the --out directory of authmatrix run (it holds results.json)');
  }
  let report: RunReport;
  try {
    report = JSON.parse(text) as RunReport;
  } catch (e) {
    throw new InputError(`not JSON (${(e as Error).message})`, { file: path.relative(process.cwd(), file) || file }, 'pass a results.json written by authmatrix run');
  }
  if (report?.format !== RESULTS_FORMAT || !Array.isArray(report.cells)) {
    throw new InputError('not an authmatrix results.json', { file: path.relative(process.cwd(), file) || file }, 'pass a results.json written by authmatrix run');
  }
  return { source: path.relative(process.cwd(), file) || file, report };
}

export async function reportCommand(opts: ReportOptions): Promise<{ output: string; exitCode: number }> {
  const report = opts.merge?.length ? mergeLabeled(opts.merge.map(readResults)) : readResults(opts.results).report;
  const dir = path.resolve(opts.out);
  const files = writeReports(report, dir);
  const notes: string[] = [];
  if (opts.audit) {
    const audit = await writeAudit(report, dir, readFileSync(path.join(dir, 'results.json'), 'utf8'));
    files.push(...audit.files);
    notes.push(...audit.notes);
  }
  const shown = (f: string) => {
    const rel = path.relative(process.cwd(), f);
    return rel.startsWith('..') ? f : rel;
  };
  const lines = [
    terminalSummary(report, process.stdout.isTTY === true),
    '',
    renderCoverageTable(coverageOf(report), process.stdout.columns || 100),
    '',
    `${opts.merge?.length ? `Merged ${opts.merge.length} shard(s). ` : ''}Reports: ${files.map(shown).join(', ')}`,
    ...notes,
  ];
  return { output: lines.join('\n'), exitCode: runFailed(report) ? 1 : 0 };
}
