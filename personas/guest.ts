/** guest: the identity pool's unauthenticated role. */
import { provisionIdentityPoolPersona } from './shared/identity-pool.js';
import type { PersonaModule } from './types.js';

export const guest: PersonaModule = {
  kinds: ['guest'],
  provision: (p, ctx) => provisionIdentityPoolPersona(p, ctx, false),
};
