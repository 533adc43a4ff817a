/** Models nobody can use (no rule grants anything) or everybody can (no rules in sandbox mode). */
import { MODEL_OPERATIONS, type Model } from '../../schema/model.js';
import { byRuleId, ownerExample, rulesOf, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick } from '../words.js';

export function noRules(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const rules = rulesOf(m).map((x) => x.rule);
    if (rules.some((r) => r.operations.length)) return [];
    const sandbox = !rules.length && ctx.auth.params.sandboxMode && ctx.auth.authModes.enabled.includes('apiKey');
    const base = { check: 'no-rules', subject: m.name, model: m.name, fix: noRulesFix(ctx, m) };
    if (sandbox) {
      return [finding({
        ...base,
        severity: 'high',
        title: `Anyone with the API key can read and change ${m.name}: it has no rules and sandbox mode is on`,
        explanation: `${m.name} has no auth rules, and sandbox mode lets every API-key caller through such models: anyone who extracts the API key from the client app can create, read, update and delete every ${m.name} record.`,
      })];
    }
    const why = rules.length ? `no rule of ${m.name} grants any operation` : `${m.name} has no auth rules`;
    const bypass = ctx.auth.params.genericIamAccess || ctx.auth.params.adminRoles.length
      ? '; only IAM principals that skip rules (generic IAM access, admin roles) get through'
      : '';
    return [finding({
      ...base,
      severity: 'low',
      title: `Nobody can use ${m.name}: ${why}`,
      explanation: `Amplify denies by default: since ${why}, every API-key, user-pool, OIDC, Lambda and identity-pool request to ${m.name}'s queries, mutations and subscriptions fails with Unauthorized${bypass}. This is usually a forgotten rule.`,
    })];
  });
}

function noRulesFix(ctx: LintContext, m: Model): string {
  if (ctx.dialect === 'gen2') {
    const first = [...m.rules].sort(byRuleId)[0];
    const example = first ? tick(ctx.code(first, { operations: MODEL_OPERATIONS })) : tick(ownerExample(ctx));
    return `Grant the operations ${m.name} needs in its .authorization(...), e.g. ${example}; if it should not be reachable through the API at all, remove it from the schema.`;
  }
  return `Add rules to the type, e.g. ${tick(`type ${m.name} @model @auth(rules: [${ownerExample(ctx)}])`)}; if it should not be reachable through the API at all, use ${tick('@model(queries: null, mutations: null, subscriptions: null)')}.`;
}
