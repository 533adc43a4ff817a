/** Owner and group fields that clients can rewrite through update: the resolver checks the stored value, never the new one. */
import type { Field, Model, ModelOperation, Rule } from '../../schema/model.js';
import { byRuleId, callers, reachable, ruleRef, rulesOf, rulesOn, type LintContext } from '../context.js';
import { finding, SEVERITIES, type Finding, type Severity } from '../finding.js';
import { fieldCode } from '../rule-syntax.js';
import { tick, capitalize, listWords } from '../words.js';

interface Writer {
  rule: Rule;
  severity: Severity;
  /** What the writer can do, as a clause after "grants update on it: ". */
  can: string;
}

type WriterOf = (m: Model, f: Field, rule: Rule) => Writer | null;

function ownerFieldWriter(m: Model, f: Field, rule: Rule): Writer | null {
  const takeOver = f.list ? 'adding themselves as co-owners or removing the owners' : 'taking it away from its owner';
  switch (rule.kind) {
    case 'staticGroup':
      return null; // admins reassigning records is what group rules are usually for
    case 'owner':
      if (rule.ownerField === f.name) {
        return {
          rule,
          severity: 'medium',
          can: f.list
            ? `any user listed there can add anyone as a co-owner and remove the others`
            : `an owner can write any other user into ${tick(f.name)}, handing the record over (and losing access to it)`,
        };
      }
      if (f.list && !rule.multiOwner) return null; // the record's owner choosing its co-owners
      // The record's owner choosing who else gets part of its own access (ExcitingTheory/amplify-homework-supply's
      // read-only `instructor`): nothing is taken over.
      if (!f.list && !rule.multiOwner && grantedThrough(m, f.name).every((op) => rule.operations.includes(op))) return null;
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of the records they ${rule.multiOwner ? 'co-own' : 'own'}, ${takeOver}` };
    case 'dynamicGroup':
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of their group's records, ${takeOver}` };
    default:
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of any ${m.name} record, ${takeOver}` };
  }
}

/** The operations the model's owner rules on `field` grant the users named there. */
function grantedThrough(m: Model, field: string): ModelOperation[] {
  return [...new Set(m.rules.flatMap((r) => (r.kind === 'owner' && r.ownerField === field ? r.operations : [])))];
}

function groupFieldWriter(m: Model, f: Field, rule: Rule): Writer | null {
  switch (rule.kind) {
    case 'dynamicGroup':
      if (rule.groupsField !== f.name) return null;
      return {
        rule,
        severity: 'medium',
        can: f.list
          ? 'a member can add any group, giving its members the same access, or remove the other groups'
          : 'a member can move the record to any other group, one they are not in included (handing it over and locking themselves out)',
      };
    case 'public':
    case 'private':
    case 'custom':
      return { rule, severity: 'high', can: `${callers(rule)} can point ${tick(f.name)} of any ${m.name} record at a group of their choosing and so take it over` };
    default:
      return null; // owners and admins choosing the record's group is what the field is for
  }
}

/** Declared fields that owner (or dynamic-group) rules read. Implicit ones are not in the inputs. */
function authFields(m: Model, kind: 'owner' | 'dynamicGroup'): Field[] {
  const names = new Set(rulesOf(m).flatMap(({ rule }) =>
    rule.kind === 'owner' && kind === 'owner' ? [rule.ownerField] : rule.kind === 'dynamicGroup' && kind === 'dynamicGroup' ? [rule.groupsField] : []));
  return m.fields.filter((f) => names.has(f.name) && !f.implicit);
}

export function ownerFieldUpdatable(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => authFields(m, 'owner').flatMap((f) => authFieldFinding(ctx, m, f, 'owner-field-updatable', ownerFieldWriter)));
}

export function groupFieldUpdatable(ctx: LintContext): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => authFields(m, 'dynamicGroup').flatMap((f) => authFieldFinding(ctx, m, f, 'group-field-updatable', groupFieldWriter)));
}

function authFieldFinding(ctx: LintContext, m: Model, f: Field, check: string, writerOf: WriterOf): Finding[] {
  if (!m.operationNames.update) return [];
  const updaters = rulesOn(m, f).filter((r) => r.operations.includes('update') && reachable(ctx.auth, r)).sort(byRuleId);
  const writers = updaters.map((r) => writerOf(m, f, r)).filter((w): w is Writer => w !== null);
  if (!writers.length) return [];
  const worst = [...writers].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0]!;
  const admins = updaters.filter((r) => r.kind === 'staticGroup');
  const adminNote = admins.length ? ` ${capitalize(listWords(admins.map(callers)))} can rewrite it too, which is usually intended.` : '';
  const clauses = writers.map((w) => `${ruleRef(w.rule)} grants update on it: ${w.can}`);
  return [finding({
    check,
    subject: `${m.name}.${f.name}`,
    severity: worst.severity,
    model: m.name,
    field: f.name,
    rule: worst.rule.id,
    title: authFieldTitle(m, f, check, worst),
    explanation: `${tick(`${m.name}.${f.name}`)} is declared on the model, so clients can send it to ${m.operationNames.update}, and the resolver checks the caller against the stored value only, never the new one. ${capitalize(clauses.join('; '))}.${adminNote}`,
    fix: readOnlyFieldFix(ctx, m, f, writers.map((w) => w.rule)),
  })];
}

function authFieldTitle(m: Model, f: Field, check: string, worst: Writer): string {
  if (worst.severity === 'high') return `Other users can take over ${m.name} records by rewriting ${tick(f.name)}`;
  if (check === 'owner-field-updatable') {
    return f.list
      ? `Co-owners listed in ${tick(f.name)} can add and remove co-owners of ${m.name} records`
      : `Owners can transfer ${m.name} records to anyone by rewriting ${tick(f.name)}`;
  }
  return f.list
    ? `Group members can grant any group access to ${m.name} records through ${tick(f.name)}`
    : `Group members can move ${m.name} records to any group by rewriting ${tick(f.name)}`;
}

/** A field rule that keeps every rule's access to the field but takes update away from `writers`. */
function readOnlyFieldFix(ctx: LintContext, m: Model, f: Field, writers: Rule[]): string {
  const rules = [...rulesOn(m, f)].sort(byRuleId).flatMap((rule) => {
    const ops = writers.includes(rule) ? rule.operations.filter((o) => o !== 'update') : rule.operations;
    return ops.length ? [ctx.code(rule, { operations: ops, fieldLevel: true })] : [];
  });
  const code = tick(fieldCode(f, rules, ctx.dialect));
  const who = listWords(writers.map((r) => `rule ${r.id}`));
  if (f.rules) return `Take update on ${tick(f.name)} away from ${who} in its field rule: ${code}.`;
  return `Take update on ${tick(f.name)} away from ${who} with a field rule on ${m.name} (it replaces the model rules for this field, so it repeats those that keep access): ${code}.`;
}
