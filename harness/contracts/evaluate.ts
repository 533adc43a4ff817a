/**
 * Checking contracts: statically against the expected matrix (no endpoint), and dynamically against
 * what the endpoint did (the run's cell results). A statement holds when every probe is as its role
 * says; otherwise the outcome names each cell that breaks it, with the rule and reason that decided the
 * cell (the rules to blame). A cell that errored makes the statement unverifiable, which counts as broken.
 */
import type { Cell } from '../matrix/cells.js';
import type { Observed } from '../matrix/classify.js';
import type { ContractOutcome } from '../../reports/results.js';
import type { Plan, Probe } from './plan.js';
import { MatrixIndex, planStatement, type ContractMatrix } from './select.js';
import { namesWords, type Contract } from './statement.js';

/**
 * The observed side of a cell, as the runner records it (`CellResult` fits). `seen`, `deniedFields` and
 * `nulledFields` are read when present; without them a mismatching list or partial answer cannot show
 * which records or fields came back, and a statement that depends on it is unverifiable.
 */
export interface ObservedCell {
  id: string;
  observed: Observed;
  pass: boolean;
  summary?: string;
  detail?: string;
  seen?: string[];
  deniedFields?: string[];
  nulledFields?: string[];
}

export type Violation = ContractOutcome['violations'][number] & {
  /** What the cell does that breaks the statement: "sees owned", "allow", "returns ssn", "errored: …". */
  why: string;
};

/** A `ContractOutcome` with the details a reader needs (all optional in results.json). */
export interface ContractVerdict extends ContractOutcome {
  line?: number;
  /** One line: why it holds or breaks. */
  explanation: string;
  violations: Violation[];
  /** Cells the run did not execute (--only, --shard): judged by their expectation only. */
  unchecked?: string[];
}

/** What a cell shows: its outcome, the records seen (lists, relations) and the fields withheld. `undefined`: unknown. */
interface View {
  outcome: Observed;
  seen: string[] | 'all' | undefined;
  denied: string[] | undefined;
  redacted: string[] | undefined;
  summary: string;
  /** The view is the expectation (no result, or a result that matched it down to the detail). */
  expected: boolean;
}

type Grant = true | false | 'unknown';

/**
 * Checks every statement of every contract. Without results: against the expected matrix (`broken:
 * 'static'`). With results: a statement the matrix itself breaks is still `static`; one the endpoint
 * breaks is `dynamic`. Throws a one-line InputError for a statement that names something unknown or
 * selects no cells.
 */
export function checkContracts(contracts: Contract[], matrix: ContractMatrix, results?: ObservedCell[]): ContractVerdict[] {
  const ix = new MatrixIndex(matrix);
  const observed = results ? new Map(results.map((r) => [r.id, r])) : undefined;
  const expectedView = (c: Cell) => staticView(c);
  const observedView = (c: Cell) => {
    const r = observed?.get(c.id);
    return r ? dynamicView(c, r) : staticView(c);
  };
  const out: ContractVerdict[] = [];
  for (const contract of contracts) {
    for (const statement of contract.statements) {
      const plan = planStatement(ix, statement, contract.file);
      const ids = [...new Set(plan.probes.map((p) => p.cell.id))];
      const base = { contract: contract.name, file: contract.file, ...(statement.line ? { line: statement.line } : {}), statement: statement.text, cells: ids };
      let violations = evaluate(plan, ix, expectedView);
      let broken: ContractVerdict['broken'] = violations.length ? 'static' : false;
      if (!broken && observed) {
        violations = evaluate(plan, ix, observedView);
        broken = violations.length ? 'dynamic' : false;
      }
      if (observed) for (const v of violations) if (observed.has(v.cell)) v.observed = observed.get(v.cell)!.observed;
      const unchecked = observed ? ids.filter((id) => !observed.has(id)) : [];
      out.push({
        ...base,
        broken,
        violations,
        explanation: broken ? explain(plan, violations) : holds(ids.length, observed ? ids.length - unchecked.length : undefined),
        ...(unchecked.length ? { unchecked } : {}),
      });
    }
  }
  return out;
}

