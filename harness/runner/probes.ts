/** Credential probes (the data API's and the REST APIs') as cells of the run: built from the provisioned cast, refused or the cell fails. */
import type { Cell } from '../matrix/cells.js';
import { credentialProbes, devEndpointMinter, refusalOf, restProbes, type Probe, type RestProbeInput } from '../probes/index.js';
import type { AuthModel } from '../schema/model.js';
import type { ProvisionedPersona } from '../../personas/index.js';

export interface ProbeSetting {
  region: string;
  /** The emulator's developer endpoint: probes that need the issuer's key mint odd tokens there. */
  devEndpoint?: string;
  /** `oidc.jwksUrl` from the config. */
  oidcJwksUrl?: string;
}

/** The REST APIs the run reaches, and each persona's REST credentials (for the REST probes). */
type RestProbeTarget = Pick<RestProbeInput, 'endpoints' | 'restOf' | 'signers'>;

export function buildProbes(model: AuthModel, url: string | undefined, personas: ProvisionedPersona[], setting: ProbeSetting, rest?: RestProbeTarget): Probe[] {
  const mint = setting.devEndpoint ? devEndpointMinter(setting.devEndpoint) : undefined;
  return [
    ...(url ? credentialProbes({
      model, url, region: setting.region, personas,
      ...(mint ? { mint } : {}),
      ...(setting.oidcJwksUrl ? { oidcJwksUrl: setting.oidcJwksUrl } : {}),
    }) : []),
    ...(rest ? restProbes({ model, ...rest, personas, ...(mint ? { mint } : {}) }) : []),
  ];
}

/** The attacker is nobody in the cast: it holds only what it forged or altered. */
export const ATTACKER = 'attacker';

export function probeCell(p: Probe): Cell {
  const refusal = p.transport === 'websocket' ? `${p.expected.answer} ${p.expected.errorType}` : refusalOf(p.expected);
  const reason = `${p.title} (${p.basis}) must be refused with ${refusal}`;
  const operation = p.transport === 'rest' ? p.verb : p.transport === 'http' ? 'query' : 'subscription';
  return {
    id: p.id, kind: 'probe', persona: ATTACKER, operation, variant: `${p.transport === 'rest' ? 'rest' : p.mode}:${p.attack}`,
    expected: 'deny', rule: null, reason, decision: { outcome: 'deny', rule: null, reason, requestLevel: true },
    action: { type: 'probe', probe: p.id },
  };
}
