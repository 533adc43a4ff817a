/**
 * appClient: a user-pool app client allowed the client-credentials grant (machine-to-machine), presenting its
 * access token to REST APIs: `sub` and `client_id` the client's id, `scope` its granted scopes, no user, no
 * groups, no AWS credentials. Emulated: the emulator's user pool runs the grant for the client it read from the
 * app. Deployed: the grant at the user pool domain's token endpoint, with the client's id and secret from
 * authmatrix.config.ts (`personas["appClient:<name>"].clientCredentials`); without them the persona is left out.
 */
import type { Persona } from '../harness/matrix/cast.js';
import { clientCredentialsGrant } from './shared/client-credentials.js';
import { mint } from './shared/emulated.js';
import { provisioned, type PersonaModule } from './types.js';

export const appClient: PersonaModule = {
  kinds: ['appClient'],
  unavailable: (p, target) => (target === 'deployed' && !p.clientCredentials
    ? `the client-credentials grant needs the client's secret; set personas["${p.name}"].clientCredentials = { tokenUrl, clientId, clientSecret } in authmatrix.config.ts (the token endpoint is https://<user pool domain>/oauth2/token)`
    : undefined),
  provision: async (p, ctx) => {
    const client = p.appClient?.name ?? p.name;
    if (ctx.target.kind === 'emulated') {
      const target = ctx.target;
      const { accessToken } = await mint<{ accessToken: string }>(target, { kind: 'clientCredentials', client });
      return { ...provisioned(p, { mode: 'none' }, p.identity, `client-credentials grant of app client ${client} on the emulator's user pool`), rest: { accessToken: async () => accessToken } };
    }
    const c = p.clientCredentials!;
    return { ...provisioned(p, { mode: 'none' }, p.identity, `client-credentials grant of app client ${client} at ${new URL(c.tokenUrl).host}`), rest: { accessToken: grantFor(p) } };
  },
};

/** The persona's access token, granted again five minutes before it expires (a long deployed run outlives it). */
function grantFor(p: Persona): () => Promise<string> {
  let current: Promise<{ token: string; expires: number }> | undefined;
  return async () => {
    const held = current && (await current.catch(() => undefined));
    if (held && Date.now() < held.expires - 5 * 60_000) return held.token;
    current = clientCredentialsGrant(p.clientCredentials!, `personas["${p.name}"].clientCredentials`);
    return (await current).token;
  };
}
