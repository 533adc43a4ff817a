/**
 * AppSync's IAM authorization: a SigV4 caller needs `appsync:GraphQL` on every root field its operation
 * selects (`arn:aws:appsync:<region>:<account>:apis/<apiId>/types/Query/fields/getTodo`), evaluated
 * against its role's policies before any resolver runs; a refusal is HTTP 401 UnauthorizedException
 * "Permission denied" (amplify-category-api `packages/graphql-transformers-e2e-tests/src/__tests__/MultiAuthV2Transformer.e2e.test.ts`:
 * "should be a 401 error since the unauth role does not have a policy to getPostPublic"; the message as
 * reported in aws-amplify/amplify-cli#4343). Only root fields are checked: CDK's `grantQuery` and Amplify
 * Gen 2's function access grant root types alone and serve nested selections (docs/iam.md, "AppSync").
 */
import { evaluate, type PolicyDecision } from '../iam/policy.js';
import type { AuthContext } from './authenticate.js';
import { appSyncArn, type AppSyncApiRef } from './role-policies.js';

export const PERMISSION_DENIED = 'Permission denied';

export interface IamRefusal {
  type: string;
  field: string;
  decision: PolicyDecision;
}

/** The first root field the caller's policies do not allow, or nothing. `roots` are `[type, field]` pairs. */
export function iamRefusal(auth: AuthContext, api: AppSyncApiRef, roots: Iterable<readonly [string, string]>): IamRefusal | undefined {
  if (auth.mode !== 'iam') return undefined;
  for (const [type, field] of roots) {
    const decision = evaluate(auth.role.policies, { action: 'appsync:GraphQL', resource: appSyncArn(api, type, field), context: auth.context });
    if (decision.outcome !== 'allow') return { type, field, decision };
  }
  return undefined;
}
