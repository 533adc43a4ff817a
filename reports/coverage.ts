/**
 * Coverage of a run: what the cells exercised on the endpoint, per dimension (rules, operations, fields
 * with rules, personas, auth modes, subscription events, custom operations), with the items left
 * uncovered and why. Computed from the RunReport alone, so it is the same for a merged run and an
 * unsharded one. The definitions are in the README (### Reports).
 */
import type { CellResult } from '../harness/matrix/verdict.js';
import { allRules, hasDataApi, type AuthMode, type AuthModel, type Model } from '../harness/schema/model.js';
import type { RunReport } from './results.js';
import { authOutcome } from './review.js';
import { COVERAGE_DIMENSIONS, type CoverageDimension, type Thresholds } from './coverage-dimensions.js';

export const DIMENSION_LABELS: Record<CoverageDimension, string> = {
  rules: 'rules seen allowing and denying',
  operations: 'model operations',
  fields: 'fields with rules, read and written',
  personas: 'personas',
  modes: 'auth modes',
  events: 'subscription events delivered and withheld',
  customOperations: 'custom operations',
  restMethods: 'REST methods seen allowing and refusing',
  restAuthorizers: 'REST authorizers seen allowing and refusing',
  storage: 'storage paths × actions × roles',
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

/**
 * Every rule, seen allowing and seen denying. The oracle names on each cell the rules that decided it
 * (`decidedBy`: those that admitted the caller where the cell grants, those in force that did not
 * where it refuses); a cell whose answer matched shows them at work. Every rule the cells reach must
 * be seen allowing; seen denying only where some cell has it refusing (a static rule that grants all
 * of its provider's callers everything refuses nobody).
 */
function ruleCoverage(report: RunReport, selected: boolean): Check[] {
  const wanted = { allowing: new Set<string>(), refusing: new Set<string>() };
  const seen = { allowing: new Set<string>(), refusing: new Set<string>() };
  for (const c of report.cells) {
    if (!c.decidedBy) continue;
    for (const side of ['allowing', 'refusing'] as const) {
      for (const id of c.decidedBy[side]) {
        wanted[side].add(id);
        if (c.pass) seen[side].add(id);
      }
    }
  }
  return allRules(report.model).map(({ id }): Check => {
    if (selected && !wanted.allowing.has(id) && !wanted.refusing.has(id)) return { item: id, missing: [], excluded: 'not selected' };
    return { item: id, missing: [...(seen.allowing.has(id) ? [] : ['never seen allowing']), ...(wanted.refusing.has(id) && !seen.refusing.has(id) ? ['never seen denying'] : [])] };
  });
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
  // The modes are the data API's: an app without one has none to cover.
  if (!hasDataApi(report.model)) return [];
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
  const auth = report.model;
  const selected = !!report.only?.length;
  return {
    format: 'authmatrix-coverage',
    version: 1,
    schema: { path: report.schema.path, hash: report.schema.hash },
    dimensions: {
      rules: dimension(ruleCoverage(report, selected)),
      operations: dimension(operationCoverage(auth, report.cells, selected)),
      fields: dimension(fieldCoverage(auth, report.cells, selected)),
      personas: dimension(personaCoverage(report, selected)),
      modes: dimension(modeCoverage(report, selected)),
      events: dimension(eventCoverage(auth, report.cells, selected)),
      customOperations: dimension(customCoverage(auth, report.cells, selected)),
      restMethods: dimension(restMethodCoverage(auth, report.cells, selected)),
      restAuthorizers: dimension(restAuthorizerCoverage(auth, report.cells, selected)),
      storage: dimension(storageCoverage(report, selected)),
    },
  };
}

/** Outcomes of the passing REST cells by method rule (`api VERB /resource`); a rule with cells has an entry. */
function restOutcomes(cells: CellResult[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of cells) {
    if (c.kind !== 'rest' || !c.rule) continue;
    const seen = out.get(c.rule) ?? new Set<string>();
    if (c.pass) seen.add(c.observed);
    out.set(c.rule, seen);
  }
  return out;
}

const seenBoth = (seen: Set<string> | undefined, needsDenial: boolean): string[] =>
  [!seen?.has('allow') ? 'never seen allowing' : '', needsDenial && !seen?.has('deny') ? 'never seen refusing' : ''].filter(Boolean);

/** REST APIs' methods and HTTP APIs' routes alike: a verb on a path, its authorization, the API's authorizers. */
interface CoveredApi {
  name: string;
  methods: { method: string; resourcePath: string; authorization: { type: string; authorizer?: string; scopes?: string[] }; apiKeyRequired?: boolean }[];
  authorizers: { id: string; name: string; type: string }[];
}

function apisOf(auth: AuthModel): CoveredApi[] {
  return auth.rest ? [...auth.rest.apis, ...(auth.rest.httpApis ?? []).map((a) => ({ name: a.name, methods: a.routes, authorizers: a.authorizers }))] : [];
}

/** The one scope a user pool's sign-in gives access tokens, the personas' among them (no custom scope: those need an OAuth client). */
const SIGN_IN_SCOPE = 'aws.cognito.signin.user.admin';

/** Every REST method and HTTP API route (preflights aside): seen allowing, and refusing unless it has no authorization at all. */
function restMethodCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const seen = restOutcomes(cells);
  return apisOf(auth).flatMap((api) => api.methods.filter((m) => m.method !== 'OPTIONS').map((m): Check => {
    const item = `${api.name} ${m.method} ${m.resourcePath}`;
    if (selected && !seen.has(item)) return { item, missing: [], excluded: 'not selected' };
    const missing = seenBoth(seen.get(item), m.authorization.type !== 'NONE' || m.apiKeyRequired === true);
    // A Cognito method whose scopes are all custom (duttaanup/virtual-fashion-assistant's `api/read`): no persona signs
    // in with such a token, so it is never seen allowing, and the line says why.
    const scopes = m.authorization.type === 'COGNITO_USER_POOLS' ? m.authorization.scopes ?? [] : [];
    const why = scopes.length && !scopes.includes(SIGN_IN_SCOPE) ? `: only tokens with scope ${scopes.join(' or ')} pass, which signing in never gives (an OAuth client's grant does)` : '';
    return { item, missing: missing.map((x) => (x === 'never seen allowing' ? x + why : x)) };
  }));
}

