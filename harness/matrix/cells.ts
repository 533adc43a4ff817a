/**
 * The expected permission matrix: every cell (persona × model × operation × field × ownership, plus
 * relations, subscriptions and custom-header paths) with the oracle's decision and the request that
 * tests it. The runner sends each cell's action and compares what comes back with `expected`.
 */
import { ownerClaim } from '../rules/identity.js';
import { decide, defaultSelection, fieldIsRestricted, recordKey, type Decision, type OperationName, type Outcome, type Target } from '../rules/decide.js';
import type { Identity } from '../rules/identity.js';
import { decidingRules } from '../rules/trace.js';
import { readRelation } from '../rules/visibility.js';
import { isStoredField, type AuthModel, type CustomOperation, type Field, type Model, type OwnerRule } from '../schema/model.js';
import type { Persona } from './cast.js';
import { authFields, dynamicGroupRules, fixtures, foreignKeys, identityKeyed, keyHolder, kindOf, linksParent, NOBODY, ownerRules, ownership, sampleInput, undeclaredCreateFields, sampleValue, uniqueKeyField, withOwnClaims, type Fixture, type Ownership } from './fixtures.js';
import type { RestAction } from './rest-action.js';
import type { StorageAction } from './storage-requests.js';

export type CellOperation =
  | 'create' | 'get' | 'list' | 'update' | 'delete' | 'onCreate' | 'onUpdate' | 'onDelete'
  | 'query' | 'mutation' | 'subscription'
  /** REST: the HTTP verb sent. */
  | 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS'
  /** Storage: object writes, server-side copies, multipart uploads. */
  | 'write' | 'copy' | 'multipart';

export const CELL_KINDS = ['model', 'field', 'relation', 'subscription', 'delivery', 'custom', 'header', 'batch', 'probe', 'rest', 'storage'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/**
 * What a cell expects. `invalid`: the request does not validate against the API (e.g. an implicit owner
 * field sent in an input), which is why the attack it stands for is impossible. `conditionFailed`: the caller
 * got through auth, and the mutation's condition did not hold on the stored record.
 */
export type Expected = Outcome | 'invalid' | 'conditionFailed';

/** A value filled in when the run knows it: a key field of a fixture record as created (its partition key unless `field` names another). */
export interface FixtureRef {
  $fixture: string;
  field?: string;
}

export type SubscriptionOperation = 'onCreate' | 'onUpdate' | 'onDelete';

/** The request a cell makes. Fixture instances are `Model|fixture` (shared, read-only) or `Model|fixture#n` (a private copy). */
export type Action =
  | { type: 'create'; model: string; input: Record<string, unknown>; select?: string[]; raw?: boolean }
  | { type: 'get'; model: string; instance: string; select?: string[] }
  /** A list; with `key`, a query through the table's key or (with `index`) an index, its key arguments by argument name. */
  | { type: 'list'; model: string; select?: string[]; filter?: Record<string, unknown>; index?: string; key?: Record<string, unknown> }
  /** With `condition`, the update's `condition` argument (a guess at a stored value). */
  | { type: 'update'; model: string; instance: string; input: Record<string, unknown>; select?: string[]; raw?: boolean; condition?: Record<string, unknown> }
  | { type: 'delete'; model: string; instance: string; select?: string[] }
  | { type: 'subscribe'; model: string; op: SubscriptionOperation; ownerArgs?: Record<string, string> }
  | { type: 'deliver'; model: string; op: SubscriptionOperation; subscriber: string; event: string }
  | { type: 'relation'; model: string; instance: string; field: string; childKey: string; childFields: string[] }
  | { type: 'custom'; operation: string; args: Record<string, unknown> }
  | { type: 'headers'; variant: HeaderVariant; base: Action; other?: string }
  /** Several reads in one request, each judged as its own cell. */
  | { type: 'batch'; parts: { alias: string; cell: Cell }[] }
  /** A credential attack (harness/probes), by probe id. */
  | { type: 'probe'; probe: string }
  /** A request to a REST API (API Gateway). */
  | RestAction
  /** An S3 request on the app's storage. */
  | StorageAction;

/**
 * Custom-header paths, as aws-amplify offers them: the credential in client-level headers
 * (`generateClient({ headers })`), in request-level headers, and request-level headers replacing
 * client-level ones that carry another persona's credential.
 */
export type HeaderVariant = 'client' | 'request' | 'override' | 'second-key';

export interface Cell {
  /** Stable across runs: `Post|update|stranger|owned` (`|field`, `|variant` where they apply). */
  id: string;
  kind: CellKind;
  persona: string;
  /** The model, for model cells. */
  model?: string;
  /** The custom operation, for custom-operation cells. */
  customOperation?: string;
  /** REST cells: the API (the name the client uses). */
  api?: string;
  /** Storage cells: the bucket (its friendly name). */
  bucket?: string;
  /** REST cells: the method's resource path (`/items/{proxy+}`); storage cells: the declared path (`media/*`, `private/{entity_id}/*`). */
  path?: string;
  operation: CellOperation;
  /** Field-level cells: the field read or written; relation cells: the relation field. */
  field?: string;
  /** The fixture acted on (get/update/delete, field and relation cells). */
  fixture?: string;
  /** How the persona stands to that fixture, where the rules care. */
  ownership?: Ownership;
  /** What sets the cell apart from its plain sibling: `spoof:owner`, `owner-arg:own`, `headers:client`, … */
  variant?: string;
  /** Delivery cells: the persona whose mutation makes the event. */
  actor?: string;
  expected: Expected;
  rule: string | null;
  reason: string;
  decision: Decision;
  action: Action;
}

const MODEL_OPS = ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'] as const;

/** The fields that say which cell it is (results and JSON carry them). */
export type CellIdentity = Pick<Cell, 'id' | 'kind' | 'persona' | 'model' | 'customOperation' | 'api' | 'bucket' | 'path' | 'operation' | 'field' | 'fixture' | 'ownership' | 'variant' | 'actor'>;

/** Which cell it is, absent fields left out. */
export function cellIdentity(c: Cell): CellIdentity {
  return {
    id: c.id,
    kind: c.kind,
    persona: c.persona,
    ...(c.model ? { model: c.model } : {}),
    ...(c.customOperation ? { customOperation: c.customOperation } : {}),
    ...(c.api ? { api: c.api } : {}),
    ...(c.bucket ? { bucket: c.bucket } : {}),
    ...(c.path ? { path: c.path } : {}),
    operation: c.operation,
    ...(c.field ? { field: c.field } : {}),
    ...(c.fixture ? { fixture: c.fixture } : {}),
    ...(c.ownership ? { ownership: c.ownership } : {}),
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c.actor ? { actor: c.actor } : {}),
  };
}

