/**
 * Which cells a statement is about. A statement becomes probes: a cell (for lists and relations, one
 * record the cell may return) and what must be true of it. Names are checked here against the schema
 * and the matrix; a statement that names something unknown, or selects no cells, is bad input (a typo
 * must never pass).
 *
 * Two selections per verb: `plain` (the ordinary request: no variants, no custom-header paths) for
 * what a persona may do, and `every` (also the attack variants, custom-header paths, relation reads and
 * subscription deliveries) for what a persona must never do. `plain` ⊆ `every`.
 */
import type { Cell } from '../matrix/cells.js';
import type { AuthModel, Model } from '../schema/model.js';
import { InputError } from '../schema/errors.js';
import { oneOf } from './names.js';
import type { Plan, Probe } from './plan.js';
import { planRest } from './select-rest.js';
import { isRestPath, isStoragePath, namesWords, recordsWords, type Records, type Statement } from './statement.js';

export interface ContractMatrix {
  /** The schema the cells come from (for field names and relation targets). */
  model: AuthModel;
  /** The full expected matrix (`expectedMatrix(model, cast)`), not a filtered part. */
  cells: Cell[];
}

type Mode = 'plain' | 'every';

/**
 * Cells that are not a persona's permission: batched reads and credential probes test how the endpoint
 * handles requests, and with an API key injected beside a credential the key decides (the apiKey
 * persona's own cells state that access).
 */
const NOT_PERMISSIONS = new Set(['batch', 'probe']);
const SECOND_KEY = 'headers:second-key';
type Pick = Omit<Probe, 'persona' | 'role'>;

/** Lookups over a matrix, built once for many statements. */
export class MatrixIndex {
  readonly personas: string[];
  readonly byId: Map<string, Cell>;
  private readonly byPersona = new Map<string, Cell[]>();
  private readonly records = new Map<string, string[]>();
  private readonly standing = new Map<string, string>();

  constructor(readonly matrix: ContractMatrix) {
    this.byId = new Map(matrix.cells.map((c) => [c.id, c]));
    for (const c of matrix.cells) {
      if (NOT_PERMISSIONS.has(c.kind)) continue;
      const list = this.byPersona.get(c.persona) ?? [];
      list.push(c);
      this.byPersona.set(c.persona, list);
      if (c.model && c.fixture && c.kind === 'model') {
        const rs = this.records.get(c.model) ?? [];
        if (!rs.includes(c.fixture)) rs.push(c.fixture);
        this.records.set(c.model, rs);
        if (c.ownership) this.standing.set(`${c.model}|${c.persona}|${c.fixture}`, c.ownership);
      }
      for (const id of c.kind === 'model' && c.model ? (c.decision.visibleIds ?? []) : []) {
        const rs = this.records.get(c.model!) ?? [];
        if (!rs.includes(id)) rs.push(id);
        this.records.set(c.model!, rs);
      }
    }
    this.personas = [...this.byPersona.keys()];
  }

  cellsOf(persona: string): Cell[] {
    return this.byPersona.get(persona) ?? [];
  }

  /** The fixture records of a model (`owned`, `shared`, `unowned`, `record`, …). */
  recordsOf(model: string): string[] {
    return this.records.get(model) ?? [];
  }

  /** How a persona stands to a fixture record of a model (own, shared, other, unowned), when the model has owners or groups. */
  ownership(model: string, persona: string, record: string): string | undefined {
    return this.standing.get(`${model}|${persona}|${record}`);
  }

  modelNamed(name: string): Model | undefined {
    return this.matrix.model.models.find((m) => m.name === name);
  }
}

