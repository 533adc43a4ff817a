/** A ProbeMinter over the emulator's developer endpoint (`POST <devEndpoint>/credentials`). */
import { request } from 'undici';
import type { ProbeMinter } from './types.js';

/** `devEndpoint` is `http://127.0.0.1:<port>/.authmatrix`, as `EmulatedTarget.devEndpoint`. */
export function devEndpointMinter(devEndpoint: string): ProbeMinter {
  const base = devEndpoint.replace(/\/$/, '');
  const mint = async <T>(spec: Record<string, unknown>): Promise<T> => {
    const res = await request(`${base}/credentials`, { method: 'POST', body: JSON.stringify(spec), headers: { 'content-type': 'application/json' } });
    const body = (await res.body.json()) as T & { error?: string };
    if (res.statusCode !== 200) throw new Error(`the emulator refused to mint ${String(spec.kind)} credentials for a probe: ${body.error ?? res.statusCode}`);
    return body;
  };
  return {
    userPool: (spec) => mint({ kind: 'userPool', ...spec }),
    oidc: async (spec) => (await mint<{ token: string }>({ kind: 'oidc', ...spec })).token,
    apiKey: async (spec) => (await mint<{ apiKey: string }>({ kind: 'apiKey', ...spec })).apiKey,
    oidcJwksUrl: `${base}/oidc/jwks.json`,
  };
}
