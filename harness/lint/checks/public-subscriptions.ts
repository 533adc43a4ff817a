/** `subscriptions: { level: public }`: subscriptions without an auth resolver. */
import { subscriptionNames, reachable, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, listWords } from '../words.js';

/** `@model(subscriptions: { level: public })` drops the subscriptions' auth resolver. */
export function publicSubscriptions(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const names = subscriptionNames(m);
    if (m.subscriptionLevel !== 'public' || !names.length) return [];
    const publicListen = m.rules.some((r) => r.kind === 'public' && r.operations.includes('listen') && reachable(ctx.auth, r));
    if (publicListen) return []; // events every caller may read anyway
    return [finding({
      check: 'public-subscriptions',
      subject: m.name,
      severity: 'medium',
      model: m.name,
      title: `${m.name} subscriptions skip its rules: every admitted subscriber gets every event`,
      explanation: `${m.name} has ${tick('subscriptions: { level: public }')}, which generates ${listWords(names)} without an auth resolver: every caller AppSync admits receives every created, updated and deleted ${m.name}, whatever ${m.name}'s read rules say, and mutation responses are not redacted.`,
      fix: ctx.dialect === 'gen1'
        ? `Use ${tick('@model(subscriptions: { level: on })')} on ${m.name} (the default) so subscriptions follow its rules.`
        : `Remove the public subscription level from ${m.name} so subscriptions follow its rules.`,
    })];
  });
}
