/**
 * Field rules that hide a field from callers who may still list its model or update its records: the
 * generated list resolver turns the `filter` argument into a DynamoDB filter over the stored item, and the
 * update resolver the `condition`, without looking at field rules (docs/semantics.md, "Filters and
 * conditions"), so those callers learn the value by asking which records match.
 */
import type { Field, Model, ModelOperation, Rule } from '../../schema/model.js';
import { roleKeys } from '../../rules/roles.js';
import { byRuleId, callers, reachable, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { capitalize, listWords, tick } from '../words.js';

const READS: readonly ModelOperation[] = ['get', 'list'];

/** The model rules whose callers may run `op` on the model but hold no rule of the field that lets them read it. */
function exposedBy(ctx: LintContext, m: Model, f: Field, op: ModelOperation): Rule[] {
  const readers = new Set((f.rules ?? []).filter((r) => r.operations.some((o) => READS.includes(o))).flatMap((r) => roleKeys(r).map((k) => k.key)));
  return m.rules.filter((r) => r.operations.includes(op) && reachable(ctx.auth, r) && roleKeys(r).some((k) => !readers.has(k.key)));
}

export function filterInference(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m) => m.fields.flatMap((f): Finding[] => {
    if (!f.rules?.length) return [];
    const listers = m.operationNames.list ? exposedBy(ctx, m, f, 'list') : [];
    const updaters = m.operationNames.update ? exposedBy(ctx, m, f, 'update') : [];
    if (!listers.length && !updaters.length) return [];
    const who = [...new Set([...listers, ...updaters])].sort(byRuleId);
    const list = m.operationNames.list;
    const ways = [
      listers.length ? `a ${tick(`${list}(filter: { ${f.name}: { eq: … } })`)} returns exactly the records whose ${tick(f.name)} matches (and \`beginsWith\`, \`gt\` or \`between\` find it by bisection)` : '',
      updaters.length ? `an update with \`condition: { ${f.name}: { eq: … } }\` succeeds or fails with ConditionalCheckFailed by the same test` : '',
    ].filter(Boolean);
    const severity = who.some((r) => r.kind === 'public' || r.kind === 'private') ? 'high' : 'medium';
    return [finding({
      check: 'filter-inference',
      subject: `${m.name}.${f.name}`,
      severity,
      model: m.name,
      field: f.name,
      title: `${capitalize(listWords([...new Set(who.map((r) => callers(r)))]))} can learn ${tick(`${m.name}.${f.name}`)} through ${listers.length ? 'list filters' : 'update conditions'}, though its field rules hide it from them`,
      explanation: `AppSync's generated resolvers apply list filters and mutation conditions to the stored record without checking field rules: ${ways.join('; ')}. The field itself comes back null with an Unauthorized error, but its value is no secret from callers who may ${listers.length ? 'list' : 'update'} ${m.name} (rules ${who.map((r) => r.id).join(', ')}).`,
      fix: `Move ${tick(f.name)} out of ${m.name} into a model of its own (one record per ${m.name}, joined by a relation) whose model rules are ${tick(f.name)}'s field rules: model rules decide who may list and update at all, so no one else can filter or condition on it.`,
    })];
  }));
}