/** The probes of a statement, or a one-line InputError naming the file and line when it selects nothing or names something unknown. */
export function planStatement(ix: MatrixIndex, s: Statement, file: string): Plan {
  const fail = (message: string, fix: string): never => {
    throw new InputError(`"${s.text}": ${message}`, { file, ...(s.line ? { line: s.line } : {}) }, fix);
  };
  if (isRestPath(s.object)) return planRest(ix, s, fail);
  if (isStoragePath(s.object)) return planStorage(ix, s, fail);
  const target = resolveObject(ix, s, fail);
  const known = (p: string) => ix.personas.includes(p) || fail(`unknown persona "${p}"`, oneOf(p, ix.personas));
  if ('ownerIdentity' in s.subject) return fail('"the owner identity" applies to storage paths', 'name personas for models');
  const named = 'personas' in s.subject ? s.subject.personas : s.subject.except;
  named.forEach(known);
  if (s.from !== undefined) known(s.from);
  if (target.model && s.records !== undefined) checkRecords(ix, target.model, s.records, fail);

  const subjects = 'personas' in s.subject ? s.subject.personas : ix.personas.filter((p) => !(s.subject as { except: string[] }).except.includes(p));
  if (!subjects.length) fail('"anyone except" leaves no persona', 'leave at least one persona out of except');
  const probes: Probe[] = [];
  const add = (persona: string, mode: Mode, role: Probe['role']) => {
    const picked = select(ix, s, persona, mode);
    probes.push(...picked.map((p) => ({ ...p, persona, role })));
    return picked.length;
  };
  const role = s.quantifier === 'may' ? 'must' : s.quantifier === 'never' ? 'mustNot' : 'some';
  const mode: Mode = s.quantifier === 'never' ? 'every' : 'plain';
  let total = 0;
  for (const p of subjects) {
    const n = add(p, mode, role);
    total += n;
    if (!n && 'personas' in s.subject) fail(`selects no cells for ${p}`, nothingFix(ix, s, target.model));
  }
  if (!total) fail('selects no cells', nothingFix(ix, s, target.model));
  if (s.quantifier === 'only') for (const p of ix.personas.filter((x) => !subjects.includes(x))) add(p, 'every', 'mustNot');
  return { statement: s, probes };
}

const OWNER_IDENTITY = 'the owner identity';

/**
 * A statement about files: the storage cells of the path (and bucket, when named) for the verb, in the
 * persona's own folder or others' when the statement says so. `the owner identity` is every persona in
 * its own folder; with `only`, nobody may do it in a folder that is not theirs.
 */
function planStorage(ix: MatrixIndex, s: Statement, fail: (m: string, f: string) => never): Plan {
  const storage = ix.matrix.model.storage;
  const colon = s.object.lastIndexOf(':', s.object.indexOf('/'));
  const bucket = colon > 0 ? s.object.slice(0, colon) : undefined;
  const path = colon > 0 ? s.object.slice(colon + 1) : s.object;
  if (!storage) return fail('the app defines no storage', 'drop the statement, or add amplify/storage/resource.ts');
  const buckets = bucket ? storage.buckets.filter((b) => b.name === bucket) : storage.buckets;
  if (bucket && !buckets.length) fail(`unknown bucket "${bucket}"`, oneOf(bucket, storage.buckets.map((b) => b.name)));
  const paths = buckets.flatMap((b) => b.paths.map((p) => p.path));
  if (!paths.includes(path)) fail(`no storage rule is declared on "${path}"`, oneOf(path, [...new Set(paths)]));
  const owned = path.includes('{entity_id}');
  if (('ownerIdentity' in s.subject || s.records !== undefined) && !owned) fail(`${path} has no {entity_id}: nobody owns a folder there`, 'name personas, without their own or others\'');
  const ops = { read: ['get', 'list'], get: ['get'], list: ['list'], write: ['write', 'copy', 'multipart'], delete: ['delete'] }[s.verb as 'read'];
  if (!ops) return fail(`${s.verb} does not apply to files`, 'use read, get, list, write or delete');
  const on = (persona: string, mode: Mode, ownership?: 'own' | 'other'): Cell[] =>
    ix.cellsOf(persona).filter((c) => c.kind === 'storage' && c.path === path && (!bucket || c.bucket === bucket)
      && (mode === 'every' || c.operation === ops[0] || s.verb === 'read') && ops.includes(c.operation)
      && (ownership === undefined || c.ownership === ownership));
  const probes: Probe[] = [];
  const add = (persona: string, cells: Cell[], role: Probe['role']) => probes.push(...cells.map((cell) => ({ cell, persona, kind: 'action' as const, role })));
  const role: Probe['role'] = s.quantifier === 'may' ? 'must' : s.quantifier === 'never' ? 'mustNot' : 'some';
  const mode: Mode = s.quantifier === 'never' ? 'every' : 'plain';
  if ('ownerIdentity' in s.subject) {
    // One subject, whoever holds the folder: `only` needs some persona granted it in its own folder.
    for (const p of ix.personas) probes.push(...on(p, mode, 'own').map((cell) => ({ cell, persona: OWNER_IDENTITY, kind: 'action' as const, role })));
    if (s.quantifier === 'only') for (const p of ix.personas) add(p, on(p, 'every', 'other'), 'mustNot');
  } else {
    const named = 'personas' in s.subject ? s.subject.personas : s.subject.except;
    named.forEach((p) => ix.personas.includes(p) || fail(`unknown persona "${p}"`, oneOf(p, ix.personas)));
    const subjects = 'personas' in s.subject ? s.subject.personas : ix.personas.filter((p) => !named.includes(p));
    const ownership = s.records === 'own' || s.records === 'other' ? s.records : undefined;
    for (const p of subjects) {
      const cells = on(p, mode, ownership);
      if (!cells.length && 'personas' in s.subject) fail(`selects no cells for ${p}`, `${p} has no AWS credentials to reach the bucket (only identity-pool personas, functions and IAM roles do)`);
      add(p, cells, role);
    }
    if (s.quantifier === 'only') for (const p of ix.personas.filter((x) => !subjects.includes(x))) add(p, on(p, 'every', ownership), 'mustNot');
  }
  if (!probes.length) fail('selects no cells', `check the verb and ${s.object}: the matrix has no such storage cell`);
  return { statement: s, probes };
}

