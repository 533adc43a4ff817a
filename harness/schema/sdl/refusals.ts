/**
 * Model rules the transformer refuses once the model is built: a role granted twice, an owner field as the primary
 * key's sort key, and two owner rules on one owner field.
 */
import type { ASTNode } from 'graphql';
import type { Model, Rule } from '../model.js';
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

export function checkModelRules(ctx: SdlContext, m: Model, node: ASTNode, useSubUsername: boolean): void {
  // accesscontrol/acm.ts setRole: "@auth <role> already exists for <Model>" (model rules; field rules overwrite).
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
  // graphql-index-transformer utils.ts validateNotOwnerAuth (with useSubUsernameForDefaultIdentityClaim).
  if (useSubUsername) {
    const owner = m.rules.find((r) => r.kind === 'owner' && r.identityClaim.includes('::') && m.primaryKey.sortKeys.includes(r.ownerField));
    if (owner?.kind === 'owner') {
      throw sdlError(ctx, `the primary key's sort key '${owner.ownerField}' cannot be used as an owner @auth field too (rule ${owner.id})`, node, m.name, owner.ownerField,
        'use another field for the sort key');
    }
  }
  // Two owner rules on one owner field each add it: to the type when it is not declared, to the subscription filter
  // input when subscriptions are on (checked with the transformer: 'Field "Post.owner" can only be defined once',
  // 'Field "ModelSubscriptionPostFilterInput.owner" can only be defined once').
  const byField = new Map<string, Rule>();
  for (const rule of m.rules) {
    // Checked on single-owner fields; multi-owner (list) fields are not refused until checked the same way.
    if (rule.kind !== 'owner' || rule.multiOwner) continue;
    const first = byField.get(rule.ownerField);
    byField.set(rule.ownerField, first ?? rule);
    if (!first) continue;
    const field = m.fields.find((f) => f.name === rule.ownerField);
    if (field && !field.implicit && m.subscriptionLevel === 'off') continue;
    const where = field && !field.implicit ? `ModelSubscription${m.name}FilterInput.${rule.ownerField}` : `${m.name}.${rule.ownerField}`;
    throw sdlError(ctx, `field "${where}" can only be defined once: rules ${first.id} and ${rule.id} are both owner rules on ${rule.ownerField}`, node, m.name, rule.ownerField,
      'give the second rule its own owner field, or merge the two rules');
  }
}
