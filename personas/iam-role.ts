/**
 * iamRole: an IAM role outside the identity pool with the policies authmatrix.config.ts gives it.
 * Emulated: the emulator's STS hands out the role with those policies. Deployed: the role is assumed
 * (`roleArn`, from the default chain or `profile`), or `profile` is used as it is; its real policies then
 * decide, and the config's policies must describe them.
 */
import type { AwsCredentials } from '../harness/client/sigv4.js';
import { InputError } from '../harness/schema/errors.js';
import { credentialProviders } from './shared/aws-sdk.js';
import { mint } from './shared/emulated.js';
import { provisioned, type PersonaModule } from './types.js';

export const iamRole: PersonaModule = {
  kinds: ['iamRole'],
  provision: async (p, ctx) => {
    const roleName = p.roleName ?? p.name;
    if (ctx.target.kind === 'emulated') {
      const creds = await mint<AwsCredentials>(ctx.target, { kind: 'iam', roleName, policies: p.policies ?? [] });
      return provisioned(p, { mode: 'iam', credentials: creds, region: ctx.target.region }, p.identity, `IAM role ${roleName} with ${p.policies?.length ?? 0} configured polic${p.policies?.length === 1 ? 'y' : 'ies'}, from the emulator's STS`);
    }
    const { fromIni, fromNodeProviderChain, fromTemporaryCredentials } = await credentialProviders();
    const base = p.profile ? fromIni({ profile: p.profile }) : fromNodeProviderChain();
    const provider = p.roleArn ? fromTemporaryCredentials({ masterCredentials: base, params: { RoleArn: p.roleArn, RoleSessionName: 'authmatrix' } }) : p.profile ? base : undefined;
    if (!provider) throw new InputError(`persona ${p.name} (iamRole) needs a roleArn or a profile on a deployed target`, undefined, `personas: { "${p.name}": { kind: "iamRole", roleArn: "arn:aws:iam::…:role/${roleName}" } }`);
    try {
      await provider();
    } catch (e) {
      throw new InputError(`persona ${p.name} got no credentials: ${(e as Error).message}`, undefined, p.roleArn ? `let your credentials assume ${p.roleArn}` : `configure profile ${p.profile}`);
    }
    return provisioned(p, { mode: 'iam', credentials: provider, region: ctx.target.region }, p.identity, p.roleArn ? `IAM role ${p.roleArn} assumed (STS AssumeRole)` : `AWS profile ${p.profile}`);
  },
};
