/**
 * OIDC personas (oidcUser, oidcStranger, oidcGroupMember). Emulated: tokens minted by the emulator's
 * OIDC issuer with the claims the rules read. Deployed: a fixed token from the config, a token command
 * (run with AUTHMATRIX_PERSONA set), or a client-credentials grant (for oidcUser).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Persona } from '../harness/matrix/cast.js';
import { InputError } from '../harness/schema/errors.js';
import { clientCredentialsGrant } from './shared/client-credentials.js';
import { claimsOf, mint } from './shared/emulated.js';
import { provisioned, type PersonaModule, type ProvisionContext } from './types.js';

const run = promisify(execFile);

export const oidcUser: PersonaModule = {
  kinds: ['oidcUser', 'oidcStranger', 'oidcGroupMember'],
  provision: async (p, ctx) => {
    if (ctx.target.kind === 'emulated') {
      const claims = p.identity.kind === 'oidc' ? { ...p.identity.claims } : {};
      const sub = String(claims.sub ?? p.name);
      delete claims.sub;
      const { token } = await mint<{ token: string }>(ctx.target, { kind: 'oidc', sub, claims });
      return { ...provisioned(p, { mode: 'oidc', token }, { kind: 'oidc', claims: claimsOf(token) }, 'OIDC token minted by the emulator’s issuer'), rest: { authorization: token } };
    }
    const { token, how } = await deployedToken(p, ctx);
    // REST APIs get the same token in Authorization, as aws-amplify sends a token set in a request's headers.
    return { ...provisioned(p, { mode: 'oidc', token }, { kind: 'oidc', claims: claimsOf(token) }, how), rest: { authorization: token } };
  },
};

async function deployedToken(p: Persona, ctx: ProvisionContext): Promise<{ token: string; how: string }> {
  if (p.token) return { token: p.token, how: 'OIDC token from authmatrix.config.ts' };
  const oidc = ctx.config.oidc;
  if (oidc?.tokenCommand) {
    try {
      const { stdout } = await run('/bin/sh', ['-c', oidc.tokenCommand], { env: { ...process.env, AUTHMATRIX_PERSONA: p.name }, timeout: 30_000 });
      const token = stdout.trim();
      if (!token) throw new Error('it printed nothing');
      return { token, how: `OIDC token from the configured command (AUTHMATRIX_PERSONA=${p.name})` };
    } catch (e) {
      // Not the error's message: it repeats the command line, which may hold a secret.
      const err = e as { code?: unknown; signal?: unknown; stderr?: string; message?: string };
      const why = err.stderr?.trim() ? `exit ${String(err.code)}: ${err.stderr.trim().split('\n')[0]!.slice(0, 200)}` : err.code !== undefined ? `exit ${String(err.code)}${err.signal ? ` (${String(err.signal)})` : ''}` : String(err.message);
      throw new InputError(`oidc.tokenCommand failed for ${p.name} (${why})`, undefined, 'make the command print a token for the persona named in $AUTHMATRIX_PERSONA');
    }
  }
  if (oidc?.clientCredentials && p.kind === 'oidcUser') {
    return { token: (await clientCredentialsGrant(oidc.clientCredentials, 'oidc.clientCredentials')).token, how: 'OIDC client-credentials grant' };
  }
  throw new InputError(`persona ${p.name} needs an OIDC token on a deployed target`, undefined, `set oidc.tokenCommand, oidc.clientCredentials, or personas["${p.name}"].token in authmatrix.config.ts`);
}
