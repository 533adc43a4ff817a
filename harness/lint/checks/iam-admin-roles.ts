/** IAM admin roles, recognised by a substring of the role ARN. */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { tick, listWords } from '../words.js';

export function adminRoles(ctx: LintContext): Finding[] {
  const roles = ctx.auth.params.adminRoles;
  if (!roles.length) return [];
  return [finding({
    check: 'iam-admin-roles',
    severity: 'low',
    title: `IAM roles named like ${listWords(roles.map(tick))} skip every auth rule`,
    explanation: `The resolvers let an IAM caller through without any rule when its role ARN contains ${listWords(roles.map(tick))}: a substring test, so any role whose name merely includes ${tick(roles[0]!)} (e.g. ${tick(`Not${roles[0]}`)}) gets the same bypass.`,
    fix: `List full, unique role names in ${ctx.dialect === 'gen2' ? '`allowListedRoleNames` (defineData\'s authorizationModes)' : '`adminRoleNames` (amplify/backend/api/<api>/custom-roles.json)'}, and let nobody else create roles with those names in the account.`,
  })];
}
