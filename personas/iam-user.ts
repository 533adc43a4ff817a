/** iamUser: a signed-in user's identity-pool credentials (the authenticated role). */
import { provisionIdentityPoolPersona } from './shared/identity-pool.js';
import type { PersonaModule } from './types.js';

export const iamUser: PersonaModule = {
  kinds: ['iamUser'],
  provision: (p, ctx) => provisionIdentityPoolPersona(p, ctx, true),
};
