/**
 * What every lint check reads: the AuthModel, the schema's dialect (Gen 2 `allow.*` or Gen 1 `@auth`) for
 * fix texts, and helpers that describe rules and the callers they let in. Pure and synchronous.
 */
import { PROVIDER_MODE, type AuthModel, type Field, type Model, type ModelOperation, type Rule } from '../schema/model.js';
import { describeRule } from '../rules/describe.js';
import type { Finding } from './finding.js';
import { defaultIdentityClaim, dialectOf, operationWords, ruleCode, type Dialect, type RuleCodeOptions } from './rule-syntax.js';
import { listWords, tick } from './words.js';

export interface LintContext {
  auth: AuthModel;
  dialect: Dialect;
  /** The rule as schema code, optionally with other operations or claim. */
  code: (rule: Rule, opts?: Partial<RuleCodeOptions>) => string;
}

/** One lint check: the findings it makes on a schema. */
export type Check = (ctx: LintContext) => Finding[];

export function lintContext(auth: AuthModel): LintContext {
  const dialect = dialectOf(auth);
  const claim = defaultIdentityClaim(auth);
  return { auth, dialect, code: (rule, opts = {}) => ruleCode(rule, { dialect, defaultIdentityClaim: claim, ...opts }) };
}

export const byRuleId = (a: Rule, b: Rule): number => a.id.localeCompare(b.id, 'en', { numeric: true });
export const isWrite = (op: ModelOperation): op is 'create' | 'update' | 'delete' => op === 'create' || op === 'update' || op === 'delete';
/** A write whose mutation `@model(mutations: ...)` did not turn off. */
export const canWrite = (m: Model, op: ModelOperation): boolean => isWrite(op) && m.operationNames[op] !== null;

export function opsText(ops: readonly ModelOperation[], fieldLevel = false): string {
  return listWords(operationWords(ops, fieldLevel));
}

/** A model's rules and its fields' rules, each with the field it sits on. */
export function rulesOf(m: Model): { rule: Rule; field?: Field }[] {
  return [...m.rules.map((rule) => ({ rule })), ...m.fields.flatMap((field) => (field.rules ?? []).map((rule) => ({ rule, field })))];
}

/** The rules that decide a field: its own, or the model's. */
export const rulesOn = (m: Model, f: Field): Rule[] => f.rules ?? m.rules;

export function ownerRules(m: Model): { rule: Extract<Rule, { kind: 'owner' }>; field?: Field }[] {
  return rulesOf(m).flatMap(({ rule, field }) => (rule.kind === 'owner' ? [{ rule, ...(field ? { field } : {}) }] : []));
}

export function groupRules(m: Model): { rule: Extract<Rule, { kind: 'staticGroup' | 'dynamicGroup' }>; field?: Field }[] {
  return rulesOf(m).flatMap(({ rule, field }) =>
    rule.kind === 'staticGroup' || rule.kind === 'dynamicGroup' ? [{ rule, ...(field ? { field } : {}) }] : []);
}

export function subscriptionNames(m: Model): string[] {
  return [m.operationNames.onCreate, m.operationNames.onUpdate, m.operationNames.onDelete].filter((n): n is string => !!n);
}

/** Can any caller hold this rule? Guest rules are dead when the identity pool refuses guests. */
export function reachable(auth: AuthModel, rule: Rule): boolean {
  if (rule.kind === 'public' && rule.provider === 'iam' && auth.authModes.identityPool?.allowUnauthenticated === false) return false;
  return auth.authModes.enabled.includes(PROVIDER_MODE[rule.provider]);
}

/** `rule Post#1 (owner via ownerField `owner`, claim `sub::username`)`, without nested parentheses. */
export const ruleRef = (rule: Rule): string => `rule ${rule.id} (${describeRule(rule).replace(/ \(([^()]*)\)$/, ', $1')})`;

/** Who a rule lets in, as a sentence subject. */
export function callers(rule: Rule): string {
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? 'anyone with the API key' : "any guest (the identity pool's unauthenticated role)";
    case 'private':
      return rule.provider === 'userPools' ? 'any signed-in user' : rule.provider === 'oidc' ? 'any OIDC-authenticated user' : 'any identity-pool authenticated user';
    case 'custom':
      return 'any caller the Lambda authorizer accepts';
    case 'staticGroup':
      return `members of group${rule.groups.length > 1 ? 's' : ''} ${rule.groups.join(', ')}`;
    case 'owner':
      return rule.multiOwner ? `users listed in ${tick(rule.ownerField)}` : `the owner named in ${tick(rule.ownerField)}`;
    case 'dynamicGroup':
      return rule.multiGroup ? `members of a group listed in ${tick(rule.groupsField)}` : `members of the group named in ${tick(rule.groupsField)}`;
  }
}

/**
 * Where a rule is written, for fix texts. A Gen 1 `@manyToMany` join model is written nowhere: its rules are the two
 * models' it joins, in their order (harness/schema/sdl/relations.ts `linkManyToMany`), so the fix goes to the one
 * `rule` came from, or to both (Specto95/jael-amplifygen1's `BranchOfficeUser`).
 */
export function ruleHome(ctx: LintContext, m: Model, field?: Field, rule?: Rule): string {
  if (field) return `the field rule of ${tick(`${m.name}.${field.name}`)}`;
  // A model without @auth takes the global rule, which stands for every such model (jael-amplifygen1's 38).
  if (m.rulesFromGlobal) return `an @auth of ${m.name}'s own (it has none, so the global auth rule \`input AMPLIFY { globalAuthRule }\` gives it its rules)`;
  const sides = joinedBy(ctx, m);
  if (sides) {
    const i = rule ? m.rules.indexOf(rule) : -1;
    const from = i < 0 ? sides : [i < sides[0].rules.length ? sides[0] : sides[1]];
    const join = `${m.name}, the @manyToMany join model of ${sides[0].name} and ${sides[1].name}`;
    if (from.length === 1 && from[0]!.rulesFromGlobal) return `an @auth of ${from[0]!.name}'s own (${join}, takes this rule from it, which has none: the global auth rule \`input AMPLIFY { globalAuthRule }\` gives it its rules)`;
    return from.length > 1 ? `the @auth rules of ${sides[0].name} and ${sides[1].name} (${join}, takes both models' rules)` : `the @auth rules of ${from[0]!.name} (${join}, takes this rule from it)`;
  }
  return ctx.dialect === 'gen2' ? `${m.name}'s .authorization(...)` : `the @auth rules of ${m.name}`;
}

/** The two models a `@manyToMany` join model joins, in the order its rules were taken; undefined for other models. */
function joinedBy(ctx: LintContext, m: Model): [Model, Model] | undefined {
  const sides = ctx.auth.models.filter((x) => x.fields.some((f) => f.relation?.kind === 'manyToMany' && f.relation.joinModel === m.name));
  return sides.length === 2 ? [sides[0]!, sides[1]!] : undefined;
}

export function ownerExample(ctx: LintContext): string {
  return ctx.dialect === 'gen2' ? 'allow.owner()' : '{ allow: owner }';
}
