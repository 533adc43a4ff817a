/** Adversarial probes, run as extra cells of `authmatrix run`: the public API. */
export { credentialProbes, failingToken, runProbe, type CredentialProbeInput } from './credentials.js';
export { judgeProbe, scrub } from './judge.js';
export { devEndpointMinter } from './minter.js';
export type {
  CredentialAttack, ExpectedRealtimeRefusal, ExpectedRefusal, HttpProbe, Probe, ProbeJudgement, ProbeMinter, ProbeRun, RealtimeExchange, RealtimeProbe,
} from './types.js';
