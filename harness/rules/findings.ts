/**
 * Static findings: auth rules that are risky or probably mistaken, read from the AuthModel alone. Each
 * names the model, field and rule, says what goes wrong and how to fix it in the schema's own syntax
 * (Gen 2 `allow.*` or Gen 1 `@auth`). Pure and synchronous, like the rest of the oracle.
 */
import {
  MODEL_OPERATIONS,
  PROVIDER_MODE,
  type AuthModel,
  type CustomOperation,
  type Field,
  type Model,
  type ModelOperation,
  type Rule,
} from '../schema/model.js';
import { describeRule } from './describe.js';
import { roleKeys } from './roles.js';
import { defaultIdentityClaim, dialectOf, fieldCode, operationWords, ruleCode, type Dialect, type RuleCodeOptions } from '../lint/rule-syntax.js';

export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

export interface Finding {
  /** Stable across runs, e.g. `owner-field-updatable:Post.owner` or `public-write:Post#4`. */
  id: string;
  check: string;
  severity: Severity;
  model?: string;
  field?: string;
  /** The rule at fault, e.g. `Post#1` or `Post.ssn#2`. */
  rule?: string;
  title: string;
  explanation: string;
  /** A concrete change, in the schema's syntax. */
  fix: string;
}

/** Is `severity` at least as severe as `threshold`? */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

export function findings(auth: AuthModel): Finding[] {
  const ctx = context(auth);
  const byId = new Map<string, Finding>();
  for (const check of CHECKS) for (const f of check(ctx)) if (!byId.has(f.id)) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareIds(a.id, b.id));
}

// ---- shared helpers ----------------------------------------------------------------------------

interface Ctx {
  auth: AuthModel;
  dialect: Dialect;
  /** The rule as schema code, optionally with other operations or claim. */
  code: (rule: Rule, opts?: Partial<RuleCodeOptions>) => string;
}

function context(auth: AuthModel): Ctx {
  const dialect = dialectOf(auth);
  const claim = defaultIdentityClaim(auth);
  return { auth, dialect, code: (rule, opts = {}) => ruleCode(rule, { dialect, defaultIdentityClaim: claim, ...opts }) };
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byRuleId = (a: Rule, b: Rule): number => a.id.localeCompare(b.id, 'en', { numeric: true });
const tick = (s: string): string => `\`${s}\``;
const isWrite = (op: ModelOperation): op is 'create' | 'update' | 'delete' => op === 'create' || op === 'update' || op === 'delete';
/** A write whose mutation `@model(mutations: ...)` did not turn off. */
const canWrite = (m: Model, op: ModelOperation): boolean => isWrite(op) && m.operationNames[op] !== null;
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function opsText(ops: readonly ModelOperation[], fieldLevel = false): string {
  return listWords(operationWords(ops, fieldLevel));
}

/** A model's rules and its fields' rules, each with the field it sits on. */
function rulesOf(m: Model): { rule: Rule; field?: Field }[] {
  return [...m.rules.map((rule) => ({ rule })), ...m.fields.flatMap((field) => (field.rules ?? []).map((rule) => ({ rule, field })))];
}

/** The rules that decide a field: its own, or the model's. */
const rulesOn = (m: Model, f: Field): Rule[] => f.rules ?? m.rules;

/** Can any caller hold this rule? Guest rules are dead when the identity pool refuses guests. */
function reachable(auth: AuthModel, rule: Rule): boolean {
  if (rule.kind === 'public' && rule.provider === 'iam' && auth.authModes.identityPool?.allowUnauthenticated === false) return false;
  return auth.authModes.enabled.includes(PROVIDER_MODE[rule.provider]);
}

/** `rule Post#1 (owner via ownerField `owner`, claim `sub::username`)`, without nested parentheses. */
const ruleRef = (rule: Rule): string => `rule ${rule.id} (${describeRule(rule).replace(/ \(([^()]*)\)$/, ', $1')})`;

/** Who a rule lets in, as a sentence subject. */
function callers(rule: Rule): string {
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? 'anyone with the API key' : "any guest (the identity pool's unauthenticated role)";
    case 'private':
      return rule.provider === 'userPools' ? 'any signed-in user' : rule.provider === 'oidc' ? 'any OIDC-authenticated user' : 'any identity-pool authenticated user';
    case 'custom':
      return 'any caller the Lambda authorizer accepts';
    case 'staticGroup':
      return `members of group${rule.groups.length > 1 ? 's' : ''} ${rule.groups.join(', ')}`;
    case 'owner':
      return rule.multiOwner ? `users listed in ${tick(rule.ownerField)}` : `the owner named in ${tick(rule.ownerField)}`;
    case 'dynamicGroup':
      return rule.multiGroup ? `members of a group listed in ${tick(rule.groupsField)}` : `members of the group named in ${tick(rule.groupsField)}`;
  }
}

