/**
 * The oracle's account of AppSync's IAM authorization, as a decision table over the AuthModel (it shares
 * no code with the emulator's policy engine):
 * - which role an IAM caller holds: a guest the unauthenticated role; a signed-in identity-pool user the
 *   role of its highest-priority group that has one (lowest precedence; a tie between different roles
 *   falls back to the authenticated role, as `ambiguousRoleResolution: AuthenticatedRole` does), else the
 *   authenticated role; any other principal its own policies;
 * - what Amplify's transformer grants those roles: the unauthenticated role every root operation of a
 *   model (or custom operation) with a guest rule, the authenticated role those with any identity-pool
 *   rule, group roles nothing (docs/iam.md, "AppSync");
 * - what attached policy documents add: `appsync:GraphQL` statements read as a table (Allow/Deny, Action
 *   and Resource patterns with `*` and `?`); statements with conditions are not modelled and are left out,
 *   which the reason says.
 * A root field the role may not reach is refused with HTTP 401 before any resolver.
 */
import { findRole, type PolicyDocument, type PolicyStatement, type RoleId, type UserPoolGroup } from '../schema/auth-resources.js';
import type { AuthModel, CustomOperation, Model, ModelOperationNames, Rule } from '../schema/model.js';
import type { Identity } from './identity.js';

type IamIdentity = Extract<Identity, { kind: 'iam' }>;

/** The role an IAM caller holds, with a name for reasons. */
export type CallerRole =
  | { kind: 'identityPool'; id: RoleId; label: string }
  | { kind: 'other'; label: string; policies: PolicyDocument[] | 'administrator' };

export function callerRole(model: AuthModel, identity: IamIdentity): CallerRole {
  if (identity.principal === 'unauthRole') return { kind: 'identityPool', id: 'unauth', label: 'the unauthenticated role' };
  if (identity.principal === 'authRole') {
    const group = groupRoleOf(model.authResources?.userPool?.groups ?? [], identity.groups ?? []);
    return group
      ? { kind: 'identityPool', id: group.role!, label: `the role of group ${group.name} (its highest-priority group with a role)` }
      : { kind: 'identityPool', id: 'auth', label: 'the authenticated role' };
  }
  return { kind: 'other', label: `IAM role ${identity.roleName ?? '(unnamed)'}`, policies: identity.policies ?? 'administrator' };
}

function groupRoleOf(groups: readonly UserPoolGroup[], memberOf: readonly string[]): UserPoolGroup | undefined {
  const rank = (g: UserPoolGroup) => g.precedence ?? Number.POSITIVE_INFINITY;
  const mine = groups.filter((g) => g.role !== undefined && memberOf.includes(g.name)).sort((a, b) => rank(a) - rank(b));
  const first = mine[0];
  if (!first) return undefined;
  const tied = mine.filter((g) => rank(g) === rank(first));
  return tied.every((g) => g.role === first.role) ? first : undefined;
}

export type RootField = readonly [type: 'Query' | 'Mutation' | 'Subscription', field: string];

const ROOT: Record<keyof ModelOperationNames, RootField[0]> = {
  get: 'Query',
  list: 'Query',
  create: 'Mutation',
  update: 'Mutation',
  delete: 'Mutation',
  onCreate: 'Subscription',
  onUpdate: 'Subscription',
  onDelete: 'Subscription',
};

export function modelRootField(m: Model, op: keyof ModelOperationNames): RootField | undefined {
  const name = m.operationNames[op];
  return name ? [ROOT[op], name] : undefined;
}

export function customRootField(op: CustomOperation): RootField {
  return [op.type === 'query' ? 'Query' : op.type === 'mutation' ? 'Mutation' : 'Subscription', op.name];
}

export type Permission = { allowed: true; reason: string } | { allowed: false; reason: string };

/**
 * May this IAM caller reach `type.field` (`appsync:GraphQL`)? `rules` are those Amplify reads to decide
 * the generated grant: the model's (model and field rules) or the custom operation's.
 */
export function appSyncPermission(model: AuthModel, identity: IamIdentity, [type, field]: RootField, rules: readonly Rule[]): Permission {
  const role = callerRole(model, identity);
  const what = `appsync:GraphQL on ${type}.${field}`;
  const documents = role.kind === 'other' ? (role.policies === 'administrator' ? [] : role.policies) : (findRole(model.authResources, role.id)?.policies.map((p) => p.document) ?? []);
  const table = statementTable(documents, type, field);
  if (table.deny) return { allowed: false, reason: `denied: ${role.label} has an explicit Deny of ${what}; AppSync answers 401 before any resolver` };
  if (role.kind === 'other' && role.policies === 'administrator') return { allowed: true, reason: `allowed: ${role.label} has administrator access` };
  const generated = role.kind === 'identityPool' ? generatedGrant(role.id, rules) : undefined;
  if (generated) return { allowed: true, reason: `allowed: Amplify grants ${role.label} ${what} (${generated})` };
  if (table.allow) return { allowed: true, reason: `allowed: a policy of ${role.label} allows ${what}` };
  const skipped = table.conditional ? ' (statements with conditions are not modelled)' : '';
  const why = role.kind === 'identityPool' && role.id.startsWith('group:')
    ? 'Amplify attaches its AppSync policies to the authenticated and unauthenticated roles only, and no policy of this group role allows it'
    : `no policy of ${role.label} allows it`;
  return { allowed: false, reason: `denied: ${role.label} may not call ${type}.${field}: ${why}${skipped}; AppSync answers 401 before any resolver` };
}

const GUEST = (r: Rule) => r.provider === 'iam' && r.kind === 'public';
const IDENTITY_POOL = (r: Rule) => r.provider === 'iam' && (r.kind === 'public' || r.kind === 'private');

function generatedGrant(role: RoleId, rules: readonly Rule[]): string | undefined {
  if (role === 'unauth') {
    const r = rules.find(GUEST);
    return r && `rule ${r.id} is a guest rule`;
  }
  if (role === 'auth') {
    const r = rules.find(IDENTITY_POOL);
    return r && `rule ${r.id} is an identity-pool rule`;
  }
  return undefined;
}

/** Which attached statements cover `appsync:GraphQL` on the field, by effect. */
function statementTable(documents: readonly PolicyDocument[], type: string, field: string): { allow: boolean; deny: boolean; conditional: boolean } {
  const out = { allow: false, deny: false, conditional: false };
  // Region, account and API id are wildcards in the policies the config may name (harness/config.ts checks it).
  const arn = `arn:aws:appsync:region:account:apis/api/types/${type}/fields/${field}`;
  for (const doc of documents) {
    for (const s of Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) {
      if (!covers(s, arn)) continue;
      if (s.Condition && Object.keys(s.Condition).length) out.conditional = true;
      else if (s.Effect === 'Deny') out.deny = true;
      else out.allow = true;
    }
  }
  return out;
}

function covers(s: PolicyStatement, arn: string): boolean {
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const actions = list(s.Action) ?? list(s.NotAction)!;
  const actionHit = actions.some((a) => globMatches(a, 'appsync:GraphQL', true));
  if (actionHit === (s.Action === undefined)) return false;
  const resources = list(s.Resource) ?? list(s.NotResource)!;
  const resourceHit = resources.some((r) => globMatches(r, arn, false));
  return resourceHit !== (s.Resource === undefined);
}

function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's').test(value);
}
