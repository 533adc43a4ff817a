/**
 * Coverage of a run: what the cells exercised on the endpoint, per dimension (rules, operations, fields
 * with rules, personas, auth modes, subscription events, custom operations), with the items left
 * uncovered and why. Computed from the RunReport alone, so it is the same for a merged run and an
 * unsharded one. The definitions are in the README (### Reports).
 */
import { InputError } from '../harness/schema/errors.js';
import type { CellResult } from '../harness/matrix/verdict.js';
import type { AuthMode, AuthModel, Model, ModelOperation, Rule } from '../harness/schema/model.js';
import type { RunReport } from './results.js';
import { authOutcome } from './review.js';

export const COVERAGE_DIMENSIONS = ['rules', 'operations', 'fields', 'personas', 'modes', 'events', 'customOperations'] as const;
export type CoverageDimension = (typeof COVERAGE_DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<CoverageDimension, string> = {
  rules: 'rules seen allowing and denying',
  operations: 'model operations',
  fields: 'fields with rules, read and written',
  personas: 'personas',
  modes: 'auth modes',
  events: 'subscription events delivered and withheld',
  customOperations: 'custom operations',
};

export interface Uncovered {
  item: string;
  /** What was not seen, e.g. `never seen denying`. */
  missing: string;
}

/** An item that does not count: `not selected` (left out by --only), `cannot be reached` (nothing to see). */
export interface Excluded {
  item: string;
  why: string;
}

export interface DimensionCoverage {
  covered: number;
  total: number;
  /** Rounded down to one decimal, so that 99.96 % never shows as 100 %; 100 when there is nothing to cover. */
  percent: number;
  uncovered: Uncovered[];
  /** Items left out of the total, and why. */
  excluded: Excluded[];
}

export interface Coverage {
  format: 'authmatrix-coverage';
  version: 1;
  schema: { path: string; hash: string };
  dimensions: Record<CoverageDimension, DimensionCoverage>;
}

/** An item to cover: what is missing, or why it does not count at all. */
type Check = { item: string; missing: string[]; excluded?: string };

function dimension(checks: Check[]): DimensionCoverage {
  const counted = checks.filter((c) => !c.excluded);
  const uncovered = counted.filter((c) => c.missing.length).map((c) => ({ item: c.item, missing: c.missing.join(', ') }));
  const total = counted.length;
  const covered = total - uncovered.length;
  return {
    covered,
    total,
    percent: total ? Math.floor((covered * 1000) / total) / 10 : 100,
    uncovered,
    excluded: checks.filter((c) => c.excluded).map((c) => ({ item: c.item, why: c.excluded! })),
  };
}

const ALLOWED = new Set(['allow', 'filtered', 'partial']);
const READS = new Set(['get', 'list', 'onCreate', 'onUpdate', 'onDelete']);
const WRITES = new Set(['create', 'update']);
const SUBSCRIPTION_OPS = ['onCreate', 'onUpdate', 'onDelete'] as const;

/** The auth mode a persona kind sends its requests with (none: anonymous). */
const KIND_MODE: Record<string, AuthMode | undefined> = {
  apiKey: 'apiKey',
  guest: 'iam', iamUser: 'iam', iamAdmin: 'iam',
  owner: 'userPool', stranger: 'userPool', groupMember: 'userPool',
  oidcUser: 'oidc', oidcStranger: 'oidc', oidcGroupMember: 'oidc',
  lambdaAllowed: 'lambda', lambdaDenied: 'lambda',
};

/** Does a rule apply to callers of this persona kind (its provider, and for IAM the right identity-pool role)? */
function appliesTo(rule: Rule, kind: string | undefined, auth: AuthModel): boolean {
  switch (rule.provider) {
    case 'apiKey':
      return kind === 'apiKey';
    case 'function':
      return kind === 'lambdaAllowed';
    case 'userPools':
      return kind === 'owner' || kind === 'stranger' || kind === 'groupMember';
    case 'oidc':
      return kind === 'oidcUser' || kind === 'oidcStranger' || kind === 'oidcGroupMember';
    case 'iam':
      if (rule.kind === 'public') return kind === 'guest' && auth.authModes.identityPool?.allowUnauthenticated !== false;
      return kind === 'iamUser';
  }
}

/** The rule operation a cell's operation needs (null: any rule of a custom operation). */
function ruleOperation(c: CellResult): ModelOperation | null {
  if (c.customOperation) return null;
  if (c.operation.startsWith('on')) return 'listen';
  return c.operation as ModelOperation;
}

/** The operations a model's API has, as rules name them. */
function modelOperations(m: Model): ModelOperation[] {
  const ops: ModelOperation[] = (['create', 'update', 'delete', 'get', 'list'] as const).filter((o) => m.operationNames[o]);
  if (m.subscriptionLevel !== 'off' && SUBSCRIPTION_OPS.some((o) => m.operationNames[o])) ops.push('listen');
  return ops;
}

interface Scope {
  rules: Rule[];
  /** The operations the scope has (every one for a custom operation: its rules grant the operation itself). */
  operations: ModelOperation[] | 'all';
}

/** The rules in force for a cell: the custom operation's, the field's own, the related model's, or the model's. */
function scopeKey(c: CellResult, auth: AuthModel): string | null {
  if (c.customOperation) return `op:${c.customOperation}`;
  const m = auth.models.find((x) => x.name === c.model);
  if (!m) return null;
  const field = c.field ? m.fields.find((f) => f.name === c.field) : undefined;
  if (field?.rules) return `field:${m.name}.${field.name}`;
  if (c.kind === 'relation' && field?.relation) return `model:${field.relation.model}`;
  return `model:${m.name}`;
}

function scopes(auth: AuthModel): Map<string, Scope> {
  const out = new Map<string, Scope>();
  for (const m of auth.models) {
    out.set(`model:${m.name}`, { rules: m.rules, operations: modelOperations(m) });
    for (const f of m.fields) if (f.rules) out.set(`field:${m.name}.${f.name}`, { rules: f.rules, operations: modelOperations(m) });
  }
  for (const o of auth.customOperations) out.set(`op:${o.name}`, { rules: o.rules, operations: 'all' });
  return out;
}

/** A rule no caller it applies to can be refused by: static, and granting every operation of its scope. */
function cannotDeny(rule: Rule, scope: Scope): boolean {
  if (rule.kind === 'owner' || rule.kind === 'dynamicGroup' || rule.kind === 'staticGroup') return false;
  return scope.operations === 'all' || scope.operations.every((o) => rule.operations.includes(o));
}

/** The groups a persona is in: as reported, else from its name (`groupMember:HR`). */
function groupsOf(report: RunReport): Map<string, string[]> {
  return new Map(report.personas.map((p) => [p.name, p.groups ?? (/GroupMember$|^groupMember$/.test(p.kind) && p.name.includes(':') ? [p.name.slice(p.name.indexOf(':') + 1)] : [])]));
}

/**
 * Whether a field rule admits the caller of a cell, judged from what the cell says: owner rules hold on
 * the caller's own record (or a shared one for owner lists) and on create (the owner field is filled
 * with the caller), group rules for members, the others for every caller they apply to.
 */
function fieldRuleHolds(rule: Rule, c: CellResult, groups: string[]): boolean {
  switch (rule.kind) {
    case 'public':
    case 'private':
    case 'custom':
      return true;
    case 'staticGroup':
      return groups.some((g) => rule.groups.includes(g));
    case 'owner':
      return (c.operation === 'create' && !c.variant) || c.ownership === 'own' || (rule.multiOwner && c.ownership === 'shared');
    case 'dynamicGroup':
      return c.operation !== 'create' && c.ownership === 'shared';
  }
}

const grants = (r: Rule, op: ModelOperation | null): boolean => op === null || r.operations.includes(op);

/**
 * What a passing cell of a field with its own rules says about the field: `granted` (read back, or
 * written), `refused` (read back null with an error; a write denied where the same write without the
 * field was allowed), or nothing (the whole record was refused, so the field's rules were not reached).
 */
function fieldVerdict(c: CellResult, plain: Map<string, CellResult>): 'granted' | 'refused' | null {
  const write = WRITES.has(c.operation);
  if (c.observed === 'allow' || (write && c.observed === 'partial')) return 'granted';
  if (!write) return c.observed === 'partial' ? 'refused' : null;
  if (c.observed !== 'deny') return null;
  const sibling = plain.get(`${c.model}|${c.operation}|${c.persona}|${c.fixture ?? ''}`);
  return sibling && ALLOWED.has(sibling.observed) ? 'refused' : null;
}

function ruleCoverage(report: RunReport, passed: CellResult[]): Check[] {
  const auth = report.model;
  const kindOf = new Map(report.personas.map((p) => [p.name, p.kind]));
  const groups = groupsOf(report);
  const plain = new Map(report.cells.filter((c) => c.kind === 'model' && !c.field && !c.variant).map((c) => [`${c.model}|${c.operation}|${c.persona}|${c.fixture ?? ''}`, c]));
  const allowing = new Set<string>();
  const denying = new Set<string>();
  const all = scopes(auth);
  for (const c of passed) {
    const key = scopeKey(c, auth);
    const scope = key ? all.get(key) : undefined;
    const applying = (scope?.rules ?? []).filter((r) => appliesTo(r, kindOf.get(c.persona), auth));
    if (key?.startsWith('field:')) {
      // Cells name the model rule that admitted the request, not the field's: judge the field's rules from the field.
      const verdict = fieldVerdict(c, plain);
      const op = ruleOperation(c);
      if (verdict === 'granted') for (const r of applying) if (grants(r, op) && fieldRuleHolds(r, c, groups.get(c.persona) ?? [])) allowing.add(r.id);
      if (verdict === 'refused') for (const r of applying) denying.add(r.id);
      continue;
    }
    if (c.rule && ALLOWED.has(c.observed)) allowing.add(c.rule);
    if (c.observed !== 'deny') continue;
    if (c.rule) denying.add(c.rule);
    // Every rule in force that applies to this caller was evaluated and did not admit it.
    for (const r of applying) denying.add(r.id);
  }
  const checks: Check[] = [];
  for (const scope of all.values()) {
    for (const r of scope.rules) {
      const missing: string[] = [];
      if (!allowing.has(r.id)) missing.push('never seen allowing');
      if (!denying.has(r.id) && !cannotDeny(r, scope)) missing.push('never seen denying');
      checks.push({ item: r.id, missing });
    }
  }
  return checks;
}

function byKey(cells: CellResult[], key: (c: CellResult) => string | undefined): Map<string, CellResult[]> {
  const out = new Map<string, CellResult[]>();
  for (const c of cells) {
    const k = key(c);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(c);
    else out.set(k, [c]);
  }
  return out;
}

/**
 * An item covered when one of its cells got an authorization outcome (an error proves nothing). An item
 * with no cell at all was not selected when the run was restricted with --only, else no cell ran.
 */
function exercised(item: string, cells: CellResult[] | undefined, selected: boolean, none = 'no cell got an auth outcome'): Check {
  if (!cells?.length) return selected ? { item, missing: [], excluded: 'not selected' } : { item, missing: ['no cell ran'] };
  return { item, missing: cells.some(authOutcome) ? [] : [none] };
}

function operationCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const by = byKey(cells, (c) => (c.model && !c.customOperation ? `${c.model}.${c.operation}` : undefined));
  return auth.models.flatMap((m) =>
    (Object.keys(m.operationNames) as (keyof Model['operationNames'])[])
      .filter((op) => m.operationNames[op] && !(op.startsWith('on') && m.subscriptionLevel === 'off'))
      .map((op) => exercised(`${m.name}.${op}`, by.get(`${m.name}.${op}`), selected)),
  );
}

function fieldCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const by = byKey(cells, (c) => (c.field && c.model && (READS.has(c.operation) || WRITES.has(c.operation)) ? `${c.model}.${c.field}` : undefined));
  return auth.models.flatMap((m) =>
    m.fields.filter((f) => f.rules).map((f): Check => {
      const item = `${m.name}.${f.name}`;
      const mine = by.get(item);
      if (!mine && selected) return { item, missing: [], excluded: 'not selected' };
      const seen = (ops: Set<string>) => (mine ?? []).some((c) => ops.has(c.operation) && authOutcome(c));
      return { item, missing: [...(seen(READS) ? [] : ['never read']), ...(seen(WRITES) ? [] : ['never written'])] };
    }),
  );
}

function personaCoverage(report: RunReport, selected: boolean): Check[] {
  const by = byKey(report.cells, (c) => c.persona);
  return report.personas.map((p) => exercised(p.name, by.get(p.name), selected));
}

function modeCoverage(report: RunReport, selected: boolean): Check[] {
  const kindOf = new Map(report.personas.map((p) => [p.name, p.kind]));
  const by = byKey(report.cells, (c) => KIND_MODE[kindOf.get(c.persona) ?? '']);
  return report.model.authModes.enabled.map((mode) => exercised(mode, by.get(mode), selected, 'no cell with it got an auth outcome'));
}

