/**
 * Identity-policy evaluation for the oracle, as a decision table over statements: an explicit Deny wins,
 * then an Allow, else the implicit deny (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Statements with a `Condition` and `${...}` policy variables in `Resource` are decided over what the
 * oracle knows of the request before it runs (IamContext): a value known only at run time (the identity
 * id, the identity pool id) leaves the statement undecided, and the verdict names it as a caveat
 * instead of guessing (docs/rest.md, "IAM conditions").
 */
import type { PolicyDocument, PolicyStatement } from '../schema/rest/model.js';

/**
 * What the oracle knows of one context key: the values it knows, and whether those are all of them.
 * A key missing from the context is absent from the request; a key not in the context at all and not
 * listed in `known` is not modelled.
 */
export interface ContextValue {
  values: string[];
  /** false: the request carries further values (or the value itself) that only the run knows. */
  complete: boolean;
}

export interface IamContext {
  /** The keys the request carries, with what the oracle knows of each. */
  present: Record<string, ContextValue>;
  /** Keys the oracle knows to be absent from the request (Null and ...IfExists decide on them). */
  absent: readonly string[];
}

export interface Verdict {
  effect: 'Allow' | 'Deny' | 'none';
  /** The resource pattern that decided. */
  resource?: string;
  /** Statements the oracle could not decide, with why; they neither granted nor denied here. */
  caveats: string[];
}

type Tri = boolean | { unknown: string };

/** Evaluates the policies for one action and resource in a context. */
export function evaluate(policies: readonly PolicyDocument[], action: string, resource: string, context: IamContext = NO_CONTEXT): Verdict {
  let allow: string | undefined;
  const caveats: string[] = [];
  for (const doc of policies) {
    for (const s of doc.Statement) {
      const matched = statementMatches(s, action, resource, context);
      if (matched === undefined) continue;
      const condition = conditionHolds(s, context);
      if (condition === false) continue;
      if (typeof matched !== 'string' || condition !== true) {
        const why = typeof matched !== 'string' ? matched.unknown : (condition as { unknown: string }).unknown;
        caveats.push(`the ${s.Effect} statement${s.Sid ? ` ${s.Sid}` : ''} is not decided: ${why}`);
        continue;
      }
      if (s.Effect === 'Deny') return { effect: 'Deny', resource: matched, caveats };
      allow ??= matched;
    }
  }
  return allow ? { effect: 'Allow', resource: allow, caveats } : { effect: 'none', caveats };
}

const NO_CONTEXT: IamContext = { present: {}, absent: [] };

/** ` (caveat: …)` for a reason, or nothing. */
export function caveatText(v: Verdict): string {
  return v.caveats.length ? ` (caveat: ${v.caveats.join('; ')})` : '';
}

/** The resource pattern through which the statement applies, undefined when it does not, or why that is unknown. */
function statementMatches(s: PolicyStatement, action: string, resource: string, context: IamContext): string | { unknown: string } | undefined {
  const actions = list(s.Action);
  const notActions = list(s.NotAction);
  const actionOk = s.Action !== undefined ? actions.some((a) => glob(a, action, true)) : notActions.length > 0 && !notActions.some((a) => glob(a, action, true));
  if (!actionOk) return undefined;
  if (s.Resource !== undefined) {
    let unknown: { unknown: string } | undefined;
    for (const r of list(s.Resource)) {
      const hit = resourceMatches(r, resource, context);
      if (hit === true) return r;
      if (hit !== false) unknown ??= hit;
    }
    return unknown;
  }
  const notResources = list(s.NotResource);
  return notResources.length && !notResources.some((r) => glob(r, resource, false)) ? `NotResource ${notResources.join(', ')}` : undefined;
}

