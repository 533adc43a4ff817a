/**
 * REST-only personas. restApiKey: an API key of a usage plan of each REST API, and no other credential
 * (emulated: the keys the emulated gateway holds; deployed: GetApiKey with its value). restToken: a
 * Lambda authorizer's token and headers from authmatrix.config.ts, and no AWS credentials.
 */
import { exchange } from '../harness/client/exchange.js';
import { InputError } from '../harness/schema/errors.js';
import { provisioned, type PersonaModule } from './types.js';
import { deployedApiKeys } from './shared/rest.js';

export const restApiKey: PersonaModule = {
  kinds: ['restApiKey'],
  provision: async (p, ctx) => {
    const apis = ctx.model.rest?.apis ?? [];
    let apiKeys: Record<string, string>;
    if (ctx.target.kind === 'emulated') {
      const res = await exchange(new URL(`${ctx.target.devEndpoint}/`), 'GET', {});
      const info = JSON.parse(res.text) as { rest?: { apis: { name: string; apiKeys: string[] }[] } };
      apiKeys = Object.fromEntries((info.rest?.apis ?? []).filter((a) => a.apiKeys.length).map((a) => [a.name, a.apiKeys[0]!]));
    } else {
      apiKeys = await deployedApiKeys(ctx.target, apis);
    }
    if (!Object.keys(apiKeys).length) throw new InputError(`persona ${p.name} found no API key of a usage plan`, undefined, 'add an API key to a usage plan of the REST API, or drop restApiKey in authmatrix.config.ts');
    return { ...provisioned(p, { mode: 'none' }, { kind: 'anonymous' }, `API key of a usage plan (${Object.keys(apiKeys).join(', ')})`), rest: { apiKeys } };
  },
};

export const restToken: PersonaModule = {
  kinds: ['restToken'],
  provision: async (p) => {
    if (!p.token && !p.headers) {
      throw new InputError(`persona ${p.name} presents nothing`, undefined, `set personas.${p.name}.token (sent in Authorization) or headers (a REQUEST authorizer's identity sources) in authmatrix.config.ts`);
    }
    return { ...provisioned(p, { mode: 'none' }, { kind: 'anonymous' }, `${p.token ? 'a token' : 'headers'} for the REST APIs' Lambda authorizers, from authmatrix.config.ts`), rest: p.token ? { authorization: p.token } : {} };
  },
};
