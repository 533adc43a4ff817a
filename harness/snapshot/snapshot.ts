/**
 * The permission snapshot (`authz.snapshot.json`): who may do what, derived from the expected matrix, in
 * a form made for code review. Committed next to the schema, it is the baseline `authmatrix diff` and
 * `run --baseline` compare against.
 *
 * Layout: a versioned object with the schema's auth modes and rules, the personas (who they are), the
 * records each model's cells act on, and the permissions. A permission is `Model.operation`,
 * `Model.operation.field` or `Query.name` / `Mutation.name` / `Subscription.name`; under it each persona
 * that holds any access has one line: an access string, or one access string per record
 * (`{ "owned": "allow", "unowned": "deny" }`). Personas denied everywhere are left out. Access strings
 * are `allow`, `deny`, `filtered`, `partial`, with details in parentheses where they matter:
 * `filtered (sees: owned, shared)`, `partial (denied: ssn)`, `allow (redacted: salary)`.
 *
 * Nothing volatile goes in: no timestamps, paths, tool versions or rule positions in the permissions.
 * Keys are sorted, so the same schema always gives the same bytes and a one-rule change a few lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { READ_OPERATIONS, type AuthModel, type AuthMode, type Rule } from '../schema/model.js';
import { describeRule } from '../rules/describe.js';
import type { StorageGrant } from '../schema/storage/model.js';
import { recordKey } from '../rules/decide.js';
import { InputError } from '../schema/errors.js';
import type { Persona } from '../matrix/cast.js';
import { type Cell } from '../matrix/cells.js';
import { expectedMatrix } from '../matrix/expected.js';
import { fixtures } from '../matrix/fixtures.js';
import { accessOf, byCodeUnit, parseAccess, renderAccess, sameAccess, DENY, type Access } from './access.js';

export const SNAPSHOT_FORMAT = 'authmatrix permission snapshot';
export const SNAPSHOT_VERSION = 1;

export const SNAPSHOT_LEGEND = [
  'permissions: Model.operation, Model.operation.field, Query/Mutation/Subscription.name; under each, the personas with any access (left out: none)',
  'access: allow; deny; filtered (a list or subscription returns some records or events); partial (some fields null, with an error); invalid (the request cannot validate)',
  'details: sees = the records a list returns; denied = fields refused with an error; redacted = fields returned null without one',
  'records: get, update and delete are given per fixture record (see fixtures: whose record it is)',
  'variants in parentheses (by:<persona> = events made by that persona; owner-arg:, headers:, spoof:, transfer:) list only the personas whose access differs from the plain permission',
];

/**
 * One access, or one per record (fixture name → access) for get, update, delete and field cells, each
 * written by `renderAccess` (harness/snapshot/access.ts): `allow`, `partial (denied: ssn; redacted: salary)`.
 */
export type PersonaAccess = string | Record<string, string>;

export interface SnapshotPersona {
  kind: string;
  groups?: string[];
  description: string;
}

/** A record the cells act on: what it is, and whose it is. */
export interface SnapshotFixture {
  record: string;
  /** Personas that own it. */
  own?: string[];
  /** Personas it is shared with (co-owners, members of its group). */
  shared?: string[];
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** How to read the file (fixed text; changes only with the version). */
  legend: string[];
  schema: {
    /** Enabled modes, the default marked: `userPool (default)`, `iam (identity pool, guests allowed)`. */
    authModes: string[];
    /** Transform settings that change who gets in (generic IAM access, admin roles, sandbox mode). */
    settings: string[];
    /** Rules by holder (`Post`, `Employee.ssn`, `Query.echo`), in the schema's words. */
    rules: Record<string, string[]>;
    caveats?: string[];
  };
  /** By persona name. */
  personas: Record<string, SnapshotPersona>;
  /** By model, then fixture name (`owned`, `shared`, `unowned`, `record`). */
  fixtures: Record<string, Record<string, SnapshotFixture>>;
  /** By permission, then persona: only personas with some access. */
  permissions: Record<string, Record<string, PersonaAccess>>;
}

const OPERATION_TYPE: Record<string, string> = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

/**
 * Cells that state a permission. Left out: the same permission reached another way (custom-header
 * paths, a list filter naming another owner), batching and credential probes, which check the
 * endpoint's plumbing rather than who may do what.
 */
const isPermission = (c: Cell): boolean =>
  c.kind !== 'header' && c.kind !== 'batch' && c.kind !== 'probe' && !c.variant?.startsWith('filter:')
  // REST: header paths, the preflight and cached-decision cells test API Gateway's plumbing.
  && !(c.action.type === 'rest' && (c.action.headerPath !== 'request' || c.action.after || c.operation === 'OPTIONS'))
  // Storage: presigned URLs and keys out of their folder test the endpoint's plumbing, not a path's rules.
  && !(c.kind === 'storage' && c.variant);

