/** stranger: another user-pool user, in no group. */
import { provisionUserPoolUser } from './shared/user-pool.js';
import type { PersonaModule } from './types.js';

export const stranger: PersonaModule = {
  kinds: ['stranger'],
  provision: provisionUserPoolUser,
};