/** The oracle names the records a read sees by their key; cells name them by fixture, as the run observes them. */
export function byFixture(auth: AuthModel, m: Model, cast: Persona[], d: Decision): Decision {
  return d.visibleIds ? { ...d, visibleIds: fixtureNames(auth, m, cast, d.visibleIds) } : d;
}

function fixtureNames(auth: AuthModel, m: Model, cast: Persona[], keys: string[]): string[] {
  const names = new Map(fixtures(auth, m, cast).map((f) => [recordKey(m, f.record), f.name]));
  return keys.map((k) => names.get(k) ?? k);
}

/** The oracle's decision with the rules that made it (coverage reads them from the cell's result). */
function decided(auth: AuthModel, identity: Identity, operation: OperationName, target: Target): Decision {
  const d = decide(auth, identity, operation, target);
  return { ...d, decidedBy: decidingRules(auth, identity, operation, target, d) };
}

/** A freshly built cell with its decision, made as one object (completing it in place cost a tenth of the matrix: docs/architecture.md, "Performance"). */
export function cell(base: Omit<Cell, 'expected' | 'rule' | 'reason' | 'decision'>, decision: Decision): Cell {
  return { ...base, expected: decision.outcome, rule: decision.rule, reason: decision.reason, decision };
}

/**
 * A cell whose request cannot validate: no resolver decides it. A credential the API refuses is
 * refused first (AppSync authenticates before it validates the document).
 */
function invalidCell(auth: AuthModel, p: Persona, base: Omit<Cell, 'expected' | 'rule' | 'reason' | 'decision'>, reason: string): Cell {
  const refused = decide(auth, p.identity, 'create', { type: base.model!, input: {} });
  if (refused.requestLevel) return cell(base, refused);
  const decision: Decision = { outcome: 'deny', rule: null, reason };
  return { ...base, expected: 'invalid', rule: null, reason, decision };
}

/** `Model|fixture`: the shared instance of a fixture (read-only cells). */
export const instanceOf = (model: string, fixture: string): string => `${model}|${fixture}`;

/** A private copy of a fixture for one mutating cell, numbered later by the planner. */
export const COPY = '#copy';

