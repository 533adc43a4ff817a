/**
 * `results.json`: everything a run found, the single source every other report is rendered from (and
 * what `authmatrix report --merge` combines). Secrets never reach it: request headers are redacted by
 * the client, and the personas are described by how they were provisioned, not by their credentials.
 */
import { createHash } from 'node:crypto';
import { basename, isAbsolute, relative } from 'node:path';
import type { CellResult } from '../harness/matrix/verdict.js';
import type { AuthModel } from '../harness/schema/model.js';
import type { PermissionChange } from '../harness/snapshot/permission-diff.js';
import type { Finding, Severity } from '../harness/lint/finding.js';

export const RESULTS_FORMAT = 'authmatrix-results';
export const RESULTS_VERSION = 1;

export interface PersonaReport {
  name: string;
  kind: string;
  description: string;
  /** How its credentials were obtained (never the credentials). */
  provisioning: string;
  /** The groups it is in, when any (coverage tells group rules apart with them; else read from `groupMember:<group>`). */
  groups?: string[];
}

export interface UntestedCell {
  id: string;
  persona: string;
  model?: string;
  customOperation?: string;
  operation: string;
  expected: string;
  reason: string;
}

export interface ContractOutcome {
  contract: string;
  file: string;
  /** The statement's line in its file, when known. */
  line?: number;
  statement: string;
  /** One line: why it holds or breaks. */
  explanation?: string;
  /** Cells the run did not execute (--only, --shard), judged by their expectation only. */
  unchecked?: string[];
  /** `static`: broken by the expected matrix itself; `dynamic`: by what the endpoint did. */
  broken: false | 'static' | 'dynamic';
  cells: string[];
  /** The cells that break it, with the rules to blame. */
  violations: { cell: string; expected: string; observed?: string; rule: string | null; reason: string; why?: string }[];
}

export interface RunTotals {
  cells: number;
  passed: number;
  mismatches: number;
  /** Cells whose answer was not an auth outcome (a subset of mismatches). */
  errors: number;
  untested: number;
}

export interface RunReport {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  tool: { name: 'authmatrix'; version: string };
  schema: { path: string; hash: string; source: string };
  /** The AuthModel the run was derived from (paths relative to the working directory): rules, operations, fields, modes. */
  model: AuthModel;
  target: { kind: 'emulated' | 'deployed'; endpoint: string };
  startedAt: string;
  finishedAt: string;
  shard?: { index: number; count: number };
  /**
   * A shard's cells' places in the unsharded matrix (parallel to `cells`), so that
   * `authmatrix report --merge` restores the unsharded order.
   */
  positions?: number[];
  /** `--only` filters, when some were given. */
  only?: string[];
  /** The run was stopped before every planned cell ran (Ctrl-C): `cells` holds those that finished. */
  interrupted?: { signal: NodeJS.Signals; cellsRun: number; cellsPlanned: number };
  personas: PersonaReport[];
  totals: RunTotals;
  cells: CellResult[];
  untested: UntestedCell[];
  contracts: ContractOutcome[];
  /** What the run cost the endpoint (emulated target: counted by the emulator). */
  stats?: { requests: number; subscriptionStarts: number; fixtureRecords: number; fixtureRequests: number };
  /** The labels of the fixture records: `Post|owned` → "owner's record". */
  fixtures: Record<string, string>;
  /** The gate's extra checks, when asked for (`--baseline`, `--fail-on`, `--min-coverage`), and why it failed. */
  gate?: {
    /** Permission changes against the committed snapshot. */
    baseline?: { file: string; changes: PermissionChange[] };
    /** Risky-rule findings (always listed; `failOn` when `--fail-on` was given). */
    findings?: { items: Finding[]; failOn?: Severity };
    /** Coverage thresholds asked for, e.g. `{ rules: 100, operations: 100 }`. */
    minCoverage?: Record<string, number>;
    /** One line per reason the gate failed besides mismatches and broken contracts. */
    failures: string[];
  };
}

/** A stable hash of what the schema says about access, the same on every machine (paths are left out). */
export function schemaHash(auth: AuthModel): string {
  return `sha256:${createHash('sha256').update(canonicalJson({ ...auth, source: auth.source.kind })).digest('hex').slice(0, 32)}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  // Handler modules are absolute paths: keep the file name only.
  if (typeof v === 'string' && isAbsolute(v)) return JSON.stringify(basename(v));
  return JSON.stringify(v) ?? 'null';
}

/** The model with its file paths made relative, so that reports do not carry the machine's layout. */
export function portableModel(auth: AuthModel, cwd = process.cwd()): AuthModel {
  // REST resource paths (`/items`) look absolute but are URL paths.
  return JSON.parse(JSON.stringify(auth, (k, v: unknown) => (typeof v === 'string' && k !== 'resourcePath' && isAbsolute(v) ? relative(cwd, v) || '.' : v))) as AuthModel;
}

export function totalsOf(cells: CellResult[], untested: number): RunTotals {
  const passed = cells.filter((c) => c.pass).length;
  return { cells: cells.length, passed, mismatches: cells.length - passed, errors: cells.filter((c) => !c.pass && c.observed === 'error').length, untested };
}
