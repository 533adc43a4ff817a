/**
 * The oracle: what a deployed Amplify Data API decides for a caller, an operation and a target record,
 * written as a decision table over roles (see roles.ts). Pure and synchronous.
 */
import {
  PROVIDER_MODE,
  READ_OPERATIONS,
  findModel,
  isStoredField,
  type AuthMode,
  type AuthModel,
  type CustomOperation,
  type Field,
  type Model,
  type Rule,
} from '../schema/model.js';
import { cached, memo2 } from './memo.js';
import { describeRule, providerOf, quoteRole } from './describe.js';
import { passesFilter, type ClientFilter } from './client-filter.js';
import { fieldOf, inKeyRange, keyedVerdict, queryKey, type KeyedQuery, type KeyedVerdict } from './keyed.js';
import { hasNonModelRules, nonModelDenials } from './non-model.js';
import { appSyncPermission, customRootField, modelRootField, type RootField } from './iam.js';
import { dynamicGroups, ownerClaim, ownsValue, type Identity } from './identity.js';
import {
  byPrecedence,
  canReadField,
  customRuleHolds,
  hasOpOnAll,
  hasOpOnSome,
  holds,
  isDynamic,
  defaultNames,
  modelRoles,
  modelRules,
  providerFits,
  readFilter,
  resources,
  roleOps,
  type Role,
  type StoredRecord,
} from './roles.js';

export type Outcome = 'allow' | 'deny' | 'filtered' | 'partial';

export interface Decision {
  outcome: Outcome;
  /** The rule that decided: the one that allowed, or the one a denial is blamed on (null: no rule applies). */
  rule: string | null;
  reason: string;
  /** deny: fields named in `Unauthorized on [...]`. partial: fields read back null with an error. */
  deniedFields?: string[];
  /** Fields that come back null without an error (mutation-response redaction, Lambda deniedFields). */
  redactedFields?: string[];
  /** list: keys of the records the caller sees, in the order given. */
  visibleIds?: string[];
  /** create: owner fields the resolver fills in, with their stored values. */
  filled?: Record<string, unknown>;
  /** A request-level refusal (HTTP 401: no or refused credentials) rather than a resolver's. */
  requestLevel?: boolean;
  /** The rules that decided it (trace.ts), where a cell of the matrix carries it for coverage. */
  decidedBy?: RuleTrace;
}

/** Which rules decided a request: those that admitted the caller, and those in force that did not. */
export interface RuleTrace {
  /** Rules that admitted the caller, where the decision grants what they grant. */
  allowing: string[];
  /** Rules in force for the caller that did not admit it, where the decision refuses. */
  refusing: string[];
}

export type ModelOperationName = 'create' | 'get' | 'list' | 'update' | 'delete' | 'onCreate' | 'onUpdate' | 'onDelete';
export type OperationName = ModelOperationName | 'custom';

export interface Target {
  /** The model, or for `custom` the custom operation's name. */
  type: string;
  /** get/update/delete: the stored record. */
  record?: StoredRecord;
  /** list: the stored records the caller would page through. */
  records?: StoredRecord[];
  /** create/update: the input the caller sends. */
  input?: Record<string, unknown>;
  /** Fields selected in the response (default: every non-relational field). */
  select?: string[];
  /** onCreate/onUpdate/onDelete: owner arguments given at subscribe time, by owner field. */
  ownerArgs?: Record<string, string>;
  /**
   * get: the key arguments (then `record` may be absent: no such record); list: the key arguments of a table or
   * index query (`index`), which the key range and owner or group fields in the key decide on.
   */
  args?: Record<string, unknown>;
  index?: string;
  /** list: the `filter` argument, tested on stored values whatever field rules say about reading them. */
  filter?: ClientFilter;
  /** A read nested in another operation's selection (a relation): it has no root field of its own to check IAM policies on. */
  nested?: boolean;
}

const allow = (rule: string | null, reason: string, extra: Partial<Decision> = {}): Decision => ({ outcome: 'allow', rule, reason, ...extra });
const deny = (rule: string | null, reason: string, extra: Partial<Decision> = {}): Decision => ({ outcome: 'deny', rule, reason, ...extra });

const IDENTITY_MODE: Record<Exclude<Identity['kind'], 'anonymous'>, AuthMode> = {
  apiKey: 'apiKey',
  userPool: 'userPool',
  oidc: 'oidc',
  iam: 'iam',
  lambda: 'lambda',
};

// A subscription start depends on the caller and the owner arguments only, and the matrix asks for it for every
// start cell, event and delivery (harness/matrix/deliveries.ts): decided once per caller. Models and identities
// are not changed once made.
const starts = new WeakMap<AuthModel, WeakMap<Identity, Map<string, Decision>>>();

export function decide(model: AuthModel, identity: Identity, operation: OperationName, target: Target): Decision {
  if (operation !== 'onCreate' && operation !== 'onUpdate' && operation !== 'onDelete') return decideOnce(model, identity, operation, target);
  const key = `${target.type}|${operation}|${target.nested ? 'nested' : ''}|${Object.entries(target.ownerArgs ?? {}).join(';')}`;
  return memo2(starts, model, identity, key, () => decideOnce(model, identity, operation, target));
}

