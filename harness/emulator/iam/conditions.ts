/**
 * The `Condition` element: operators, the `ForAnyValue:`/`ForAllValues:` set qualifiers, `...IfExists`
 * and `Null`, as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * and .../reference_policies_condition-single-vs-multi-valued-context-keys.html describe them.
 */
import { BlockList, isIP } from 'node:net';
import { matches, parsePattern, resolve, type Pattern, type Resolved } from './patterns.js';

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn';

/** A condition value as written, and parsed (variables, and wildcards for the *Like operators). */
type PolicyValue = { raw: string; pattern: Pattern };

/** Tests one request value against one policy value, given with its variables substituted. */
type Tester = (resolved: Resolved, raw: string, request: string) => boolean;

const numeric = (cmp: (a: number, b: number) => boolean): Tester => (_p, raw, r) => {
  const a = Number(r);
  const b = Number(raw);
  return raw.trim() !== '' && r.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b) && cmp(a, b);
};

function parseDate(s: string): number {
  // Epoch seconds or an ISO 8601 date (the two forms the docs allow).
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Number(s) * 1000;
  return Date.parse(s);
}
const date = (cmp: (a: number, b: number) => boolean): Tester => (_p, raw, r) => {
  const a = parseDate(r);
  const b = parseDate(raw);
  return !Number.isNaN(a) && !Number.isNaN(b) && cmp(a, b);
};

function inRange(cidr: string, ip: string): boolean {
  const [addr, bits] = cidr.trim().split('/');
  const family = isIP(addr ?? '');
  if (!family || !isIP(ip)) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix)) return false;
  list.addSubnet(addr!, prefix, type);
  return list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
}

const TESTERS: Record<string, { family: Family; test: Tester }> = {
  StringEquals: { family: 'string', test: (p, _raw, r) => matches(p, r) },
  StringEqualsIgnoreCase: { family: 'string', test: (p, _raw, r) => matches(p, r, true) },
  StringLike: { family: 'string', test: (p, _raw, r) => matches(p, r) },
  NumericEquals: { family: 'numeric', test: numeric((a, b) => a === b) },
  NumericLessThan: { family: 'numeric', test: numeric((a, b) => a < b) },
  NumericLessThanEquals: { family: 'numeric', test: numeric((a, b) => a <= b) },
  NumericGreaterThan: { family: 'numeric', test: numeric((a, b) => a > b) },
  NumericGreaterThanEquals: { family: 'numeric', test: numeric((a, b) => a >= b) },
  DateEquals: { family: 'date', test: date((a, b) => a === b) },
  DateLessThan: { family: 'date', test: date((a, b) => a < b) },
  DateLessThanEquals: { family: 'date', test: date((a, b) => a <= b) },
  DateGreaterThan: { family: 'date', test: date((a, b) => a > b) },
  DateGreaterThanEquals: { family: 'date', test: date((a, b) => a >= b) },
  Bool: { family: 'bool', test: (p, _raw, r) => matches(p, r, true) },
  BinaryEquals: { family: 'binary', test: (_p, raw, r) => raw === r },
  IpAddress: { family: 'ip', test: (_p, raw, r) => inRange(raw, r) },
  // ArnEquals and ArnLike behave identically (the operators page says so).
  ArnLike: { family: 'arn', test: (p, _raw, r) => matches(p, r) },
  ArnEquals: { family: 'arn', test: (p, _raw, r) => matches(p, r) },
};

/** Negated operators: true when the key is absent, otherwise when no policy value matches (NOR). */
const NEGATIONS: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

const BY_LOWER = new Map<string, string>(
  [...Object.keys(TESTERS), ...Object.keys(NEGATIONS), 'Null'].map((name) => [name.toLowerCase(), name]),
);

export type Qualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

export interface CompiledCondition {
  /** As written, for reasons and errors. */
  operator: string;
  key: string;
  qualifier: Qualifier;
  ifExists: boolean;
  kind: { null: true } | { null: false; negated: boolean; test: Tester };
  values: PolicyValue[];
}

export class ConditionSyntaxError extends Error {}

/** Compiles one `"Operator": { "key": values }` entry; throws ConditionSyntaxError for an unknown operator. */
export function compileCondition(operator: string, key: string, values: readonly string[], variables: boolean): CompiledCondition {
  let name = operator;
  let qualifier: Qualifier;
  const q = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(name);
  if (q) {
    qualifier = q[1]!.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    name = q[2]!;
  }
  let ifExists = false;
  if (/IfExists$/i.test(name) && !/^NullIfExists$/i.test(name)) {
    ifExists = true;
    name = name.slice(0, -'IfExists'.length);
  }
  const canonical = BY_LOWER.get(name.toLowerCase());
  if (!canonical) throw new ConditionSyntaxError(`unknown condition operator ${JSON.stringify(operator)}`);
  if (canonical === 'Null') {
    if (qualifier) throw new ConditionSyntaxError(`${operator}: the Null operator takes no set qualifier`);
    return { operator, key: key.toLowerCase(), qualifier, ifExists: false, kind: { null: true }, values: values.map((raw) => ({ raw, pattern: parsePattern(raw, { wildcards: false, variables: false, scope: 'anywhere' }) })) };
  }
  const negated = canonical in NEGATIONS;
  const base = TESTERS[negated ? NEGATIONS[canonical]! : canonical]!;
  // Variables in condition values: string, ARN and Bool operators; wildcards: the *Like operators (and ArnEquals).
  const takesVariables = variables && (base.family === 'string' || base.family === 'arn' || base.family === 'bool');
  const wildcards = /Like$/.test(canonical) || base.family === 'arn';
  return {
    operator,
    key: key.toLowerCase(),
    qualifier,
    ifExists,
    kind: { null: false, negated, test: base.test },
    values: values.map((raw) => ({ raw, pattern: parsePattern(raw, { wildcards, variables: takesVariables, scope: base.family === 'arn' ? 'arnCondition' : 'anywhere' }) })),
  };
}

export type Lookup = (key: string) => readonly string[] | undefined;

/**
 * `true`/`false`, or `undefined` when a policy variable in a value has no value: the statement then does
 * not apply at all (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
export function evaluateCondition(c: CompiledCondition, lookup: Lookup, variable: (key: string) => string | undefined): boolean | undefined {
  const request = lookup(c.key);
  const absent = request === undefined || request.length === 0;
  if (c.kind.null) return c.values.some((v) => (v.raw.toLowerCase() === 'true') === absent);
  const resolved: Array<{ raw: string; tokens: Resolved }> = [];
  for (const v of c.values) {
    const tokens = resolve(v.pattern, variable);
    if (!tokens) return undefined;
    resolved.push({ raw: v.raw, tokens });
  }
  const { negated, test } = c.kind;
  if (absent) {
    if (c.ifExists) return true;
    if (c.qualifier === 'ForAllValues') return true;
    if (c.qualifier === 'ForAnyValue') return false;
    return negated;
  }
  const matchesAny = (r: string) => resolved.some((v) => test(v.tokens, v.raw, r));
  const one = (r: string) => (negated ? !matchesAny(r) : matchesAny(r));
  if (c.qualifier === 'ForAllValues') return request.every(one);
  if (c.qualifier === 'ForAnyValue') return request.some(one);
  // Without a qualifier a multivalued key is tested as a whole: some value matches (negated: none does).
  const positive = request.some(matchesAny);
  return negated ? !positive : positive;
}