/** Where a rule is written, for fix texts. */
function ruleHome(ctx: Ctx, m: Model, field?: Field): string {
  if (field) return `the field rule of ${tick(`${m.name}.${field.name}`)}`;
  return ctx.dialect === 'gen2' ? `${m.name}'s .authorization(...)` : `the @auth rules of ${m.name}`;
}

function ownerExample(ctx: Ctx): string {
  return ctx.dialect === 'gen2' ? 'allow.owner()' : '{ allow: owner }';
}

// ---- public write --------------------------------------------------------------------------------

function publicWrite(ctx: Ctx): Finding[] {
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
      const globalRule = ctx.dialect === 'gen1' && ctx.auth.params.sandboxMode
        ? ' If it comes from the global auth rule (`input AMPLIFY { globalAuthRule }`), that rule is meant for prototypes only.'
        : '';
      return [{
        id: `public-write:${rule.id}`,
        check: 'public-write',
        severity,
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        title: `${capitalize(callers(rule))} can ${opsText(writes)} ${target}`,
        explanation: `${capitalize(ruleRef(rule))} grants ${opsText(writes)} on ${target}. ${who}: anyone can ${harm}.${globalRule}`,
        fix: publicWriteFix(ctx, m, rule, field),
      }];
    }),
  );
}

function publicWriteFix(ctx: Ctx, m: Model, rule: Rule, field?: Field): string {
  const keep = rule.operations.filter((o) => !isWrite(o));
  const opts = { fieldLevel: !!field };
  const writers = ctx.auth.authModes.enabled.includes('userPool') ? `, and let signed-in users write (e.g. ${tick(ownerExample(ctx))})` : '';
  if (!keep.length) return `Remove ${tick(ctx.code(rule, opts))} from ${ruleHome(ctx, m, field)}${writers}.`;
  return `In ${ruleHome(ctx, m, field)}, replace ${tick(ctx.code(rule, opts))} with ${tick(ctx.code(rule, { ...opts, operations: keep }))}${writers}.`;
}

// ---- owner and group fields clients can rewrite ---------------------------------------------------

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
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of the records they co-own, ${takeOver}` };
    case 'dynamicGroup':
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of their group's records, ${takeOver}` };
    default:
      return { rule, severity: 'high', can: `${callers(rule)} can rewrite ${tick(f.name)} of any ${m.name} record, ${takeOver}` };
  }
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

function ownerFieldUpdatable(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => authFields(m, 'owner').flatMap((f) => authFieldFinding(ctx, m, f, 'owner-field-updatable', ownerFieldWriter)));
}

function groupFieldUpdatable(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => authFields(m, 'dynamicGroup').flatMap((f) => authFieldFinding(ctx, m, f, 'group-field-updatable', groupFieldWriter)));
}

