/** Generic IAM access: IAM principals outside the identity pool skip every rule. */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { hasDataApi } from '../../schema/model.js';

export function genericIam(ctx: LintContext): Finding[] {
  if (!ctx.auth.params.genericIamAccess || !hasDataApi(ctx.auth)) return [];
  return [finding({
    check: 'generic-iam',
    severity: 'low',
    title: 'IAM principals outside the identity pool skip every auth rule',
    explanation: 'Generic IAM access is on (always in Gen 2; `enableIamAccess` in Gen 1): any IAM principal that is not a Cognito identity-pool identity (a Lambda function\'s role, a CI role, an administrator\'s credentials) may call every model, field and custom operation, and no rule applies to it; only its IAM policy (`appsync:GraphQL` on this API) limits it. This is by design, but an over-broad policy anywhere in the account bypasses the whole schema.',
    fix: ctx.dialect === 'gen2'
      ? 'Gen 2 cannot turn it off: keep `appsync:GraphQL` on this API out of broad IAM policies (no `"Resource": "*"`), and give functions access with `allow.resource(myFunction).to([\'query\'])` in `a.schema(...).authorization(...)`, which grants only the operation types you list.'
      : 'Turn it off unless backend roles need it (`transform.enableIamAccess: false` in authmatrix.gen1.json mirrors your transformer setting), and give those roles access by name instead (`adminRoleNames` in `amplify/backend/api/<api>/custom-roles.json`).',
  })];
}
