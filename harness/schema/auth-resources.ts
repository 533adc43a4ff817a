/**
 * The auth-resources section of the AuthModel: the user pool's groups, the identity pool, and the IAM
 * roles it hands out, each with the policy documents its source defines. Plain JSON data; loaders fill
 * what their source says (Gen 2 `defineAuth({ groups })`, Gen 1 `user-pool-group-precedence.json`,
 * amplify_outputs.json `auth.groups`), and other front-ends attach the role policies they read (REST:
 * CDK synthesis; storage: its compiler) by role id. Policies Amplify generates from the data schema are
 * not stored here: the emulator compiles them as the transformer does. docs/iam.md says how each part is
 * used.
 */

/** An identity-based policy document, as IAM reads it. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, ConditionValue | ConditionValue[]>>;
}

export type ConditionValue = string | number | boolean;

/**
 * A role's stable id: `unauth` and `auth` (the identity pool's roles), `group:<name>` (a user-pool
 * group's role), `function:<name>` (a function's execution role), `persona:<name>` (an IAM role a
 * persona from authmatrix.config.ts assumes). Storage's `roleKey` uses the same ids.
 */
export type RoleId = 'unauth' | 'auth' | `group:${string}` | `function:${string}` | `persona:${string}`;

export interface RolePolicy {
  /** Unique within its role; reasons name it (`auth/rest-items`). */
  name: string;
  /** Where the document comes from: a file, `amplify/backend.ts (CDK)`, `authmatrix.config.ts`. */
  source: string;
  document: PolicyDocument;
}

export interface IamRole {
  id: RoleId;
  /** The deployed role's name, when the source knows it. */
  roleName?: string;
  policies: RolePolicy[];
}

export interface UserPoolGroup {
  name: string;
  /**
   * Lower wins; Gen 2 uses the group's index in `defineAuth({ groups })`. Absent (null in Cognito) ranks
   * after every number.
   */
  precedence?: number;
  /** The group's IAM role, when it has one (Gen 2 gives every group one). */
  role?: RoleId;
}

export interface IdentityPoolResource {
  allowUnauthenticated: boolean;
  /**
   * How signed-in users get a role: `token` takes `cognito:preferred_role` from the ID token and falls
   * back to `ambiguousRoleResolution` when it is absent (Gen 2 and Gen 1 use `AuthenticatedRole`);
   * `default` always gives the authenticated role.
   */
  roleMapping: { kind: 'token'; ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny' } | { kind: 'default' };
}

export interface AuthResources {
  userPool?: { groups: UserPoolGroup[] };
  identityPool?: IdentityPoolResource;
  /** Every role a source names, `unauth` and `auth` included when there is an identity pool. */
  roles: IamRole[];
}

/**
 * The role a signed-in member of `groups` gets with token-based role mapping: the role of the group with
 * the lowest precedence among those that have a role; when two such groups tie with different roles
 * there is no preferred role (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GroupType.html).
 */
export function preferredRole(groups: readonly UserPoolGroup[], memberOf: readonly string[]): RoleId | undefined {
  const candidates = groups.filter((g) => g.role && memberOf.includes(g.name));
  if (!candidates.length) return undefined;
  const rank = (g: UserPoolGroup) => g.precedence ?? Number.POSITIVE_INFINITY;
  const best = Math.min(...candidates.map(rank));
  const roles = new Set(candidates.filter((g) => rank(g) === best).map((g) => g.role));
  return roles.size === 1 ? [...roles][0] : undefined;
}

export function findRole(resources: AuthResources | undefined, id: RoleId): IamRole | undefined {
  return resources?.roles.find((r) => r.id === id);
}

/** What a loader knows about an app's auth: its groups (with precedence and group-role policies) and guest access. */
export interface AuthSource {
  groups: Array<{ name: string; precedence?: number; hasRole: boolean; policies?: RolePolicy[] }>;
  /** Absent: the app has a user pool but no identity pool. */
  identityPool?: { allowUnauthenticated: boolean };
}

/**
 * The section for an Amplify app: the identity pool's `unauth` and `auth` roles, one role per group that
 * has one, and token-based role mapping with `AuthenticatedRole` for ambiguous cases, which is what both
 * Gen 2 (amplify-backend `packages/auth-construct/src/construct.ts`) and Gen 1 set up.
 */
export function amplifyAuthResources(source: AuthSource): AuthResources {
  const withRole = source.identityPool !== undefined;
  const groups: UserPoolGroup[] = source.groups.map((g) => ({
    name: g.name,
    ...(g.precedence !== undefined ? { precedence: g.precedence } : {}),
    ...(withRole && g.hasRole ? { role: `group:${g.name}` as const } : {}),
  }));
  const roles: IamRole[] = withRole
    ? [
        { id: 'unauth', policies: [] },
        { id: 'auth', policies: [] },
        ...source.groups.filter((g) => g.hasRole).map((g): IamRole => ({ id: `group:${g.name}`, policies: g.policies ?? [] })),
      ]
    : [];
  return {
    userPool: { groups },
    ...(source.identityPool
      ? { identityPool: { allowUnauthenticated: source.identityPool.allowUnauthenticated, roleMapping: { kind: 'token', ambiguousRoleResolution: 'AuthenticatedRole' } } }
      : {}),
    roles,
  };
}
