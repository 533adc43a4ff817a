/** Group rules that read groups from a claim users can set themselves. */
import { partRisk, userSetWhy } from '../claims.js';
import { groupRules, ruleRef, ruleHome, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, capitalize, listWords } from '../words.js';

export function groupClaims(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (partRisk(rule.groupClaim) !== 'userSet') return [];
      const fixed = ctx.code({ ...rule, groupClaim: 'cognito:groups' }, { fieldLevel: !!field });
      const what = rule.kind === 'staticGroup' ? listWords(rule.groups.map(tick)) : `the group named in a record's ${tick(rule.groupsField)}`;
      return [finding({
        check: 'group-claim-mutable',
        subject: rule.id,
        severity: 'medium',
        model: m.name,
        field: field?.name,
        rule: rule.id,
        title: `Users can put themselves in the groups of rule ${rule.id}: it reads groups from ${tick(rule.groupClaim)}`,
        explanation: `${capitalize(ruleRef(rule))} takes the caller's groups from ${tick(rule.groupClaim)}; ${userSetWhy(rule.groupClaim)}. A user who writes ${what} there passes this rule on ${m.name}.`,
        fix: rule.provider === 'userPools'
          ? `Use Cognito groups, which only administrators assign: ${tick(fixed)} in ${ruleHome(ctx, m, field)}; or keep ${tick(rule.groupClaim)} out of the app client's write attributes.`
          : `Read groups from a claim your identity provider sets and users cannot edit, in ${ruleHome(ctx, m, field)}.`,
      })];
    }),
  );
}