function authFieldFinding(ctx: Ctx, m: Model, f: Field, check: string, writerOf: WriterOf): Finding[] {
  if (!m.operationNames.update) return [];
  const updaters = rulesOn(m, f).filter((r) => r.operations.includes('update') && reachable(ctx.auth, r)).sort(byRuleId);
  const writers = updaters.map((r) => writerOf(m, f, r)).filter((w): w is Writer => w !== null);
  if (!writers.length) return [];
  const worst = [...writers].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0]!;
  const admins = updaters.filter((r) => r.kind === 'staticGroup');
  const adminNote = admins.length ? ` ${capitalize(listWords(admins.map(callers)))} can rewrite it too, which is usually intended.` : '';
  const clauses = writers.map((w) => `${ruleRef(w.rule)} grants update on it: ${w.can}`);
  return [{
    id: `${check}:${m.name}.${f.name}`,
    check,
    severity: worst.severity,
    model: m.name,
    field: f.name,
    rule: worst.rule.id,
    title: authFieldTitle(m, f, check, worst),
    explanation: `${tick(`${m.name}.${f.name}`)} is declared on the model, so clients can send it to ${m.operationNames.update}, and the resolver checks the caller against the stored value only, never the new one. ${capitalize(clauses.join('; '))}.${adminNote}`,
    fix: readOnlyFieldFix(ctx, m, f, writers.map((w) => w.rule)),
  }];
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
function readOnlyFieldFix(ctx: Ctx, m: Model, f: Field, writers: Rule[]): string {
  const rules = [...rulesOn(m, f)].sort(byRuleId).flatMap((rule) => {
    const ops = writers.includes(rule) ? rule.operations.filter((o) => o !== 'update') : rule.operations;
    return ops.length ? [ctx.code(rule, { operations: ops, fieldLevel: true })] : [];
  });
  const code = tick(fieldCode(f, rules, ctx.dialect));
  const who = listWords(writers.map((r) => `rule ${r.id}`));
  if (f.rules) return `Take update on ${tick(f.name)} away from ${who} in its field rule: ${code}.`;
  return `Take update on ${tick(f.name)} away from ${who} with a field rule on ${m.name} (it replaces the model rules for this field, so it repeats those that keep access): ${code}.`;
}

// ---- allow.authenticated() next to allow.owner() ------------------------------------------------------

/** Do the private rule's callers include the owner rule's? Identity-pool authenticated users are the app's signed-in users. */
function samePopulation(priv: Rule, owner: Rule): boolean {
  return priv.provider === owner.provider || (priv.provider === 'iam' && owner.provider === 'userPools');
}

function authenticatedOverridesOwner(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    m.rules.filter((r) => r.kind === 'private').flatMap((priv): Finding[] => {
      const overlap = (o: Rule) => priv.operations.filter((op) => op !== 'create' && canWrite(m, op) && o.operations.includes(op));
      const voided = m.rules.filter((o) => o.kind === 'owner' && samePopulation(priv, o) && overlap(o).length).sort(byRuleId);
      if (!voided.length) return [];
      const ops = [...new Set(voided.flatMap(overlap))];
      const keep = priv.operations.filter((o) => !ops.includes(o));
      const change = keep.length
        ? `replace ${tick(ctx.code(priv))} with ${tick(ctx.code(priv, { operations: keep }))}`
        : `remove ${tick(ctx.code(priv))}`;
      return [{
        id: `authenticated-overrides-owner:${priv.id}`,
        check: 'authenticated-overrides-owner',
        severity: 'medium',
        model: m.name,
        rule: priv.id,
        title: `${capitalize(callers(priv))} can ${opsText(ops)} every ${m.name} record, whatever ${listWords(voided.map((o) => `rule ${o.id}`))} says`,
        explanation: `Rules are ORed: ${ruleRef(priv)} grants ${opsText(ops)} on every ${m.name} record, so the owner check of ${listWords(voided.map(ruleRef))} restricts nothing for ${ops.length > 1 ? 'those operations' : 'that operation'}. ${capitalize(callers(priv))} can ${listWords(ops.map((o) => (o === 'update' ? 'change' : 'delete')))} other users' records.`,
        fix: `In ${ruleHome(ctx, m)}, ${change} so that only owners ${opsText(ops)}; if every signed-in user really may, drop the owner rule instead, which says so plainly.`,
      }];
    }),
  );
}

// ---- field rules wider than their model's ---------------------------------------------------------

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

function fieldRuleWider(ctx: Ctx): Finding[] {
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
      return [{
        id: `field-rule-wider:${rule.id}`,
        check: 'field-rule-wider',
        severity: 'medium',
        model: m.name,
        field: f.name,
        rule: rule.id,
        title: `Field rule ${rule.id} gives ${callers(rule)} ${listWords(extra)} on ${tick(f.name)}, which ${m.name}'s rules do not`,
        explanation: `A field rule replaces the model's rules for its field and may grant more than they do. ${capitalize(ruleRef(rule))} grants ${listWords(extra)} on ${tick(`${m.name}.${f.name}`)}, which ${m.name}'s own rules do not give those callers: ${effects.join('; ')}.`,
        fix: `In ${ruleHome(ctx, m, f)}, ${change}, unless this wider access to one field is intended.`,
      }];
    })),
  );
}