function decideOnce(model: AuthModel, identity: Identity, operation: OperationName, target: Target): Decision {
  const refused = requestRefusal(model, identity);
  if (refused) return refused;
  if (operation === 'custom') {
    const op = model.customOperations.find((o) => o.name === target.type);
    if (!op) throw new Error(`no custom operation ${target.type}`);
    return iamRefusal(model, identity, customRootField(op), op.rules) ?? decideCustom(model, identity, op);
  }
  const m = findModel(model, target.type);
  if (!m) throw new Error(`no model ${target.type}`);
  const root = target.nested ? undefined : modelRootField(m, operation);
  const refusedByPolicy = root && iamRefusal(model, identity, root, modelRules(m));
  if (refusedByPolicy) return refusedByPolicy;
  const ctx: Ctx = { auth: model, model: m, identity };
  switch (operation) {
    case 'create':
      return decideCreate(ctx, target.input ?? {}, target.select);
    case 'get':
      return decideGet(ctx, target.args ? target.record : need(target.record, 'record'), target.select, target.args && { args: target.args });
    case 'list':
      return decideList(ctx, (target.records ?? []).filter((r) => passesFilter(r, target.filter)), target.select, target.args && { args: target.args, ...(target.index ? { index: target.index } : {}) }, target.nested);
    case 'update':
      return decideUpdate(ctx, need(target.record, 'record'), target.input ?? {}, target.select);
    case 'delete':
      return decideDelete(ctx, need(target.record, 'record'), target.select);
    case 'onCreate':
    case 'onUpdate':
    case 'onDelete':
      return decideSubscribe(ctx, operation, target.ownerArgs ?? {});
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`this operation needs a ${what}`);
  return v;
}

interface Ctx {
  auth: AuthModel;
  model: Model;
  identity: Identity;
}

/** Refusals that happen before any resolver: no credentials, a mode the API lacks, a refused Lambda token. */
function requestRefusal(model: AuthModel, identity: Identity): Decision | null {
  if (identity.kind === 'anonymous') return deny(null, 'denied: no credentials; AppSync refuses the request (401) before any rule', { requestLevel: true });
  const mode = IDENTITY_MODE[identity.kind];
  if (!model.authModes.enabled.includes(mode)) {
    return deny(null, `denied: the API has no ${mode} authorization mode, so the credential is refused (401)`, { requestLevel: true });
  }
  if (identity.kind === 'lambda' && !identity.authorized) {
    return deny(null, 'denied: the Lambda authorizer refuses the token (isAuthorized: false, 401)', { requestLevel: true });
  }
  if (identity.kind === 'iam' && identity.principal === 'unauthRole' && model.authModes.identityPool?.allowUnauthenticated === false) {
    return deny(null, 'denied: the identity pool does not allow guest identities', { requestLevel: true });
  }
  return null;
}

/** AppSync's IAM check: the caller's role must allow `appsync:GraphQL` on the root field (rules/iam.ts). */
function iamRefusal(model: AuthModel, identity: Identity, root: RootField, rules: readonly Rule[]): Decision | null {
  if (identity.kind !== 'iam') return null;
  // The same for every request on one root field: the rules are its model's or its custom operation's.
  return memo2(iamRefusals, model, identity, `${root[0]}.${root[1]}`, () => {
    const p = appSyncPermission(model, identity, root, rules);
    return p.allowed ? null : deny(null, p.reason, { requestLevel: true });
  });
}

const iamRefusals = new WeakMap<AuthModel, WeakMap<Identity, Map<string, Decision | null>>>();

/**
 * IAM principals that skip the rules. Generic IAM access (Gen 2): every principal outside the identity
 * pool, everywhere. Gen 1 admin roles (`adminRoles`, generic access off): a role whose ARN contains one of
 * the names, only where the model has rules (the check lives in the rules' auth resolver; a model without
 * rules has none), and their field resolvers return the stored value, so their mutation responses are not
 * redacted (amplify-category-api `src/vtl-generator/ddb/resolvers/helpers.ts`, `iamAdminRoleCheckExpression`;
 * `generateIAMAccessCheck` puts generic access first).
 */
function iamBypass(auth: AuthModel, identity: Identity, model?: Model): { kind: 'generic' | 'admin'; reason: string } | null {
  if (identity.kind !== 'iam' || identity.principal !== 'other') return null;
  if (auth.params.genericIamAccess) return { kind: 'generic', reason: 'allowed: an IAM principal outside the identity pool skips every @auth rule (generic IAM access); only its IAM policy limits it' };
  const admin = auth.params.adminRoles.find((r) => identity.roleName?.includes(r));
  if (!admin || (model && !hasRules(model))) return null;
  return { kind: 'admin', reason: `allowed: IAM admin role ${admin} skips every @auth rule` };
}

function hasRules(m: Model): boolean {
  return m.rules.length > 0 || m.fields.some((f) => f.rules?.length);
}

function rolesFor(ctx: Ctx, pick: (r: Role) => boolean): Role[] {
  return modelRoles(ctx.model).filter(pick);
}

/** Why nobody of this kind gets in: no rule of the caller's provider grants the operation at all. */
function noRule(ctx: Ctx, op: string): Decision {
  return deny(null, `denied: no rule for provider ${providerOf(ctx.identity)} grants ${op} on ${ctx.model.name}`);
}

function notHeld(ctx: Ctx, op: string, candidates: Role[]): Decision {
  const sorted = [...candidates].sort(byPrecedence);
  const first = sorted[0]!;
  if (sorted.length === 1) {
    return deny(first.rule.id, `denied: ${quoteRole(first)} grants ${op} on ${ctx.model.name} only ${WHOM[first.rule.kind]}, and this caller is not`);
  }
  const scope = op === 'get' || op === 'update' || op === 'delete' ? ' for this record' : op === 'create' ? ' with this input' : '';
  return deny(first.rule.id, `denied: ${op} on ${ctx.model.name} needs one of ${sorted.map(quoteRole).join('; ')}, and this caller matches none of them${scope}`);
}

const WHOM: Record<Role['rule']['kind'], string> = {
  owner: "to the record's owner",
  dynamicGroup: "to members of the record's group",
  staticGroup: 'to members of the group',
  private: 'to signed-in callers of that provider',
  public: 'to callers of that provider',
  custom: 'to callers the Lambda authorizer accepts',
};

