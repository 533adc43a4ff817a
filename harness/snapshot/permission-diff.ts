/**
 * The permission diff: what each persona gained and lost between two snapshots, by severity.
 *
 * Each change is one persona × permission × record. It is `widened` when the persona may now do more and
 * nothing less, `narrowed` when less and nothing more, `changed` when both at once (it sees other
 * records, or other fields are denied). Severity says how sensitive the access is: anyone (anonymous, a
 * refused Lambda token), a guest or an API-key holder gaining anything is high, and so is anyone gaining
 * a storage path; an authenticated persona gaining a write (create, update, delete, a custom mutation) is
 * medium; the rest is low. The gate fails
 * on `widened` and `changed`; `narrowed` is listed for review and never fails it.
 */
import { byCodeUnit, DENY, grantsNothing, parseAccess, renderAccess, sameAccess, type Access } from './access.js';
import { parsePermissionKey, plainKey, type PersonaAccess, type Snapshot } from './snapshot.js';

export type Direction = 'widened' | 'narrowed' | 'changed';
export type Severity = 'high' | 'medium' | 'low';
export type DiffFormat = 'text' | 'md' | 'json';

export interface PermissionChange {
  /** `Post.update|stranger|owned`; `persona|apiKey` for a persona only one side has. */
  key: string;
  persona: string;
  /** `Post.update`, `Employee.get.ssn`, `Query.echo`; null for a persona change. */
  permission: string | null;
  /** `update`, `get`, `query`…; `*` for a persona change. */
  operation: string;
  model?: string;
  field?: string;
  customOperation?: string;
  /** Storage: `bucket:path`. */
  storage?: string;
  /** The record (`owned`, `shared`, `unowned`, `record`) for get, update, delete and field cells. */
  situation?: string;
  /** The access on each side, as the snapshot writes it; null when the permission (or the persona) does not exist there. */
  before: string | null;
  after: string | null;
  direction: Direction;
  severity: Severity;
  explanation: string;
}

/** Callers that need no account: a change that lets them in is high. */
export const PUBLIC_PERSONA_KINDS: readonly string[] = ['anonymous', 'apiKey', 'guest', 'lambdaDenied', 'restApiKey'];
const WRITE_OPERATIONS = new Set(['create', 'update', 'delete', 'mutation', 'POST', 'PUT', 'DELETE', 'PATCH']);

/** How sensitive an access is: by who holds it and whether it writes; any storage path gained is high (files leave no audit trail in the app). */
export function severityOf(personaKind: string, operation: string, storage = false): Severity {
  if (storage || PUBLIC_PERSONA_KINDS.includes(personaKind)) return 'high';
  return WRITE_OPERATIONS.has(operation) ? 'medium' : 'low';
}

// A failed condition still means the caller got through auth.
const RANK: Record<Access['outcome'], number> = { deny: 0, invalid: 0, filtered: 1, partial: 1, allow: 2, conditionFailed: 2 };

/**
 * Which way access moved from `before` to `after` (null: the same). Outcomes are ordered deny < filtered,
 * partial < allow; with the same outcome, seeing more records and having fewer fields denied or redacted
 * is wider.
 */
export function compareAccess(before: Access, after: Access): Direction | null {
  if (sameAccess(before, after)) return null;
  const rb = RANK[before.outcome];
  const ra = RANK[after.outcome];
  if (ra !== rb) return ra > rb ? 'widened' : 'narrowed';
  if (after.outcome !== before.outcome) return 'changed';
  let gains = false;
  let losses = false;
  const moved = (more: readonly string[], fewer: readonly string[]) => {
    if (fewer.some((x) => !more.includes(x))) losses = true;
    if (more.some((x) => !fewer.includes(x))) gains = true;
  };
  // `sees` lists what is visible (more is wider); seeing some records rather than all, or all rather
  // than some, is a change both ways. `denied` and `redacted` list what is withheld (fewer is wider).
  if (before.sees && after.sees) moved(after.sees, before.sees);
  else if (before.sees || after.sees) gains = losses = true;
  moved(before.denied ?? [], after.denied ?? []);
  moved(before.redacted ?? [], after.redacted ?? []);
  if (gains && !losses) return 'widened';
  if (losses && !gains) return 'narrowed';
  return 'changed';
}

