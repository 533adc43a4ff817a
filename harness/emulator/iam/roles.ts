/**
 * The IAM roles the emulator hands out, built from the AuthModel: the identity pool's `unauth` and `auth`
 * roles (with the `appsync:GraphQL` policies Amplify generates for them and any policy the auth-resources
 * section attaches), one role per user-pool group that has one, and roles assumed outside the pool.
 */
import { preferredRole, type AuthResources, type PolicyDocument, type RoleId, type RolePolicy } from '../../schema/auth-resources.js';
import type { EmulatedRole } from './identity-pool.js';
import { compilePolicy } from './policy.js';

/** What a role minted without policies may do: everything, as an administrator's credentials can. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Role names as Amplify's stacks would show them, recognisable in `userArn` and reasons. */
export function roleName(id: RoleId | string): string {
  if (id === 'auth') return 'authmatrix-authenticated-role';
  if (id === 'unauth') return 'authmatrix-unauthenticated-role';
  if (id.startsWith('group:')) return `authmatrix-${id.slice('group:'.length)}GroupRole`;
  return id.replace(/^[a-z]+:/, '');
}

export function emulatedRole(id: string, name: string, policies: readonly Pick<RolePolicy, 'name' | 'document'>[]): EmulatedRole {
  return { id, name, policies: policies.map((p) => compilePolicy(`${name}/${p.name}`, p.document)), documents: policies.map((p) => ({ name: p.name, document: p.document })) };
}

type Generated = Pick<RolePolicy, 'name' | 'document'>;

export interface IdentityPoolRoles {
  unauth: EmulatedRole;
  auth: EmulatedRole;
  groups: EmulatedRole[];
}

/** `generated` are the policies Amplify derives from the data schema for the unauth and auth roles. */
export function identityPoolRoles(resources: AuthResources | undefined, generated: { auth: Generated[]; unauth: Generated[] }): IdentityPoolRoles {
  const attached = (id: RoleId) => resources?.roles.find((r) => r.id === id)?.policies ?? [];
  const make = (id: RoleId, extra: Generated[]) => emulatedRole(id, resources?.roles.find((r) => r.id === id)?.roleName ?? roleName(id), [...extra, ...attached(id)]);
  return {
    unauth: make('unauth', generated.unauth),
    auth: make('auth', generated.auth),
    groups: (resources?.roles ?? []).filter((r) => r.id.startsWith('group:')).map((r) => make(r.id, [])),
  };
}

/**
 * The claims Cognito adds to a group member's ID token: `cognito:roles` (the roles of every group the
 * user is in) and `cognito:preferred_role` (the highest-priority group's, when unambiguous), which
 * token-based role mapping reads (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html).
 */
export function groupRoleClaims(resources: AuthResources | undefined, roles: IdentityPoolRoles, arnOf: (role: EmulatedRole) => string): (groups: readonly string[]) => Record<string, unknown> {
  const groups = resources?.userPool?.groups ?? [];
  const arn = (id: RoleId) => {
    const role = roles.groups.find((r) => r.id === id);
    return role ? arnOf(role) : undefined;
  };
  return (memberOf) => {
    const all = groups.filter((g) => g.role && memberOf.includes(g.name)).flatMap((g) => arn(g.role!) ?? []);
    if (!all.length) return {};
    const preferred = preferredRole(groups, memberOf);
    const preferredArn = preferred ? arn(preferred) : undefined;
    return { 'cognito:roles': [...new Set(all)], ...(preferredArn ? { 'cognito:preferred_role': preferredArn } : {}) };
  };
}