/** Models without any rule: only sandbox API keys and bypassing IAM principals get in. */
function unprotected(ctx: Ctx): boolean {
  return ctx.model.rules.length === 0 && ctx.model.fields.every((f) => !f.rules);
}

function sandboxAllows(ctx: Ctx): Decision | null {
  if (unprotected(ctx) && ctx.auth.params.sandboxMode && ctx.identity.kind === 'apiKey') {
    return allow(null, `allowed: ${ctx.model.name} has no rules and sandbox mode lets API-key callers through`);
  }
  return null;
}

// ---- reads -----------------------------------------------------------------------------------

export function defaultSelection(model: Model): string[] {
  return [...defaultNames(model)];
}

// The matrix passes one selection array to many requests on a model (harness/matrix/cells.ts): its fields found once.
const selectedCache = new WeakMap<Model, WeakMap<readonly string[], Field[]>>();

function selectedResources(ctx: Ctx, select: readonly string[] | undefined): Field[] {
  const names = select ?? defaultNames(ctx.model);
  const bySelection = cached(selectedCache, ctx.model, () => new WeakMap<readonly string[], Field[]>());
  return cached(bySelection, names, () => names.map((n) => ctx.model.fields.find((f) => f.name === n)).filter((f): f is Field => !!f && !f.implicit && !f.relation));
}

/**
 * Roles the field check compares (those that can `get` the model), after dropping the non-private roles
 * of a provider whose `private` role reads the field in every way.
 */
const readRolesCache = new WeakMap<Field, { compared: Role[]; allowed: Role[] }>();

function fieldReadRoles(model: Model, field: Field): { compared: Role[]; allowed: Role[] } {
  return cached(readRolesCache, field, () => computeFieldReadRoles(model, field));
}

function computeFieldReadRoles(model: Model, field: Field): { compared: Role[]; allowed: Role[] } {
  let compared = modelRoles(model).filter((r) => hasOpOnSome(model, r, 'get'));
  for (const provider of ['userPools', 'oidc'] as const) {
    const priv = compared.find((r) => r.rule.kind === 'private' && r.rule.provider === provider);
    if (priv && READ_OPERATIONS.every((o) => roleOps(model, priv, field).has(o))) {
      compared = compared.filter((r) => r === priv || r.rule.provider !== provider);
    }
  }
  return { compared, allowed: compared.filter((r) => canReadField(model, r, field)) };
}

/** A field gets its own auth check when some role that can get the model cannot read it. */
export function fieldIsRestricted(model: Model, field: Field): boolean {
  const { compared, allowed } = fieldReadRoles(model, field);
  return allowed.length < compared.length;
}

function canReadRestricted(ctx: Ctx, field: Field, record: StoredRecord): boolean {
  return fieldReadRoles(ctx.model, field).allowed.some((r) => holds(r, ctx.identity, record));
}

/** The owner field under a composite claim reads back through a display resolver that mutation redaction does not reach. */
function hasOwnerDisplay(ctx: Ctx, field: Field): boolean {
  if (!ctx.auth.params.useSubUsernameForDefaultIdentityClaim) return false;
  const rules = [...ctx.model.rules, ...ctx.model.fields.flatMap((f) => f.rules ?? [])];
  return rules.some((r) => r.kind === 'owner' && r.ownerField === field.name && r.identityClaim.includes('::'));
}

/** Fields the Lambda authorizer's `deniedFields` force to null (any selected field, implicit ones too). */
function lambdaDenied(ctx: Ctx, select: string[] | undefined): string[] {
  if (ctx.identity.kind !== 'lambda' || !ctx.identity.deniedFields?.length) return [];
  const denied = new Set(ctx.identity.deniedFields);
  return (select ?? defaultNames(ctx.model)).filter((f) => denied.has(`${ctx.model.name}.${f}`));
}

/** Fields of a plain read that come back null with an error: the model's restricted fields, then non-model ones (`info.secret`). */
function readDenials(ctx: Ctx, record: StoredRecord, fields: Field[], select: string[] | undefined): string[] {
  const own = fields.filter((f) => fieldIsRestricted(ctx.model, f) && !canReadRestricted(ctx, f, record)).map((f) => f.name);
  return [...own, ...nestedDenials(ctx, record, select)];
}

function nestedDenials(ctx: Ctx, record: StoredRecord, select: string[] | undefined): string[] {
  if (!hasNonModelRules(ctx.auth)) return [];
  return nonModelDenials(ctx.auth, ctx.identity, ctx.model, record, select ?? defaultSelection(ctx.model));
}

function withFieldOutcome(d: Decision, denied: string[], redacted: string[]): Decision {
  const out: Decision = { ...d };
  if (redacted.length) out.redactedFields = redacted;
  if (denied.length) {
    out.outcome = d.outcome === 'deny' ? 'deny' : 'partial';
    out.deniedFields = denied;
    out.reason = `${d.reason}; field${denied.length > 1 ? 's' : ''} ${denied.join(', ')} read back null with an error (field rules)`;
  }
  return out;
}

