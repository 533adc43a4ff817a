/** groupMember: a user-pool user in one group (a static group, or a dynamic-group value). */
import { provisionUserPoolUser } from './shared/user-pool.js';
import type { PersonaModule } from './types.js';

export const groupMember: PersonaModule = {
  kinds: ['groupMember'],
  provision: provisionUserPoolUser,
};