// ---- claims --------------------------------------------------------------------------------------

/** Claims that hold the same value for many users. */
const SHARED_CLAIMS: Record<string, string> = {
  iss: 'the token issuer, the same for every user of the identity provider',
  aud: 'the app client id, the same for every user of the app',
  client_id: 'the app client id, the same for every user of the app',
  azp: 'the app client id, the same for every user of the app',
  token_use: '`id` or `access`, the same for everyone',
  scope: 'the OAuth scopes, the same for most users',
  amr: 'the authentication methods, the same for most users',
  'cognito:groups': "the user's groups, shared by every member",
  'cognito:roles': 'IAM role ARNs shared by every group member',
  'cognito:preferred_role': 'an IAM role ARN shared by every group member',
  email_verified: 'true or false',
  phone_number_verified: 'true or false',
};

/** Profile claims users can change themselves (or that are unique only by configuration). */
const USER_SET_CLAIMS = new Set([
  'email', 'phone_number', 'preferred_username', 'name', 'given_name', 'family_name', 'middle_name', 'nickname',
  'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'address',
]);

type ClaimRisk = 'shared' | 'userSet' | null;

function partRisk(claim: string): ClaimRisk {
  if (claim in SHARED_CLAIMS) return 'shared';
  return USER_SET_CLAIMS.has(claim) || claim.startsWith('custom:') ? 'userSet' : null;
}

/** A composite claim (`a::b`) is as good as its best part: one unique part keeps owners apart. */
function claimRisk(identityClaim: string): ClaimRisk {
  const risks = identityClaim.split('::').map(partRisk);
  if (risks.every((r) => r === 'shared')) return 'shared';
  return risks.every((r) => r !== null) ? 'userSet' : null;
}

function userSetWhy(claim: string): string {
  return claim.startsWith('custom:')
    ? "custom attributes can be written by users with their own access token unless the app client's write attributes leave them out"
    : 'users can change it (Cognito UpdateUserAttributes, or at their identity provider), and it is unique only if the user pool enforces it';
}

/** One sentence part per claim part: `x` alone, or ``a`: x; `b`: y`` for a composite claim. */
function perPart(parts: string[], say: (part: string) => string): string {
  return parts.length === 1 ? say(parts[0]!) : parts.map((p) => `${tick(p)}: ${say(p)}`).join('; ');
}

function ownerRules(m: Model): { rule: Extract<Rule, { kind: 'owner' }>; field?: Field }[] {
  return rulesOf(m).flatMap(({ rule, field }) => (rule.kind === 'owner' ? [{ rule, ...(field ? { field } : {}) }] : []));
}

function identityClaims(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    ownerRules(m).flatMap(({ rule, field }): Finding[] => {
      const risk = claimRisk(rule.identityClaim);
      if (!risk) return [];
      const claim = rule.identityClaim;
      const safe = rule.provider === 'oidc' ? 'sub' : defaultIdentityClaim(ctx.auth);
      const parts = claim.split('::');
      const base = {
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        fix: `Identify owners by a unique claim that users cannot change: ${tick(ctx.code(rule, { identityClaim: safe, fieldLevel: !!field }))} in ${ruleHome(ctx, m, field)}. Records already stored keep the old value in ${tick(rule.ownerField)}: migrate them.`,
      };
      if (risk === 'shared') {
        return [{
          ...base,
          id: `identity-claim-shared:${rule.id}`,
          check: 'identity-claim-shared',
          severity: 'high',
          title: `Every user owns every ${m.name} record: rule ${rule.id} identifies owners by ${tick(claim)}`,
          explanation: `${capitalize(ruleRef(rule))} compares ${tick(rule.ownerField)} with the caller's ${tick(claim)}: ${perPart(parts, (p) => SHARED_CLAIMS[p]!)}. Auto-fill stores that shared value, so every signed-in user matches every record's owner and may ${opsText(rule.operations)} all of them.`,
        }];
      }
      return [{
        ...base,
        id: `identity-claim-mutable:${rule.id}`,
        check: 'identity-claim-mutable',
        severity: 'medium',
        title: `Users can claim other users' ${m.name} records: rule ${rule.id} identifies owners by ${tick(claim)}`,
        explanation: `${capitalize(ruleRef(rule))} compares ${tick(rule.ownerField)} with the caller's ${tick(claim)}, which is not a stable, unique user id: ${perPart(parts, userSetWhy)}. A user who gets someone else's value becomes the owner of that person's records; a user whose value changes loses theirs.`,
      }];
    }),
  );
}

