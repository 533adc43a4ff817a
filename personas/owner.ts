/** owner: the user-pool user who owns the owned fixtures. */
import { provisionUserPoolUser } from './shared/user-pool.js';
import type { PersonaModule } from './types.js';

export const owner: PersonaModule = {
  kinds: ['owner'],
  provision: provisionUserPoolUser,
};
