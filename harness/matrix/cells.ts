/**
 * The expected permission matrix: every cell (persona × model × operation × field × ownership) with the
 * oracle's decision. The runner turns the same cells into requests.
 */
import { ownerClaim } from '../rules/identity.js';
import { decide, defaultSelection, fieldIsRestricted, type Decision, type Outcome } from '../rules/decide.js';
import type { AuthModel, Field, Model } from '../schema/model.js';
import { dynamicGroupName, type Persona } from './cast.js';
import { authFields, dynamicGroupRules, fixtures, ownerRules, ownership, sampleInput, sampleValue, type Fixture, type Ownership } from './fixtures.js';

export type CellOperation =
  | 'create' | 'get' | 'list' | 'update' | 'delete' | 'onCreate' | 'onUpdate' | 'onDelete'
  | 'query' | 'mutation' | 'subscription';

export interface Cell {
  /** Stable across runs: `Post|update|stranger|owned` (`|field` for field cells). */
  id: string;
  persona: string;
  /** The model, for model cells. */
  model?: string;
  /** The custom operation, for custom-operation cells. */
  customOperation?: string;
  operation: CellOperation;
  /** Field-level cells: the field read or written. */
  field?: string;
  /** The fixture acted on (get/update/delete and field cells). */
  fixture?: Fixture['name'];
  /** How the persona stands to that fixture, where the rules care. */
  ownership?: Ownership;
  expected: Outcome;
  rule: string | null;
  reason: string;
  decision: Decision;
}

export interface MatrixOptions {
  /** Restrict to a model, persona or operation (the CLI's --only). */
  only?: (cell: Cell) => boolean;
}

const MODEL_OPS = ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'] as const;

export function expectedMatrix(auth: AuthModel, cast: Persona[], options: MatrixOptions = {}): Cell[] {
  const cells: Cell[] = [];
  const team = dynamicGroupName(auth);
  for (const m of auth.models) cells.push(...modelCells(auth, m, cast, team));
  for (const op of auth.customOperations) {
    for (const p of cast) {
      const decision = decide(auth, p.identity, 'custom', { type: op.name });
      cells.push(cell({ id: `${op.name}|${op.type}|${p.name}`, persona: p.name, customOperation: op.name, operation: op.type }, decision));
    }
  }
  return options.only ? cells.filter(options.only) : cells;
}

function cell(base: Omit<Cell, 'expected' | 'rule' | 'reason' | 'decision'>, decision: Decision): Cell {
  return { ...base, expected: decision.outcome, rule: decision.rule, reason: decision.reason, decision };
}

/** The update a model-level update cell sends: one plain field changed (or only the key when there is none). */
export function updateInput(auth: AuthModel, m: Model, fixture: Fixture): Record<string, unknown> {
  const key = m.primaryKey.partitionKey;
  const input: Record<string, unknown> = { [key]: fixture.record[key] };
  for (const k of m.primaryKey.sortKeys) input[k] = fixture.record[k];
  const skip = authFields(m);
  const plain = m.fields.find((f) => !f.implicit && !f.relation && !f.rules && !skip.has(f.name) && f.name !== key && !m.primaryKey.sortKeys.includes(f.name) && f.typeKind !== 'customType');
  if (plain) input[plain.name] = changed(auth, plain, fixture.record[plain.name]);
  return input;
}

function changed(auth: AuthModel, f: Field, old: unknown): unknown {
  if (f.typeKind === 'enum') {
    const values = auth.enums.find((e) => e.name === f.type)?.values ?? [];
    const next = values.find((v) => v !== old) ?? values[0];
    return f.list ? [next] : next;
  }
  if (f.type === 'String' || f.type === 'ID') return f.list ? ['updated'] : 'updated';
  if (f.type === 'Boolean') return f.list ? [!old] : !old;
  if (f.type === 'Int' || f.type === 'Float' || f.type === 'AWSTimestamp') return f.list ? [8] : 8;
  return sampleValue(auth, f);
}

