/**
 * Rules as roles. Every rule (every group of a static-group rule) is a role; a model rule grants its
 * operations on every declared field, a field rule replaces all model grants on its field. Of two rules
 * naming the same role on one field, the later one alone grants it there (the transformer refuses a role
 * named twice in model rules).
 */
import { READ_OPERATIONS, type Field, type Model, type ModelOperation, type Rule } from '../schema/model.js';
import { cached, memo } from './memo.js';
import {
  dynamicGroups,
  listClaimGroups,
  inStaticGroup,
  ownerClaim,
  ownerFilterValues,
  ownsValue,
  type Identity,
} from './identity.js';

export interface Role {
  key: string;
  /** The first rule that named this role: quoted in reasons. */
  rule: Rule;
  /** For static-group roles: the one group this role stands for. */
  group?: string;
}

export type StoredRecord = Readonly<Record<string, unknown>>;

const resourcesCache = new WeakMap<Model, Field[]>();

/** Fields that take part in field-level permissions: the declared ones (implicit fields never do). */
export function resources(model: Model): Field[] {
  return cached(resourcesCache, model, () => model.fields.filter((f) => !f.implicit));
}

const selectionCache = new WeakMap<Model, readonly string[]>();

/** What a read selects by default: every field but the relations (the oracle's shared copy; not to be changed). */
export function defaultNames(model: Model): readonly string[] {
  return cached(selectionCache, model, () => model.fields.filter((f) => !f.relation).map((f) => f.name));
}

const rulesCache = new WeakMap<Model, Rule[]>();

/** A model's rules and its fields' rules. */
export function modelRules(model: Model): Rule[] {
  return cached(rulesCache, model, () => [...model.rules, ...model.fields.flatMap((f) => f.rules ?? [])]);
}

// The oracle is pure over immutable models, so per-object results are cached by identity.
const keysCache = new WeakMap<Rule, { key: string; group?: string }[]>();
const ruleRolesCache = new WeakMap<Rule, Role[]>();
const effectiveCache = new WeakMap<Rule[], Rule[]>();
const rolesCache = new WeakMap<Model, Role[]>();
const opsCache = new WeakMap<Role, WeakMap<Field, Set<ModelOperation>>>();

export function roleKeys(rule: Rule): { key: string; group?: string }[] {
  return cached(keysCache, rule, () => computeRoleKeys(rule));
}

function computeRoleKeys(rule: Rule): { key: string; group?: string }[] {
  switch (rule.kind) {
    case 'public':
      return [{ key: `${rule.provider}:public` }];
    case 'private':
      return [{ key: `${rule.provider}:private` }];
    case 'custom':
      return [{ key: 'function:custom' }];
    case 'staticGroup':
      return rule.groups.map((group) => ({ key: `${rule.provider}:group:${group}:${rule.groupClaim}`, group }));
    case 'dynamicGroup':
      return [{ key: `${rule.provider}:groupsField:${rule.groupsField}:${rule.groupClaim}` }];
    case 'owner':
      return [{ key: `${rule.provider}:owner:${rule.ownerField}:${rule.identityClaim}` }];
  }
}

/** The roles one rule names (one per group of a static-group rule). */
export function ruleRoles(rule: Rule): Role[] {
  return cached(ruleRolesCache, rule, () => roleKeys(rule).map(({ key, group }) => ({ key, rule, ...(group ? { group } : {}) })));
}

/** Every role of a model, in the order rules first name them (model rules, then field rules). */
export function modelRoles(model: Model): Role[] {
  return cached(rolesCache, model, () => computeModelRoles(model));
}

function computeModelRoles(model: Model): Role[] {
  const seen = new Map<string, Role>();
  const add = (rule: Rule) => {
    for (const { key, group } of roleKeys(rule)) {
      if (!seen.has(key)) seen.set(key, { key, rule, ...(group ? { group } : {}) });
    }
  };
  model.rules.forEach(add);
  for (const f of resources(model)) f.rules?.forEach(add);
  return [...seen.values()];
}

/** The operations a role has on one field. */
export function roleOps(model: Model, role: Role, field: Field): Set<ModelOperation> {
  // Roles are per model (modelRoles caches them), so role × field identifies the cell.
  return cached(cached(opsCache, role, () => new WeakMap<Field, Set<ModelOperation>>()), field, () => computeRoleOps(model, role, field));
}

function computeRoleOps(model: Model, role: Role, field: Field): Set<ModelOperation> {
  return new Set(lastRuleFor(field.rules ?? model.rules, role.key)?.operations);
}

/** The rule that grants a role among one resource's rules: the last that names it (see `effectiveRules`). */
function lastRuleFor(rules: Rule[], key: string): Rule | undefined {
  return rules.findLast((rule) => roleKeys(rule).some((k) => k.key === key));
}

/**
 * The rules of one field that grant anything: a rule whose every role a later rule of the field names again is
 * replaced by it (graphql-auth-transformer accesscontrol/acm.ts `setRole` with a resource overwrites the role's
 * operations on that field; checked with reftool: docs/semantics.md, "Two field rules for one role on one field").
 */
export function effectiveRules(rules: Rule[]): Rule[] {
  return cached(effectiveCache, rules, () => rules.filter((rule, i) => roleKeys(rule).some(({ key }) => lastRuleFor(rules.slice(i), key) === rule)));
}

