/**
 * The gate's checks besides the cells and the contracts: permission changes against a committed
 * snapshot (`--baseline`), risky-rule findings (`--fail-on`), and coverage thresholds (`--min-coverage`).
 */
import path from 'node:path';
import type { Persona } from '../matrix/cast.js';
import type { Cell } from '../matrix/cells.js';
import { diffSummary, gateFailures, diffSnapshots } from '../snapshot/permission-diff.js';
import { readSnapshot, snapshotOf, type Snapshot } from '../snapshot/snapshot.js';
import { atLeast, failsOn, type Severity } from '../lint/finding.js';
import { findings } from '../lint/lint.js';
import type { AuthModel } from '../schema/model.js';
import type { RunReport } from '../../reports/results.js';

export interface GateOptions {
  baseline?: string;
  allowWidening?: boolean;
  failOn?: Severity;
}

/** Reads what the gate compares against, before anything starts: a bad baseline is bad input. */
export function loadBaseline(file: string | undefined): Snapshot | undefined {
  return file ? readSnapshot(path.resolve(file)) : undefined;
}

/** `cells`: the expected matrix of `cast` (computed once by the run, when a baseline asks for it). */
export function gateOf(model: AuthModel, cast: Persona[], cells: () => Cell[], baseline: Snapshot | undefined, opts: GateOptions): NonNullable<RunReport['gate']> {
  const failures: string[] = [];
  const gate: NonNullable<RunReport['gate']> = { failures };
  if (baseline && opts.baseline) {
    const changes = diffSnapshots(baseline, snapshotOf(model, cast, cells()));
    gate.baseline = { file: opts.baseline, changes };
    const wider = gateFailures(changes);
    if (wider.length && !opts.allowWidening) failures.push(`access widened against ${opts.baseline}: ${diffSummary(changes)} (refresh the baseline with \`authmatrix snapshot\` if intended, or pass --allow-widening)`);
  }
  const items = findings(model);
  gate.findings = { items, ...(opts.failOn ? { failOn: opts.failOn } : {}) };
  if (failsOn(items, opts.failOn)) {
    const hit = items.filter((f) => atLeast(f.severity, opts.failOn!));
    failures.push(`${hit.length} finding(s) at or above ${opts.failOn}: ${hit.slice(0, 3).map((f) => f.title).join('; ')}${hit.length > 3 ? '; …' : ''} (see \`authmatrix lint\`)`);
  }
  return gate;
}