/** The snapshot of a schema for a cast (the cells default to the expected matrix). */
export function snapshotOf(auth: AuthModel, cast: Persona[], cells: Cell[] = expectedMatrix(auth, cast)): Snapshot {
  const recordNames = new Map<string, string>();
  for (const m of auth.models) for (const f of fixtures(auth, m, cast)) recordNames.set(`${m.name}|${recordKey(m, f.record)}`, f.name);

  const grid = new Map<string, Map<string, Map<string, Access>>>();
  const seen = new Set<string>();
  for (const c of cells.filter(isPermission)) {
    const key = permissionKey(c);
    // REST: one access per presentation (signed, idToken, accessToken, ...), as records are for models, and per
    // identity id in the path where a policy names it (`signed:userId = own identity id`). Storage cells on
    // `{entity_id}` paths: in the persona's own folder or another identity's.
    const situation = c.action.type === 'rest' ? c.variant ?? c.action.presentation : c.fixture ?? (c.kind === 'storage' ? c.ownership : undefined) ?? '';
    const id = `${key}|${c.persona}|${situation}`;
    if (seen.has(id)) throw new Error(`snapshot: cells ${c.id} and another map to the same entry ${id}`);
    seen.add(id);
    const byPersona = grid.get(key) ?? new Map<string, Map<string, Access>>();
    grid.set(key, byPersona);
    const bySituation = byPersona.get(c.persona) ?? new Map<string, Access>();
    byPersona.set(c.persona, bySituation);
    bySituation.set(situation, accessOf(c, (id) => recordNames.get(`${c.model}|${id}`) ?? id));
  }

  const permissions: Snapshot['permissions'] = {};
  for (const key of [...grid.keys()].sort(byCodeUnit)) {
    const entry: Record<string, PersonaAccess> = {};
    const byPersona = grid.get(key)!;
    // A plain permission lists who has access; a variant lists who differs from the plain permission.
    const plain = key === plainKey(key) ? undefined : grid.get(plainKey(key));
    for (const persona of [...byPersona.keys()].sort(byCodeUnit)) {
      const bySituation = byPersona.get(persona)!;
      const baseline = plain?.get(persona);
      if ([...bySituation].every(([s, a]) => sameAccess(a, baseline?.get(s) ?? DENY))) continue;
      const only = bySituation.size === 1 ? bySituation.get('') : undefined;
      entry[persona] = only
        ? renderAccess(only)
        : Object.fromEntries([...bySituation.entries()].sort(([a], [b]) => byCodeUnit(a, b)).map(([s, a]) => [s || 'any', renderAccess(a)]));
    }
    permissions[key] = entry;
  }

  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    legend: [...SNAPSHOT_LEGEND],
    schema: schemaSummary(auth),
    personas: Object.fromEntries([...cast].sort((a, b) => byCodeUnit(a.name, b.name)).map((p) => [p.name, personaEntry(p)])),
    fixtures: fixtureEntries(auth, cast, cells),
    permissions,
  };
}

/**
 * Where a cell goes: `Post.update`, `Employee.get.ssn`, `Query.echo`. Whatever else the cell's id
 * distinguishes (cell kinds added later) is appended in parentheses, so every cell keeps its own entry.
 */
export function permissionKey(c: Cell): string {
  if (c.kind === 'rest') return `REST ${c.api} ${c.operation} ${c.path}`;
  if (c.kind === 'storage') return `${STORAGE_PREFIX}${c.bucket}:${c.path} ${c.operation}`;
  const subject = c.model ?? `${OPERATION_TYPE[c.operation] ?? 'Custom'}.${c.customOperation}`;
  const base = [subject, ...(c.model ? [c.operation] : []), ...(c.field ? [c.field] : [])].join('.');
  const rest = c.id.split('|');
  for (const part of [c.model ?? c.customOperation, c.operation, c.persona, c.fixture, c.field]) {
    const i = part === undefined ? -1 : rest.indexOf(part);
    if (i >= 0) rest.splice(i, 1);
  }
  return rest.length ? `${base} (${rest.join(' ')})` : base;
}

/** `Post.onCreate (by:owner)` → `Post.onCreate`: the permission a variant refines. */
export const plainKey = (key: string): string => key.replace(/ \(.*\)$/, '');

/** Storage permissions: `S3 <bucket>:<path> <action>` (`S3 photos:media/* write`). */
const STORAGE_PREFIX = 'S3 ';