function decideGet(ctx: Ctx, record: StoredRecord | undefined, select: string[] | undefined, query?: KeyedQuery): Decision {
  const fields = selectedResources(ctx, select);
  const missing = record ? '' : ': no such record, so null without an error';
  const bypass = iamBypass(ctx.auth, ctx.identity, ctx.model);
  if (bypass) return withFieldOutcome(allow(null, bypass.reason + missing), [], record ? lambdaDenied(ctx, select) : []);
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return sandbox;
  const roles = rolesFor(ctx, (r) => hasOpOnSome(ctx.model, r, 'get') && providerFits(r, ctx.identity));
  if (!roles.length) return noRule(ctx, 'get');
  const staticHeld = roles.filter((r) => !isDynamic(r) && holds(r, ctx.identity, undefined)).sort(byPrecedence);
  const keyed = staticHeld.length ? null : keyedRead(ctx, roles, query);
  if (keyed?.verdict?.kind === 'named') {
    const d = allow(keyed.verdict.role.rule.id, `allowed by ${quoteRole(keyed.verdict.role)}: the key argument \`${keyed.verdict.field}\` names the caller, so no filter applies${missing}`);
    return record ? withFieldOutcome(d, readDenials(ctx, record, fields, select), lambdaDenied(ctx, select)) : d;
  }
  if (keyed && !keyed.filters.length) return keyedRefusal(ctx, 'get', roles, keyed.verdict);
  if (!record) {
    if (staticHeld.length) return allow(staticHeld[0]!.rule.id, `allowed by ${quoteRole(staticHeld[0]!)}${missing}`);
    const filtering = roles.filter((r) => isDynamic(r) && readFilter(r, ctx.identity));
    if (filtering.length) return allow(filtering[0]!.rule.id, `allowed: ${filtering.map(quoteRole).join(' or ')} builds a filter${missing}`);
    return notHeld(ctx, 'get', roles);
  }
  const held = roles.filter((r) => (isDynamic(r) ? readFilter(r, ctx.identity)?.(record) ?? false : holds(r, ctx.identity, record))).sort(byPrecedence);
  if (!held.length) return notHeld(ctx, 'get', roles);
  const d = allow(held[0]!.rule.id, `allowed by ${quoteRole(held[0]!)}`);
  return withFieldOutcome(d, readDenials(ctx, record, fields, select), lambdaDenied(ctx, select));
}

/**
 * The key roles' verdict for a read with key arguments (keyed.ts), and the filters of the other dynamic roles; null
 * when no owner or group field of the caller's roles is in the key read.
 */
function keyedRead(ctx: Ctx, roles: Role[], query: KeyedQuery | undefined): { verdict: KeyedVerdict | null; filters: { role: Role; test: (r: StoredRecord) => boolean }[] } | null {
  if (!query) return null;
  const key = queryKey(ctx.model, query.index);
  const keyFields = [key.partitionKey, ...(key.sortKey ? [key.sortKey] : [])];
  const dynamic = roles.filter(isDynamic);
  const keyRoles = dynamic.filter((r) => keyFields.includes(fieldOf(r)!));
  if (!keyRoles.length) return null;
  const filters = dynamic.filter((r) => !keyRoles.includes(r)).map((role) => ({ role, test: readFilter(role, ctx.identity) }))
    .filter((f): f is { role: Role; test: (r: StoredRecord) => boolean } => !!f.test);
  return { verdict: keyedVerdict(keyRoles, ctx.identity, key, query, filters.length > 0), filters };
}

function keyedRefusal(ctx: Ctx, op: string, roles: Role[], verdict: KeyedVerdict | null): Decision {
  if (verdict?.kind === 'others') {
    return deny(verdict.role.rule.id, `denied: the query's \`${verdict.field}\` argument ${JSON.stringify(verdict.arg)} names someone else, and ${quoteRole(verdict.role)} lets the caller read only its own key range (Unauthorized, even where no record exists)`);
  }
  return notHeld(ctx, op, roles);
}

export function recordKey(model: Model, record: StoredRecord): string {
  return [model.primaryKey.partitionKey, ...model.primaryKey.sortKeys].map((k) => String(record[k])).join('#');
}

/**
 * `nested`: a relation's read. Its auth resolver takes every role that reads the related model in any way (get,
 * list, listen, sync, search: `READ_OPERATIONS`), so a rule granting only `listen` opens the relation too, as the
 * emulator's relation resolver does (harness/emulator/appsync/resolvers.ts): the reftool case
 * test/fixtures/fidelity/relation-listen-only records Gen 1 `{allow: private, operations: [listen]}` (Gen 2
 * `allow.authenticated().to(['listen'])`) letting any signed-in user read the related records through the relation,
 * unfiltered, while the list refuses them (docs/semantics.md, "A relation is read by every role that reads the
 * related model in any way").
 */
