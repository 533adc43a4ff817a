/** Adversarial probes, run as extra cells of `authmatrix run`: the public API. */
export { credentialProbes, failingToken, runProbe } from './credentials.js';
export { judgeProbe, refusalOf } from './judge.js';
export { devEndpointMinter } from './minter.js';
export { restProbes, type RestProbeInput } from './rest.js';
export type { AppSyncProbe, Probe, ProbeRun } from './types.js';
