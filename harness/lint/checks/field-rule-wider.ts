/** Field rules that grant more than their model's rules (a field rule replaces them for its field). */
import type { Model, ModelOperation, Rule } from '../../schema/model.js';
import { roleKeys } from '../../rules/roles.js';
import { isWrite, reachable, ruleRef, callers, ruleHome, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { operationWords } from '../rule-syntax.js';
import { tick, capitalize, listWords } from '../words.js';

/** The operation words the model's own rules grant to one role. */
function modelWords(m: Model, key: string): string[] {
  const ops = m.rules.filter((r) => roleKeys(r).some((k) => k.key === key)).flatMap((r) => r.operations);
  return operationWords([...new Set(ops)], true);
}

/** Operation words a field rule grants that the model's rules do not give all of its roles. */
function widenedWords(m: Model, rule: Rule): string[] {
  const keys = roleKeys(rule).map((k) => k.key);
  return operationWords(rule.operations, true).filter((w) => keys.some((k) => !modelWords(m, k).includes(w)));
}

const wordOf = (op: ModelOperation): string => (isWrite(op) ? op : 'read');

export function fieldRuleWider(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    m.fields.flatMap((f) => (f.rules ?? []).flatMap((rule): Finding[] => {
      const extra = widenedWords(m, rule);
      if (!extra.length || !reachable(ctx.auth, rule)) return [];
      const keep = rule.operations.filter((o) => !extra.includes(wordOf(o)));
      const from = tick(ctx.code(rule, { fieldLevel: true }));
      const change = keep.length ? `replace ${from} with ${tick(ctx.code(rule, { fieldLevel: true, operations: keep }))}` : `remove ${from}`;
      const writes = extra.filter((w) => w !== 'read');
      const effects = [
        writes.length ? `they can ${listWords(writes)} ${tick(f.name)} on every ${m.name} record they can reach` : '',
        extra.includes('read') ? `they can read ${tick(f.name)}, and since a caller that may read one field may call ${m.operationNames.get ?? `get${m.name}`} and ${m.operationNames.list ?? 'list'}, they see it on every record they can reach (the other fields come back as errors)` : '',
      ].filter(Boolean);
      return [finding({
        check: 'field-rule-wider',
        subject: rule.id,
        severity: 'medium',
        model: m.name,
        field: f.name,
        rule: rule.id,
        title: `Field rule ${rule.id} gives ${callers(rule)} ${listWords(extra)} on ${tick(f.name)}, which ${m.name}'s rules do not`,
        explanation: `A field rule replaces the model's rules for its field and may grant more than they do. ${capitalize(ruleRef(rule))} grants ${listWords(extra)} on ${tick(`${m.name}.${f.name}`)}, which ${m.name}'s own rules do not give those callers: ${effects.join('; ')}.`,
        fix: `In ${ruleHome(ctx, m, f)}, ${change}, unless this wider access to one field is intended.`,
      })];
    })),
  );
}