/** The update a model-level update cell sends: one plain field changed (or only the key when there is none). */
export function updateInput(auth: AuthModel, m: Model, fixture: Fixture): Record<string, unknown> {
  const input = updateKey(m, fixture);
  const skip = authFields(m);
  const plain = m.fields.find((f) => !f.implicit && isStoredField(f) && !f.rules && !skip.has(f.name) && !(f.name in input) && f.typeKind !== 'customType' && !foreignKeys(auth).some((k) => k.child === m.name && k.field === f.name));
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

/** The other user of the persona's provider: the stranger for the owner, the owner for everyone else. */
export function someoneElse(cast: Persona[], p: Persona, rule: OwnerRule): Persona | undefined {
  const [mine, theirs] = rule.provider === 'oidc' ? ['oidcUser', 'oidcStranger'] : ['owner', 'stranger'];
  return cast.find((x) => x.kind === (p.kind === mine ? theirs : mine));
}

export function modelCells(auth: AuthModel, m: Model, cast: Persona[], team: string): Cell[] {
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
    const createInput = withOwnClaims(m, p.identity, withDynamicGroup(m, p.groups?.[0] ?? team, baseInput));
    const where = fx.map((f) => {
      const own = ownership(m, p.identity, f.record);
      return { fixture: f.name, ...(own ? { ownership: own } : {}) };
    });
    for (const op of MODEL_OPS) {
      if (!m.operationNames[op]) continue;
      if (op === 'create') {
        out.push(cell({ ...base, kind: 'model', id: `${m.name}|create|${p.name}`, operation: 'create', action: { type: 'create', model: m.name, input: createInput } },
          decided(auth, p.identity, 'create', { type: m.name, input: createInput, select })));
      } else if (op === 'list') {
        out.push(cell({ ...base, kind: 'model', id: `${m.name}|list|${p.name}`, operation: 'list', action: { type: 'list', model: m.name } },
          byFixture(auth, m, cast, decided(auth, p.identity, 'list', { type: m.name, records, select }))));
        out.push(...inferenceCells(auth, m, cast, p, fx, select));
        if (m.operationNames.update) out.push(...conditionInferenceCells(auth, m, p, fx, where, select));
      } else if (op === 'onCreate' || op === 'onUpdate' || op === 'onDelete') {
        out.push(...subscriptionCells(auth, m, cast, p, op));
      } else {
        fx.forEach((f, i) => {
          const id = `${m.name}|${op}|${p.name}|${f.name}`;
          const instance = instanceOf(m.name, f.name);
          if (op === 'get') {
            out.push(cell({ ...base, kind: 'model', id, operation: op, ...where[i]!, action: { type: 'get', model: m.name, instance } },
              decided(auth, p.identity, 'get', { type: m.name, record: f.record, select })));
          } else if (op === 'update') {
            out.push(cell({ ...base, kind: 'model', id, operation: op, ...where[i]!, action: { type: 'update', model: m.name, instance: instance + COPY, input: updates[i]! } },
              decided(auth, p.identity, 'update', { type: m.name, record: f.record, input: updates[i]!, select })));
          } else {
            out.push(cell({ ...base, kind: 'model', id, operation: op, ...where[i]!, action: { type: 'delete', model: m.name, instance: instance + COPY } },
              decided(auth, p.identity, 'delete', { type: m.name, record: f.record, select })));
          }
        });
      }
    }
    // Field level: read each restricted field alone, create with it, and change it.
    for (const field of restricted) {
      fx.forEach((f, i) => {
        const instance = instanceOf(m.name, f.name);
        if (m.operationNames.get) {
          const sel = [...key, field.name];
          out.push(cell({ ...base, kind: 'field', id: `${m.name}|get|${p.name}|${f.name}|${field.name}`, operation: 'get', field: field.name, ...where[i]!, action: { type: 'get', model: m.name, instance, select: sel } },
            decided(auth, p.identity, 'get', { type: m.name, record: f.record, select: sel })));
        }
        if (m.operationNames.update) {
          const input = { ...updateKey(m, f), [field.name]: changed(auth, field, f.record[field.name]) };
          out.push(cell({ ...base, kind: 'field', id: `${m.name}|update|${p.name}|${f.name}|${field.name}`, operation: 'update', field: field.name, ...where[i]!, action: { type: 'update', model: m.name, instance: instance + COPY, input, select: key } },
            decided(auth, p.identity, 'update', { type: m.name, record: f.record, input, select: key })));
        }
      });
      if (m.operationNames.create && !undeclaredCreateFields(auth, m).has(field.name)) {
        const input = { ...createInput, [field.name]: ownValue(auth, m, team, p, field) };
        out.push(cell({ ...base, kind: 'field', id: `${m.name}|create|${p.name}|${field.name}`, operation: 'create', field: field.name, action: { type: 'create', model: m.name, input, select: key } },
          decided(auth, p.identity, 'create', { type: m.name, input, select: key })));
      }
    }
    out.push(...ownershipCells(auth, m, cast, p, fx, where, createInput));
  }
  return out;
}

/**
 * The inference attack (docs/semantics.md, "Filters and conditions"): a list filtered on a field the persona may
 * not read, equal to the value of a record it lists, still returns that record, so the value is no secret.
 * One cell per field with field rules that the persona lists but may not read.
 */
