/**
 * IAM identity-based policy evaluation, as AWS documents it: an explicit Deny in any statement of any
 * policy wins, then any Allow, else the request is implicitly denied
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Documents are compiled once (`compilePolicy`, which refuses what IAM would refuse) and evaluated per
 * request (`evaluate`); every decision names the statement that made it. See docs/iam.md.
 */
import { ConditionSyntaxError, compileCondition, evaluateCondition, type CompiledCondition } from './conditions.js';
import { matches, parseFixed, parsePattern, resolve, type Pattern, type Resolved } from './patterns.js';

/** Request context values by key (keys are case-insensitive); an array is a multivalued key. */
export type RequestContext = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface AccessRequest {
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource's ARN. */
  resource: string;
  context?: RequestContext;
}

export interface StatementRef {
  /** The policy's name as given to `compilePolicy`. */
  policy: string;
  /** Position in the policy's `Statement` list, from 0. */
  index: number;
  sid?: string;
}

export type PolicyDecision =
  | { outcome: 'allow'; statement: StatementRef; reason: string }
  | { outcome: 'explicitDeny'; statement: StatementRef; reason: string }
  | { outcome: 'implicitDeny'; reason: string };

export interface CompiledPolicy {
  readonly name: string;
  readonly statements: readonly CompiledStatement[];
}

interface CompiledStatement {
  ref: StatementRef;
  effect: 'Allow' | 'Deny';
  actions: { not: boolean; patterns: Resolved[] };
  resources: { not: boolean; patterns: Pattern[] };
  conditions: CompiledCondition[];
}

/** A document IAM would refuse (MalformedPolicyDocument), with where and why. */
export class PolicyError extends Error {
  constructor(
    readonly policy: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`policy ${JSON.stringify(policy)}: ${path}: ${problem}`);
    this.name = 'PolicyError';
  }
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

export function compilePolicy(name: string, document: unknown): CompiledPolicy {
  const fail = (path: string, problem: string): never => {
    throw new PolicyError(name, path, problem);
  };
  if (!isObject(document)) return fail('(document)', 'must be a JSON object');
  for (const key of Object.keys(document)) if (!['Version', 'Id', 'Statement'].includes(key)) fail(key, 'unknown element');
  const version = document.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) fail('Version', 'must be "2012-10-17" or "2008-10-17"');
  // Policy variables exist only from 2012-10-17 on; older or absent versions read `${…}` literally.
  const variables = version === '2012-10-17';
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? fail('Statement', 'is required') : [raw];
  const statements = list.map((s, index): CompiledStatement => {
    const at = Array.isArray(raw) ? `Statement[${index}]` : 'Statement';
    if (!isObject(s)) return fail(at, 'must be an object');
    if ('Principal' in s || 'NotPrincipal' in s) fail(`${at}.Principal`, 'an identity-based policy cannot name a principal');
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) fail(`${at}.${key}`, 'unknown element');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`${at}.Effect`, 'must be "Allow" or "Deny"');
    if (s.Sid !== undefined && typeof s.Sid !== 'string') fail(`${at}.Sid`, 'must be a string');
    const ref: StatementRef = { policy: name, index, ...(typeof s.Sid === 'string' && s.Sid ? { sid: s.Sid } : {}) };
    const pick = (yes: string, no: string, check: (v: string, path: string) => void) => {
      if ((s[yes] === undefined) === (s[no] === undefined)) fail(at, `needs exactly one of ${yes} and ${no}`);
      const key = s[yes] !== undefined ? yes : no;
      const values = strings(s[key], `${at}.${key}`, fail);
      values.forEach((v, i) => check(v, `${at}.${key}[${i}]`));
      return { key, not: key === no, values };
    };
    const actions = pick('Action', 'NotAction', (v, path) => {
      if (v !== '*' && !/^[^:*?]+:.+$/.test(v)) fail(path, `${JSON.stringify(v)} is not "*" or "service:action"`);
    });
    const resources = pick('Resource', 'NotResource', (v, path) => {
      if (v !== '*' && !v.startsWith('arn:')) fail(path, `${JSON.stringify(v)} is not "*" or an ARN`);
    });
    return {
      ref,
      effect: s.Effect as 'Allow' | 'Deny',
      // Actions compare case-insensitively: patterns and the request's action are lower-cased.
      actions: { not: actions.not, patterns: actions.values.map((v) => parseFixed(v.toLowerCase())) },
      resources: { not: resources.not, patterns: resources.values.map((v) => parsePattern(v, { wildcards: true, variables, scope: 'resource' })) },
      conditions: conditions(s.Condition, `${at}.Condition`, variables, fail),
    };
  });
  return { name, statements };
}