function groupRules(m: Model): { rule: Extract<Rule, { kind: 'staticGroup' | 'dynamicGroup' }>; field?: Field }[] {
  return rulesOf(m).flatMap(({ rule, field }) =>
    rule.kind === 'staticGroup' || rule.kind === 'dynamicGroup' ? [{ rule, ...(field ? { field } : {}) }] : []);
}

function groupClaims(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (partRisk(rule.groupClaim) !== 'userSet') return [];
      const fixed = ctx.code({ ...rule, groupClaim: 'cognito:groups' }, { fieldLevel: !!field });
      const what = rule.kind === 'staticGroup' ? listWords(rule.groups.map(tick)) : `the group named in a record's ${tick(rule.groupsField)}`;
      return [{
        id: `group-claim-mutable:${rule.id}`,
        check: 'group-claim-mutable',
        severity: 'medium',
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        title: `Users can put themselves in the groups of rule ${rule.id}: it reads groups from ${tick(rule.groupClaim)}`,
        explanation: `${capitalize(ruleRef(rule))} takes the caller's groups from ${tick(rule.groupClaim)}; ${userSetWhy(rule.groupClaim)}. A user who writes ${what} there passes this rule on ${m.name}.`,
        fix: rule.provider === 'userPools'
          ? `Use Cognito groups, which only administrators assign: ${tick(fixed)} in ${ruleHome(ctx, m, field)}; or keep ${tick(rule.groupClaim)} out of the app client's write attributes.`
          : `Read groups from a claim your identity provider sets and users cannot edit, in ${ruleHome(ctx, m, field)}.`,
      }];
    }),
  );
}

/** Static group checks are `claim.contains(group)`: on a string claim, a substring test. */
function groupClaimSubstring(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] =>
    groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (rule.kind !== 'staticGroup' || rule.groupClaim === 'cognito:groups' || partRisk(rule.groupClaim) === 'userSet') return [];
      const group = rule.groups[0]!;
      return [{
        id: `group-claim-substring:${rule.id}`,
        check: 'group-claim-substring',
        severity: 'low',
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        title: `Group check of rule ${rule.id} is a substring test if ${tick(rule.groupClaim)} is a string`,
        explanation: `For static groups the generated resolver tests ${tick(`${rule.groupClaim}.contains("${group}")`)}. On a list claim that is exact membership; if the token carries ${tick(rule.groupClaim)} as one string (a single group or a comma-separated list), it is a substring test, so a caller in ${tick(`${group}-Readonly`)} or ${tick(`No${group}`)} passes as ${tick(group)} on ${m.name}.`,
        fix: `Make the identity provider send ${tick(rule.groupClaim)} as a JSON array of group names (no schema change needed), or use ${tick('cognito:groups')}.`,
      }];
    }),
  );
}

/** Most OIDC providers other than Cognito issue neither `username` nor `cognito:username`. */
function oidcOwnerClaim(ctx: Ctx): Finding[] {
  const issuer = ctx.auth.authModes.oidc?.issuer ?? '';
  if (/cognito-idp\./.test(issuer)) return [];
  return ctx.auth.models.flatMap((m): Finding[] =>
    ownerRules(m).flatMap(({ rule, field }): Finding[] => {
      const parts = rule.identityClaim.split('::');
      if (rule.provider !== 'oidc' || !parts.some((p) => p === 'username' || p === 'cognito:username')) return [];
      return [{
        id: `oidc-owner-claim:${rule.id}`,
        check: 'oidc-owner-claim',
        severity: 'low',
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        title: `OIDC owner rule ${rule.id} never matches unless the tokens carry a username`,
        explanation: `${capitalize(ruleRef(rule))} needs ${listWords(parts.map(tick))} in the OIDC token; most OIDC providers other than Cognito issue no ${tick('username')} or ${tick('cognito:username')} claim, and then the rule is skipped entirely: owners cannot create, read or change their ${m.name} records through it.`,
        fix: `Name the provider's user id claim: ${tick(ctx.code(rule, { identityClaim: 'sub', fieldLevel: !!field }))} in ${ruleHome(ctx, m, field)}.`,
      }];
    }),
  );
}