// Records missing on one side are compared with the nearest record the other side has: a model that
// gains a multi-owner rule gets a `shared` record where it only had `owned`; a model that gains its first
// owner rule trades `record` for `owned` and `unowned`; `shared:<field>` (a record only a further group
// field shares) is nearest to the owner's record, or to one without owner.
const NEAREST: Record<string, string[]> = { shared: ['owned', 'record'], owned: ['record'], unowned: ['record'], record: ['unowned'] };
const nearest = (situation: string): string[] => NEAREST[situation] ?? (situation.startsWith('shared:') ? ['owned', 'unowned', 'record'] : []);
/** The more specific of two record names labels their comparison (the same either way round). */
const specificity = (s: string): number => (s.startsWith('shared:') ? 0 : 1 + ['shared', 'owned', 'unowned', 'record'].indexOf(s) + (s === '' ? 10 : 0));

interface Side {
  /** Access by record ('' when the permission has no records); missing entries are deny. */
  access: Record<string, Access>;
  /** A variant's own entry (rather than the plain permission's, which it inherits otherwise). */
  explicit?: boolean;
  /** Why the permission is not in this snapshot as such (absent, or taken from the model's rules). */
  note?: string;
  absent?: boolean;
}

/** A snapshot's permissions with every access read once: permission → persona → record ('' for none) → access. */
type Accesses = Map<string, Map<string, Record<string, Access>>>;

function accessesOf(s: Snapshot): Accesses {
  return new Map(Object.entries(s.permissions).map(([key, entry]) => [key, new Map(Object.entries(entry).map(([persona, a]) => [persona, byRecord(a)]))]));
}

function byRecord(a: PersonaAccess): Record<string, Access> {
  return typeof a === 'string' ? { '': readAccess(a) } : Object.fromEntries(Object.entries(a).map(([record, x]) => [record, readAccess(x)]));
}

function readAccess(text: string): Access {
  const access = parseAccess(text);
  if (!access) throw new Error(`not an access: ${JSON.stringify(text)} (validateSnapshot refuses such snapshots)`);
  return access;
}

/** What a persona may do for a permission in a snapshot; null for a variant the snapshot does not have. */
function sideOf(t: Accesses, key: string, persona: string): Side | null {
  const entry = t.get(key);
  const k = parsePermissionKey(key);
  if (k.extra) {
    // Variants list only the personas that differ from the plain permission. One that only one side
    // has is a situation the other cannot produce (events by a persona that could not write): the
    // change that caused it is reported on its own.
    if (!entry) return null;
    const own = entry.get(persona);
    if (own) return { access: own, explicit: true };
    return { access: t.get(plainKey(key))?.get(persona) ?? {} };
  }
  if (entry) return { access: entry.get(persona) ?? {} };
  const field = k.model ? k.field : undefined;
  const modelEntry = field ? t.get(`${k.model}.${k.operation}`) : undefined;
  if (field && modelEntry) {
    // A field without rules of its own on this side: the model's rules applied to it.
    const projected: Record<string, Access> = {};
    for (const [situation, access] of Object.entries(modelEntry.get(persona) ?? {})) projected[situation] = projectField(access, k.operation, field);
    return { access: projected, note: `${key} had no field rule: ${k.model}.${k.operation} applied` };
  }
  return { access: {}, absent: true, note: `${key} did not exist` };
}

/** What a model-level access means for one field of it. */
function projectField(access: Access, operation: string, field: string): Access {
  if (grantsNothing(access)) return DENY;
  if (operation === 'get' && access.denied?.includes(field)) return { outcome: 'partial', denied: [field] };
  return { outcome: 'allow' };
}

function resolve(situation: string, access: Record<string, Access>): string | undefined {
  if (situation in access) return situation;
  return nearest(situation).find((s) => s in access);
}