function decideList(ctx: Ctx, stored: StoredRecord[], select: string[] | undefined, query?: KeyedQuery, nested = false): Decision {
  const fields = selectedResources(ctx, select);
  const key = query ? queryKey(ctx.model, query.index) : undefined;
  const records = key ? stored.filter((r) => inKeyRange(r, key, query!.args)) : stored;
  const all = records.map((r) => recordKey(ctx.model, r));
  const bypass = iamBypass(ctx.auth, ctx.identity, ctx.model);
  if (bypass) return withFieldOutcome(allow(null, bypass.reason, { visibleIds: all }), [], lambdaDenied(ctx, select));
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return { ...sandbox, visibleIds: all };
  const roles = rolesFor(ctx, (r) => (nested ? READ_OPERATIONS.some((op) => hasOpOnSome(ctx.model, r, op)) : hasOpOnSome(ctx.model, r, 'list')) && providerFits(r, ctx.identity));
  if (!roles.length) return noRule(ctx, 'list');
  const staticHeld = roles.filter((r) => !isDynamic(r) && holds(r, ctx.identity, undefined)).sort(byPrecedence);
  let d: Decision;
  let visible: StoredRecord[];
  const keyed = staticHeld.length ? null : keyedRead(ctx, roles, query);
  const verdict = keyed?.verdict;
  if (staticHeld.length) {
    visible = records;
    d = allow(staticHeld[0]!.rule.id, `allowed by ${quoteRole(staticHeld[0]!)}: every record, no filter`, { visibleIds: all });
  } else if (verdict?.kind === 'named') {
    visible = records;
    d = allow(verdict.role.rule.id, `allowed by ${quoteRole(verdict.role)}: the key argument \`${verdict.field}\` names the caller, so every record in that range, no filter`, { visibleIds: all });
  } else if (verdict?.kind === 'pinned') {
    visible = records.filter((r) => verdict.pins.every((p) => r[p.field] === p.value));
    const ids = visible.map((r) => recordKey(ctx.model, r));
    const pinned = verdict.pins.map((p) => `\`${p.field}\``).join(', ');
    const reason = `${quoteRole(verdict.pins[0]!.role)}: ${pinned} left out of the key, so the query reads only the caller's own (${ids.length} of ${records.length} records)`;
    d = visible.length === records.length ? allow(verdict.pins[0]!.role.rule.id, `allowed by ${reason}`, { visibleIds: ids }) : { outcome: 'filtered', rule: verdict.pins[0]!.role.rule.id, reason: `filtered by ${reason}`, visibleIds: ids };
  } else {
    const filters = keyed
      ? [...keyed.filters, ...(verdict?.kind === 'entries' ? verdict.entries.map((e) => ({ role: e.role, test: (r: StoredRecord) => e.values.includes(r[e.field] as string) })) : [])]
      : roles.filter(isDynamic).map((r) => ({ role: r, test: readFilter(r, ctx.identity) })).filter((x): x is { role: Role; test: (r: StoredRecord) => boolean } => !!x.test);
    if (!filters.length) {
      if (keyed) return keyedRefusal(ctx, 'list', roles, verdict ?? null);
      const dyn = roles.filter(isDynamic);
      if (!dyn.length) return notHeld(ctx, 'list', roles);
      return deny(dyn[0]!.rule.id, `denied: list on ${ctx.model.name} needs a filter from ${dyn.map(quoteRole).join('; ')}, and the caller's token has no claim to build one`);
    }
    visible = records.filter((rec) => filters.some((f) => f.test(rec)));
    const ids = visible.map((r) => recordKey(ctx.model, r));
    const by = filters.map((f) => quoteRole(f.role)).join(' or ');
    d = visible.length === records.length
      ? allow(filters[0]!.role.rule.id, `allowed, filtered by ${by}: every record here passes`, { visibleIds: ids })
      : { outcome: 'filtered', rule: filters[0]!.role.rule.id, reason: `filtered by ${by}: the caller sees ${ids.length} of ${records.length} records`, visibleIds: ids };
  }
  const denied = [...new Set(visible.flatMap((rec) => readDenials(ctx, rec, fields, select)))];
  return withFieldOutcome(d, denied, lambdaDenied(ctx, select));
}

// ---- writes ----------------------------------------------------------------------------------

/**
 * Which fields of a mutation response come back null, for a caller who did the mutation: restricted
 * fields it may not read (with an error) and restricted fields it may read (silently: they feed
 * subscriptions), plus Lambda-denied fields.
 */
export function mutationResponseView(auth: AuthModel, identity: Identity, modelName: string, record: StoredRecord, select?: string[]): { denied: string[]; redacted: string[] } {
  const m = findModel(auth, modelName);
  if (!m) throw new Error(`no model ${modelName}`);
  return responseView({ auth, model: m, identity }, record, select);
}

function responseView(ctx: Ctx, record: StoredRecord, select: string[] | undefined): { denied: string[]; redacted: string[] } {
  const bypass = iamBypass(ctx.auth, ctx.identity, ctx.model);
  const denied: string[] = [];
  const redacted: string[] = [];
  for (const f of selectedResources(ctx, select)) {
    if (!fieldIsRestricted(ctx.model, f)) continue;
    if (!bypass && !canReadRestricted(ctx, f, record)) denied.push(f.name);
    // An admin role's field resolver returns the stored value before the redacting response template runs.
    else if (ctx.model.subscriptionLevel === 'on' && !hasOwnerDisplay(ctx, f) && bypass?.kind !== 'admin') redacted.push(f.name);
  }
  // Non-model fields return the stored value (no redaction) or refuse.
  if (!bypass) denied.push(...nestedDenials(ctx, record, select));
  for (const f of lambdaDenied(ctx, select)) if (!redacted.includes(f) && !denied.includes(f)) redacted.push(f);
  return { denied, redacted };
}

function mutationResponse(ctx: Ctx, d: Decision, record: StoredRecord, select: string[] | undefined): Decision {
  const { denied, redacted } = responseView(ctx, record, select);
  const out = withFieldOutcome(d, denied, redacted);
  if (redacted.length) out.reason += `; ${redacted.join(', ')} come${redacted.length > 1 ? '' : 's'} back null in the response (mutation-response redaction)`;
  return out;
}