// ---- models nobody (or everybody) can use -----------------------------------------------------------

function noRules(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const rules = rulesOf(m).map((x) => x.rule);
    if (rules.some((r) => r.operations.length)) return [];
    const sandbox = !rules.length && ctx.auth.params.sandboxMode && ctx.auth.authModes.enabled.includes('apiKey');
    const base = { id: `no-rules:${m.name}`, check: 'no-rules', model: m.name, fix: noRulesFix(ctx, m) };
    if (sandbox) {
      return [{
        ...base,
        severity: 'high',
        title: `Anyone with the API key can read and change ${m.name}: it has no rules and sandbox mode is on`,
        explanation: `${m.name} has no auth rules, and sandbox mode lets every API-key caller through such models: anyone who extracts the API key from the client app can create, read, update and delete every ${m.name} record.`,
      }];
    }
    const why = rules.length ? `no rule of ${m.name} grants any operation` : `${m.name} has no auth rules`;
    const bypass = ctx.auth.params.genericIamAccess || ctx.auth.params.adminRoles.length
      ? '; only IAM principals that skip rules (generic IAM access, admin roles) get through'
      : '';
    return [{
      ...base,
      severity: 'low',
      title: `Nobody can use ${m.name}: ${why}`,
      explanation: `Amplify denies by default: since ${why}, every API-key, user-pool, OIDC, Lambda and identity-pool request to ${m.name}'s queries, mutations and subscriptions fails with Unauthorized${bypass}. This is usually a forgotten rule.`,
    }];
  });
}

function noRulesFix(ctx: Ctx, m: Model): string {
  if (ctx.dialect === 'gen2') {
    const first = [...m.rules].sort(byRuleId)[0];
    const example = first ? tick(ctx.code(first, { operations: MODEL_OPERATIONS })) : tick(ownerExample(ctx));
    return `Grant the operations ${m.name} needs in its .authorization(...), e.g. ${example}; if it should not be reachable through the API at all, remove it from the schema.`;
  }
  return `Add rules to the type, e.g. ${tick(`type ${m.name} @model @auth(rules: [${ownerExample(ctx)}])`)}; if it should not be reachable through the API at all, use ${tick('@model(queries: null, mutations: null, subscriptions: null)')}.`;
}

/** `@model(subscriptions: { level: public })` drops the subscriptions' auth resolver. */
function publicSubscriptions(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const names = subscriptionNames(m);
    if (m.subscriptionLevel !== 'public' || !names.length) return [];
    const publicListen = m.rules.some((r) => r.kind === 'public' && r.operations.includes('listen') && reachable(ctx.auth, r));
    if (publicListen) return []; // events every caller may read anyway
    return [{
      id: `public-subscriptions:${m.name}`,
      check: 'public-subscriptions',
      severity: 'medium',
      model: m.name,
      title: `${m.name} subscriptions skip its rules: every admitted subscriber gets every event`,
      explanation: `${m.name} has ${tick('subscriptions: { level: public }')}, which generates ${listWords(names)} without an auth resolver: every caller AppSync admits receives every created, updated and deleted ${m.name}, whatever ${m.name}'s read rules say, and mutation responses are not redacted.`,
      fix: ctx.dialect === 'gen1'
        ? `Use ${tick('@model(subscriptions: { level: on })')} on ${m.name} (the default) so subscriptions follow its rules.`
        : `Remove the public subscription level from ${m.name} so subscriptions follow its rules.`,
    }];
  });
}

function subscriptionNames(m: Model): string[] {
  return [m.operationNames.onCreate, m.operationNames.onUpdate, m.operationNames.onDelete].filter((n): n is string => !!n);
}

// ---- dynamic groups and subscription filter limits --------------------------------------------------

