/** OIDC owner rules on a username claim that most OIDC providers do not issue. */
import { ownerRules, ruleRef, ruleHome, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, capitalize, listWords } from '../words.js';

/** Most OIDC providers other than Cognito issue neither `username` nor `cognito:username`. */
export function oidcOwnerClaim(ctx: LintContext): Finding[] {
  const issuer = ctx.auth.authModes.oidc?.issuer ?? '';
  if (/cognito-idp\./.test(issuer)) return [];
  return ctx.auth.models.flatMap((m): Finding[] =>
    ownerRules(m).flatMap(({ rule, field }): Finding[] => {
      const parts = rule.identityClaim.split('::');
      if (rule.provider !== 'oidc' || !parts.some((p) => p === 'username' || p === 'cognito:username')) return [];
      return [finding({
        check: 'oidc-owner-claim',
        subject: rule.id,
        severity: 'low',
        model: m.name,
        field: field?.name,
        rule: rule.id,
        title: `OIDC owner rule ${rule.id} never matches unless the tokens carry a username`,
        explanation: `${capitalize(ruleRef(rule))} needs ${listWords(parts.map(tick))} in the OIDC token; most OIDC providers other than Cognito issue no ${tick('username')} or ${tick('cognito:username')} claim, and then the rule is skipped entirely: owners cannot create, read or change their ${m.name} records through it.`,
        fix: `Name the provider's user id claim: ${tick(ctx.code(rule, { identityClaim: 'sub', fieldLevel: !!field }))} in ${ruleHome(ctx, m, field)}.`,
      })];
    }),
  );
}
