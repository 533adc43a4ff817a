/** `allow.authenticated()` next to `allow.owner()`: rules are ORed, so the owner check restricts nothing for the operations both grant. */
import type { Rule } from '../../schema/model.js';
import { byRuleId, canWrite, opsText, ruleRef, callers, ruleHome, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, capitalize, listWords } from '../words.js';

/** Do the private rule's callers include the owner rule's? Identity-pool authenticated users are the app's signed-in users. */
function samePopulation(priv: Rule, owner: Rule): boolean {
  return priv.provider === owner.provider || (priv.provider === 'iam' && owner.provider === 'userPools');
}

export function authenticatedOverridesOwner(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    m.rules.filter((r) => r.kind === 'private').flatMap((priv): Finding[] => {
      const overlap = (o: Rule) => priv.operations.filter((op) => op !== 'create' && canWrite(m, op) && o.operations.includes(op));
      const voided = m.rules.filter((o) => o.kind === 'owner' && samePopulation(priv, o) && overlap(o).length).sort(byRuleId);
      if (!voided.length) return [];
      const ops = [...new Set(voided.flatMap(overlap))];
      const keep = priv.operations.filter((o) => !ops.includes(o));
      const change = keep.length
        ? `replace ${tick(ctx.code(priv))} with ${tick(ctx.code(priv, { operations: keep }))}`
        : `remove ${tick(ctx.code(priv))}`;
      return [finding({
        check: 'authenticated-overrides-owner',
        subject: priv.id,
        severity: 'medium',
        model: m.name,
        rule: priv.id,
        title: `${capitalize(callers(priv))} can ${opsText(ops)} every ${m.name} record, whatever ${listWords(voided.map((o) => `rule ${o.id}`))} says`,
        explanation: `Rules are ORed: ${ruleRef(priv)} grants ${opsText(ops)} on every ${m.name} record, so the owner check of ${listWords(voided.map(ruleRef))} restricts nothing for ${ops.length > 1 ? 'those operations' : 'that operation'}. ${capitalize(callers(priv))} can ${listWords(ops.map((o) => (o === 'update' ? 'change' : 'delete')))} other users' records.`,
        fix: `In ${ruleHome(ctx, m)}, ${change} so that only owners ${opsText(ops)}; if every signed-in user really may, drop the owner rule instead, which says so plainly.`,
      })];
    }),
  );
}