/** The parts of a permission key. */
export function parsePermissionKey(key: string): { model?: string; customOperation?: string; api?: string; path?: string; storage?: string; operation: string; field?: string; extra?: string } {
  const rest = /^REST (\S+) (\S+) (.+)$/.exec(key);
  if (rest) return { api: rest[1]!, operation: rest[2]!, path: rest[3]! };
  if (key.startsWith(STORAGE_PREFIX)) {
    const space = key.lastIndexOf(' ');
    return { storage: key.slice(STORAGE_PREFIX.length, space), operation: key.slice(space + 1) };
  }
  const m = /^([^ ]+)(?: \((.*)\))?$/.exec(key);
  const parts = (m?.[1] ?? key).split('.');
  const extra = m?.[2] ? { extra: m[2] } : {};
  const type = Object.entries(OPERATION_TYPE).find(([, t]) => t === parts[0]);
  if (type || parts[0] === 'Custom') {
    return { customOperation: parts[1] ?? '', operation: type?.[0] ?? 'custom', ...(parts[2] ? { field: parts[2] } : {}), ...extra };
  }
  return { model: parts[0] ?? '', operation: parts[1] ?? '', ...(parts[2] ? { field: parts[2] } : {}), ...extra };
}

function storageGrantText(g: StorageGrant): string {
  const p = g.principal;
  const who = p.kind === 'group' ? `members of ${p.group}` : p.kind === 'function' ? `function ${p.name}` : p.kind === 'owner' ? 'the owning identity' : p.kind === 'guest' ? 'guests' : 'signed-in users';
  return `${who}: ${g.actions.join(', ') || 'nothing'}`;
}

function personaEntry(p: Persona): SnapshotPersona {
  return { kind: p.kind, ...(p.groups?.length ? { groups: [...p.groups] } : {}), description: p.description };
}

function fixtureEntries(auth: AuthModel, cast: Persona[], cells: Cell[]): Snapshot['fixtures'] {
  const owners = new Map<string, { own: Set<string>; shared: Set<string> }>();
  for (const c of cells) {
    if (!c.model || !c.fixture || (c.ownership !== 'own' && c.ownership !== 'shared')) continue;
    const k = `${c.model}|${c.fixture}`;
    const o = owners.get(k) ?? { own: new Set<string>(), shared: new Set<string>() };
    owners.set(k, o);
    o[c.ownership].add(c.persona);
  }
  const withFixtures = new Set(cells.filter((c) => c.model && c.fixture).map((c) => c.model!));
  const out: Snapshot['fixtures'] = {};
  for (const m of [...auth.models].sort((a, b) => byCodeUnit(a.name, b.name))) {
    if (!withFixtures.has(m.name)) continue;
    const entry: Record<string, SnapshotFixture> = {};
    for (const f of [...fixtures(auth, m, cast)].sort((a, b) => byCodeUnit(a.name, b.name))) {
      const o = owners.get(`${m.name}|${f.name}`);
      entry[f.name] = {
        record: f.label,
        ...(o?.own.size ? { own: [...o.own].sort(byCodeUnit) } : {}),
        ...(o?.shared.size ? { shared: [...o.shared].sort(byCodeUnit) } : {}),
      };
    }
    out[m.name] = entry;
  }
  return out;
}

function schemaSummary(auth: AuthModel): Snapshot['schema'] {
  const modes = auth.authModes;
  const mode = (m: AuthMode): string => {
    const notes: string[] = [];
    if (m === modes.default) notes.push('default');
    if (m === 'iam' && modes.identityPool) notes.push(`identity pool, ${modes.identityPool.allowUnauthenticated ? 'guests allowed' : 'signed-in users only'}`);
    if (m === 'oidc' && modes.oidc) notes.push(`issuer ${modes.oidc.issuer}${modes.oidc.clientId ? `, client ${modes.oidc.clientId}` : ''}`);
    if (m === 'lambda' && modes.lambda?.functionName) notes.push(`function ${modes.lambda.functionName}`);
    return notes.length ? `${m} (${notes.join('; ')})` : m;
  };
  const p = auth.params;
  const settings = [
    ...(p.genericIamAccess ? ['IAM principals outside the identity pool skip the @auth rules (generic IAM access)'] : []),
    ...(p.adminRoles.length ? [`IAM admin roles skip the @auth rules: ${p.adminRoles.join(', ')}`] : []),
    ...(p.sandboxMode ? ['sandbox mode: API-key callers pass field rules'] : []),
  ];
  const rules: Record<string, string[]> = {};
  const add = (holder: string, rs: Rule[] | undefined) => {
    if (rs?.length) rules[holder] = rs.map(ruleText);
  };
  for (const m of auth.models) {
    add(m.name, m.rules);
    for (const f of m.fields) add(`${m.name}.${f.name}`, f.rules);
  }
  for (const t of auth.customTypes) for (const f of t.fields) add(`${t.name}.${f.name}`, f.rules);
  for (const op of auth.customOperations) add(`${OPERATION_TYPE[op.type]}.${op.name}`, op.rules);
  for (const b of auth.storage?.buckets ?? []) {
    for (const { path, grants } of b.paths) if (grants.length) rules[`${STORAGE_PREFIX}${b.name}:${path}`] = grants.map((g) => `#${g.id.split('#')[1]} ${storageGrantText(g)}`);
  }
  return {
    authModes: modes.enabled.map(mode),
    settings,
    rules: Object.fromEntries(Object.entries(rules).sort(([a], [b]) => byCodeUnit(a, b))),
    ...(auth.caveats?.length ? { caveats: [...auth.caveats] } : {}),
  };
}