function conditions(raw: unknown, at: string, variables: boolean, fail: (path: string, problem: string) => never): CompiledCondition[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) return fail(at, 'must be an object');
  const out: CompiledCondition[] = [];
  for (const [operator, entries] of Object.entries(raw)) {
    if (!isObject(entries)) fail(`${at}.${operator}`, 'must map condition keys to values');
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      const path = `${at}.${operator}.${key}`;
      const values = (Array.isArray(value) ? value : [value]).map((v) =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : fail(path, 'values must be strings, numbers or booleans'),
      );
      try {
        out.push(compileCondition(operator, key, values, variables));
      } catch (e) {
        if (e instanceof ConditionSyntaxError) fail(path, e.message);
        throw e;
      }
    }
  }
  return out;
}

function strings(v: unknown, path: string, fail: (path: string, problem: string) => never): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.length) fail(path, 'must not be empty');
  return list.map((x) => (typeof x === 'string' ? x : fail(path, 'must be a string or a list of strings')));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request context with lower-cased keys and every value as a list of strings. */
function normalize(context: RequestContext | undefined): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(context ?? {})) out.set(k.toLowerCase(), Array.isArray(v) ? v.map(String) : [String(v)]);
  return out;
}

/** Whether a statement applies to the request; `undefined` when one of its variables has no value. */
function applies(s: CompiledStatement, action: string, request: AccessRequest, context: Map<string, readonly string[]>): boolean | undefined {
  const variable = (key: string) => {
    const v = context.get(key);
    return v?.length === 1 ? v[0] : undefined;
  };
  if (s.actions.patterns.some((p) => matches(p, action)) === s.actions.not) return false;
  let resource = false;
  for (const p of s.resources.patterns) {
    const tokens = resolve(p, variable);
    if (!tokens) return undefined;
    if (matches(tokens, request.resource)) resource = true;
  }
  if (resource === s.resources.not) return false;
  for (const c of s.conditions) {
    const ok = evaluateCondition(c, (k) => context.get(k), variable);
    if (ok !== true) return ok;
  }
  return true;
}

export function evaluate(policies: readonly CompiledPolicy[], request: AccessRequest): PolicyDecision {
  const context = normalize(request.context);
  const action = request.action.toLowerCase();
  let allow: StatementRef | undefined;
  for (const policy of policies) {
    for (const s of policy.statements) {
      if (applies(s, action, request, context) !== true) continue;
      if (s.effect === 'Deny') {
        return { outcome: 'explicitDeny', statement: s.ref, reason: `denied: ${describe(s.ref)} explicitly denies ${request.action} on ${request.resource}` };
      }
      allow ??= s.ref;
    }
  }
  if (allow) return { outcome: 'allow', statement: allow, reason: `allowed: ${describe(allow)} allows ${request.action} on ${request.resource}` };
  return { outcome: 'implicitDeny', reason: `denied: no identity-based policy allows ${request.action} on ${request.resource}` };
}

function describe(ref: StatementRef): string {
  return `statement ${ref.sid ? JSON.stringify(ref.sid) : `#${ref.index + 1}`} of policy ${JSON.stringify(ref.policy)}`;
}

/**
 * The AccessDenied message AWS services write for a refused identity-based request, e.g. `User:
 * arn:aws:sts::…:assumed-role/R/CognitoIdentityCredentials is not authorized to perform: s3:GetObject on
 * resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). S3 quotes the
 * resource, API Gateway does not.
 */
export function accessDeniedMessage(principalArn: string, request: AccessRequest, decision: PolicyDecision, opts: { quoteResource?: boolean } = {}): string {
  if (decision.outcome === 'allow') throw new Error('accessDeniedMessage: the request was allowed');
  const resource = opts.quoteResource ? `"${request.resource}"` : request.resource;
  const why = decision.outcome === 'explicitDeny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principalArn} is not authorized to perform: ${request.action} on resource: ${resource} ${why}`;
}