const someCache = new WeakMap<Role, Map<string, boolean>>();
const allCache = new WeakMap<Role, Map<string, boolean>>();

// A role belongs to one model (modelRoles), so role × operation identifies the answer.
export function hasOpOnSome(model: Model, role: Role, op: ModelOperation): boolean {
  return memo(someCache, role, op, () => resources(model).some((f) => roleOps(model, role, f).has(op)));
}

export function hasOpOnAll(model: Model, role: Role, op: ModelOperation): boolean {
  return memo(allCache, role, op, () => resources(model).every((f) => roleOps(model, role, f).has(op)));
}



export function canReadField(model: Model, role: Role, field: Field): boolean {
  const ops = roleOps(model, role, field);
  return READ_OPERATIONS.some((o) => ops.has(o));
}

export const isDynamic = (role: Role): boolean => role.rule.kind === 'owner' || role.rule.kind === 'dynamicGroup';

/**
 * Precedence among the roles a caller holds, for choosing the rule a decision quotes: the generated
 * resolvers try private, then static groups, then owners, then dynamic groups.
 */
const PRECEDENCE: Record<Rule['kind'], number> = { public: 0, custom: 0, private: 1, staticGroup: 2, owner: 3, dynamicGroup: 4 };

export function byPrecedence(a: Role, b: Role): number {
  return PRECEDENCE[a.rule.kind] - PRECEDENCE[b.rule.kind];
}

/** Does the caller's credential kind fit the role's provider (and, for IAM, the right identity-pool role)? */
export function providerFits(role: Role, identity: Identity): boolean {
  const rule = role.rule;
  switch (rule.provider) {
    case 'apiKey':
      return identity.kind === 'apiKey';
    case 'function':
      return identity.kind === 'lambda' && identity.authorized;
    case 'userPools':
      return identity.kind === 'userPool';
    case 'oidc':
      return identity.kind === 'oidc';
    case 'iam':
      if (identity.kind !== 'iam') return false;
      return rule.kind === 'public' ? identity.principal === 'unauthRole' : identity.principal === 'authRole';
  }
}

/** Does a custom operation's rule admit this caller? (Its rules grant the operation itself.) */
export function customRuleHolds(rule: Rule, identity: Identity): boolean {
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? identity.kind === 'apiKey' : identity.kind === 'iam' && identity.principal === 'unauthRole';
    case 'private':
      if (rule.provider === 'iam') return identity.kind === 'iam' && identity.principal === 'authRole';
      return identity.kind === (rule.provider === 'userPools' ? 'userPool' : 'oidc');
    case 'custom':
      return identity.kind === 'lambda' && identity.authorized;
    case 'staticGroup':
      return identity.kind === (rule.provider === 'userPools' ? 'userPool' : 'oidc') && rule.groups.some((g) => inStaticGroup(identity, rule.groupClaim, g));
    default:
      return false;
  }
}

/**
 * Does the caller hold this role for a record (write operations, field reads)? Owner roles need every
 * part of the identity claim; dynamic groups need the record's group field to name one of the caller's.
 */
export function holds(role: Role, identity: Identity, record: StoredRecord | undefined): boolean {
  if (!providerFits(role, identity)) return false;
  const rule = role.rule;
  switch (rule.kind) {
    case 'public':
    case 'private':
    case 'custom':
      return true;
    case 'staticGroup':
      return inStaticGroup(identity, rule.groupClaim, role.group!);
    case 'owner': {
      const claim = ownerClaim(identity, rule.identityClaim);
      if (!claim || !record) return false;
      const v = record[rule.ownerField];
      return Array.isArray(v) ? v.some((x) => ownsValue(claim, x)) : ownsValue(claim, v);
    }
    case 'dynamicGroup': {
      const groups = dynamicGroups(identity, rule.groupClaim);
      if (!record) return false;
      const v = record[rule.groupsField];
      return Array.isArray(v) ? v.some((x) => groups.includes(x as string)) : groups.includes(v as string);
    }
  }
}

/**
 * The read filter for a dynamic role (get and list): null when the caller's claims cannot form one.
 * Owner roles filter on whatever claim parts exist; dynamic groups need at least one group.
 */
export function readFilter(role: Role, identity: Identity): ((record: StoredRecord) => boolean) | null {
  if (!providerFits(role, identity)) return null;
  const rule = role.rule;
  if (rule.kind === 'owner') {
    const values = ownerFilterValues(identity, rule.identityClaim);
    if (!values.length) return null;
    return (record) => {
      const v = record[rule.ownerField];
      return rule.multiOwner ? Array.isArray(v) && v.some((x) => values.includes(x as string)) : values.includes(v as string);
    };
  }
  if (rule.kind === 'dynamicGroup') {
    const groups = rule.multiGroup ? listClaimGroups(identity, rule.groupClaim) : dynamicGroups(identity, rule.groupClaim);
    if (!groups.length) return null;
    return (record) => {
      const v = record[rule.groupsField];
      return rule.multiGroup ? Array.isArray(v) && v.some((x) => groups.includes(x as string)) : groups.includes(v as string);
    };
  }
  return null;
}