/**
 * Each subscription event must be seen delivered where some subscriber should get it and withheld where
 * some should not: an event nobody can be refused (public subscriptions) is not wanted withheld.
 */
function eventCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const by = byKey(cells, (c) => (c.kind === 'delivery' ? `${c.model}.${c.operation}` : undefined));
  return auth.models.filter((m) => m.subscriptionLevel !== 'off').flatMap((m) =>
    SUBSCRIPTION_OPS.filter((op) => m.operationNames[op]).map((op): Check => {
      const item = `${m.name}.${op}`;
      const mine = by.get(item);
      if (!mine) return selected ? { item, missing: [], excluded: 'not selected' } : { item, missing: ['no delivery ran'] };
      const wants = (o: 'allow' | 'deny') => mine.some((c) => c.expected === o);
      const seen = (o: 'allow' | 'deny') => mine.some((c) => c.pass && c.observed === o);
      return {
        item,
        missing: [...(wants('allow') && !seen('allow') ? ['never delivered'] : []), ...(wants('deny') && !seen('deny') ? ['never withheld'] : [])],
      };
    }),
  );
}

function customCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const by = byKey(cells, (c) => c.customOperation);
  return auth.customOperations.map((o) => exercised(o.name, by.get(o.name), selected, 'no auth outcome: every call errored'));
}

