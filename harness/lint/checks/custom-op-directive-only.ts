/** Custom operations protected by their auth-mode directive only (no @auth rule, so no auth resolver). */
import type { CustomOperation } from '../../schema/model.js';
import { ruleRef, type LintContext } from '../context.js';
import { finding, type Finding, type Severity } from '../finding.js';
import { tick, capitalize, listWords } from '../words.js';

export function directiveOnlyOperations(ctx: LintContext): Finding[] {
  return ctx.auth.customOperations.flatMap((op): Finding[] => {
    const handler = handlerOf(op);
    if (op.enforcement !== 'directive' || !handler) return [];
    const returnsModel = op.returns.typeKind === 'model';
    // Without records behind it, the operation exposes only what its own code computes.
    const severity: Severity = returnsModel || handler.dataSource ? 'medium' : 'low';
    const allowed = op.rules.length ? listWords(op.rules.map(ruleRef)) : 'no rule';
    const rules = returnsModel ? `${op.returns.type}'s` : "the data's";
    const effect = op.type === 'subscription'
      ? `Every subscriber that passes receives every event, whatever ${rules} read rules say`
      : `Every caller that passes reaches ${returnsModel ? `${op.returns.type} records` : 'the data'} by whatever arguments it sends, whatever ${rules} rules say`;
    return [finding({
      check: 'custom-op-directive-only',
      subject: op.name,
      severity,
      ...(op.rules[0] ? { rule: op.rules[0].id } : {}),
      title: `${capitalize(op.type)} ${op.name} is protected only by its auth-mode directive${returnsModel ? `, not by ${op.returns.type}'s rules` : ''}`,
      explanation: `${op.name} runs ${handler.what} and has no @auth rule, so Amplify generates no auth resolver for it: AppSync checks only the auth mode, ${allowed}. ${effect}, unless ${handler.code} checks the caller itself.`,
      fix: directiveOnlyFix(ctx, op, handler),
    })];
  });
}

interface Handler {
  what: string;
  /** The handler's files (or function names), quoted. */
  code: string;
  js: boolean;
  dataSource?: string;
}

function handlerOf(op: CustomOperation): Handler | null {
  const base = (file: string) => tick(file.split(/[\\/]/).at(-1)!);
  switch (op.handler.kind) {
    case 'js': {
      const code = op.handler.entries.map((e) => base(e.file)).join(', ');
      const sources = [...new Set(op.handler.entries.flatMap((e) => (e.dataSource && e.dataSource !== 'NONE_DS' ? [e.dataSource] : [])))];
      const ds = sources.length ? listWords(sources.map(tick)) : undefined;
      return { what: `a custom JS resolver (${code}${ds ? ` on data source${sources.length > 1 ? 's' : ''} ${ds}` : ''})`, code, js: true, ...(ds ? { dataSource: ds } : {}) };
    }
    case 'function': {
      const code = op.handler.functions.map((f) => (f.entry ? base(f.entry) : tick(f.name))).join(', ');
      return { what: `Lambda function ${listWords(op.handler.functions.map((f) => tick(f.name)))}`, code, js: false };
    }
    case 'none':
      return null; // nothing known runs behind it
  }
}

function directiveOnlyFix(ctx: LintContext, op: CustomOperation, handler: Handler): string {
  const narrow = ctx.dialect === 'gen2' ? '`allow.groups([...])`' : '`@aws_cognito_user_pools(cognito_groups: [...])`';
  if (op.type === 'subscription' && handler.js) {
    return `In ${handler.code}, set a filter with ${tick('extensions.setSubscriptionFilter(...)')} so each subscriber receives only what it may read, or admit fewer callers with ${narrow}.`;
  }
  const identity = handler.js ? tick('ctx.identity') : tick('event.identity');
  const refuse = handler.js ? `call ${tick('util.unauthorized()')}` : 'throw';
  return `In ${handler.code}, check ${identity} (sub, username, groups) against the record before reading or changing it and ${refuse} otherwise, or admit fewer callers with ${narrow}.`;
}
