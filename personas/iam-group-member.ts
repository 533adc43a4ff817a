/**
 * iamGroupMember: a signed-in member of a user-pool group that has its own IAM role; the identity pool's
 * token-based role mapping gives it that role instead of the authenticated role.
 */
import { provisionIdentityPoolPersona } from './shared/identity-pool.js';
import type { PersonaModule } from './types.js';

export const iamGroupMember: PersonaModule = {
  kinds: ['iamGroupMember'],
  provision: (p, ctx) => provisionIdentityPoolPersona(p, ctx, true),
};
