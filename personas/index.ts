/** Persona modules by kind, and provisioning a whole cast on a target. */
import type { AuthmatrixConfig } from '../harness/config.js';
import type { Persona, PersonaKind } from '../harness/matrix/cast.js';
import type { AuthModel } from '../harness/schema/model.js';
import { anonymous } from './anonymous.js';
import { appClient } from './app-client.js';
import { functionRole } from './function-role.js';
import { awsSessionFor } from './shared/aws-session.js';
import { apiKey } from './api-key.js';
import { groupMember } from './group-member.js';
import { guest } from './guest.js';
import { iamAdmin } from './iam-admin.js';
import { iamGroupMember } from './iam-group-member.js';
import { iamRole } from './iam-role.js';
import { iamUser } from './iam-user.js';
import { lambdaToken } from './lambda-token.js';
import { oidcUser } from './oidc-user.js';
import { owner } from './owner.js';
import { stranger } from './stranger.js';
import { restApiKey, restToken } from './rest-personas.js';
import { restAuthFor } from './shared/rest.js';
import type { PersonaModule, ProvisionedPersona, Target } from './types.js';

const MODULES: PersonaModule[] = [anonymous, apiKey, guest, iamUser, iamGroupMember, iamAdmin, iamRole, owner, stranger, groupMember, oidcUser, lambdaToken, restApiKey, restToken, functionRole, appClient];

export function moduleFor(kind: PersonaKind): PersonaModule {
  const m = MODULES.find((x) => x.kinds.includes(kind));
  if (!m) throw new Error(`no persona module for ${kind}`);
  return m;
}

/** The personas of a cast that cannot be had, with why: a run leaves them out and lists their cells as could not run. */
export function unavailablePersonas(cast: Persona[], target: Target['kind']): Map<string, string> {
  return new Map(cast.flatMap((p) => {
    const why = moduleFor(p.kind).unavailable?.(p, target);
    return why ? [[p.name, why] as const] : [];
  }));
}

/**
 * Provisions every persona (a few at a time). After the first failure no new persona starts; the ones
 * under way finish, then that failure is thrown as it is (so a cleanup that follows sees everything created).
 */
export async function provisionCast(cast: Persona[], target: Target, model: AuthModel, config: AuthmatrixConfig, concurrency = 4): Promise<ProvisionedPersona[]> {
  const out: ProvisionedPersona[] = new Array(cast.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < cast.length && !failure) {
      const i = next++;
      const p = cast[i]!;
      try {
        const ctx = { target, model, config };
        const done = await moduleFor(p.kind).provision(p, ctx);
        const rest = await restAuthFor(p, done, ctx);
        // Storage is reached with the persona's AWS session (identity-pool credentials).
        const aws = model.storage ? await awsSessionFor(p, done, ctx) : undefined;
        out[i] = { ...done, ...(rest ? { rest } : {}), ...(aws ? { aws } : {}) };
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cast.length) }, worker));
  if (failure) throw failure.error;
  return out;
}

export type { ProvisionedPersona, Target } from './types.js';
export { emulatedTarget } from './shared/emulated.js';
export { cleanup, deployedTarget } from './shared/deployed.js';
export { cleanupOnSignal } from './shared/cleanup-on-exit.js';
