/** Every lint check, in the order their findings are first reported (graphql-js keeps its `specifiedRules` the same way). */
import { apiKeyExpiry } from './checks/api-key-expiry.js';
import { groupFieldUpdatable, ownerFieldUpdatable } from './checks/auth-field-updatable.js';
import { authenticatedOverridesOwner } from './checks/authenticated-overrides-owner.js';
import { directiveOnlyOperations } from './checks/custom-op-directive-only.js';
import { fieldRuleWider } from './checks/field-rule-wider.js';
import { filterInference } from './checks/filter-inference.js';
import { genericIam } from './checks/generic-iam.js';
import { groupClaims } from './checks/group-claim-mutable.js';
import { groupClaimSubstring } from './checks/group-claim-substring.js';
import { groupLimits } from './checks/group-limit.js';
import { adminRoles } from './checks/iam-admin-roles.js';
import { identityClaims } from './checks/identity-claim.js';
import { noRules } from './checks/no-rules.js';
import { oidcOwnerClaim } from './checks/oidc-owner-claim.js';
import { publicSubscriptions } from './checks/public-subscriptions.js';
import { publicWrite } from './checks/public-write.js';
import { restApiKeyOnly, restGroupRoleMissing, restGuestWrite, restOpenWrite, restWildcardPolicy } from './checks/rest.js';
import { storageGroupLosesGrants } from './checks/storage-group-loses-grants.js';
import { storageGuestWrite } from './checks/storage-guest-write.js';
import { storageOverrideDrops } from './checks/storage-override-drops.js';
import { storageOwnerPathReadable } from './checks/storage-owner-path-readable.js';
import { storageSharedDelete } from './checks/storage-shared-delete.js';
import type { Check } from './context.js';

export const specifiedChecks: readonly Check[] = [
  publicWrite,
  ownerFieldUpdatable,
  groupFieldUpdatable,
  authenticatedOverridesOwner,
  fieldRuleWider,
  filterInference,
  identityClaims,
  groupClaims,
  groupClaimSubstring,
  oidcOwnerClaim,
  noRules,
  publicSubscriptions,
  groupLimits,
  directiveOnlyOperations,
  genericIam,
  adminRoles,
  apiKeyExpiry,
  restOpenWrite,
  restGuestWrite,
  restApiKeyOnly,
  restGroupRoleMissing,
  restWildcardPolicy,
  storageGuestWrite,
  storageSharedDelete,
  storageOwnerPathReadable,
  storageGroupLosesGrants,
  storageOverrideDrops,
];