function inferenceCells(auth: AuthModel, m: Model, cast: Persona[], p: Persona, fx: Fixture[], select: string[]): Cell[] {
  const out: Cell[] = [];
  for (const f of m.fields) {
    if (!f.rules || f.implicit || f.relation) continue;
    const hidden = fx.find((x) => x.record[f.name] != null && decide(auth, p.identity, 'get', { type: m.name, record: x.record, select }).deniedFields?.includes(f.name));
    if (!hidden) continue;
    // The right guess returns the record, a wrong one does not: the answer tells the two apart.
    const value = hidden.record[f.name];
    for (const [variant, eq] of [[`infer:${f.name}`, value], [`infer:${f.name}:wrong`, wrongGuess(value)]] as const) {
      const filter = { [f.name]: { eq } };
      out.push(cell({ persona: p.name, model: m.name, kind: 'field', id: `${m.name}|list|${p.name}|${variant}`, operation: 'list', field: f.name, variant, action: { type: 'list', model: m.name, filter } },
        byFixture(auth, m, cast, decided(auth, p.identity, 'list', { type: m.name, records: fx.map((x) => x.record), select, filter }))));
    }
  }
  return out;
}

/**
 * The same attack through an update's condition (docs/semantics.md, "Filters and conditions"): on a record the
 * persona may update but whose field it may not read, an update conditioned on the right value goes through and
 * one conditioned on a wrong value fails with ConditionalCheckFailed, so the answer tells the guesses apart.
 */
function conditionInferenceCells(auth: AuthModel, m: Model, p: Persona, fx: Fixture[], where: { fixture: string; ownership?: Ownership }[], select: string[]): Cell[] {
  const out: Cell[] = [];
  const key = [m.primaryKey.partitionKey];
  for (const f of m.fields) {
    if (!f.rules || f.implicit || f.relation) continue;
    const i = fx.findIndex((x) => x.record[f.name] != null && decide(auth, p.identity, 'get', { type: m.name, record: x.record, select }).deniedFields?.includes(f.name));
    const hidden = fx[i];
    if (!hidden) continue;
    const input = updateKey(m, hidden);
    const update = decided(auth, p.identity, 'update', { type: m.name, record: hidden.record, input, select: key });
    if (update.outcome === 'deny') continue;
    const value = hidden.record[f.name];
    // A model-level update (it changes no field), named for the field its condition guesses at.
    const base = { persona: p.name, model: m.name, kind: 'model' as const, operation: 'update' as const, ...where[i]! };
    const action = (eq: unknown) => ({ type: 'update' as const, model: m.name, instance: instanceOf(m.name, hidden.name) + COPY, input, select: key, condition: { [f.name]: { eq } } });
    out.push(cell({ ...base, id: `${m.name}|update|${p.name}|${hidden.name}|infer:${f.name}`, variant: `infer:${f.name}`, action: action(value) }, update));
    const reason = `${update.reason}; the condition tests ${f.name}, which ${p.name} may not read, against the stored value: a wrong guess fails with ConditionalCheckFailed`;
    out.push({ ...base, id: `${m.name}|update|${p.name}|${hidden.name}|infer:${f.name}:wrong`, variant: `infer:${f.name}:wrong`, action: action(wrongGuess(value)), expected: 'conditionFailed', rule: update.rule, reason, decision: { ...update, reason } });
  }
  return out;
}

const wrongGuess = (value: unknown): unknown => (typeof value === 'number' ? value + 1 : typeof value === 'boolean' ? !value : `${String(value)}-not`);

/**
 * The attacks on ownership: naming someone else as owner on create (spoofing), handing one's record to
 * someone else (transfer) or taking someone else's (takeover) on update, pointing a record at another
 * group (re-pointing), creating for no group or another group, and listing with a filter that names
 * another owner. Implicit owner fields are not in the inputs: sending one is invalid.
 */
