/** Dynamic-group subscriptions and the size limits of AppSync's subscription filters. */
import type { Model, Rule } from '../../schema/model.js';
import { groupRules, subscriptionNames, reachable, ruleRef, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, listWords } from '../words.js';

export function groupLimits(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const names = subscriptionNames(m);
    if (m.subscriptionLevel !== 'on' || !names.length) return [];
    return groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (rule.kind !== 'dynamicGroup' || !rule.operations.includes('listen') || !reachable(ctx.auth, rule)) return [];
      const [op, limit] = rule.multiGroup ? ['containsAny', 20] : ['in', 5];
      const perRecord = rule.multiGroup ? `, and a record may list at most 20 groups in ${tick(rule.groupsField)}` : '';
      return [finding({
        check: 'group-limit',
        subject: rule.id,
        severity: 'low',
        model: m.name,
        field: field?.name,
        rule: rule.id,
        title: `${m.name} subscriptions fail for users in more than ${limit} groups (rule ${rule.id})`,
        explanation: `Subscribers authorized by ${ruleRef(rule)} get the runtime filter ${tick(`${rule.groupsField} ${op} [their groups]`)} on ${listWords(names)}. AppSync's ${tick(op)} takes at most ${limit} values, so a user in more than ${limit} groups (claim ${tick(rule.groupClaim)}) cannot subscribe${perRecord}.`,
        fix: groupLimitFix(ctx, m, rule),
      })];
    });
  });
}

function groupLimitFix(ctx: LintContext, m: Model, rule: Extract<Rule, { kind: 'dynamicGroup' }>): string {
  const off = ctx.dialect === 'gen2' ? `.disableOperations(['subscriptions'])` : '@model(subscriptions: null)';
  const widen = rule.multiGroup
    ? ''
    : ctx.dialect === 'gen2'
      ? `, or make the field a list (${tick(`${rule.groupsField}s: a.string().array()`)} with ${tick(`allow.groupsDefinedIn('${rule.groupsField}s')`)}, up to 20 groups)`
      : `, or make the field a list (${tick(`${rule.groupsField}s: [String]`)} with ${tick(`{ allow: groups, groupsField: "${rule.groupsField}s" }`)}, up to 20 groups)`;
  return `Keep users in at most ${rule.multiGroup ? 20 : 5} groups${widen}; if ${m.name} needs no real-time updates, use ${tick(off)}.`;
}
