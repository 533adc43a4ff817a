/** Sentences a reviewer reads: what a rule grants and who a caller is, in the words of the schema. */
import type { Rule } from '../schema/model.js';
import type { Identity } from './identity.js';
import type { Role } from './roles.js';

export function describeRule(rule: Rule, group?: string): string {
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? 'public access with the API key' : 'guest access (identity-pool unauthenticated role)';
    case 'private':
      return rule.provider === 'userPools'
        ? 'any signed-in user-pool user'
        : rule.provider === 'oidc'
          ? 'any OIDC-authenticated user'
          : 'identity-pool authenticated users';
    case 'custom':
      return 'callers the Lambda authorizer accepts';
    case 'staticGroup': {
      const groups = group ? [group] : rule.groups;
      return `members of group${groups.length > 1 ? 's' : ''} ${groups.join(', ')} (claim \`${rule.groupClaim}\`${rule.provider === 'oidc' ? ', OIDC' : ''})`;
    }
    case 'owner':
      return `${rule.multiOwner ? 'any owner listed in' : 'owner via'} ownerField \`${rule.ownerField}\`, claim \`${rule.identityClaim}\`${rule.provider === 'oidc' ? ' (OIDC)' : ''}`;
    case 'dynamicGroup':
      return `members of the group${rule.multiGroup ? 's listed' : ' named'} in \`${rule.groupsField}\` (claim \`${rule.groupClaim}\`${rule.provider === 'oidc' ? ', OIDC' : ''})`;
  }
}

export function quoteRole(role: Role): string {
  return `rule ${role.rule.id}: ${describeRule(role.rule, role.group)}`;
}

/** The provider name a caller's credential maps to, as rules spell it. */
export function providerOf(identity: Identity): string {
  switch (identity.kind) {
    case 'anonymous':
      return 'none';
    case 'apiKey':
      return 'apiKey';
    case 'userPool':
      return 'userPools';
    case 'oidc':
      return 'oidc';
    case 'iam':
      return identity.principal === 'unauthRole' ? 'identityPool (guest)' : identity.principal === 'authRole' ? 'identityPool (authenticated)' : 'iam';
    case 'lambda':
      return 'function (Lambda)';
  }
}