function ownershipCells(auth: AuthModel, m: Model, cast: Persona[], p: Persona, fx: Fixture[], where: { fixture: string; ownership?: Ownership }[], createInput: Record<string, unknown>): Cell[] {
  const out: Cell[] = [];
  const base = { persona: p.name, model: m.name };
  const key = [m.primaryKey.partitionKey];
  for (const rule of ownerRules(m)) {
    const other = someoneElse(cast, p, rule);
    const theirs = other ? ownerClaim(other.identity, rule.identityClaim)?.value : undefined;
    if (!theirs) continue;
    const value = rule.multiOwner ? [theirs] : theirs;
    const field = m.fields.find((f) => f.name === rule.ownerField)!;
    const variant = `spoof:${field.name}`;
    if (m.operationNames.create) {
      const input = { ...createInput, [field.name]: value };
      const base2 = { ...base, kind: 'field' as const, id: `${m.name}|create|${p.name}|${variant}`, operation: 'create' as const, field: field.name, variant, action: { type: 'create' as const, model: m.name, input, select: key, raw: true } };
      out.push(field.implicit
        ? invalidCell(auth, p, base2, `invalid: ${field.name} is added by the owner rule, not declared, so it is not in Create${m.name}Input; nobody can name another owner`)
        : cell(base2, decided(auth, p.identity, 'create', { type: m.name, input, select: key })));
    }
    const mine = ownerClaim(p.identity, rule.identityClaim)?.value;
    if (m.operationNames.update) {
      fx.forEach((f, i) => {
        // On its own record a persona hands it to someone else; on any other it tries to take it.
        const taking = where[i]!.ownership !== 'own' && mine !== undefined;
        const input = { ...updateKey(m, f), [field.name]: taking ? (rule.multiOwner ? [mine] : mine) : value };
        const v = `${taking ? 'takeover' : 'transfer'}:${field.name}`;
        const base2 = { ...base, kind: 'field' as const, id: `${m.name}|update|${p.name}|${f.name}|${v}`, operation: 'update' as const, field: field.name, variant: v, ...where[i]!, action: { type: 'update' as const, model: m.name, instance: instanceOf(m.name, f.name) + COPY, input, select: key, raw: true } };
        out.push(field.implicit
          ? invalidCell(auth, p, base2, `invalid: ${field.name} is not in Update${m.name}Input (an implicit owner field), so ownership cannot change hands`)
          : cell(base2, decided(auth, p.identity, 'update', { type: m.name, record: f.record, input, select: key })));
      });
    }
  }
  const victimRule = ownerRules(m).find((r) => !r.multiOwner);
  if (victimRule && m.operationNames.list) {
    const victim = someoneElse(cast, p, victimRule);
    const value = victim ? ownerClaim(victim.identity, victimRule.identityClaim)?.value : undefined;
    if (value) {
      const filter = { [victimRule.ownerField]: { eq: value } };
      const records = fx.map((f) => f.record).filter((r) => r[victimRule.ownerField] === value);
      const v = `filter:${victimRule.ownerField}`;
      out.push(cell({ ...base, kind: 'field', id: `${m.name}|list|${p.name}|${v}`, operation: 'list', field: victimRule.ownerField, variant: v, action: { type: 'list', model: m.name, filter } },
        byFixture(auth, m, cast, decided(auth, p.identity, 'list', { type: m.name, records }))));
    }
  }
  for (const rule of dynamicGroupRules(m)) {
    const field = m.fields.find((f) => f.name === rule.groupsField)!;
    if (field.implicit) continue;
    const other = rule.multiGroup ? ['Other'] : 'Other';
    if (m.operationNames.update) {
      fx.forEach((f, i) => {
        const input = { ...updateKey(m, f), [field.name]: other };
        const v = `repoint:${field.name}`;
        out.push(cell({ ...base, kind: 'field', id: `${m.name}|update|${p.name}|${f.name}|${v}`, operation: 'update', field: field.name, variant: v, ...where[i]!, action: { type: 'update', model: m.name, instance: instanceOf(m.name, f.name) + COPY, input, select: key } },
          decided(auth, p.identity, 'update', { type: m.name, record: f.record, input, select: key })));
      });
    }
    if (m.operationNames.create) {
      // A required group field cannot be sent empty (a validation error, not an auth outcome).
      const variants = field.required ? ([['group:other', other]] as const) : ([['group:none', null], ['group:other', other]] as const);
      for (const [v, value] of variants) {
        const input = { ...createInput, [field.name]: value };
        out.push(cell({ ...base, kind: 'field', id: `${m.name}|create|${p.name}|${field.name}|${v}`, operation: 'create', field: field.name, variant: v, action: { type: 'create', model: m.name, input, select: key } },
          decided(auth, p.identity, 'create', { type: m.name, input, select: key })));
      }
    }
  }
  return out;
}

/** Starting a subscription: plainly, and for owner rules with the caller's own and someone else's `owner` argument. */
function subscriptionCells(auth: AuthModel, m: Model, cast: Persona[], p: Persona, op: SubscriptionOperation): Cell[] {
  const base = { persona: p.name, model: m.name, kind: 'subscription' as const, operation: op };
  const out = [cell({ ...base, id: `${m.name}|${op}|${p.name}`, action: { type: 'subscribe', model: m.name, op } }, decided(auth, p.identity, op, { type: m.name }))];
  for (const [variant, args] of ownerArgVariants(m, cast, p)) {
    out.push(cell({ ...base, id: `${m.name}|${op}|${p.name}|${variant}`, variant, action: { type: 'subscribe', model: m.name, op, ownerArgs: args } },
      decided(auth, p.identity, op, { type: m.name, ownerArgs: args })));
  }
  return out;
}