function decideCreate(ctx: Ctx, input: Record<string, unknown>, select: string[] | undefined): Decision {
  const { model, identity } = ctx;
  const bypass = iamBypass(ctx.auth, identity, ctx.model);
  if (bypass) return mutationResponse(ctx, allow(null, bypass.reason), input, select);
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return sandbox;
  const roles = rolesFor(ctx, (r) => hasOpOnSome(model, r, 'create') && providerFits(r, identity));
  if (!roles.length) return noRule(ctx, 'create');

  const sent = Object.keys(input);
  const stored: Record<string, unknown> = { ...input };
  const filled: Record<string, unknown> = {};
  let by: Role | undefined;
  const allowed = new Set<string>();
  const grant = (role: Role): boolean => {
    if (hasOpOnAll(model, role, 'create')) {
      by = role;
      return true;
    }
    for (const f of resources(model)) if (roleOps(model, role, f).has('create')) allowed.add(f.name);
    by ??= role;
    return false;
  };
  let authorized = false;
  const statics = roles.filter((r) => !isDynamic(r));
  // private (and apiKey/IAM/Lambda) first, then static groups in rule order, stopping at a full grant.
  for (const role of [...statics].sort(byPrecedence)) {
    if (authorized) break;
    if (holds(role, identity, undefined)) authorized = grant(role);
  }
  for (const role of roles.filter((r) => r.rule.kind === 'owner')) {
    const rule = role.rule as Extract<typeof role.rule, { kind: 'owner' }>;
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim) continue;
    const present = rule.ownerField in stored;
    const fill = rule.multiOwner ? [claim.value] : claim.value;
    if (authorized) {
      if (ctx.auth.params.populateOwnerFieldForStaticGroupAuth && !present) {
        stored[rule.ownerField] = fill;
        filled[rule.ownerField] = fill;
      }
      continue;
    }
    const v = stored[rule.ownerField];
    const matches = Array.isArray(v) ? v.some((x) => ownsValue(claim, x)) : ownsValue(claim, v);
    if (matches) authorized = grant(role);
    else if (!present) {
      stored[rule.ownerField] = fill;
      filled[rule.ownerField] = fill;
      authorized = grant(role);
    }
  }
  for (const role of roles.filter((r) => r.rule.kind === 'dynamicGroup')) {
    if (authorized) break;
    const rule = role.rule as Extract<typeof role.rule, { kind: 'dynamicGroup' }>;
    const groups = dynamicGroups(identity, rule.groupClaim);
    const v = stored[rule.groupsField];
    if (Array.isArray(v) ? v.some((x) => groups.includes(x as string)) : groups.includes(v as string)) authorized = grant(role);
  }
  const fillNote = Object.keys(filled).length ? `; fills ${Object.keys(filled).join(', ')} with the caller's claim` : '';
  const extra = Object.keys(filled).length ? { filled } : {};
  if (authorized) return mutationResponse(ctx, allow(by!.rule.id, `allowed by ${quoteRole(by!)}${fillNote}`, extra), stored, select);
  if (!allowed.size) return createRefusal(ctx, roles, input);
  const denied = sent.filter((k) => !allowed.has(k));
  if (denied.length) {
    return deny(by!.rule.id, `denied: Unauthorized on [${denied.join(', ')}]: no rule the caller matches lets it create ${denied.length > 1 ? 'these fields' : 'this field'}`, { deniedFields: denied });
  }
  return mutationResponse(ctx, allow(by!.rule.id, `allowed by ${quoteRole(by!)} for the fields sent${fillNote}`, extra), stored, select);
}

function createRefusal(ctx: Ctx, roles: Role[], input: Record<string, unknown>): Decision {
  const owners = roles.filter((r) => r.rule.kind === 'owner');
  const spoofed = owners.find((r) => {
    const rule = r.rule as Extract<typeof r.rule, { kind: 'owner' }>;
    return rule.ownerField in input && ownerClaim(ctx.identity, rule.identityClaim);
  });
  if (spoofed) {
    const field = (spoofed.rule as Extract<typeof spoofed.rule, { kind: 'owner' }>).ownerField;
    return deny(spoofed.rule.id, `denied: the input names another owner in \`${field}\`, and only ${quoteRole(spoofed)} would let this caller create (no owner spoofing)`);
  }
  return notHeld(ctx, 'create', roles);
}

function decideUpdate(ctx: Ctx, record: StoredRecord, input: Record<string, unknown>, select: string[] | undefined): Decision {
  const { model, identity } = ctx;
  const after = { ...record, ...input };
  const bypass = iamBypass(ctx.auth, identity, ctx.model);
  if (bypass) return mutationResponse(ctx, allow(null, bypass.reason), after, select);
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return sandbox;
  const roles = rolesFor(ctx, (r) => (hasOpOnSome(model, r, 'update') || hasOpOnSome(model, r, 'delete')) && providerFits(r, identity));
  if (!roles.length) return noRule(ctx, 'update');
  const unlisted = updateFieldRefusal(ctx);
  if (unlisted) return unlisted;
  // Owner and group checks use the stored record: new values in the input are never compared.
  const held = roles.filter((r) => holds(r, identity, record)).sort(byPrecedence);
  if (!held.length) return notHeld(ctx, 'update', roles);
  const full = held.find((r) => hasOpOnAll(model, r, 'update') && hasOpOnAll(model, r, 'delete'));
  if (full) return mutationResponse(ctx, allow(full.rule.id, `allowed by ${quoteRole(full)}`), after, select);
  const allowed = new Set<string>([model.primaryKey.partitionKey]);
  const nullAllowed = new Set<string>();
  for (const role of held) {
    for (const f of resources(model)) {
      const ops = roleOps(model, role, f);
      if (ops.has('update')) allowed.add(f.name);
      if (ops.has('delete')) nullAllowed.add(f.name);
    }
  }
  const denied: string[] = [];
  for (const [k, v] of Object.entries(input)) if (v === null && !nullAllowed.has(k)) denied.push(k);
  for (const k of Object.keys(input)) if (!allowed.has(k) && !denied.includes(k)) denied.push(k);
  if (denied.length) {
    const nulling = denied.filter((k) => input[k] === null && allowed.has(k));
    const updating = denied.filter((k) => !nulling.includes(k));
    const why = [
      updating.length ? `no rule this caller matches lets it update ${updating.join(', ')}` : '',
      nulling.length ? `setting ${nulling.join(', ')} to null needs delete permission on ${nulling.length > 1 ? 'them' : 'it'}` : '',
    ].filter(Boolean).join('; ');
    return deny(held[0]!.rule.id, `denied: Unauthorized on [${denied.join(', ')}]: ${why}`, { deniedFields: denied });
  }
  return mutationResponse(ctx, allow(held[0]!.rule.id, `allowed by ${quoteRole(held[0]!)} for the fields sent`), after, select);
}

