/**
 * What a reviewer reads first, computed from a run's results alone: the failures grouped by cause,
 * the cells that failed without an authorization outcome (problems of the run or of authmatrix, not
 * of the app's rules), each model's rules in words, and who may read, create and update each field
 * that has rules of its own. index.html and the audit report render these same structures.
 */
import type { Observed } from '../harness/matrix/classify.js';
import type { CellResult } from '../harness/matrix/verdict.js';
import type { AuthModel, Rule } from '../harness/schema/model.js';
import { short } from './matrix.js';
import type { RunReport } from './results.js';

const AUTH_OUTCOMES: ReadonlySet<Observed> = new Set(['allow', 'deny', 'filtered', 'partial']);

/** Did the endpoint answer with an authorization outcome? `invalid` and `conditionFailed` count where they were the expectation. */
export function authOutcome(c: CellResult): boolean {
  return AUTH_OUTCOMES.has(c.observed) || ((c.observed === 'invalid' || c.observed === 'conditionFailed') && c.expected === c.observed);
}

/** The section a cell belongs to: its model, its custom operation, or its kind's own section. */
export function subjectOf(c: Pick<CellResult, 'model' | 'customOperation' | 'kind'>): string {
  if (c.model) return c.model;
  if (c.customOperation) return CUSTOM_SECTION;
  return KIND_SECTIONS[c.kind] ?? c.kind;
}

export const CUSTOM_SECTION = 'Custom operations';
const KIND_SECTIONS: Partial<Record<CellResult['kind'], string>> = { probe: 'Credential probes', batch: 'Batched reads' };

// ---- rules in words ----------------------------------------------------------------------------

export interface RuleText {
  /** As cells cite it: `Post#2`, `Post.ssn#1`, `Query.ping#1`. */
  id: string;
  /** Its place among its siblings: `#2`. */
  label: string;
  /** "public access with the API key [read]". */
  text: string;
}

export function ruleText(r: Rule): RuleText {
  return { id: r.id, label: `#${r.id.slice(r.id.lastIndexOf('#') + 1)}`, text: short(r) };
}

/** Every rule by id, in words (what the page's panel and the failure groups quote). */
export function ruleTexts(auth: AuthModel): Map<string, RuleText> {
  const rules = [...auth.models.flatMap((m) => [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]), ...auth.customOperations.flatMap((o) => o.rules)];
  return new Map(rules.map((r) => [r.id, ruleText(r)]));
}

// ---- failures by cause -------------------------------------------------------------------------

/** Why a cell got no authorization outcome. */
export type ProblemKind = 'fixture' | 'handler' | 'validation' | 'data' | 'request' | 'other';

export const PROBLEMS: Record<ProblemKind, { title: string; explanation: string }> = {
  fixture: {
    title: 'a record the cell needed could not be created',
    explanation: 'The cell never reached the rule it tests: authmatrix could not create its fixture record. The fixture’s own error says why.',
  },
  handler: {
    title: 'a handler failed or could not load',
    explanation: 'AppSync decides authorization before a handler runs; the handler (a Lambda function or resolver code) then failed or could not be loaded, so no authorization outcome came back.',
  },
  validation: {
    title: 'the request did not validate',
    explanation: 'authmatrix sent a request the API does not accept (a missing required argument or field), so no rule decided it.',
  },
  data: {
    title: 'the data source refused the write',
    explanation: 'The write reached the table and the table refused it (a condition failed, e.g. a record with that key already exists): not an authorization outcome.',
  },
  request: {
    title: 'the request failed',
    explanation: 'A network error, a timeout or a server error: the endpoint gave no answer to judge.',
  },
  other: {
    title: 'another error',
    explanation: 'The answer is an error that is not an authorization refusal, so the cell proves nothing about the rules.',
  },
};

/** The kind of problem behind a cell without an authorization outcome, from what came back. */
export function problemKind(c: CellResult): ProblemKind {
  const s = c.summary;
  if (/^fixture \S+ was not created/.test(s)) return 'fixture';
  if (c.observed === 'invalid' || /Validation error|was not provided|of required type|is not valid|not a valid/i.test(s)) return 'validation';
  if (/^(Lambda:|InternalFailure|Code\b)|Cannot find module|Cannot return null for non-nullable|handler/i.test(s)) return 'handler';
  if (/ConditionalCheckFailed|DynamoDB:/i.test(s)) return 'data';
  if (/^the request failed|^HTTP 5\d\d|timed? ?out|ECONN|socket hang up/i.test(s)) return 'request';
  return 'other';
}

/** Error text with its variable parts (ids, numbers, quoted values) blanked, so that alike errors group. */
function normalized(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…')
    .replace(/"[^"]*"|'[^']*'/g, '"…"')
    .replace(/\b\d{4,}\b/g, 'n')
    .slice(0, 200);
}

/** What the operation of a cell is, with the kind of request where it is not a plain model operation. */
export function operationLabel(c: CellResult): string {
  const kind = c.kind === 'model' || c.kind === 'custom' ? '' : c.kind;
  const variant = c.variant?.split(':')[0];
  const extra = [kind, variant].filter(Boolean).join(', ');
  return extra ? `${c.operation} (${extra})` : c.operation;
}