/**
 * Owner arguments a subscriber can pass: its own name (`owner-arg:own`) and someone else's
 * (`owner-arg:other`), as the owner field displays them (the username under `sub::username`).
 */
export function ownerArgVariants(m: Model, cast: Persona[], p: Persona): [string, Record<string, string>][] {
  const mine = displayedOwner(m, p);
  const theirs = victimOf(m, cast, p);
  if (!mine || !theirs || !hasOwnerArgument(m, mine.field)) return [];
  return [['owner-arg:own', { [mine.field]: mine.value }], ['owner-arg:other', { [theirs.field]: theirs.value }]];
}

/**
 * Whether the generated subscriptions take the owner field as an argument: only where the owner may listen on
 * some declared field. Where every declared field's own rules leave listen out for the owner, the argument does not
 * exist (docs/semantics.md, "Subscriptions take an owner argument…"), and sending it is a validation error.
 */
function hasOwnerArgument(m: Model, ownerField: string): boolean {
  return m.fields.some((f) => !f.implicit && (f.rules ?? m.rules).some((r) => r.kind === 'owner' && r.ownerField === ownerField && r.operations.includes('listen')));
}

/** The model-level owner rule subscriptions filter on (scalar owner field, with listen). */
function listenOwnerRule(m: Model): OwnerRule | undefined {
  return ownerRules(m).find((r) => !r.multiOwner && m.rules.includes(r) && r.operations.includes('listen'));
}

/** A persona's name in the owner field as readers see it (the username under `sub::username`). */
function displayedOwner(m: Model, who: Persona | undefined): { field: string; value: string } | undefined {
  const rule = listenOwnerRule(m);
  const claim = rule && who ? ownerClaim(who.identity, rule.identityClaim) : null;
  return rule && claim ? { field: rule.ownerField, value: claim.parts.at(-1) ?? claim.value } : undefined;
}

/** The other user whose records a persona might try to reach, as the owner field displays them. */
export function victimOf(m: Model, cast: Persona[], p: Persona): { field: string; value: string } | undefined {
  const rule = listenOwnerRule(m);
  return rule ? displayedOwner(m, someoneElse(cast, p, rule)) : undefined;
}

/** The fixture a relation's children hang from: the parent model's first fixture. */
export function parentFixture(auth: AuthModel, parent: Model, cast: Persona[]): Fixture {
  return fixtures(auth, parent, cast)[0]!;
}

/**
 * Reading related records: from each fixture of the side holding the key (belongsTo, a Gen 1 hasOne), each
 * pointing at the other model's first fixture; otherwise (hasMany) from the first fixture, which every fixture of
 * the related model points at. A relation matching no partition key is left out. Only for callers who may read the record
 * the relation is read from (otherwise that read's own denial is the answer).
 */
