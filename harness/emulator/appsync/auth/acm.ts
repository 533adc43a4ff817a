/**
 * The access-control matrix the auth transformer builds for a model: one role per rule (per group for
 * static groups), resources = the fields declared in the schema, and per role × resource the operations
 * granted. Field rules first clear their field for every role.
 */
import type { Model, ModelOperation, Rule } from '../../../schema/model.js';

export type RoleProvider = 'apiKey' | 'iam' | 'userPools' | 'oidc' | 'function';

export interface AcmRole {
  name: string;
  provider: RoleProvider;
  strategy: 'public' | 'private' | 'owner' | 'groups' | 'custom';
  static: boolean;
  /** Static group: the group; owner/dynamic group: the record's field. */
  entity?: string;
  /** identityClaim (owner) or groupClaim (groups). */
  claim?: string;
  isEntityList: boolean;
}

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
    const m = this.model.name;
    switch (rule.kind) {
      case 'public':
        return [{ name: rule.provider === 'apiKey' ? `${m}:apiKey:public` : `${m}:iam:public`, provider: rule.provider, strategy: 'public', static: true, isEntityList: false }];
      case 'private':
        return [{ name: `${m}:${rule.provider}:private`, provider: rule.provider, strategy: 'private', static: true, isEntityList: false }];
      case 'custom':
        return [{ name: `${m}:function:custom`, provider: 'function', strategy: 'custom', static: true, isEntityList: false }];
      case 'staticGroup':
        return rule.groups.map((g) => ({ name: `${m}:${rule.provider}:staticGroup:${g}:${rule.groupClaim}`, provider: rule.provider, strategy: 'groups' as const, static: true, entity: g, claim: rule.groupClaim, isEntityList: false }));
      case 'dynamicGroup':
        return [{ name: `${m}:${rule.provider}:dynamicGroup:${rule.groupsField}:${rule.groupClaim}`, provider: rule.provider, strategy: 'groups', static: false, entity: rule.groupsField, claim: rule.groupClaim, isEntityList: rule.multiGroup }];
      case 'owner':
        return [{ name: `${m}:${rule.provider}:owner:${rule.ownerField}:${rule.identityClaim}`, provider: rule.provider, strategy: 'owner', static: false, entity: rule.ownerField, claim: rule.identityClaim, isEntityList: rule.multiOwner }];
    }
  }

  private set(role: AcmRole, resources: string[], ops: readonly ModelOperation[]): void {
    if (!this.roles.some((r) => r.name === role.name)) this.roles.push(role);
    let grants = this.grants.get(role.name);
    if (!grants) this.grants.set(role.name, (grants = new Map()));
    for (const res of resources) {
      const set = grants.get(res) ?? new Set<ModelOperation>();
      for (const op of ops) set.add(op);
      grants.set(res, set);
    }
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
