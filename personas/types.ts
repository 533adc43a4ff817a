/** What a persona module gets and gives: a target to provision on, and a client-ready persona. */
import type { ClientAuth } from '../harness/client/auth.js';
import type { AuthmatrixConfig } from '../harness/config.js';
import type { Persona, PersonaKind } from '../harness/matrix/cast.js';
import type { Identity } from '../harness/rules/identity.js';
import type { AuthModel } from '../harness/schema/model.js';
import type { DeployedTarget } from './shared/deployed.js';

/** The embedded emulator, reached over HTTP (the runner's workers provision through its dev endpoint). */
export interface EmulatedTarget {
  kind: 'emulated';
  url: string;
  region: string;
  apiKey?: string;
  /** `http://127.0.0.1:<port>/.authmatrix` */
  devEndpoint: string;
}

export type Target = EmulatedTarget | DeployedTarget;

export interface ProvisionContext {
  target: Target;
  model: AuthModel;
  config: AuthmatrixConfig;
}

/** A persona ready to make requests: how it authenticates, who it is with real claims, how it got there. */
export interface ProvisionedPersona {
  name: string;
  kind: PersonaKind;
  description: string;
  auth: ClientAuth;
  identity: Identity;
  headers?: Record<string, string>;
  /** For audit reports: how the credentials were obtained (never the credentials themselves). */
  provisioning: string;
}

export interface PersonaModule {
  kinds: readonly PersonaKind[];
  /** Why this persona cannot be had at all (nothing to provision it from), before anything is provisioned. */
  unavailable?(persona: Persona): string | undefined;
  provision(persona: Persona, ctx: ProvisionContext): Promise<ProvisionedPersona>;
}

export function provisioned(p: Persona, auth: ClientAuth, identity: Identity, provisioning: string): ProvisionedPersona {
  return {
    name: p.name,
    kind: p.kind,
    description: p.description,
    auth,
    identity,
    ...(p.headers ? { headers: p.headers } : {}),
    provisioning,
  };
}
