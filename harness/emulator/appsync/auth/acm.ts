/**
 * The access-control matrix the auth transformer builds for a model: one role per rule (per group for
 * static groups), resources = the fields declared in the schema, and per role × resource the operations
 * granted. Field rules first clear their field for every role; a later rule naming a role already set replaces
 * its operations on the resources it names (acm.ts `setRole`): two field rules for one role on one field grant
 * only the second's operations there. (A role named twice in model rules the loader refuses, as the transformer does.)
 */
import type { Model, ModelOperation, Rule } from '../../../schema/model.js';

export type RoleProvider = 'apiKey' | 'iam' | 'userPools' | 'oidc' | 'function';

interface RoleBase {
  name: string;
  provider: RoleProvider;
}

/** Public, private and custom roles: held by the auth mode alone (for IAM, by the role assumed). */
export interface ModeRole extends RoleBase {
  strategy: 'public' | 'private' | 'custom';
  static: true;
}

/** A static group: held when the caller's group claim contains the group. */
export interface StaticGroupRole extends RoleBase {
  strategy: 'groups';
  static: true;
  group: string;
  claim: string;
}

/** Owner and dynamic-group roles: held when a record's field names the caller (identity claim) or one of its groups (group claim). */
export interface RecordRole extends RoleBase {
  strategy: 'owner' | 'groups';
  static: false;
  field: string;
  claim: string;
  /** The field holds a list (several owners, several groups). */
  isList: boolean;
}

export type StaticRole = ModeRole | StaticGroupRole;
export type AcmRole = StaticRole | RecordRole;

/** The group (static groups) or record field (owner, dynamic groups) a role names; none for the others. */
export const entityOf = (r: AcmRole): string | undefined => (r.static ? (r.strategy === 'groups' ? r.group : undefined) : r.field);
/** The claim a role reads (identity or group claim); none for public, private and custom roles. */
export const claimOf = (r: AcmRole): string | undefined => (r.static && r.strategy !== 'groups' ? undefined : r.claim);

export class Acm {
  readonly roles: AcmRole[] = [];
  readonly resources: string[];
  private readonly grants = new Map<string, Map<string, Set<ModelOperation>>>();

  constructor(readonly model: Model) {
    this.resources = model.fields.filter((f) => !f.implicit).map((f) => f.name);
    for (const rule of model.rules) for (const role of this.rolesOf(rule)) this.set(role, this.resources, rule.operations);
    for (const f of model.fields) {
      if (!f.rules || f.implicit) continue;
      for (const grants of this.grants.values()) grants.delete(f.name);
      for (const rule of f.rules) for (const role of this.rolesOf(rule)) this.set(role, [f.name], rule.operations);
    }
  }

  private rolesOf(rule: Rule): AcmRole[] {
    return rolesOf(this.model.name, rule);
  }

  private set(role: AcmRole, resources: string[], ops: readonly ModelOperation[]): void {
    if (!this.roles.some((r) => r.name === role.name)) this.roles.push(role);
    let grants = this.grants.get(role.name);
    if (!grants) this.grants.set(role.name, (grants = new Map()));
    for (const res of resources) grants.set(res, new Set(ops));
  }

  isAllowed(role: AcmRole, resource: string, op: ModelOperation): boolean {
    return this.grants.get(role.name)?.get(resource)?.has(op) ?? false;
  }

  /** Roles with `op` on at least one resource, or (`onAll`) on every resource. */
  rolesFor(op: ModelOperation, onAll = false): AcmRole[] {
    return this.roles.filter((r) => (onAll ? this.resources.every((f) => this.isAllowed(r, f, op)) : this.resources.some((f) => this.isAllowed(r, f, op))));
  }

  resourcesFor(role: AcmRole, op: ModelOperation): string[] {
    return this.resources.filter((f) => this.isAllowed(role, f, op));
  }
}

/** The roles a rule names, under the ACM named `owner` (a model, or `Type:field` for a non-model field). */
function rolesOf(owner: string, rule: Rule): AcmRole[] {
  const m = owner;
  switch (rule.kind) {
    case 'public':
      return [{ name: rule.provider === 'apiKey' ? `${m}:apiKey:public` : `${m}:iam:public`, provider: rule.provider, strategy: 'public', static: true }];
    case 'private':
      return [{ name: `${m}:${rule.provider}:private`, provider: rule.provider, strategy: 'private', static: true }];
    case 'custom':
      return [{ name: `${m}:function:custom`, provider: 'function', strategy: 'custom', static: true }];
    case 'staticGroup':
      return rule.groups.map((group): StaticGroupRole => ({ name: `${m}:${rule.provider}:staticGroup:${group}:${rule.groupClaim}`, provider: rule.provider, strategy: 'groups', static: true, group, claim: rule.groupClaim }));
    case 'dynamicGroup':
      return [{ name: `${m}:${rule.provider}:dynamicGroup:${rule.groupsField}:${rule.groupClaim}`, provider: rule.provider, strategy: 'groups', static: false, field: rule.groupsField, claim: rule.groupClaim, isList: rule.multiGroup }];
    case 'owner':
      return [{ name: `${m}:${rule.provider}:owner:${rule.ownerField}:${rule.identityClaim}`, provider: rule.provider, strategy: 'owner', static: false, field: rule.ownerField, claim: rule.identityClaim, isList: rule.multiOwner }];
  }
}

/**
 * The roles of a field rule on a non-model type: its static rules only. The transformer drops owner and
 * groupsField rules there (no record to compare with), so they let nobody in.
 */
export function nonModelFieldRoles(type: string, field: string, rules: Rule[]): StaticRole[] {
  return rules.flatMap((r) => rolesOf(`${type}:${field}`, r)).filter((r): r is StaticRole => r.static);
}