/**
 * A Resource with policy variables: a variable with one known value is that value; one the oracle cannot
 * know matches anything, so a pattern that still fails is a definite no, and one that matches is unknown
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
function resourceMatches(pattern: string, resource: string, context: IamContext): Tri {
  const unknownKeys: string[] = [];
  const parts = pattern.split(/(\$\{[^}]*\})/);
  const regex = parts.map((part) => {
    const variable = /^\$\{([^}]*)\}$/.exec(part)?.[1];
    if (variable === undefined) return globBody(part);
    if (variable === '*' || variable === '?' || variable === '$') return escape(variable);
    const key = variable.split(',')[0]!.trim();
    const v = lookup(context, key);
    if (v?.complete && v.values.length === 1) return escape(v.values[0]!);
    unknownKeys.push(key);
    return '.*';
  }).join('');
  if (!new RegExp(`^${regex}$`, 's').test(resource)) return false;
  return unknownKeys.length ? { unknown: `${pattern} names ${unknownKeys.map((k) => `\${${k}}`).join(', ')}, known only at run time` } : true;
}

const OPERATORS: Record<string, { test: (policy: string, request: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (p, r) => p === r, negated: false },
  StringNotEquals: { test: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { test: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { test: (p, r) => glob(p, r, false), negated: false },
  StringNotLike: { test: (p, r) => glob(p, r, false), negated: true },
  Bool: { test: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
};

/**
 * All operators of a Condition must hold, and every key under each; a key holds when any of its values
 * matches (a negated operator: none does)
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
 */
function conditionHolds(s: PolicyStatement, context: IamContext): Tri {
  let unknown: { unknown: string } | undefined;
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, raw] of Object.entries(keys)) {
      const r = oneCondition(operator, key, (Array.isArray(raw) ? raw : [raw]).map(String), context);
      if (r === false) return false;
      if (r !== true) unknown ??= r;
    }
  }
  return unknown ?? true;
}

function oneCondition(operator: string, key: string, policyValues: string[], context: IamContext): Tri {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator)!;
  const qualifier = m[1] as 'ForAnyValue' | 'ForAllValues' | undefined;
  const base = m[2]!;
  const ifExists = m[3] !== undefined;
  const request = lookup(context, key);
  const absent = context.absent.some((k) => k.toLowerCase() === key.toLowerCase());
  if (!request && !absent) return { unknown: `the condition key ${key} is not modelled by the oracle` };
  if (base === 'Null' && !qualifier && !ifExists) return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  const op = OPERATORS[base];
  if (!op) return { unknown: `the condition operator ${operator} is not modelled by the oracle` };
  const substituted = policyValues.map((v) => withVariables(v, context));
  if (substituted.some((v) => v === undefined)) return { unknown: `${operator} on ${key} uses a policy variable in its value known only at run time` };
  const values = substituted as string[];
  // Absent keys, as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html says.
  if (!request) return ifExists || qualifier === 'ForAllValues' ? true : qualifier === 'ForAnyValue' ? false : op.negated;
  const matchesAny = (r: string) => values.some((p) => op.test(p, r));
  const one = (r: string) => (op.negated ? !matchesAny(r) : matchesAny(r));
  const unknown = { unknown: `${operator} on ${key} depends on a value known only at run time` };
  if (qualifier === 'ForAllValues') return request.values.some((r) => !one(r)) ? false : request.complete ? true : unknown;
  if (qualifier === 'ForAnyValue') return request.values.some(one) ? true : request.complete ? false : unknown;
  if (request.values.some(matchesAny)) return !op.negated;
  return request.complete ? op.negated : unknown;
}

/** A condition value with its policy variables replaced by their one known value; undefined when one is not known. */
function withVariables(value: string, context: IamContext): string | undefined {
  let known = true;
  const out = value.replace(/\$\{([^}]*)\}/g, (whole, variable: string) => {
    // `${*}`, `${?}`, `${$}` stand for the character itself, which a StringLike would read as a wildcard: left undecided.
    const v = variable === '*' || variable === '?' || variable === '$' ? undefined : lookup(context, variable.split(',')[0]!.trim());
    if (v?.complete && v.values.length === 1) return v.values[0]!;
    known = false;
    return whole;
  });
  return known ? out : undefined;
}

/** Condition key names ignore case (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html). */
function lookup(context: IamContext, key: string): ContextValue | undefined {
  const k = key.toLowerCase();
  return Object.entries(context.present).find(([name]) => name.toLowerCase() === k)?.[1];
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globBody(pattern: string): string {
  return pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
}

/** IAM wildcards: `*` any run of characters (across `/` and `:`), `?` one character. Actions ignore case. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  return new RegExp(`^${globBody(pattern)}$`, ignoreCase ? 'is' : 's').test(value);
}

/** The resources the policies allow the action on (for reasons). */
export function grantedResources(policies: readonly PolicyDocument[], action: string): string[] {
  return policies.flatMap((d) => d.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => glob(a, action, true))).flatMap((s) => list(s.Resource)));
}
