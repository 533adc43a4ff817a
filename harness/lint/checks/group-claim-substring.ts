/** Static group checks on a claim other than `cognito:groups`: a substring test when the claim is a string. */
import { partRisk } from '../claims.js';
import { groupRules, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick } from '../words.js';

/** Static group checks are `claim.contains(group)`: on a string claim, a substring test. */
export function groupClaimSubstring(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (rule.kind !== 'staticGroup' || rule.groupClaim === 'cognito:groups' || partRisk(rule.groupClaim) === 'userSet') return [];
      const group = rule.groups[0]!;
      return [finding({
        check: 'group-claim-substring',
        subject: rule.id,
        severity: 'low',
        model: m.name,
        field: field?.name,
        rule: rule.id,
        title: `Group check of rule ${rule.id} is a substring test if ${tick(rule.groupClaim)} is a string`,
        explanation: `For static groups the generated resolver tests ${tick(`${rule.groupClaim}.contains("${group}")`)}. On a list claim that is exact membership; if the token carries ${tick(rule.groupClaim)} as one string (a single group or a comma-separated list), it is a substring test, so a caller in ${tick(`${group}-Readonly`)} or ${tick(`No${group}`)} passes as ${tick(group)} on ${m.name}.`,
        fix: `Make the identity provider send ${tick(rule.groupClaim)} as a JSON array of group names (no schema change needed), or use ${tick('cognito:groups')}.`,
      })];
    }),
  );
}
