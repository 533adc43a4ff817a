/**
 * Model rules the transformer refuses once the model is built: a role granted twice, an owner field as the primary
 * key's sort key, one owner field behind two owner roles, and a required field that some reader may not read.
 */
import type { ASTNode } from 'graphql';
import { READ_OPERATIONS, type Field, type Model, type ModelOperation, type Rule } from '../model.js';
import { sdlError, type SdlContext } from './context.js';

/** The transformer's role names (graphql-auth-transformer.ts convertRulesToRoles), one per group for static groups. */
function roles(rule: Rule): string[] {
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? ['apiKey:public'] : ['iam:public'];
    case 'private':
      return [`${rule.provider}:private`];
    case 'custom':
      return ['function:custom'];
    case 'staticGroup':
      return rule.groups.map((g) => `${rule.provider}:staticGroup:${g}:${rule.groupClaim}`);
    case 'dynamicGroup':
      return [`${rule.provider}:dynamicGroup:${rule.groupsField}:${rule.groupClaim}`];
    case 'owner':
      return [`${rule.provider}:owner:${rule.ownerField}:${rule.identityClaim}`];
  }
}

/**
 * The roles that may do `op` on field `f`: its field rules replace the model's (accesscontrol/acm.ts
 * resetAccessForResource), and of two field rules naming one role the later one alone grants it (setRole).
 */
function fieldRoles(m: Model, f: Field, op: ModelOperation): string[] {
  const last = new Map<string, Rule>();
  for (const rule of f.rules ?? m.rules) for (const role of roles(rule)) last.set(role, rule);
  return [...last].filter(([, rule]) => rule.operations.includes(op)).map(([role]) => role);
}

/** `subscriptionsNull`: the model says `subscriptions: null` (Gen 2: disableOperations(['subscriptions'])). */
export function checkModelRules(ctx: SdlContext, m: Model, node: ASTNode, useSubUsername: boolean, subscriptionsNull: boolean): void {
  checkRepeatedRoles(ctx, m, node);
  checkOwnerSortKey(ctx, m, node, useSubUsername);
  checkSharedOwnerField(ctx, m, node);
  // The check reads `subscriptions.level` with 'on' as its default, so `subscriptions: null` (no level) is checked
  // too; only an explicit level off or public skips it.
  if (m.subscriptionLevel === 'on' || subscriptionsNull) checkRequiredFieldReaders(ctx, m, node);
}

// accesscontrol/acm.ts setRole: "@auth <role> already exists for <Model>" (model rules; field rules overwrite).
function checkRepeatedRoles(ctx: SdlContext, m: Model, node: ASTNode): void {
  const seen = new Set<string>();
  for (const rule of m.rules) {
    for (const role of roles(rule)) {
      if (seen.has(role)) {
        throw sdlError(ctx, `@auth ${m.name}:${role} already exists for ${m.name} (rule ${rule.id} repeats an earlier rule's role)`, node, m.name, undefined,
          'merge the two rules into one that lists all their operations');
      }
      seen.add(role);
    }
  }
}

// graphql-index-transformer utils.ts validateNotOwnerAuth, called by the primary-key transformer for each sort key
// when useSubUsernameForDefaultIdentityClaim is on: model owner rules whose claim has the form a::b.
function checkOwnerSortKey(ctx: SdlContext, m: Model, node: ASTNode, useSubUsername: boolean): void {
  if (!useSubUsername) return;
  const owner = m.rules.find((r) => r.kind === 'owner' && r.identityClaim.includes('::') && m.primaryKey.sortKeys.includes(r.ownerField));
  if (owner?.kind !== 'owner') return;
  throw sdlError(ctx, `the primary key's sort key '${owner.ownerField}' cannot be used as an owner @auth field too (rule ${owner.id})`, node, m.name, owner.ownerField,
    'use another field for the sort key');
}

// graphql-auth-transformer.ts transformSchema adds one field per owner role (getOwnerFields) to the type when it is
// undeclared, and to the filter, condition and subscription-filter inputs: two owner roles (model or field rules,
// e.g. two identity claims or two providers) on one owner field declare it twice, and the schema fails validation
// ("Field ... can only be defined once"). Only a declared field on a model without subscriptions (null or level off)
// escapes: the filter and condition inputs already hold it, and there is no subscription filter input.
function checkSharedOwnerField(ctx: SdlContext, m: Model, node: ASTNode): void {
  // The first rule of each owner role, per owner field.
  const byField = new Map<string, Map<string, Rule>>();
  for (const rule of [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]) {
    if (rule.kind !== 'owner') continue;
    const byRole = byField.get(rule.ownerField) ?? new Map<string, Rule>();
    for (const role of roles(rule)) if (!byRole.has(role)) byRole.set(role, rule);
    byField.set(rule.ownerField, byRole);
  }
  for (const [ownerField, byRole] of byField) {
    if (byRole.size < 2) continue;
    const declared = m.fields.some((f) => f.name === ownerField && !f.implicit);
    if (declared && m.subscriptionLevel === 'off') continue;
    const [first, second] = [...byRole.values()] as [Rule, Rule];
    const where = declared ? `ModelSubscription${m.name}FilterInput.${ownerField}` : `${m.name}.${ownerField}`;
    throw sdlError(ctx, `field "${where}" can only be defined once: rules ${first.id} and ${second.id} are both owner rules on ${ownerField} (roles ${[...byRole.keys()].join(', ')}); the transformer adds the field once per role`,
      node, m.name, ownerField, declared
        ? 'give the rules one provider and identity claim, use another ownerField for one of them, or turn subscriptions off'
        : 'give the rules one provider and identity claim, or use another ownerField for one of them');
  }
}

// graphql-auth-transformer.ts generateResolvers: unless the subscription level is off or public, every required declared field must be
// readable by each role that may get the model (getReadRolesForField; a private role reading the field in every read
// operation stands for its provider's other roles), since mutation responses and events would carry a null. The
// readers are the roles with `get` on any declared field, field rules included (acm.ts getRolesPerOperation): so a
// declared `id: ID!` must be readable by a role that only a field rule names.
function checkRequiredFieldReaders(ctx: SdlContext, m: Model, node: ASTNode): void {
  const declared = m.fields.filter((f) => !f.implicit);
  const readers = [...new Set(declared.flatMap((f) => fieldRoles(m, f, 'get')))];
  for (const f of declared.filter((x) => x.required)) {
    const reads = (role: string, op: ModelOperation) => fieldRoles(m, f, op).includes(role);
    let needed = readers;
    for (const provider of ['userPools', 'oidc']) {
      const priv = `${provider}:private`;
      if (needed.includes(priv) && READ_OPERATIONS.every((op) => reads(priv, op))) needed = needed.filter((r) => !r.startsWith(`${provider}:`) || r === priv);
    }
    const missing = needed.filter((role) => !READ_OPERATIONS.some((op) => reads(role, op)));
    if (missing.length) {
      throw sdlError(ctx, `required field ${m.name}.${f.name} may not be read by ${missing.join(', ')}, which read${missing.length === 1 ? 's' : ''} other fields of ${m.name}; when using field-level authorization rules, every required field needs rules with at least read permission for every role that reads the model`,
        node, m.name, f.name, `make ${f.name} optional, give those callers read on it (field rules on ${f.name}), or set @model(subscriptions: { level: off })`);
    }
  }
}
