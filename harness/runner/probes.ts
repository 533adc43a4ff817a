/** Credential probes as cells of the run: built from the provisioned cast, refused or the cell fails. */
import type { Cell } from '../matrix/cells.js';
import { credentialProbes, devEndpointMinter, type Probe } from '../probes/index.js';
import type { AuthModel } from '../schema/model.js';
import type { ProvisionedPersona } from '../../personas/index.js';

export interface ProbeSetting {
  region: string;
  /** The emulator's developer endpoint: probes that need the issuer's key mint odd tokens there. */
  devEndpoint?: string;
  /** `oidc.jwksUrl` from the config. */
  oidcJwksUrl?: string;
}

export function buildProbes(model: AuthModel, url: string, personas: ProvisionedPersona[], setting: ProbeSetting): Probe[] {
  return credentialProbes({
    model, url, region: setting.region, personas,
    ...(setting.devEndpoint ? { mint: devEndpointMinter(setting.devEndpoint) } : {}),
    ...(setting.oidcJwksUrl ? { oidcJwksUrl: setting.oidcJwksUrl } : {}),
  });
}

/** The attacker is nobody in the cast: it holds only what it forged or altered. */
export const ATTACKER = 'attacker';

export function probeCell(p: Probe): Cell {
  const refusal = p.transport === 'http' ? `${p.expected.status} ${p.expected.errorType}` : `${p.expected.answer} ${p.expected.errorType}`;
  const reason = `${p.title} (${p.basis}) must be refused with ${refusal}`;
  return {
    id: p.id, kind: 'probe', persona: ATTACKER, operation: p.transport === 'http' ? 'query' : 'subscription', variant: `${p.mode}:${p.attack}`,
    expected: 'deny', rule: null, reason, decision: { outcome: 'deny', rule: null, reason, requestLevel: true },
    action: { type: 'probe', probe: p.id },
  };
}
