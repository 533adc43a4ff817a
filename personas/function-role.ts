/**
 * functionRole: a backend function's execution role, which storage rules grant with
 * `allow.resource(fn)`. Emulated: minted for the role the emulator gives the function. Deployed: a
 * Lambda role trusts only the Lambda service, so nothing outside it can assume the role; the run leaves
 * these personas out there (harness/runner/run.ts).
 */
import { InputError } from '../harness/schema/errors.js';
import type { AwsCredentials } from '../harness/client/sigv4.js';
import { mint } from './shared/emulated.js';
import { provisioned, type PersonaModule } from './types.js';

export const functionRole: PersonaModule = {
  kinds: ['functionRole'],
  provision: async (p, ctx) => {
    const name = p.functionName ?? p.name;
    if (ctx.target.kind !== 'emulated') {
      throw new InputError(`persona ${p.name} acts through function ${name}'s execution role, which only AWS Lambda can assume`, undefined, `drop it in authmatrix.config.ts (personas: { '${p.name}': false })`);
    }
    const credentials = await mint<AwsCredentials>(ctx.target, { kind: 'function', name });
    return { ...provisioned(p, { mode: 'iam', credentials, region: ctx.target.region }, p.identity, `function ${name}'s execution role, minted by the emulator`), aws: { credentials } };
  },
};