export function coverageOf(report: RunReport): Coverage {
  const passed = report.cells.filter((c) => c.pass);
  const auth = report.model;
  const selected = !!report.only?.length;
  return {
    format: 'authmatrix-coverage',
    version: 1,
    schema: { path: report.schema.path, hash: report.schema.hash },
    dimensions: {
      rules: dimension(ruleCoverage(report, passed)),
      operations: dimension(operationCoverage(auth, report.cells, selected)),
      fields: dimension(fieldCoverage(auth, report.cells, selected)),
      personas: dimension(personaCoverage(report, selected)),
      modes: dimension(modeCoverage(report, selected)),
      events: dimension(eventCoverage(auth, report.cells, selected)),
      customOperations: dimension(customCoverage(auth, report.cells, selected)),
    },
  };
}

export type Thresholds = Partial<Record<CoverageDimension, number>>;

const WHERE = { file: '--min-coverage' };

/** `rules=100,operations=90` → `{ rules: 100, operations: 90 }`; bad input is an InputError. */
export function parseThresholds(text: string): Thresholds {
  const out: Thresholds = {};
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new InputError('no thresholds given', WHERE, `name one or more dimensions, e.g. --min-coverage rules=100,operations=100`);
  for (const part of parts) {
    const m = /^([A-Za-z]+)=(\d+(?:\.\d+)?)%?$/.exec(part);
    if (!m) throw new InputError(`"${part}" is not dimension=percent`, WHERE, `write e.g. rules=100 (dimensions: ${COVERAGE_DIMENSIONS.join(', ')})`);
    const name = m[1] as CoverageDimension;
    if (!COVERAGE_DIMENSIONS.includes(name)) throw new InputError(`unknown coverage dimension "${m[1]}"`, WHERE, `use one of ${COVERAGE_DIMENSIONS.join(', ')}`);
    const value = Number(m[2]);
    if (value > 100) throw new InputError(`${name}=${m[2]} is over 100`, WHERE, 'give a percentage from 0 to 100');
    if (name in out) throw new InputError(`${name} is given twice`, WHERE, 'give each dimension once');
    out[name] = value;
  }
  return out;
}

