/** Public rules (API key, guests) that grant create, update or delete. */
import type { Field, Model, Rule } from '../../schema/model.js';
import { isWrite, canWrite, opsText, rulesOf, reachable, ruleRef, callers, ruleHome, ownerExample, type LintContext } from '../context.js';
import { finding, type Finding, type Severity } from '../finding.js';
import { tick, capitalize, listWords } from '../words.js';

export function publicWrite(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    rulesOf(m).flatMap(({ rule, field }): Finding[] => {
      if (rule.kind !== 'public' || !reachable(ctx.auth, rule)) return [];
      const writes = rule.operations.filter((o) => canWrite(m, o));
      if (!writes.length) return [];
      // Create-only public access (a guestbook, a contact form) invites spam but cannot touch existing records.
      const severity: Severity = writes.some((o) => o !== 'create') ? 'high' : 'medium';
      const target = field ? `${tick(field.name)} on every ${m.name}` : `${m.name} records`;
      const who = rule.provider === 'apiKey'
        ? 'The API key ships inside every copy of your client app, so it identifies no one'
        : 'The identity pool hands guest credentials to every visitor without sign-in';
      const harm = severity === 'high'
        ? `${listWords(writes.filter((o) => o !== 'create').map((o) => (o === 'update' ? 'change' : 'delete')))} any ${field ? `record's ${tick(field.name)}` : 'record'}, other users' included`
        : 'create as many records as they like, with any content';
      const globalRule = m.rulesFromGlobal
        ? ' It comes from the global auth rule (`input AMPLIFY { globalAuthRule }`), which is meant for prototypes only.'
        : '';
      return [finding({
        check: 'public-write',
        subject: rule.id,
        severity,
        model: m.name,
        field: field?.name,
        rule: rule.id,
        title: `${capitalize(callers(rule))} can ${opsText(writes)} ${target}`,
        explanation: `${capitalize(ruleRef(rule))} grants ${opsText(writes)} on ${target}. ${who}: anyone can ${harm}.${globalRule}`,
        fix: publicWriteFix(ctx, m, rule, field),
      })];
    }),
  );
}

function publicWriteFix(ctx: LintContext, m: Model, rule: Rule, field?: Field): string {
  const keep = rule.operations.filter((o) => !isWrite(o));
  const opts = { fieldLevel: !!field };
  const writers = ctx.auth.authModes.enabled.includes('userPool') ? `, and let signed-in users write (e.g. ${tick(ownerExample(ctx))})` : '';
  if (m.rulesFromGlobal) {
    const own = keep.length ? `@auth(rules: [${ctx.code(rule, { operations: keep })}])` : '@auth(rules: [...])';
    return `Give ${m.name} rules of its own, e.g. ${tick(own)}, instead of the global auth rule's ${tick(ctx.code(rule, opts))}${writers}, and remove \`input AMPLIFY\` once every model has them.`;
  }
  if (!keep.length) return `Remove ${tick(ctx.code(rule, opts))} from ${ruleHome(ctx, m, field, rule)}${writers}.`;
  return `In ${ruleHome(ctx, m, field, rule)}, replace ${tick(ctx.code(rule, opts))} with ${tick(ctx.code(rule, { ...opts, operations: keep }))}${writers}.`;
}
