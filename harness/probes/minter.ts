/** A ProbeMinter over the emulator's developer endpoint (`POST <devEndpoint>/credentials`). */
import { exchange } from '../client/exchange.js';
import type { ProbeMinter } from './types.js';

/** `devEndpoint` is `http://127.0.0.1:<port>/.authmatrix`, as `EmulatedTarget.devEndpoint`. */
export function devEndpointMinter(devEndpoint: string): ProbeMinter {
  const base = devEndpoint.replace(/\/$/, '');
  const mint = async <T>(spec: Record<string, unknown>): Promise<T> => {
    const res = await exchange(new URL(`${base}/credentials`), 'POST', { 'content-type': 'application/json' }, JSON.stringify(spec));
    const body = JSON.parse(res.text) as T & { error?: string };
    if (res.status !== 200) throw new Error(`the emulator refused to mint ${String(spec.kind)} credentials for a probe: ${body.error ?? res.status}`);
    return body;
  };
  return {
    userPool: (spec) => mint({ kind: 'userPool', ...spec }),
    oidc: async (spec) => (await mint<{ token: string }>({ kind: 'oidc', ...spec })).token,
    apiKey: async (spec) => (await mint<{ apiKey: string }>({ kind: 'apiKey', ...spec })).apiKey,
    oidcJwksUrl: `${base}/oidc/jwks.json`,
  };
}
