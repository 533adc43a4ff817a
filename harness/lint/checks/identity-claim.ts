/** Owner rules that identify owners by a claim many users share, or one users can change. */
import { SHARED_CLAIMS, claimRisk, userSetWhy, perPart } from '../claims.js';
import { opsText, ownerRules, ruleRef, ruleHome, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { defaultIdentityClaim } from '../rule-syntax.js';
import { tick, capitalize } from '../words.js';

export function identityClaims(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    ownerRules(m).flatMap(({ rule, field }): Finding[] => {
      const risk = claimRisk(rule.identityClaim);
      if (!risk) return [];
      const claim = rule.identityClaim;
      const safe = rule.provider === 'oidc' ? 'sub' : defaultIdentityClaim(ctx.auth);
      const parts = claim.split('::');
      const base = {
        model: m.name,
        field: field?.name,
        rule: rule.id,
        subject: rule.id,
        fix: `Identify owners by a unique claim that users cannot change: ${tick(ctx.code(rule, { identityClaim: safe, fieldLevel: !!field }))} in ${ruleHome(ctx, m, field)}. Records already stored keep the old value in ${tick(rule.ownerField)}: migrate them.`,
      };
      if (risk === 'shared') {
        return [finding({
          ...base,
          check: 'identity-claim-shared',
          severity: 'high',
          title: `Every user owns every ${m.name} record: rule ${rule.id} identifies owners by ${tick(claim)}`,
          explanation: `${capitalize(ruleRef(rule))} compares ${tick(rule.ownerField)} with the caller's ${tick(claim)}: ${perPart(parts, (p) => SHARED_CLAIMS[p]!)}. Auto-fill stores that shared value, so every signed-in user matches every record's owner and may ${opsText(rule.operations)} all of them.`,
        })];
      }
      return [finding({
        ...base,
        check: 'identity-claim-mutable',
        severity: 'medium',
        title: `Users can claim other users' ${m.name} records: rule ${rule.id} identifies owners by ${tick(claim)}`,
        explanation: `${capitalize(ruleRef(rule))} compares ${tick(rule.ownerField)} with the caller's ${tick(claim)}, which is not a stable, unique user id: ${perPart(parts, userSetWhy)}. A user who gets someone else's value becomes the owner of that person's records; a user whose value changes loses theirs.`,
      })];
    }),
  );
}
