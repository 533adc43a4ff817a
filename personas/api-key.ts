/** apiKey: the API's key (minted with the emulator, read from amplify_outputs.json when deployed). */
import { InputError } from '../harness/schema/errors.js';
import { provisioned, type PersonaModule } from './types.js';

export const apiKey: PersonaModule = {
  kinds: ['apiKey'],
  provision: async (p, ctx) => {
    const key = ctx.target.apiKey;
    if (!key) throw new InputError('the apiKey persona needs the API key, and the target has none', undefined, 'enable API key authorization, or drop the apiKey persona in authmatrix.config.ts');
    return provisioned(p, { mode: 'apiKey', apiKey: key }, { kind: 'apiKey' }, ctx.target.kind === 'emulated' ? 'the emulator’s API key' : 'the API key from amplify_outputs.json');
  },
};