/**
 * The update mutation carries the directives of the providers whose roles may update some field, and the default
 * mode's only where no role may: a caller whose roles may only delete (which the update resolver would let null a
 * field) is refused at the field, before any resolver, unless its mode is the default one and nobody may update.
 * Under IAM access the field carries `@aws_iam` always. (amplify-graphql-auth-transformer puts each mutation's
 * directives from the roles of its operation; checked with reftool on a default-apiKey schema whose owner role
 * has create, read and delete.)
 */
function updateFieldRefusal(ctx: Ctx): Decision | null {
  const { auth, model, identity } = ctx;
  if (identity.kind === 'anonymous') return null;
  if (identity.kind === 'iam' && (auth.params.genericIamAccess || (auth.params.adminRoles.length > 0 && auth.authModes.enabled.includes('iam')))) return null;
  const updaters = rolesFor(ctx, (r) => hasOpOnSome(model, r, 'update'));
  if (updaters.some((r) => providerFits(r, identity))) return null;
  if (!updaters.length && IDENTITY_MODE[identity.kind] === auth.authModes.default) return null;
  const field = model.operationNames.update ?? `update${model.name}`;
  return deny(null, `denied: no rule for provider ${providerOf(identity)} grants update on ${model.name}, so ${field} carries no directive for it: AppSync refuses the field (Not Authorized to access ${field} on type Mutation)`);
}

function decideDelete(ctx: Ctx, record: StoredRecord, select: string[] | undefined): Decision {
  const { model, identity } = ctx;
  const bypass = iamBypass(ctx.auth, identity, ctx.model);
  if (bypass) return mutationResponse(ctx, allow(null, bypass.reason), record, select);
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return sandbox;
  const fitting = rolesFor(ctx, (r) => providerFits(r, identity));
  const roles = fitting.filter((r) => hasOpOnAll(model, r, 'delete'));
  if (!roles.length) {
    const partial = fitting.find((r) => hasOpOnSome(model, r, 'delete') && holds(r, identity, record));
    if (partial) {
      const blocking = resources(model).filter((f) => !roleOps(model, partial, f).has('delete')).map((f) => f.name);
      return deny(partial.rule.id, `denied: delete needs delete permission on every field, and ${quoteRole(partial)} lacks it on ${blocking.join(', ')}`);
    }
    return noRule(ctx, 'delete');
  }
  const held = roles.filter((r) => holds(r, identity, record)).sort(byPrecedence);
  if (!held.length) {
    // The caller may hold a role that deletes some fields only: that is what stops it.
    const partial = fitting.find((r) => hasOpOnSome(model, r, 'delete') && !roles.includes(r) && holds(r, identity, record));
    if (partial) {
      const blocking = resources(model).filter((f) => !roleOps(model, partial, f).has('delete')).map((f) => f.name);
      return deny(partial.rule.id, `denied: delete needs delete permission on every field, and ${quoteRole(partial)} lacks it on ${blocking.join(', ')}`);
    }
    return notHeld(ctx, 'delete', roles);
  }
  return mutationResponse(ctx, allow(held[0]!.rule.id, `allowed by ${quoteRole(held[0]!)}`), record, select);
}

// ---- subscriptions ---------------------------------------------------------------------------

/** What a subscription start decides; delivery per event is `delivered()` in visibility.ts. */
function decideSubscribe(ctx: Ctx, operation: 'onCreate' | 'onUpdate' | 'onDelete', ownerArgs: Record<string, string>): Decision {
  const { model, identity } = ctx;
  if (!model.operationNames[operation]) return deny(null, `denied: ${model.name} has no ${operation} subscription`);
  if (model.subscriptionLevel === 'public') return allow(null, `allowed: ${model.name} subscriptions are public (no auth resolver)`);
  const bypass = iamBypass(ctx.auth, identity, ctx.model);
  if (bypass) return allow(null, bypass.reason);
  const sandbox = sandboxAllows(ctx);
  if (sandbox) return sandbox;
  const roles = rolesFor(ctx, (r) => hasOpOnSome(model, r, 'listen') && providerFits(r, identity));
  if (!roles.length) return noRule(ctx, 'listen');
  const staticHeld = roles.filter((r) => !isDynamic(r) && holds(r, identity, undefined)).sort(byPrecedence);
  if (staticHeld.length) return allow(staticHeld[0]!.rule.id, `allowed by ${quoteRole(staticHeld[0]!)}: every event`);
  for (const role of roles.filter((r) => r.rule.kind === 'owner')) {
    const rule = role.rule as Extract<typeof role.rule, { kind: 'owner' }>;
    const arg = ownerArgs[rule.ownerField];
    if (!arg) continue;
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim || !ownsValue(claim, arg)) {
      return deny(role.rule.id, `denied: the ${rule.ownerField} argument "${arg}" is not the caller, so ${quoteRole(role)} rejects the subscription`);
    }
  }
  const filtering = roles.filter((r) => subscriptionFilterEntry(r, identity) !== null);
  if (!filtering.length) return notHeld(ctx, 'listen', roles);
  return {
    outcome: 'filtered',
    rule: filtering[0]!.rule.id,
    reason: `filtered by ${filtering.map(quoteRole).join(' or ')}: only events for the caller's records arrive`,
  };
}