/** Every change from `base` to `head`, personas only one side has first, then by permission, persona and record. */
export function diffSnapshots(base: Snapshot, head: Snapshot): PermissionChange[] {
  const changes: PermissionChange[] = [];
  const [baseAccess, headAccess] = [accessesOf(base), accessesOf(head)];
  const personas = [...new Set([...Object.keys(base.personas), ...Object.keys(head.personas)])].sort(byCodeUnit);
  const shared = personas.filter((p) => p in base.personas && p in head.personas);
  for (const p of personas) {
    if (!(p in head.personas)) changes.push(personaChange(base, baseAccess, p, 'narrowed'));
    else if (!(p in base.personas)) changes.push(personaChange(head, headAccess, p, 'widened'));
  }
  const keys = [...new Set([...Object.keys(base.permissions), ...Object.keys(head.permissions)])].sort(byCodeUnit);
  for (const key of keys) {
    const k = parsePermissionKey(key);
    for (const persona of shared) {
      const b = sideOf(baseAccess, key, persona);
      const h = sideOf(headAccess, key, persona);
      // A variant both sides inherit from the plain permission changed with it (reported there).
      if (!b || !h || (k.extra && !b.explicit && !h.explicit)) continue;
      const kinds = [base.personas[persona]!.kind, head.personas[persona]!.kind];
      const situations = [...new Set([...Object.keys(b.access), ...Object.keys(h.access)])].sort(byCodeUnit);
      const compared = new Set<string>();
      for (const s of situations) {
        const bs = resolve(s, b.access);
        const hs = resolve(s, h.access);
        const pair = `${bs}>${hs}`;
        if (compared.has(pair)) continue;
        compared.add(pair);
        const before = (bs === undefined ? undefined : b.access[bs]) ?? DENY;
        const after = (hs === undefined ? undefined : h.access[hs]) ?? DENY;
        const direction = compareAccess(before, after);
        if (!direction) continue;
        const [was, now] = [renderAccess(before), renderAccess(after)];
        const situation = [bs, hs].filter((x): x is string => x !== undefined).sort((x, y) => specificity(x) - specificity(y) || byCodeUnit(x, y))[0] ?? s;
        const notes = [b.note && `before: ${b.note}`, h.note && `after: ${h.note}`, bs !== undefined && hs !== undefined && bs !== hs ? `compared ${bs} with ${hs}` : ''].filter(Boolean);
        const record = situation ? ` on ${situation}${recordLabel(head, base, k.model, situation)}` : '';
        const verb = direction === 'widened' ? 'gains' : direction === 'narrowed' ? 'loses' : 'changes';
        changes.push({
          key: `${key}|${persona}${situation ? `|${situation}` : ''}`,
          persona,
          permission: key,
          operation: k.operation,
          ...(k.model ? { model: k.model } : {}),
          ...(k.field ? { field: k.field } : {}),
          ...(k.customOperation ? { customOperation: k.customOperation } : {}),
          ...(k.storage ? { storage: k.storage } : {}),
          ...(situation ? { situation } : {}),
          before: b.absent ? null : was,
          after: h.absent ? null : now,
          direction,
          severity: mostSevere(kinds.map((kind) => severityOf(kind, k.operation, k.storage !== undefined))),
          explanation: `${persona} ${verb} ${key}${record}: ${was} → ${now}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        });
      }
    }
  }
  return changes;
}

function recordLabel(head: Snapshot, base: Snapshot, model: string | undefined, situation: string): string {
  const label = model ? (head.fixtures[model]?.[situation] ?? base.fixtures[model]?.[situation])?.record : undefined;
  return label ? ` (${label})` : '';
}

/** A persona only one snapshot has: one change summing up what it can do there. */
function personaChange(s: Snapshot, accesses: Accesses, persona: string, direction: 'widened' | 'narrowed'): PermissionChange {
  const who = s.personas[persona]!;
  const held: string[] = [];
  let severity: Severity = 'low';
  for (const [key, entry] of [...accesses].sort(([a], [b]) => byCodeUnit(a, b))) {
    if (key !== plainKey(key)) continue;
    const granted = Object.entries(entry.get(persona) ?? {}).filter(([, a]) => !grantsNothing(a));
    if (!granted.length) continue;
    const only = granted.length === 1 && granted[0]?.[0] === '' ? granted[0][1] : undefined;
    held.push(only ? `${key}: ${renderAccess(only)}` : `${key} ${granted.map(([r, a]) => `${r}: ${renderAccess(a)}`).join(', ')}`);
    const k = parsePermissionKey(key);
    severity = mostSevere([severity, severityOf(who.kind, k.operation, k.storage !== undefined)]);
  }
  const count = `${held.length} permission${held.length === 1 ? '' : 's'}`;
  const shown = held.slice(0, 5).join('; ') + (held.length > 5 ? `; … ${held.length - 5} more` : '');
  return {
    key: `persona|${persona}`,
    persona,
    permission: null,
    operation: '*',
    before: direction === 'narrowed' ? count : null,
    after: direction === 'widened' ? count : null,
    direction,
    severity,
    explanation: `persona ${persona} (${who.kind}: ${who.description}) ${direction === 'widened' ? 'is new' : 'is gone'} with ${count}${held.length ? `: ${shown}` : ''}`,
  };
}

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

const mostSevere = (xs: Severity[]): Severity => SEVERITIES.find((s) => xs.includes(s)) ?? 'low';

export const widened = (changes: PermissionChange[]): PermissionChange[] => changes.filter((c) => c.direction === 'widened');
export const narrowed = (changes: PermissionChange[]): PermissionChange[] => changes.filter((c) => c.direction === 'narrowed');
/** What fails the gate: access widened, or changed both ways (new access cannot be ruled out). */
export const gateFailures = (changes: PermissionChange[]): PermissionChange[] => changes.filter((c) => c.direction !== 'narrowed');

/** `3 widened (high 1, low 2), 1 changed (medium 1), 2 narrowed`, or `no permission changes`. */
export function diffSummary(changes: PermissionChange[]): string {
  if (!changes.length) return 'no permission changes';
  const bySeverity = (cs: PermissionChange[]) => {
    const counts = SEVERITIES.map((s) => [s, cs.filter((c) => c.severity === s).length] as const).filter(([, n]) => n > 0);
    return counts.length ? ` (${counts.map(([s, n]) => `${s} ${n}`).join(', ')})` : '';
  };
  const changedBoth = changes.filter((c) => c.direction === 'changed');
  return [
    `${widened(changes).length} widened${bySeverity(widened(changes))}`,
    ...(changedBoth.length ? [`${changedBoth.length} changed${bySeverity(changedBoth)}`] : []),
    `${narrowed(changes).length} narrowed`,
  ].join(', ');
}

/** One line of a rendered diff: changes of one persona and permission that moved the same way, records merged. */
interface Row {
  severity: Severity;
  persona: string;
  permission: string;
  records: string;
  before: string;
  after: string;
  explanation: string;
  personaLevel: boolean;
}

function rows(changes: PermissionChange[]): Row[] {
  const sorted = [...changes].sort((a, b) =>
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)
    || (a.permission === null ? 0 : 1) - (b.permission === null ? 0 : 1)
    || byCodeUnit(a.persona, b.persona)
    || byCodeUnit(a.permission ?? '', b.permission ?? '')
    || byCodeUnit(a.situation ?? '', b.situation ?? ''));
  const out: Row[] = [];
  for (const c of sorted) {
    const before = c.before ?? 'absent';
    const after = c.after ?? 'absent';
    const last = out[out.length - 1];
    if (last && !last.personaLevel && c.permission !== null && last.severity === c.severity && last.persona === c.persona
      && last.permission === c.permission && last.before === before && last.after === after) {
      last.records += `, ${c.situation ?? ''}`;
      continue;
    }
    out.push({ severity: c.severity, persona: c.persona, permission: c.permission ?? '(persona)', records: c.situation ?? '', before, after, explanation: c.explanation, personaLevel: c.permission === null });
  }
  return out;
}

const SECTIONS: { direction: Direction; title: string }[] = [
  { direction: 'widened', title: 'Widened' },
  { direction: 'changed', title: 'Changed both ways' },
  { direction: 'narrowed', title: 'Narrowed' },
];

/** The diff as text (terminal), md (a PR comment) or json (`{ summary, changes }`). */
export function renderDiff(changes: PermissionChange[], format: DiffFormat): string {
  if (format === 'json') {
    const failing = gateFailures(changes);
    const summary = {
      widened: widened(changes).length,
      changed: changes.length - widened(changes).length - narrowed(changes).length,
      narrowed: narrowed(changes).length,
      high: failing.filter((c) => c.severity === 'high').length,
      medium: failing.filter((c) => c.severity === 'medium').length,
      low: failing.filter((c) => c.severity === 'low').length,
    };
    return JSON.stringify({ summary, changes }, null, 2);
  }
  const md = format === 'md';
  const lines: string[] = [md ? `**Permission diff:** ${diffSummary(changes)}` : `Permission diff: ${diffSummary(changes)}`];
  for (const { direction, title } of SECTIONS) {
    const inSection = changes.filter((c) => c.direction === direction);
    const section = rows(inSection);
    if (!section.length) continue;
    const count = `${inSection.length} change${inSection.length === 1 ? '' : 's'}`;
    lines.push('');
    if (md) {
      lines.push(`### ${title} (${count})`, '', '| severity | persona | permission | records | before | after |', '|---|---|---|---|---|---|');
      for (const r of section) {
        lines.push(r.personaLevel
          ? `| ${r.severity} | ${cell(r.persona)} | ${cell(r.explanation)} | | ${r.before} | ${r.after} |`
          : `| ${r.severity} | ${cell(r.persona)} | ${cell(r.permission)} | ${r.records} | ${cell(r.before)} | ${cell(r.after)} |`);
      }
      continue;
    }
    lines.push(`${title} (${count}):`);
    const width = (f: (r: Row) => string) => Math.max(...section.filter((r) => !r.personaLevel).map((r) => f(r).length), 0);
    const [wp, wk, wr] = [width((r) => r.persona), width((r) => r.permission), width((r) => r.records)];
    for (const r of section) {
      lines.push(r.personaLevel
        ? `  ${r.severity.padEnd(6)}  ${r.explanation}`
        : `  ${r.severity.padEnd(6)}  ${r.persona.padEnd(wp)}  ${r.permission.padEnd(wk)}  ${r.records.padEnd(wr)}  ${r.before} → ${r.after}`.trimEnd());
    }
  }
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
