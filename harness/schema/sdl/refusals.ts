/**
 * Model rules the transformer refuses once the model is built: a role granted twice, an owner field as the primary
 * key's sort key, and a required field whose field rules leave out a role that reads the model.
 */
import type { ASTNode } from 'graphql';
import { READ_OPERATIONS, type Model, type Rule } from '../model.js';
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
  // graphql-auth-transformer.ts generateResolvers: a required field with field rules must be readable by every role
  // that may get the model (subscriptions on), since mutation responses and events would otherwise carry a null.
  if (m.subscriptionLevel !== 'on') return;
  const readers = [...new Set(m.rules.filter((r) => r.operations.includes('get')).flatMap(roles))];
  for (const f of m.fields.filter((x) => x.rules && x.required && !x.implicit)) {
    const fieldRules = f.rules!;
    const reads = (role: string, op: (typeof READ_OPERATIONS)[number]) => fieldRules.some((r) => r.operations.includes(op) && roles(r).includes(role));
    let needed = readers;
    for (const provider of ['userPools', 'oidc']) {
      const priv = `${provider}:private`;
      if (needed.includes(priv) && READ_OPERATIONS.every((op) => reads(priv, op))) needed = needed.filter((r) => !r.startsWith(`${provider}:`) || r === priv);
    }
    const missing = needed.filter((role) => !READ_OPERATIONS.some((op) => reads(role, op)));
    if (missing.length) {
      throw sdlError(ctx, `required field ${m.name}.${f.name} has field rules that do not let ${missing.join(', ')} read it; when using field-level authorization rules, every required field needs rules with at least read permission for every role that reads the model`,
        node, m.name, f.name, `make ${f.name} optional, give those callers read in its field rules, or turn subscriptions off`);
    }
  }
}