function modelCells(auth: AuthModel, m: Model, cast: Persona[], team: string): Cell[] {
  const out: Cell[] = [];
  const fx = fixtures(auth, m, cast);
  const records = fx.map((f) => f.record);
  const select = defaultSelection(m);
  const restricted = m.fields.filter((f) => !f.implicit && !f.relation && (f.rules || fieldIsRestricted(m, f)));
  const baseInput = sampleInput(auth, m);
  const updates = fx.map((f) => updateInput(auth, m, f));
  const key = [m.primaryKey.partitionKey];
  for (const p of cast) {
    const base = { persona: p.name, model: m.name };
    // A member creates records for its own group; others name the fixtures' group.
    const createInput = withDynamicGroup(m, p.groups?.[0] ?? team, baseInput);
    const where = fx.map((f) => {
      const own = ownership(m, p.identity, f.record);
      return { fixture: f.name, ...(own ? { ownership: own } : {}) };
    });
    for (const op of MODEL_OPS) {
      if (!m.operationNames[op]) continue;
      if (op === 'create') {
        out.push(cell({ ...base, id: `${m.name}|create|${p.name}`, operation: 'create' }, decide(auth, p.identity, 'create', { type: m.name, input: createInput, select })));
      } else if (op === 'list') {
        out.push(cell({ ...base, id: `${m.name}|list|${p.name}`, operation: 'list' }, decide(auth, p.identity, 'list', { type: m.name, records, select })));
      } else if (op === 'onCreate' || op === 'onUpdate' || op === 'onDelete') {
        out.push(cell({ ...base, id: `${m.name}|${op}|${p.name}`, operation: op }, decide(auth, p.identity, op, { type: m.name })));
      } else {
        fx.forEach((f, i) => {
          const target = op === 'update' ? { type: m.name, record: f.record, input: updates[i]!, select } : { type: m.name, record: f.record, select };
          out.push(cell({ ...base, id: `${m.name}|${op}|${p.name}|${f.name}`, operation: op, ...where[i]! }, decide(auth, p.identity, op, target)));
        });
      }
    }
    // Field level: read each restricted field alone, create with it, and change it.
    for (const field of restricted) {
      fx.forEach((f, i) => {
        if (m.operationNames.get) {
          out.push(cell({ ...base, id: `${m.name}|get|${p.name}|${f.name}|${field.name}`, operation: 'get', field: field.name, ...where[i]! },
            decide(auth, p.identity, 'get', { type: m.name, record: f.record, select: [...key, field.name] })));
        }
        if (m.operationNames.update) {
          const input = { ...updateKey(m, f), [field.name]: changed(auth, field, f.record[field.name]) };
          out.push(cell({ ...base, id: `${m.name}|update|${p.name}|${f.name}|${field.name}`, operation: 'update', field: field.name, ...where[i]! },
            decide(auth, p.identity, 'update', { type: m.name, record: f.record, input, select: key })));
        }
      });
      if (m.operationNames.create) {
        const input = { ...createInput, [field.name]: ownValue(auth, m, team, p, field) };
        out.push(cell({ ...base, id: `${m.name}|create|${p.name}|${field.name}`, operation: 'create', field: field.name },
          decide(auth, p.identity, 'create', { type: m.name, input, select: key })));
      }
    }
  }
  return out;
}

/** The value a persona would put in a field of its own record: its own claim in an owner field, its group in a group field. */
function ownValue(auth: AuthModel, m: Model, team: string, p: Persona, field: Field): unknown {
  const owner = ownerRules(m).find((r) => r.ownerField === field.name);
  if (owner) {
    const claim = ownerClaim(p.identity, owner.identityClaim)?.value ?? null;
    return owner.multiOwner ? (claim ? [claim] : []) : claim;
  }
  const group = dynamicGroupRules(m).find((r) => r.groupsField === field.name);
  if (group) return group.multiGroup ? [team] : team;
  return sampleValue(auth, field);
}

function updateKey(m: Model, f: Fixture): Record<string, unknown> {
  const input: Record<string, unknown> = { [m.primaryKey.partitionKey]: f.record[m.primaryKey.partitionKey] };
  for (const k of m.primaryKey.sortKeys) input[k] = f.record[k];
  return input;
}

/** Creates name the dynamic group, as a member of it would. */
function withDynamicGroup(m: Model, team: string, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const r of dynamicGroupRules(m)) {
    const f = m.fields.find((x) => x.name === r.groupsField);
    if (f && !f.implicit) out[f.name] = r.multiGroup ? [team] : team;
  }
  return out;
}