export function relationCells(auth: AuthModel, m: Model, cast: Persona[]): Cell[] {
  const out: Cell[] = [];
  if (!m.operationNames.get) return out;
  for (const field of m.fields) {
    const rel = field.relation;
    if (!rel || rel.kind === 'manyToMany') continue;
    const other = auth.models.find((x) => x.name === rel.model);
    const holder = other && keyHolder(auth, m, rel);
    if (!other || !holder) continue;
    const key = holder === 'this' ? { child: m.name, field: rel.local[0], parent: other.name } : { child: other.name, field: rel.remote[0], parent: m.name };
    const fk = foreignKeys(auth).find((x) => x.child === key.child && x.field === key.field && x.parent === key.parent);
    const childModel = holder === 'this' ? m : other;
    const byIdentity = !fk && identityKeyed(auth, childModel, key.field!, key.parent);
    if (!fk && !byIdentity) continue;
    // Fixtures holding a key point at the other model's first fixture, or only the one `onlyChild` names, and not the
    // first fixture itself where the model is related to itself (plan.ts linkInput).
    const linked = (x: Model) => fixtures(auth, x, cast).filter((f) => !fk || linksParent(fk, f.name));
    const readFrom = holder === 'related' ? [parentFixture(auth, m, cast)] : linked(m);
    // Keys holding identities are not linked (fixtures.ts identityKeyed): the records whose values are equal meet.
    const local = rel.local[0]!;
    const remote = rel.remote[0]!;
    const meets = (a: unknown, b: unknown) => a !== undefined && a !== null && a !== NOBODY && a === b;
    const childrenOf = (source: Record<string, unknown>): Record<string, unknown>[] => !byIdentity
      ? (holder === 'this' ? [parentFixture(auth, other, cast).record] : linked(other).map((f) => f.record))
      : fixtures(auth, other, cast).map((f) => f.record).filter((r) => meets(source[local], r[remote]));
    // The parent as stored once its key is linked (a key held here names the other model's first fixture), and every
    // record of the other model, for relations whose key is an owner field of the other model (visibility.ts relationPin).
    const related = fixtures(auth, other, cast).map((x) => x.record);
    const linkedSource = (record: Record<string, unknown>, children: Record<string, unknown>[]) =>
      holder === 'this' && !byIdentity ? { ...record, [local]: children[0]![remote] } : record;
    // The related records' own field rules must hold through the nested selection too.
    const childFields = other.fields.filter((x) => !x.implicit && !x.relation && (x.rules || fieldIsRestricted(other, x))).map((x) => x.name);
    for (const p of cast) {
      for (const f of readFrom) {
        const parentRead = decide(auth, p.identity, 'get', { type: m.name, record: f.record, select: [m.primaryKey.partitionKey] });
        if (parentRead.outcome === 'deny') continue;
        const children = childrenOf(f.record);
        const r = readRelation(auth, p.identity, m.name, field.name, children, { source: linkedSource(f.record, children), related });
        const visible = children.filter((c) => r.visibleIds.includes(recordKey(other, c)));
        const denied = r.outcome === 'deny' ? [] : [...new Set(visible.flatMap((c) => decide(auth, p.identity, 'get', { type: other.name, record: c, select: [other.primaryKey.partitionKey, ...childFields], nested: true }).deniedFields ?? []))].sort();
        const decision: Decision = r.outcome === 'deny'
          ? { outcome: 'deny', rule: null, reason: r.reason }
          : denied.length
            ? { outcome: 'partial', rule: null, reason: `${r.reason}; through the relation, ${other.name}'s field rules still refuse ${denied.join(', ')}`, visibleIds: fixtureNames(auth, other, cast, r.visibleIds), deniedFields: denied }
            : { outcome: r.outcome, rule: null, reason: r.reason, visibleIds: fixtureNames(auth, other, cast, r.visibleIds) };
        const own = ownership(m, p.identity, f.record);
        out.push(cell({
          id: `${m.name}|get|${p.name}|${f.name}|${field.name}`, kind: 'relation', persona: p.name, model: m.name, operation: 'get', field: field.name, fixture: f.name,
          ...(own ? { ownership: own } : {}),
          action: { type: 'relation', model: m.name, instance: instanceOf(m.name, f.name), field: field.name, childKey: uniqueKeyField(other), childFields },
        }, decision));
      }
    }
  }
  return out;
}

/**
 * Arguments for a custom operation: ids of fixtures where an argument names a model (`postId`, or `id` of
 * the model the operation returns), values of their types for the others (input objects only when
 * required), so that a handler gets the arguments an app would send.
 */
export function customArgs(auth: AuthModel, op: CustomOperation, cast: Persona[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const a of op.arguments) {
    const modelName = a.name === 'id' && op.returns.typeKind === 'model' ? op.returns.type : /^(\w+)Id$/.exec(a.name)?.[1];
    const target = modelName ? auth.models.find((m) => m.name.toLowerCase() === modelName.toLowerCase()) : undefined;
    const kind = kindOf(auth, a.type);
    if (target && (a.type === 'ID' || a.type === 'String') && !a.list) args[a.name] = { $fixture: instanceOf(target.name, parentFixture(auth, target, cast).name) } satisfies FixtureRef;
    else if (a.required || kind !== 'customType') args[a.name] = sampleValue(auth, { type: a.type, typeKind: kind, list: a.list });
  }
  return args;
}

export function customCells(auth: AuthModel, op: CustomOperation, cast: Persona[]): Cell[] {
  const args = customArgs(auth, op, cast);
  return cast.map((p) => cell({
    id: `${op.name}|${op.type}|${p.name}`, kind: 'custom', persona: p.name, customOperation: op.name, operation: op.type,
    action: { type: 'custom', operation: op.name, args },
  }, decided(auth, p.identity, 'custom', { type: op.name })));
}

/**
 * Custom-header paths for every persona whose credential is a header (API key, user pool, OIDC,
 * Lambda): the same list request with the credential only in client-level headers, only in
 * request-level headers, and in request-level headers replacing another persona's client-level ones.
 */