function groupLimits(ctx: Ctx): Finding[] {
  return ctx.auth.models.flatMap((m): Finding[] => {
    const names = subscriptionNames(m);
    if (m.subscriptionLevel !== 'on' || !names.length) return [];
    return groupRules(m).flatMap(({ rule, field }): Finding[] => {
      if (rule.kind !== 'dynamicGroup' || !rule.operations.includes('listen') || !reachable(ctx.auth, rule)) return [];
      const [op, limit] = rule.multiGroup ? ['containsAny', 20] : ['in', 5];
      const perRecord = rule.multiGroup ? `, and a record may list at most 20 groups in ${tick(rule.groupsField)}` : '';
      return [{
        id: `group-limit:${rule.id}`,
        check: 'group-limit',
        severity: 'low',
        model: m.name,
        ...(field ? { field: field.name } : {}),
        rule: rule.id,
        title: `${m.name} subscriptions fail for users in more than ${limit} groups (rule ${rule.id})`,
        explanation: `Subscribers authorized by ${ruleRef(rule)} get the runtime filter ${tick(`${rule.groupsField} ${op} [their groups]`)} on ${listWords(names)}. AppSync's ${tick(op)} takes at most ${limit} values, so a user in more than ${limit} groups (claim ${tick(rule.groupClaim)}) cannot subscribe${perRecord}.`,
        fix: groupLimitFix(ctx, m, rule),
      }];
    });
  });
}

function groupLimitFix(ctx: Ctx, m: Model, rule: Extract<Rule, { kind: 'dynamicGroup' }>): string {
  const off = ctx.dialect === 'gen2' ? `.disableOperations(['subscriptions'])` : '@model(subscriptions: null)';
  const widen = rule.multiGroup
    ? ''
    : ctx.dialect === 'gen2'
      ? `, or make the field a list (${tick(`${rule.groupsField}s: a.string().array()`)} with ${tick(`allow.groupsDefinedIn('${rule.groupsField}s')`)}, up to 20 groups)`
      : `, or make the field a list (${tick(`${rule.groupsField}s: [String]`)} with ${tick(`{ allow: groups, groupsField: "${rule.groupsField}s" }`)}, up to 20 groups)`;
  return `Keep users in at most ${rule.multiGroup ? 20 : 5} groups${widen}; if ${m.name} needs no real-time updates, use ${tick(off)}.`;
}

// ---- custom operations protected by directives only -------------------------------------------------

function directiveOnlyOperations(ctx: Ctx): Finding[] {
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
    return [{
      id: `custom-op-directive-only:${op.name}`,
      check: 'custom-op-directive-only',
      severity,
      ...(op.rules[0] ? { rule: op.rules[0].id } : {}),
      title: `${capitalize(op.type)} ${op.name} is protected only by its auth-mode directive${returnsModel ? `, not by ${op.returns.type}'s rules` : ''}`,
      explanation: `${op.name} runs ${handler.what} and has no @auth rule, so Amplify generates no auth resolver for it: AppSync checks only the auth mode, ${allowed}. ${effect}, unless ${handler.code} checks the caller itself.`,
      fix: directiveOnlyFix(ctx, op, handler),
    }];
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
      const code = op.handler.entries.map(base).join(', ');
      const ds = op.handler.dataSource && op.handler.dataSource !== 'NONE_DS' ? op.handler.dataSource : undefined;
      return { what: `a custom JS resolver (${code}${ds ? ` on data source ${tick(ds)}` : ''})`, code, js: true, ...(ds ? { dataSource: ds } : {}) };
    }
    case 'function': {
      const code = op.handler.functions.map((f) => (f.entry ? base(f.entry) : tick(f.name))).join(', ');
      return { what: `Lambda function ${listWords(op.handler.functions.map((f) => tick(f.name)))}`, code, js: false };
    }
    case 'none':
      return null; // nothing known runs behind it
  }
}

function directiveOnlyFix(ctx: Ctx, op: CustomOperation, handler: Handler): string {
  const narrow = ctx.dialect === 'gen2' ? '`allow.groups([...])`' : '`@aws_cognito_user_pools(cognito_groups: [...])`';
  if (op.type === 'subscription' && handler.js) {
    return `In ${handler.code}, set a filter with ${tick('extensions.setSubscriptionFilter(...)')} so each subscriber receives only what it may read, or admit fewer callers with ${narrow}.`;
  }
  const identity = handler.js ? tick('ctx.identity') : tick('event.identity');
  const refuse = handler.js ? `call ${tick('util.unauthorized()')}` : 'throw';
  return `In ${handler.code}, check ${identity} (sub, username, groups) against the record before reading or changing it and ${refuse} otherwise, or admit fewer callers with ${narrow}.`;
}

