/** anonymous: no credentials at all. */
import { provisioned, type PersonaModule } from './types.js';

export const anonymous: PersonaModule = {
  kinds: ['anonymous'],
  provision: async (p) => provisioned(p, { mode: 'none' }, { kind: 'anonymous' }, 'no credentials'),
};