/** Every REST or JWT authorizer, and each API's IAM authorization: seen allowing and refusing on the methods using it. */
function restAuthorizerCoverage(auth: AuthModel, cells: CellResult[], selected: boolean): Check[] {
  const seen = restOutcomes(cells);
  return apisOf(auth).flatMap((api) => {
    const guards = [
      ...(api.methods.some((m) => m.authorization.type === 'AWS_IAM') ? [{ item: `${api.name} IAM`, uses: (m: CoveredApi['methods'][number]) => m.authorization.type === 'AWS_IAM' }] : []),
      ...api.authorizers.map((a) => ({ item: `${api.name} ${a.type} authorizer ${a.name}`, uses: (m: CoveredApi['methods'][number]) => m.authorization.authorizer === a.id })),
    ];
    return guards.map(({ item, uses }): Check => {
      const rules = api.methods.filter(uses).map((m) => `${api.name} ${m.method} ${m.resourcePath}`);
      if (selected && !rules.some((r) => seen.has(r))) return { item, missing: [], excluded: 'not selected' };
      const outcomes = new Set(rules.flatMap((r) => [...(seen.get(r) ?? [])]));
      return { item, missing: seenBoth(outcomes, true) };
    });
  });
}

/**
 * Storage: every declared path × action (get, list, write, delete) × role of the cast's personas (the
 * unauthenticated and authenticated roles, each group's, each function's) is covered once a cell of a
 * persona acting through that role ran on it and matched, whether it allowed or denied.
 */
function storageCoverage(report: RunReport, selected: boolean): Check[] {
  const buckets = report.model.storage?.buckets ?? [];
  if (!buckets.length) return [];
  const roleOf = (persona: string): string | undefined => {
    const p = report.personas.find((x) => x.name === persona);
    if (!p) return undefined;
    if (p.kind === 'guest') return 'guests';
    if (p.kind === 'functionRole') return p.name;
    if (['owner', 'stranger', 'iamUser', 'groupMember'].includes(p.kind)) {
      const group = (report.model.storage?.groupPrecedence ?? []).find((g) => p.groups?.includes(g));
      return group ? `group ${group}` : 'signed-in users';
    }
    return undefined;
  };
  const roles = [...new Set(report.personas.map((p) => roleOf(p.name)).filter((r): r is string => !!r))];
  const by = byKey(report.cells, (c) => (c.kind === 'storage' && !c.variant ? `${c.bucket}:${c.path} ${c.operation} ${roleOf(c.persona)}` : undefined));
  return buckets.flatMap((b) => b.paths.flatMap(({ path }) => (['get', 'list', 'write', 'delete'] as const).flatMap((action) => roles.map((role) => {
    const item = `${b.name}:${path} ${action} ${role}`;
    return exercised(item, by.get(item), selected);
  }))));
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

/** The dimensions a report shows: those with something to cover or left out (an app without storage has no storage row). */
export function shownDimensions(coverage: Coverage): CoverageDimension[] {
  return COVERAGE_DIMENSIONS.filter((n) => coverage.dimensions[n].total > 0 || coverage.dimensions[n].excluded.length > 0);
}

/**
 * The terminal table: one line per dimension shown, and under a dimension with gaps the first uncovered
 * items, wrapped to `width` columns (at most two lines; the rest are in coverage.json).
 */
export function renderCoverageTable(coverage: Coverage, width = 100): string {
  const shown = shownDimensions(coverage);
  const labelWidth = Math.max(...shown.map((n) => DIMENSION_LABELS[n].length), 'Coverage'.length);
  const lines = [`Coverage${' '.repeat(Math.max(1, labelWidth - 4))}covered       %`];
  for (const name of shown) {
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