function resolveObject(ix: MatrixIndex, s: Statement, fail: (m: string, f: string) => never): { model?: Model } {
  const auth = ix.matrix.model;
  const model = ix.modelNamed(s.object);
  const op = auth.customOperations.find((o) => o.name === s.object);
  if (!model && !op) {
    const names = [...auth.models.map((m) => m.name), ...auth.customOperations.map((o) => o.name)];
    fail(`unknown model or custom operation "${s.object}"`, oneOf(s.object, names));
  }
  if (op) {
    if (s.verb === 'call' || (s.verb === 'subscribe' && op.type === 'subscription')) return {};
    fail(`${s.object} is a custom ${op.type}: only ${op.type === 'subscription' ? 'call and subscribe to apply' : 'call applies'}`, `write "call ${s.object}"`);
  }
  if (s.verb === 'call') fail(`call needs a custom operation, ${s.object} is a model`, `use one of ${auth.customOperations.map((o) => o.name).join(', ') || '(none in this schema)'}, or a model verb such as read`);
  if (s.field) {
    const field = model!.fields.find((f) => f.name === s.field);
    if (!field) fail(`${s.object} has no field "${s.field}"`, oneOf(s.field, model!.fields.map((f) => f.name)));
    if (field!.relation && s.verb !== 'read' && s.verb !== 'get') fail(`${s.object}.${s.field} is a relation: only read and get apply`, `write "read ${s.object}.${s.field}", or name the related model (${field!.relation.model})`);
  }
  return { model: model! };
}

function checkRecords(ix: MatrixIndex, m: Model, r: Records, fail: (m: string, f: string) => never): void {
  const records = ix.recordsOf(m.name);
  const list = `${m.name}'s records: ${records.join(', ') || 'none'}`;
  if (typeof r === 'object') {
    if (!ix.personas.includes(r.of)) fail(`unknown persona "${r.of}"`, oneOf(r.of, ix.personas));
    if (!records.includes('owned')) fail(`${m.name} has no owned record (${list})`, 'name shared, unowned or no records');
    const owners = ix.personas.filter((p) => ix.ownership(m.name, p, 'owned') === 'own');
    if (!owners.includes(r.of)) fail(`${r.of} does not own a ${m.name}: its owned record is ${namesWords(owners) || 'nobody'}'s`, `write ${owners[0] ?? 'owner'}'s ${m.name}`);
  } else if (r === 'shared' && !records.some(isShared)) fail(`${m.name} has no shared records (${list})`, 'name another record, or none');
  else if (r === 'unowned' && !records.includes('unowned')) fail(`${m.name} has no unowned record (${list})`, 'name another record, or none');
  else if ((r === 'own' || r === 'other') && !ix.personas.some((p) => records.some((x) => ix.ownership(m.name, p, x) !== undefined))) {
    fail(`${m.name}'s records have no owners, so "${recordsWords(r)}" selects nothing`, 'drop the records qualifier');
  }
}

const isShared = (f: string) => f === 'shared' || f.startsWith('shared:');

function nothingFix(ix: MatrixIndex, s: Statement, model: Model | undefined): string {
  if (s.field && ['create', 'update', 'write'].includes(s.verb)) {
    return `no cell writes ${s.object}.${s.field} on its own (only fields with their own rules, owner fields and group fields have field cells); write about ${s.object}`;
  }
  const relation = s.field ? model?.fields.find((f) => f.name === s.field)?.relation : undefined;
  if (relation) return `relation reads are cells only for personas who may get the ${s.object} they start from; write about ${s.object} or ${relation.model} instead`;
  if (s.records !== undefined) return `drop "${recordsWords(s.records)}" or choose a record this persona's cells act on (${model ? ix.recordsOf(model.name).join(', ') : ''})`;
  if (s.from !== undefined) return `${s.from} makes no ${s.object} event that this persona could receive; check the persona after from`;
  return `check the persona, the verb and ${s.object}: the matrix has no such cell`;
}