export function headerCells(auth: AuthModel, cast: Persona[], cells: Cell[]): Cell[] {
  const out: Cell[] = [];
  const headerKinds = new Set(['apiKey', 'userPool', 'oidc', 'lambda']);
  const m = auth.models.find((x) => x.operationNames.list);
  if (!m) return out;
  const apiKey = cast.find((p) => p.kind === 'apiKey');
  const other = apiKey ?? cast.find((p) => p.kind === 'stranger');
  // Each persona's plain list: its key queries (`index:byOwner:other`) send a key of their own, another persona's than
  // the API key's, so the API key's answer to one is not what the same query with a second credential gets
  // (Joanna-T/annotation-platform: an index on the owner field).
  const lists = new Map(cells.filter((c) => c.kind === 'model' && c.model === m.name && c.operation === 'list' && !c.variant).map((c) => [c.persona, c]));
  const keyCell = apiKey && lists.get(apiKey.name);
  for (const p of cast) {
    if (!headerKinds.has(p.identity.kind)) continue;
    const plain = lists.get(p.name);
    if (!plain) continue;
    const variants: HeaderVariant[] = other && other.name !== p.name ? ['client', 'request', 'override'] : ['client', 'request'];
    if (keyCell && p !== apiKey) variants.push('second-key');
    for (const variant of variants) {
      // With a second credential the API key decides, so the API key's cell is what to expect.
      const expected = variant === 'second-key' ? keyCell! : plain;
      out.push({
        ...expected,
        id: `${plain.id}|headers:${variant}`,
        kind: 'header',
        persona: p.name,
        variant: `headers:${variant}`,
        action: { type: 'headers', variant, base: plain.action, ...(variant === 'override' || variant === 'second-key' ? { other: other!.name } : {}) },
        reason: `${expected.reason} (${HEADER_NOTE[variant]})`,
      });
    }
  }
  return out;
}

const HEADER_NOTE: Record<HeaderVariant, string> = {
  client: 'credential sent as a client-level custom header',
  request: 'credential sent as a request-level custom header',
  override: "request-level headers replace client-level ones carrying another persona's credential",
  'second-key': 'the API key injected beside the credential; AppSync lets the key decide (reported by users, not documented: https://github.com/aws/aws-appsync-community/issues/169)',
};

/**
 * Batching as an attack: one request holding a read the persona may make and one it may not (on
 * another model where there is one). Each part must get exactly its own answer: the allowed read its
 * data, the refused one null and Unauthorized, nothing leaking from one to the other.
 */
export function batchCells(cast: Persona[], cells: Cell[]): Cell[] {
  const out: Cell[] = [];
  const gets = new Map<string, Cell[]>();
  for (const c of cells) {
    if (c.kind !== 'model' || c.operation !== 'get') continue;
    const list = gets.get(c.persona);
    if (list) list.push(c);
    else gets.set(c.persona, [c]);
  }
  for (const p of cast) {
    const mine = gets.get(p.name) ?? [];
    const allowed = mine.find((c) => c.expected === 'allow');
    const refused = mine.find((c) => c.expected === 'deny' && !c.decision.requestLevel && c.model !== allowed?.model) ?? mine.find((c) => c.expected === 'deny' && !c.decision.requestLevel);
    if (!allowed || !refused) continue;
    const reason = `one request reading ${allowed.id} (allow) and ${refused.id} (deny): each part gets its own answer`;
    out.push({
      id: `batch|${p.name}`, kind: 'batch', persona: p.name, operation: 'query',
      expected: 'partial', rule: null, reason,
      decision: { outcome: 'partial', rule: null, reason, deniedFields: ['b'] },
      action: { type: 'batch', parts: [{ alias: 'a', cell: allowed }, { alias: 'b', cell: refused }] },
    });
  }
  return out;
}

/** The value a persona would put in a field of its own record: its own claim in an owner field, its group in a group field. */
function ownValue(auth: AuthModel, m: Model, team: string, p: Persona, field: Field): unknown {
  const owner = ownerRules(m).find((r) => r.ownerField === field.name);
  if (owner) {
    // A caller without the claim names nobody; a required owner field cannot be left empty.
    const claim = ownerClaim(p.identity, owner.identityClaim)?.value ?? (field.required ? NOBODY : null);
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
export function withDynamicGroup(m: Model, team: string, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const r of dynamicGroupRules(m)) {
    const f = m.fields.find((x) => x.name === r.groupsField);
    if (f && !f.implicit) out[f.name] = r.multiGroup ? [team] : team;
  }
  return out;
}

/** The group a cell is tested in: its subject (`Post`, `REST shop`) and what is done (`update`, `update ssn`, `onCreate delivery`). */
export function cellGroupOf(c: Cell): [string, string] {
  if (c.kind === 'probe') return ['credential probes', c.variant!.split(':')[0]!];
  if (c.kind === 'batch') return ['batched requests', c.operation];
  if (c.kind === 'rest') return [`REST ${c.api}`, `${c.operation} ${c.path}`];
  if (c.kind === 'storage') return [`storage ${c.bucket}:${c.path}`, c.operation];
  const what = [c.operation, c.kind === 'field' || c.kind === 'relation' ? c.field : undefined, c.kind === 'delivery' ? 'delivery' : undefined].filter(Boolean).join(' ');
  return [c.model ?? c.customOperation ?? '', what];
}