/** The runtime filter entry a dynamic role adds for a subscriber (null: its claims cannot form one). */
export function subscriptionFilterEntry(role: Role, identity: Identity): ((payload: StoredRecord) => boolean) | null {
  if (!providerFits(role, identity)) return null;
  const rule = role.rule;
  if (rule.kind === 'owner') {
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim) return null;
    // The payload's owner is the displayed value: the username segment under a composite claim.
    const v = claim.parts.length ? claim.parts.at(-1)! : claim.value;
    return (p) => {
      const stored = p[rule.ownerField];
      return Array.isArray(stored) ? stored.includes(v) : stored === v;
    };
  }
  if (rule.kind === 'dynamicGroup') {
    const groups = dynamicGroups(identity, rule.groupClaim);
    if (!groups.length) return null;
    return (p) => {
      const stored = p[rule.groupsField];
      return Array.isArray(stored) ? stored.some((g) => groups.includes(g as string)) : groups.includes(stored as string);
    };
  }
  return null;
}

// ---- custom operations -----------------------------------------------------------------------

function decideCustom(auth: AuthModel, identity: Identity, op: CustomOperation): Decision {
  const d = customAuth(auth, identity, op);
  if (d.outcome !== 'allow') return d;
  const refused = unreadableReturnFields(auth, identity, op);
  if (!refused.length) return d;
  const why = `${d.reason}; but ${op.returns.type} carries no auth directive, so AppSync lets only the default mode (${auth.authModes.default}) read its fields`;
  // A refused non-null field nulls the object holding it: the caller gets no result, only the errors.
  const required = refused.filter((name) => auth.customTypes.find((t) => t.name === op.returns.type)!.fields.find((f) => f.name === name)!.required);
  if (required.length) return { outcome: 'deny', rule: d.rule, reason: `${why}: refusing ${required.join(', ')}, which may not be null, leaves no result` };
  return { outcome: 'partial', rule: d.rule, reason: `${why}, and refuses ${refused.join(', ')}`, deniedFields: refused };
}

/**
 * The fields of the object a custom operation's handler returns that the caller's mode may not read. The Gen 1 (v2)
 * transformer gives a non-model return type no directive of its own (reftool: `pub: Out @aws_api_key` leaves
 * `type Out {`; Gen 1 admin roles add none, generic IAM access adds `@aws_iam`), and AppSync answers a type without
 * directives in the default mode only. Judged only where the handler answers with an object (no handler: null) and the
 * type takes no directives from elsewhere (its own rules, a model or another type holding it).
 */
function unreadableReturnFields(auth: AuthModel, identity: Identity, op: CustomOperation): string[] {
  if (op.returns.typeKind !== 'customType' || op.handler.kind === 'none') return [];
  const t = auth.customTypes.find((c) => c.name === op.returns.type);
  if (!t || t.rules || t.fields.some((f) => f.rules)) return [];
  const holds = (fields: readonly Field[]) => fields.some((f) => f.typeKind === 'customType' && f.type === t.name);
  if (auth.models.some((m) => holds(m.fields)) || auth.customTypes.some((c) => c !== t && holds(c.fields))) return [];
  const mode = modeOf(identity);
  if (!mode || mode === auth.authModes.default || (mode === 'iam' && auth.params.genericIamAccess)) return [];
  return t.fields.filter(isStoredField).map((f) => f.name);
}

const ALLOWED_BY_IAM_DIRECTIVE = 'allowed: the operation carries @aws_iam and no resolver checks its rules; an IAM principal outside the identity pool is limited only by its IAM policy, which allows it';

function customAuth(auth: AuthModel, identity: Identity, op: CustomOperation): Decision {
  const directive = op.enforcement === 'directive';
  const carriesIam = op.rules.some((r) => r.provider === 'iam');
  // A Gen 1 admin role passes the rules in the auth resolver; a directive-only operation has none, and only carries
  // @aws_iam where its own directives say so (generic IAM access adds it everywhere).
  const bypass = ((b) => (b && directive && b.kind === 'admin' && !carriesIam ? null : b))(iamBypass(auth, identity));
  if (bypass) {
    return allow(null, !directive ? bypass.reason : bypass.kind === 'generic'
      ? 'allowed: the operation carries @aws_iam (Gen 2 puts it on every operation) and no resolver checks its rules; an IAM principal outside the identity pool is limited only by its IAM policy'
      : ALLOWED_BY_IAM_DIRECTIVE);
  }
  // A role outside the identity pool that its own policy lets through the IAM check (iamRefusal, before this) meets no
  // resolver check on a field carrying @aws_iam: AppSync's IAM authorization is the only one there.
  if (directive && identity.kind === 'iam' && identity.principal === 'other' && carriesIam) return allow(null, ALLOWED_BY_IAM_DIRECTIVE);
  const matching = op.rules.find((rule) => customRuleHolds(rule, identity));
  const label = `${op.type} ${op.name}`;
  if (matching) {
    return allow(matching.id, directive
      ? `allowed by the native directive of rule ${matching.id} (${describeRule(matching)}); no resolver checks rules here, so the handler sees every such caller`
      : `allowed by rule ${matching.id}: ${describeRule(matching)}`);
  }
  const fitting = op.rules.filter((r) => PROVIDER_MODE[r.provider] === modeOf(identity));
  if (identity.kind === 'iam' && directive && auth.params.genericIamAccess) {
    return deny(null, `denied: AppSync admits IAM callers here (@aws_iam), but the identity pool's roles get IAM policies only for guest and identityPool rules, and ${label} has none for this role`);
  }
  if (!fitting.length) return deny(null, `denied: no rule for provider ${providerOf(identity)} grants ${label}`);
  return deny(fitting[0]!.id, `denied: ${label} is granted only to ${fitting.map((r) => `rule ${r.id} (${describeRule(r)})`).join('; ')}, and the caller matches none`);
}

function modeOf(identity: Identity): AuthMode | undefined {
  return identity.kind === 'anonymous' ? undefined : IDENTITY_MODE[identity.kind];
}