/** `#2 public access with the API key [read]`: the rule's position, what it grants, and to which operations. */
function ruleText(r: Rule): string {
  const position = r.id.slice(r.id.lastIndexOf('#'));
  const reads = READ_OPERATIONS.every((o) => r.operations.includes(o));
  const writes = ['create', 'update', 'delete'].filter((o) => r.operations.includes(o as Rule['operations'][number]));
  const ops = reads && writes.length === 3 ? '' : ` [${[...writes, ...(reads ? ['read'] : r.operations.filter((o) => READ_OPERATIONS.includes(o)))].join(', ')}]`;
  return `${position} ${describeRule(r)}${ops}`;
}

// Serialization: two-space JSON, sorted keys, one persona (or persona entry, or record) per line.

/** The bytes to commit: deterministic, one permission per persona per line, ending in a newline. */
export function serializeSnapshot(s: Snapshot): string {
  const top = { format: s.format, version: s.version, legend: s.legend, schema: s.schema, personas: s.personas, fixtures: s.fixtures, permissions: s.permissions };
  return write(top, [], '') + '\n';
}

/** Lines that hold a whole object: a persona, a record, a persona's access to one permission. */
const inlineAt = (path: string[]): boolean =>
  (path[0] === 'personas' && path.length === 2) || (path[0] === 'fixtures' && path.length === 3) || (path[0] === 'permissions' && path.length === 3);

/** Objects written in their own field order (everything else is a map, written sorted). */
const fixedOrderAt = (path: string[]): boolean => path.length === 0 || (path.length === 1 && path[0] === 'schema');

function write(v: unknown, path: string[], indent: string): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (inlineAt(path)) return inline(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + write(x, [...path, '*'], inner)).join(',\n')}\n${indent}]` : '[]';
  const keys = Object.keys(v);
  if (!fixedOrderAt(path)) keys.sort(byCodeUnit);
  if (!keys.length) return '{}';
  const o = v as Record<string, unknown>;
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(o[k], [...path, k], inner)}`).join(',\n')}\n${indent}}`;
}

function inline(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : '{}';
}

// Reading a committed snapshot.

export function isSnapshotLike(v: unknown): boolean {
  return isObject(v) && v.format === SNAPSHOT_FORMAT;
}

/** Checks a parsed snapshot; bad ones are InputErrors naming the file and the fix. */
export function validateSnapshot(v: unknown, file: string): Snapshot {
  const fix = 'regenerate it with `authmatrix snapshot --schema <schema> --out <file>`';
  if (!isSnapshotLike(v)) throw new InputError(`not a permission snapshot (no "format": "${SNAPSHOT_FORMAT}")`, { file }, 'pass an authz.snapshot.json written by `authmatrix snapshot`, or a schema');
  const s = v as Record<string, unknown>;
  if (s.version !== SNAPSHOT_VERSION) throw new InputError(`snapshot version ${JSON.stringify(s.version)} is not supported (this authmatrix reads version ${SNAPSHOT_VERSION})`, { file }, fix);
  if (!isObject(s.personas) || !Object.values(s.personas).every((p) => isObject(p) && typeof p.kind === 'string')) {
    throw new InputError('the snapshot\'s "personas" must map names to { kind, description }', { file }, fix);
  }
  const isAccess = (x: unknown) => typeof x === 'string' && parseAccess(x) !== undefined;
  const accessOk = (a: unknown) => isAccess(a) || (isObject(a) && Object.values(a).every(isAccess));
  if (!isObject(s.permissions) || !Object.values(s.permissions).every((e) => isObject(e) && Object.values(e).every(accessOk))) {
    throw new InputError('the snapshot\'s "permissions" must map permissions to personas to access strings (allow, deny, filtered, partial or invalid, with sees/denied/redacted details)', { file }, fix);
  }
  return { legend: [], schema: { authModes: [], settings: [], rules: {} }, fixtures: {}, ...s } as unknown as Snapshot;
}

export function parseSnapshot(text: string, file: string): Snapshot {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, 'regenerate it with `authmatrix snapshot`');
  }
  return validateSnapshot(v, file);
}

export function readSnapshot(file: string): Snapshot {
  if (!existsSync(file)) throw new InputError('snapshot file not found', { file }, 'create it with `authmatrix snapshot --schema <schema> --out <file>`');
  return parseSnapshot(readFileSync(file, 'utf8'), file);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