export interface CauseGroup {
  /** `auth`: the endpoint gave another authorization outcome than the rules say; else the run's problem. */
  kind: 'auth' | ProblemKind;
  /** The rule that decided the cells (auth causes). */
  rule: string | null;
  /** The operations of its cells (one, for auth causes). */
  operations: string[];
  expected: string;
  observed: string;
  /** What the endpoint said, variable parts blanked (run problems). */
  said?: string;
  subjects: string[];
  personas: string[];
  /** Indexes into the report's cells; the first is the example. */
  cells: number[];
}

export interface Failures {
  /** Mismatches with an authorization outcome: the app's rules or the endpoint disagree with the oracle. */
  auth: CauseGroup[];
  /** Failed cells without an authorization outcome. */
  problems: CauseGroup[];
}

/** The failed cells, grouped by what they share, largest group first. */
export function failuresByCause(report: RunReport): Failures {
  const groups = new Map<string, CauseGroup>();
  report.cells.forEach((c, i) => {
    if (c.pass) return;
    const problem = authOutcome(c) ? null : problemKind(c);
    const operation = operationLabel(c);
    const subject = subjectOf(c);
    const said = problem ? normalized(c.summary) : undefined;
    // A rule names its model; cells no rule decided group across models.
    const key = problem ? `${problem}\0${said}` : `auth\0${c.rule}\0${operation}\0${c.expected}\0${c.observed}`;
    let g = groups.get(key);
    if (!g) {
      g = { kind: problem ?? 'auth', rule: problem ? null : c.rule, operations: [], expected: c.expected, observed: c.observed, ...(said ? { said } : {}), subjects: [], personas: [], cells: [] };
      groups.set(key, g);
    }
    g.cells.push(i);
    if (!g.operations.includes(operation)) g.operations.push(operation);
    if (!g.subjects.includes(subject)) g.subjects.push(subject);
    if (!g.personas.includes(c.persona)) g.personas.push(c.persona);
  });
  const all = [...groups.values()].sort((a, b) => b.cells.length - a.cells.length);
  return { auth: all.filter((g) => g.kind === 'auth'), problems: all.filter((g) => g.kind !== 'auth') };
}

// ---- field access ------------------------------------------------------------------------------

export const FIELD_OPERATIONS = [['read', 'get'], ['create', 'create'], ['update', 'update']] as const;
export type FieldOperation = (typeof FIELD_OPERATIONS)[number][0];

export interface Grant {
  persona: string;
  /** The records it may do it on (fixture names); empty for create, which names no record. */
  records: string[];
  /** It may on every record the run tried. */
  every: boolean;
  /** Its cells for this field and operation that did not match. */
  mismatches: number;
}

export interface FieldAccess {
  model: string;
  field: string;
  /** The field's own rules. */
  rules: RuleText[];
  /** Who may, by the rules (each with the records), for each operation the run has cells of. */
  access: Partial<Record<FieldOperation, Grant[]>>;
  /** Personas the endpoint let do it although the rules say no (mismatches). */
  unexpected: Partial<Record<FieldOperation, string[]>>;
}

/** A field cell says the field was granted: read back (get), or written (create, update). */
const granted = (outcome: string): boolean => outcome === 'allow' || outcome === 'partial';
const fieldGranted = (op: FieldOperation, outcome: string): boolean => (op === 'read' ? outcome === 'allow' : granted(outcome));

/** Who may read, create and update each field with rules of its own, from its field cells. */
export function fieldAccess(report: RunReport): FieldAccess[] {
  const byField = new Map<string, CellResult[]>();
  for (const c of report.cells) {
    if (c.kind !== 'field' || c.variant || !c.model || !c.field) continue;
    const key = `${c.model}.${c.field}`;
    const list = byField.get(key);
    if (list) list.push(c);
    else byField.set(key, [c]);
  }
  const out: FieldAccess[] = [];
  for (const m of report.model.models) {
    for (const f of m.fields) {
      const cells = byField.get(`${m.name}.${f.name}`);
      if (!cells || !f.rules) continue;
      const entry: FieldAccess = { model: m.name, field: f.name, rules: f.rules.map(ruleText), access: {}, unexpected: {} };
      for (const [op, operation] of FIELD_OPERATIONS) {
        const mine = cells.filter((c) => c.operation === operation);
        if (!mine.length) continue;
        const byPersona = new Map<string, CellResult[]>();
        for (const c of mine) byPersona.set(c.persona, [...(byPersona.get(c.persona) ?? []), c]);
        const grants: Grant[] = [];
        const unexpected: string[] = [];
        for (const [persona, list] of byPersona) {
          const allowed = list.filter((c) => fieldGranted(op, c.expected));
          if (allowed.length) {
            grants.push({ persona, records: allowed.map((c) => c.fixture).filter((x): x is string => !!x), every: list.length > 1 && allowed.length === list.length, mismatches: list.filter((c) => !c.pass).length });
          }
          if (list.some((c) => !fieldGranted(op, c.expected) && fieldGranted(op, c.observed))) unexpected.push(persona);
        }
        entry.access[op] = grants;
        if (unexpected.length) entry.unexpected[op] = unexpected;
      }
      out.push(entry);
    }
  }
  return out;
}