// ---- API-wide settings ---------------------------------------------------------------------------

function genericIam(ctx: Ctx): Finding[] {
  if (!ctx.auth.params.genericIamAccess) return [];
  return [{
    id: 'generic-iam',
    check: 'generic-iam',
    severity: 'low',
    title: 'IAM principals outside the identity pool skip every auth rule',
    explanation: 'Generic IAM access is on (always in Gen 2; `enableIamAccess` in Gen 1): any IAM principal that is not a Cognito identity-pool identity (a Lambda function\'s role, a CI role, an administrator\'s credentials) may call every model, field and custom operation, and no rule applies to it; only its IAM policy (`appsync:GraphQL` on this API) limits it. This is by design, but an over-broad policy anywhere in the account bypasses the whole schema.',
    fix: ctx.dialect === 'gen2'
      ? 'Gen 2 cannot turn it off: keep `appsync:GraphQL` on this API out of broad IAM policies (no `"Resource": "*"`), and give functions access with `allow.resource(myFunction).to([\'query\'])` in `a.schema(...).authorization(...)`, which grants only the operation types you list.'
      : 'Turn it off unless backend roles need it (`transform.enableIamAccess: false` in authmatrix.gen1.json mirrors your transformer setting), and give those roles access by name instead (`adminRoleNames` in `amplify/backend/api/<api>/custom-roles.json`).',
  }];
}

function adminRoles(ctx: Ctx): Finding[] {
  const roles = ctx.auth.params.adminRoles;
  if (!roles.length) return [];
  return [{
    id: 'iam-admin-roles',
    check: 'iam-admin-roles',
    severity: 'low',
    title: `IAM roles named like ${listWords(roles.map(tick))} skip every auth rule`,
    explanation: `The resolvers let an IAM caller through without any rule when its role ARN contains ${listWords(roles.map(tick))}: a substring test, so any role whose name merely includes ${tick(roles[0]!)} (e.g. ${tick(`Not${roles[0]}`)}) gets the same bypass.`,
    fix: 'List full, unique role names in `adminRoles`, and let nobody else create roles with those names in the account.',
  }];
}

function apiKeyExpiry(ctx: Ctx): Finding[] {
  const days = ctx.auth.authModes.apiKey?.expiresInDays;
  if (days === undefined || days <= 30 || !apiKeyGrantsAnything(ctx.auth)) return [];
  return [{
    id: 'api-key-expiry',
    check: 'api-key-expiry',
    // A key valid for months keeps working long after it leaks from a shipped app.
    severity: days > 90 ? 'medium' : 'low',
    title: `The API key is valid for ${days} days`,
    explanation: `The API key expires ${days} days after it is created. It ships inside every copy of your client app, so anyone can extract it and use it, with every rule that grants access to the API key, until it expires or you delete it.`,
    fix: ctx.dialect === 'gen2'
      ? 'Set `apiKeyAuthorizationMode: { expiresInDays: 30 }` (or fewer) in defineData and redeploy to rotate the key before it expires.'
      : 'Set the API key expiration to 30 days or fewer (`amplify update api`; in authmatrix.gen1.json `authModes.apiKey.expiresInDays`) and rotate the key before it expires.',
  }];
}

/** A key no rule names (outside sandbox mode) opens nothing, however long it lives. */
function apiKeyGrantsAnything(auth: AuthModel): boolean {
  const rules = [
    ...auth.models.flatMap((m) => rulesOf(m).map((x) => x.rule)),
    ...auth.customOperations.flatMap((o) => o.rules),
    ...auth.customTypes.flatMap((t) => t.rules ?? []),
  ];
  return auth.params.sandboxMode || rules.some((r) => r.provider === 'apiKey' && r.operations.length > 0);
}

const CHECKS: ((ctx: Ctx) => Finding[])[] = [
  publicWrite,
  ownerFieldUpdatable,
  groupFieldUpdatable,
  authenticatedOverridesOwner,
  fieldRuleWider,
  identityClaims,
  groupClaims,
  groupClaimSubstring,
  oidcOwnerClaim,
  noRules,
  publicSubscriptions,
  groupLimits,
  directiveOnlyOperations,
  genericIam,
  adminRoles,
  apiKeyExpiry,
];