const MAX_NAMED = 5;

/** One line per dimension below its threshold, each starting with `coverage:` (empty: the gate holds). */
export function checkCoverage(coverage: Coverage, thresholds: Thresholds): string[] {
  const failures: string[] = [];
  for (const name of COVERAGE_DIMENSIONS) {
    const min = thresholds[name];
    if (min === undefined) continue;
    const d = coverage.dimensions[name];
    // Compared exactly, not on the rounded percentage.
    if (d.total === 0 || d.covered * 100 >= min * d.total) continue;
    const named = d.uncovered.slice(0, MAX_NAMED).map((u) => `${u.item} (${u.missing})`).join('; ');
    failures.push(`coverage: ${name} ${d.percent}% is below ${min}% (${d.uncovered.length} of ${d.total} not covered: ${named}${d.uncovered.length > MAX_NAMED ? '; …' : ''})`);
  }
  return failures;
}

/**
 * The terminal table: one line per dimension, and under a dimension with gaps the first uncovered
 * items, wrapped to `width` columns (at most two lines; the rest are in coverage.json).
 */
export function renderCoverageTable(coverage: Coverage, width = 100): string {
  const labelWidth = Math.max(...COVERAGE_DIMENSIONS.map((n) => DIMENSION_LABELS[n].length));
  const lines = [`Coverage${' '.repeat(Math.max(1, labelWidth - 4))}covered       %`];
  for (const name of COVERAGE_DIMENSIONS) {
    const d = coverage.dimensions[name];
    lines.push(clip(`  ${DIMENSION_LABELS[name].padEnd(labelWidth)}  ${`${d.covered}/${d.total}`.padStart(9)}  ${`${d.percent}%`.padStart(6)}`, width));
    if (d.uncovered.length) lines.push(...wrap(d.uncovered.map((u) => `${u.item} (${u.missing})`), '      not covered: ', width));
  }
  return lines.join('\n');
}

function wrap(items: string[], lead: string, width: number, maxLines = 2): string[] {
  const indent = ' '.repeat(lead.length);
  const lines: string[] = [];
  let line = lead;
  let i = 0;
  const more = (n: number) => ` … ${n} more (coverage.json)`;
  for (; i < items.length; i++) {
    const last = i === items.length - 1;
    const piece = `${items[i]}${last ? '' : ','}`;
    const onLastLine = () => lines.length + 1 === maxLines;
    // On the last line, leave room to say how many more there are.
    const fits = () => line.length + (line.length > indent.length ? 1 : 0) + piece.length <= width - (onLastLine() && !last ? more(items.length - i - 1).length : 0);
    if (!fits() && !onLastLine() && line.length > indent.length) {
      lines.push(line);
      line = indent;
    }
    if (!fits() && onLastLine()) break;
    line += `${line.length > indent.length ? ' ' : ''}${piece}`;
  }
  if (i < items.length) line += line.length > indent.length ? more(items.length - i) : more(items.length - i).trimStart();
  lines.push(line);
  return lines.map((l) => clip(l, width));
}

function clip(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}