/** The cells (and records) a statement looks at for one persona. */
function select(ix: MatrixIndex, s: Statement, persona: string, mode: Mode): Pick[] {
  const cells = ix.cellsOf(persona);
  if (s.verb === 'call' || (s.verb === 'subscribe' && !ix.modelNamed(s.object))) {
    return cells.filter((c) => c.kind === 'custom' && c.customOperation === s.object).map((cell) => ({ cell, kind: 'action' }));
  }
  const m = s.object;
  const F = s.field;
  const inModel = cells.filter((c) => c.model === m);
  const relationField = F ? ix.modelNamed(m)!.fields.find((f) => f.name === F)?.relation : undefined;
  const plain = (c: Cell) => mode === 'every' || (!c.variant && c.kind !== 'header');
  const onRecords = (c: Cell) => s.records === undefined || matches(c.fixture, c.ownership, s.records);

  const gets = (): Pick[] => {
    if (relationField) return inModel.filter((c) => c.kind === 'relation' && c.field === F && onRecords(c)).map((cell) => ({ cell, kind: 'children' }));
    return inModel
      .filter((c) => c.operation === 'get' && onRecords(c) && (c.kind === 'model' || (c.kind === 'field' && (F ? c.field === F : mode === 'every'))))
      .map((cell) => ({ cell, kind: 'record', ...(F ? { field: F } : {}) }));
  };
  const seen = (list: Cell[], model: string): Pick[] =>
    list.flatMap((cell) => recordsFor(ix, model, persona, s.records).map((record) => ({ cell, kind: 'seen' as const, record, ...(F ? { field: F } : {}) })));
  const lists = (): Pick[] => (relationField ? [] : seen(inModel.filter((c) => c.operation === 'list' && plain(c) && c.variant !== SECOND_KEY), m));
  const writes = (op: 'create' | 'update' | 'delete'): Pick[] => {
    if (op === 'create' && s.records !== undefined) return [];
    return inModel
      .filter((c) => c.operation === op && onRecords(c) && plain(c) && (F ? c.kind === 'field' && c.field === F : c.kind === 'model' || (c.kind === 'field' && mode === 'every')))
      .map((cell) => ({ cell, kind: 'action' }));
  };
  const deliveries = (): Pick[] =>
    inModel.filter((c) => c.kind === 'delivery' && plain(c) && (s.from === undefined || c.actor === s.from)).map((cell) => ({ cell, kind: 'event', ...(F ? { field: F } : {}) }));

  switch (s.verb) {
    case 'get':
      return gets();
    case 'list':
      return lists();
    case 'read': {
      const out = [...gets(), ...lists()];
      if (mode === 'plain' || relationField) return out;
      const relations = cells.filter((c) => c.kind === 'relation' && relationTarget(ix, c) === m);
      return [...out, ...seen(relations, m), ...(s.records === undefined ? deliveries() : [])];
    }
    case 'create':
    case 'update':
    case 'delete':
      return writes(s.verb);
    case 'write':
      return [...writes('create'), ...writes('update'), ...(F ? [] : writes('delete'))];
    case 'subscribe':
      return inModel.filter((c) => c.kind === 'subscription' && plain(c)).map((cell) => ({ cell, kind: 'action' }));
    case 'receive':
      return deliveries();
    default:
      // HTTP verbs: makeStatement allows them on REST paths only.
      return [];
  }
}

function relationTarget(ix: MatrixIndex, c: Cell): string | undefined {
  return ix.modelNamed(c.model!)?.fields.find((f) => f.name === c.field)?.relation?.model;
}

/** The fixture records of a model a statement's records qualifier names, for one persona. */
function recordsFor(ix: MatrixIndex, model: string, persona: string, r: Records | undefined): string[] {
  return ix.recordsOf(model).filter((f) => r === undefined || matches(f, ix.ownership(model, persona, f), r));
}

function matches(fixture: string | undefined, ownership: string | undefined, r: Records): boolean {
  if (typeof r === 'object') return fixture === 'owned';
  if (r === 'shared') return fixture !== undefined && isShared(fixture);
  if (r === 'unowned') return fixture === 'unowned';
  return ownership === r;
}