function holds(cells: number, observed: number | undefined): string {
  if (observed === undefined) return `holds on the expected matrix (${cells} cell${cells === 1 ? '' : 's'})`;
  return `holds on the endpoint (${observed} of ${cells} cell${cells === 1 ? '' : 's'} observed, the rest expected)`;
}

function staticView(c: Cell): View {
  const d = c.decision;
  return { outcome: c.expected, seen: d.visibleIds ?? 'all', denied: d.deniedFields ?? [], redacted: d.redactedFields ?? [], summary: c.expected, expected: true };
}

/** A cell that passed shows exactly what was expected; one that did not shows only what the result records. */
function dynamicView(c: Cell, r: ObservedCell): View {
  if (r.pass) return { ...staticView(c), summary: r.summary ?? r.observed };
  const isList = c.operation === 'list';
  return {
    outcome: r.observed,
    seen: r.seen ?? (r.observed === 'allow' && isList ? 'all' : undefined),
    denied: r.deniedFields ?? (r.observed === 'allow' ? [] : undefined),
    redacted: r.nulledFields,
    summary: `${r.observed}${r.summary ? ` (${r.summary})` : ''}`,
    expected: false,
  };
}

const refused = (v: View) => v.outcome === 'deny' || v.outcome === 'invalid';

/** Whether a field comes back on a single record (a get, an event). */
function fieldReturned(v: View, field: string): Grant {
  if (v.outcome === 'error') return 'unknown';
  if (refused(v)) return false;
  if (v.denied === undefined) return 'unknown';
  if (v.denied.includes(field)) return false;
  if (v.redacted === undefined) return 'unknown';
  return !v.redacted.includes(field);
}

function grantOf(p: Probe, ix: MatrixIndex, v: View): Grant {
  if (v.outcome === 'error') return 'unknown';
  if (refused(v)) return false;
  switch (p.kind) {
    case 'action':
      return true;
    case 'record':
    case 'event':
      return p.field ? fieldReturned(v, p.field) : true;
    case 'children':
      return v.seen === undefined ? 'unknown' : v.seen === 'all' || v.seen.length > 0;
    case 'seen': {
      if (v.seen === undefined) return 'unknown';
      if (v.seen !== 'all' && !v.seen.includes(p.record!)) return false;
      if (!p.field) return true;
      // Lists and relation reads name the fields they withhold across all their records. When the answer
      // is the expected one, the expected get of the same record tells which records hold the field back.
      if (v.denied === undefined || v.redacted === undefined) return 'unknown';
      if (!v.denied.includes(p.field) && !v.redacted.includes(p.field)) return true;
      const model = p.cell.kind === 'relation' ? relationModel(ix, p.cell) : p.cell.model!;
      const sibling = siblingGet(ix, model, p.persona, p.record!, p.field);
      return sibling && v.expected ? fieldReturned(staticView(sibling), p.field) : 'unknown';
    }
  }
}

function relationModel(ix: MatrixIndex, c: Cell): string {
  return ix.modelNamed(c.model!)!.fields.find((f) => f.name === c.field)!.relation!.model;
}

/** The persona's get of that record: the field cell when the field has one, else the model's get. */
function siblingGet(ix: MatrixIndex, model: string, persona: string, record: string, field: string): Cell | undefined {
  return ix.byId.get(`${model}|get|${persona}|${record}|${field}`) ?? ix.byId.get(`${model}|get|${persona}|${record}`);
}

