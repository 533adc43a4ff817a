/**
 * iamAdmin: an IAM principal that is not a Cognito identity (Gen 2 generic IAM access lets it past every
 * rule). Emulated: a minted role. Deployed: the default AWS credential chain (or a named profile).
 */
import { InputError } from '../harness/schema/errors.js';
import { provisioned, type PersonaModule } from './types.js';
import { credentialProviders } from './shared/aws-sdk.js';
import { mint } from './shared/emulated.js';
import type { AwsCredentials } from '../harness/client/sigv4.js';

/**
 * The emulated iamAdmin's policy: every API (AppSync, API Gateway), no bucket. Amplify attaches no storage
 * policy to a principal outside the identity pool, and the oracle judges it so (`bucketAccess: 'none'`,
 * harness/matrix/storage-cells.ts); the emulator's S3 evaluates this policy as IAM would.
 */
const API_ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['appsync:GraphQL', 'execute-api:Invoke'], Resource: '*' }] };

export const iamAdmin: PersonaModule = {
  kinds: ['iamAdmin'],
  provision: async (p, ctx) => {
    const identity = p.identity;
    if (ctx.target.kind === 'emulated') {
      const roleName = identity.kind === 'iam' ? identity.roleName : undefined;
      const creds = await mint<AwsCredentials>(ctx.target, { kind: 'iam', ...(roleName ? { roleName } : {}), policies: [API_ADMIN] });
      return provisioned(p, { mode: 'iam', credentials: creds, region: ctx.target.region }, identity, `IAM role ${roleName ?? 'authmatrix-admin'} minted by the emulator`);
    }
    const { fromIni, fromNodeProviderChain } = await credentialProviders();
    const provider = p.profile ? fromIni({ profile: p.profile }) : fromNodeProviderChain();
    let credentials: AwsCredentials;
    try {
      credentials = await provider();
    } catch {
      throw new InputError('the iamAdmin persona found no AWS credentials', undefined, `configure ${p.profile ? `profile ${p.profile}` : 'the default credential chain (AWS_PROFILE or AWS_ACCESS_KEY_ID)'}, or drop iamAdmin in authmatrix.config.ts`);
    }
    return provisioned(p, { mode: 'iam', credentials: provider, region: ctx.target.region }, identity, p.profile ? `AWS profile ${p.profile}` : `the default AWS credential chain (${credentials.accessKeyId.slice(0, 4)}…)`);
  },
};
