/**
 * Which rules decided a request, next to `decide`'s one quoted rule: among the rules in force (the
 * custom operation's; the model's and those of the fields the request reads or writes) whose provider
 * fits the caller, those that admitted it where the decision grants, and those that did not admit it
 * (the caller does not satisfy them, or they do not grant the operation) where the decision refuses.
 * A field's own rules count for their field only: allowing where the field comes back or is written,
 * refusing where it is refused. Coverage reads this from each cell instead of guessing.
 */
import { PROVIDER_MODE, type AuthModel, type CustomOperation, type Model, type ModelOperation, type Rule } from '../schema/model.js';
import type { Decision, OperationName, RuleTrace, Target } from './decide.js';
import { subscriptionFilterEntry } from './decide.js';
import { dynamicGroups, ownerClaim, ownsValue, type Identity } from './identity.js';
import { customRuleHolds, defaultNames, effectiveRules, holds, providerFits, readFilter, ruleRoles, type Role } from './roles.js';

const NONE: RuleTrace = { allowing: [], refusing: [] };

const RULE_OPERATION: Record<Exclude<OperationName, 'custom'>, ModelOperation> = {
  create: 'create', get: 'get', list: 'list', update: 'update', delete: 'delete', onCreate: 'listen', onUpdate: 'listen', onDelete: 'listen',
};

/** Whether the caller satisfies a model or field rule for this request (whatever operations it grants). */
function satisfies(rule: Rule, identity: Identity, operation: Exclude<OperationName, 'custom'>, target: Target): boolean {
  return ruleRoles(rule).some((role) => {
    if (!providerFits(role, identity)) return false;
    if (rule.kind !== 'owner' && rule.kind !== 'dynamicGroup') return holds(role, identity, undefined);
    switch (operation) {
      case 'get':
      case 'update':
      case 'delete':
        return holds(role, identity, target.record);
      case 'list':
        // A list is admitted by every rule that can form its filter, whatever records pass it.
        return readFilter(role, identity) !== null;
      case 'create':
        return createAdmits(rule, identity, target.input ?? {});
      default:
        return subscribeAdmits(role, identity, target.ownerArgs ?? {});
    }
  });
}

/** On create an owner rule admits its owner, and fills an absent owner field with the caller. */
function createAdmits(rule: Rule, identity: Identity, input: Record<string, unknown>): boolean {
  if (rule.kind === 'owner') {
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim) return false;
    if (!(rule.ownerField in input)) return true;
    const v = input[rule.ownerField];
    return Array.isArray(v) ? v.some((x) => ownsValue(claim, x)) : ownsValue(claim, v);
  }
  if (rule.kind === 'dynamicGroup') {
    const groups = dynamicGroups(identity, rule.groupClaim);
    const v = input[rule.groupsField];
    return Array.isArray(v) ? v.some((x) => groups.includes(x as string)) : groups.includes(v as string);
  }
  return false;
}

/** A dynamic rule admits a subscriber it can filter for, unless an owner argument names someone else. */
function subscribeAdmits(role: Role, identity: Identity, ownerArgs: Record<string, string>): boolean {
  const rule = role.rule;
  if (rule.kind === 'owner' && ownerArgs[rule.ownerField] !== undefined) {
    const claim = ownerClaim(identity, rule.identityClaim);
    if (!claim || !ownsValue(claim, ownerArgs[rule.ownerField])) return false;
  }
  return subscriptionFilterEntry(role, identity) !== null;
}

/** The fields a request reads or writes, whose own rules are in force for it. */
function touched(model: Model, operation: Exclude<OperationName, 'custom'>, target: Target): readonly string[] {
  if (operation === 'create' || operation === 'update') return Object.keys(target.input ?? {});
  if (operation === 'delete') return model.fields.map((f) => f.name);
  return target.select ?? defaultNames(model);
}

const GRANTS = new Set(['allow', 'filtered', 'partial']);

function customTrace(op: CustomOperation, identity: Identity, decision: Decision): RuleTrace {
  const fitting = op.rules.filter((r) => PROVIDER_MODE[r.provider] === modeOf(identity));
  if (decision.outcome === 'allow') return { allowing: fitting.filter((r) => customRuleHolds(r, identity)).map((r) => r.id), refusing: [] };
  return { allowing: [], refusing: fitting.map((r) => r.id) };
}

function modeOf(identity: Identity): string | undefined {
  return identity.kind === 'anonymous' ? undefined : identity.kind;
}

/**
 * The rules that decided `decision` (what `decide` answered for the same request). Refusals before
 * any rule (no credentials, a mode the API lacks, a refused Lambda token) and callers that skip every
 * rule (IAM principals outside the identity pool) have none.
 */
export function decidingRules(auth: AuthModel, identity: Identity, operation: OperationName, target: Target, decision: Decision): RuleTrace {
  if (decision.requestLevel) return NONE;
  if (operation === 'custom') {
    const op = auth.customOperations.find((o) => o.name === target.type);
    return op ? customTrace(op, identity, decision) : NONE;
  }
  const model = auth.models.find((m) => m.name === target.type);
  if (!model) return NONE;
  const fits = (r: Rule) => auth.authModes.enabled.includes(PROVIDER_MODE[r.provider]) && ruleRoles(r).some((role) => providerFits(role, identity));
  const admits = (r: Rule) => r.operations.includes(RULE_OPERATION[operation]) && satisfies(r, identity, operation, target);
  const granted = GRANTS.has(decision.outcome);
  const out: RuleTrace = { allowing: [], refusing: [] };
  for (const r of model.rules.filter(fits)) {
    if (granted && admits(r)) out.allowing.push(r.id);
    else if (!granted && !admits(r)) out.refusing.push(r.id);
  }
  const refusedFields = new Set(decision.deniedFields ?? []);
  for (const name of touched(model, operation, target)) {
    const rules = model.fields.find((f) => f.name === name)?.rules;
    if (!rules) continue;
    for (const r of effectiveRules(rules).filter(fits)) {
      const fieldRefused = !granted || refusedFields.has(name);
      if (!fieldRefused && admits(r)) out.allowing.push(r.id);
      else if (fieldRefused && !admits(r)) out.refusing.push(r.id);
    }
  }
  return out;
}
