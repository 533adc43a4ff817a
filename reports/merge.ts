/**
 * `authmatrix report --merge`: the results of `run --shard i/n` on several runners, combined into the
 * report an unsharded run would have written: cells in the unsharded order, totals recomputed,
 * contracts and the gate combined, the earliest start and the latest end.
 */
import type { CellResult } from '../harness/matrix/verdict.js';
import { InputError } from '../harness/schema/errors.js';
import { checkCoverage, coverageOf } from './coverage.js';
import { RESULTS_FORMAT, RESULTS_VERSION, totalsOf, type ContractOutcome, type RunReport } from './results.js';

export interface Labeled {
  /** Where the report came from (a file path), for error messages. */
  source: string;
  report: RunReport;
}

function fail(message: string, source: string | undefined, fix: string): never {
  throw new InputError(message, source ? { file: source } : undefined, fix);
}

function check(inputs: Labeled[]): void {
  if (!inputs.length) fail('nothing to merge', undefined, 'pass the output directories of the shards: authmatrix report --merge shard-1 shard-2 …');
  for (const { source, report } of inputs) {
    if (report?.format !== RESULTS_FORMAT) fail('not an authmatrix results.json', source, 'pass the output directories (or results.json files) of `authmatrix run`');
    if (report.version !== RESULTS_VERSION) fail(`results version ${String(report.version)}, expected ${RESULTS_VERSION}`, source, 'run every shard with the same authmatrix version');
  }
  const [first, ...rest] = inputs as [Labeled, ...Labeled[]];
  const same = (what: string, get: (r: RunReport) => unknown, fix: string) => {
    const want = JSON.stringify(get(first.report));
    for (const x of rest) {
      const got = JSON.stringify(get(x.report));
      if (got !== want) fail(`${what} ${got ?? 'none'} differs from ${want ?? 'none'} in ${first.source}`, x.source, fix);
    }
  };
  same('schema hash', (r) => r.schema.hash, 'merge shards of one run: every shard must test the same schema');
  same('tool version', (r) => r.tool.version, 'run every shard with the same authmatrix version');
  same('target', (r) => r.target, 'merge shards run against the same target');
  same('--only', (r) => r.only ?? [], 'run every shard with the same --only');
  if (inputs.length === 1 && !first.report.shard) return;
  const count = first.report.shard?.count;
  const seen = new Map<number, string>();
  for (const { source, report } of inputs) {
    if (!report.shard) fail('not a shard (run without --shard)', source, 'merge the results of `authmatrix run --shard i/n`, one per shard');
    if (report.shard.count !== count) fail(`shard ${report.shard.index}/${report.shard.count} is not one of ${count}`, source, 'merge shards of the same --shard i/n split');
    const dup = seen.get(report.shard.index);
    if (dup) fail(`shard ${report.shard.index}/${count} is given twice (also ${dup})`, source, 'pass each shard once');
    seen.set(report.shard.index, source);
  }
  const missing = Array.from({ length: count! }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) fail(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`, undefined, `pass the results of all ${count} shards (a missing shard would leave cells untested)`);
}

/** Cells in the unsharded order: by their recorded positions, else shard by shard. */
function orderedCells(inputs: Labeled[]): CellResult[] {
  const withPositions = inputs.every(({ report }) => report.positions?.length === report.cells.length);
  const placed = inputs.flatMap(({ report }, shard) => report.cells.map((cell, i) => ({ cell, key: withPositions ? report.positions![i]! : shard * 1e9 + i })));
  placed.sort((a, b) => a.key - b.key);
  const ids = new Map<string, number>();
  for (const { cell } of placed) ids.set(cell.id, (ids.get(cell.id) ?? 0) + 1);
  const dup = [...ids].find(([, n]) => n > 1);
  if (dup) fail(`cell ${dup[0]} is in more than one shard`, undefined, 'merge the shards of one run (each cell runs in exactly one shard)');
  return placed.map((p) => p.cell);
}

/**
 * One statement's outcomes from every shard, as one: broken the worst way any shard found, with every
 * violation, and unchecked only where no shard ran the cell. Each shard judged the cells it ran and
 * took the others by their expectation, so a shard that found nothing wrong says nothing against the others.
 */
function mergeStatement(parts: ContractOutcome[]): ContractOutcome {
  const first = parts[0]!;
  const broken = parts.some((p) => p.broken === 'static') ? 'static' : parts.some((p) => p.broken === 'dynamic') ? 'dynamic' : false;
  const deciding = parts.filter((p) => p.broken === broken);
  const order = new Map(first.cells.map((id, i) => [id, i]));
  const byCell = new Map<string, ContractOutcome['violations'][number]>();
  for (const v of deciding.flatMap((p) => p.violations)) if (!byCell.has(v.cell) || v.observed) byCell.set(v.cell, v);
  const violations = [...byCell.values()].sort((x, y) => (order.get(x.cell) ?? 0) - (order.get(y.cell) ?? 0));
  const unchecked = first.cells.filter((id) => parts.every((p) => p.unchecked?.includes(id)));
  const { unchecked: _u, explanation: _e, ...rest } = first;
  const explanation = broken ? deciding[0]!.explanation : holds(first, unchecked.length);
  return { ...rest, broken, violations, ...(explanation ? { explanation } : {}), ...(unchecked.length ? { unchecked } : {}) };
}

/** The explanation of a statement that holds, in the words harness/contracts gives it. */
function holds(k: ContractOutcome, unchecked: number): string | undefined {
  if (!k.explanation?.startsWith('holds on the endpoint')) return k.explanation;
  const n = k.cells.length;
  return `holds on the endpoint (${n - unchecked} of ${n} cell${n === 1 ? '' : 's'} observed, the rest expected)`;
}

function mergeContracts(all: ContractOutcome[]): ContractOutcome[] {
  const byStatement = new Map<string, ContractOutcome[]>();
  for (const k of all) {
    const key = JSON.stringify([k.file, k.line ?? null, k.contract, k.statement]);
    byStatement.set(key, [...(byStatement.get(key) ?? []), k]);
  }
  return [...byStatement.values()].map(mergeStatement);
}

function mergeGate(reports: RunReport[], merged: RunReport): RunReport['gate'] {
  const gates = reports.map((r) => r.gate).filter((g): g is NonNullable<RunReport['gate']> => !!g);
  if (!gates.length) return undefined;
  const pick = <K extends 'baseline' | 'findings' | 'minCoverage'>(k: K) => gates.find((g) => g[k])?.[k];
  const baseline = pick('baseline');
  const findings = pick('findings');
  const minCoverage = pick('minCoverage');
  // A shard's coverage is partial: coverage is judged again on the merged run.
  const failures = [...new Set(gates.flatMap((g) => g.failures).filter((f) => !f.startsWith('coverage:')))];
  if (minCoverage) failures.push(...checkCoverage(coverageOf(merged), minCoverage));
  return { failures, ...(baseline ? { baseline } : {}), ...(findings ? { findings } : {}), ...(minCoverage ? { minCoverage } : {}) };
}

/** The endpoint's counters, summed over the shards (each shard creates its own fixtures). */
function mergeStats(reports: RunReport[]): RunReport['stats'] {
  if (!reports.every((r) => r.stats)) return undefined;
  const sum = (k: keyof NonNullable<RunReport['stats']>) => reports.reduce((n, r) => n + r.stats![k], 0);
  return { requests: sum('requests'), subscriptionStarts: sum('subscriptionStarts'), fixtureRecords: sum('fixtureRecords'), fixtureRequests: sum('fixtureRequests') };
}

export function mergeLabeled(inputs: Labeled[]): RunReport {
  check(inputs);
  const reports = [...inputs].sort((a, b) => (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0));
  const all = reports.map((x) => x.report);
  const first = all[0]!;
  const cells = orderedCells(reports);
  const untested = [...new Map(all.flatMap((r) => r.untested).map((u) => [u.id, u])).values()];
  const personas = [...new Map(all.flatMap((r) => r.personas).map((p) => [p.name, p])).values()];
  const { shard: _shard, positions: _positions, gate: _gate, stats: _stats, ...base } = first;
  const merged: RunReport = {
    ...base,
    startedAt: all.map((r) => r.startedAt).sort()[0]!,
    finishedAt: all.map((r) => r.finishedAt).sort().at(-1)!,
    personas,
    totals: totalsOf(cells, untested.length),
    cells,
    untested,
    contracts: mergeContracts(all.flatMap((r) => r.contracts)),
    fixtures: Object.assign({}, ...all.map((r) => r.fixtures)) as Record<string, string>,
  };
  const stats = mergeStats(all);
  if (stats) merged.stats = stats;
  const gate = mergeGate(all, merged);
  return gate ? { ...merged, gate } : merged;
}

/** Merges shard reports (any order) into the report of the unsharded run. */
export function mergeReports(reports: RunReport[]): RunReport {
  return mergeLabeled(reports.map((report, i) => ({ source: `report ${i + 1}`, report })));
}