function evaluate(plan: Plan, ix: MatrixIndex, view: (c: Cell) => View): Violation[] {
  const graded = plan.probes.map((p) => ({ p, grant: grantOf(p, ix, view(p.cell)) }));
  const bad = graded.filter(({ p, grant }) => (p.role === 'must' ? grant !== true : p.role === 'mustNot' ? grant !== false : false));
  // only (and REST's may, per request): each subject must be granted at least once; if not, all its probes are to blame.
  const some = graded.filter(({ p }) => p.role === 'some');
  for (const key of new Set(some.map(({ p }) => someKey(p)))) {
    const mine = some.filter(({ p }) => someKey(p) === key);
    if (!mine.some(({ grant }) => grant === true)) bad.push(...mine);
  }
  const byCell = new Map<string, Violation>();
  for (const { p, grant } of bad) {
    const why = describe(p, grant, view(p.cell));
    const v = byCell.get(p.cell.id);
    if (v) {
      if (!v.why.includes(why)) v.why += `; ${why}`;
      continue;
    }
    byCell.set(p.cell.id, { cell: p.cell.id, expected: p.cell.expected, rule: p.cell.rule, reason: p.cell.reason, why });
  }
  return [...byCell.values()];
}

/** What a probe's cell does, in a few words: what breaks the statement. */
function describe(p: Probe, grant: Grant, v: View): string {
  if (grant === 'unknown') {
    return v.outcome === 'error' ? `errored, so it cannot be verified: ${v.summary}` : `cannot tell${p.record ? ` whether it returns ${p.record}` : ''}${p.field ? ` whether ${p.field} comes back` : ''}: ${v.summary}`;
  }
  const on = p.record ? ` ${p.record}` : '';
  if (grant) {
    if (p.kind === 'seen') return `sees${on}${p.field ? ` with ${p.field}` : ''}`;
    if (p.kind === 'children') return 'returns related records';
    if (p.kind === 'event') return p.field ? `delivers the event with ${p.field}` : 'delivers the event';
    return p.field ? `returns ${p.field} (${v.outcome})` : v.outcome;
  }
  if (refused(v)) return v.outcome;
  if (p.kind === 'seen' && v.seen !== 'all' && !v.seen?.includes(p.record!)) return `does not see${on}`;
  if (p.kind === 'children') return 'returns no related record';
  return p.field ? `withholds ${p.field}${on ? ` on${on}` : ''} (${v.outcome})` : v.outcome;
}

const unverifiable = (v: Violation) => v.why.startsWith('errored') || v.why.startsWith('cannot tell');

function explain(plan: Plan, violations: Violation[]): string {
  const broken = new Set(violations.filter((v) => !unverifiable(v)).map((v) => v.cell));
  const hit = (role: Probe['role']) => plan.probes.filter((p) => p.role === role && broken.has(p.cell.id));
  const who = (ps: Probe[]) => namesWords([...new Set(ps.map((p) => p.persona))]);
  const parts: string[] = [];
  const forbidden = hit('mustNot');
  if (forbidden.length) parts.push(`${plan.statement.quantifier === 'only' ? 'also' : 'forbidden, but'} granted to ${who(forbidden)} in ${count(forbidden)}`);
  const required = hit('must');
  if (required.length) parts.push(`refused to ${who(required)} in ${count(required)}`);
  const missing = hit('some');
  for (const key of new Set(missing.map(someKey))) {
    const mine = missing.filter((p) => someKey(p) === key);
    parts.push(`${mine[0]!.persona} is granted it in none of its ${count(mine)}${mine[0]!.group ? ` for ${mine[0]!.group}` : ''}`);
  }
  const unknown = violations.filter(unverifiable).length;
  if (unknown) parts.push(`${unknown} cell${unknown === 1 ? '' : 's'} could not be verified`);
  return parts.join('; ');
}

const someKey = (p: Probe) => `${p.persona}\n${p.group ?? ''}`;

function count(ps: Probe[]): string {
  const n = new Set(ps.map((p) => p.cell.id)).size;
  return `${n} cell${n === 1 ? '' : 's'}`;
}
