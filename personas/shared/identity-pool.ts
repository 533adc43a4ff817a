/**
 * Identity-pool personas: temporary credentials for the unauthenticated role (guest) and for a user
 * signed in with a user-pool token (iamUser). Emulated: minted. Deployed: GetId + GetCredentialsForIdentity.
 */
import type { Persona } from '../../harness/matrix/cast.js';
import { InputError } from '../../harness/schema/errors.js';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import { provisioned, type ProvisionContext, type ProvisionedPersona } from '../types.js';
import { mint } from './emulated.js';
import { cognitoIdentity } from './aws-sdk.js';
import { setupError } from './deployed.js';
import { signUpAndIn } from './user-pool.js';

export async function provisionIdentityPoolPersona(p: Persona, ctx: ProvisionContext, authenticated: boolean): Promise<ProvisionedPersona> {
  const identity = p.identity;
  const groups = p.groups?.length ? ` in ${p.groups.join(', ')}` : '';
  if (ctx.target.kind === 'emulated') {
    const username = p.username ?? p.name;
    let creds: AwsCredentials & { identityId: string };
    if (authenticated && ctx.model.authModes.enabled.includes('userPool')) {
      // As a signed-in app does: the user pool's ID token (with its group-role claims) exchanged for credentials.
      const tokens = await mint<{ idToken: string }>(ctx.target, { kind: 'userPool', username, ...(p.groups?.length ? { groups: p.groups } : {}) });
      creds = await mint(ctx.target, { kind: 'identityPool', idToken: tokens.idToken });
    } else {
      creds = await mint(ctx.target, { kind: 'identityPool', authenticated, ...(authenticated ? { username } : {}) });
    }
    return {
      ...provisioned(p, { mode: 'iam', credentials: creds, region: ctx.target.region }, identity, `identity-pool ${authenticated ? `credentials for user ${username}${groups}` : 'unauthenticated credentials'} from the emulator`),
      aws: { credentials: creds, identityId: creds.identityId },
    };
  }
  const target = ctx.target;
  const pool = target.identityPool;
  if (!pool) throw new InputError(`persona ${p.name} needs an identity pool, and the outputs name none`, undefined, `deploy with defineAuth (it creates one), or drop ${p.name} in authmatrix.config.ts`);
  if (!authenticated && !pool.allowGuests) {
    throw new InputError(`guest access is disabled on identity pool ${pool.id}`, undefined, 'enable unauthenticated identities (Gen 2 defineAuth does by default), or drop the guest persona');
  }
  let session: Awaited<ReturnType<typeof signUpAndIn>> | undefined;
  let provisioning = 'Cognito identity pool, unauthenticated identity (GetId, GetCredentialsForIdentity)';
  if (authenticated) {
    if (!target.userPool) throw new InputError('iamUser needs a user pool to sign in with', undefined, 'deploy with defineAuth, or drop iamUser');
    session = await signUpAndIn(target, p.username ?? p.name, p);
    provisioning = `Cognito identity pool, authenticated with user ${session.username} (GetId with logins, GetCredentialsForIdentity)`;
  }
  const [client, { GetCredentialsForIdentityCommand, GetIdCommand }] = await Promise.all([target.identity(), cognitoIdentity()]);
  let identityId: string | undefined;
  const fetch = async (): Promise<{ credentials: AwsCredentials; expires: number }> => {
    try {
      const logins = session ? { [`cognito-idp.${target.userPool!.region}.amazonaws.com/${target.userPool!.poolId}`]: (await session.fresh()).IdToken! } : undefined;
      identityId ??= (await client.send(new GetIdCommand({ IdentityPoolId: pool.id, ...(logins ? { Logins: logins } : {}) }))).IdentityId!;
      const res = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, ...(logins ? { Logins: logins } : {}) }));
      const c = res.Credentials!;
      return {
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) },
        expires: c.Expiration ? c.Expiration.getTime() : Infinity,
      };
    } catch (e) {
      if ((e as Error).name === 'NotAuthorizedException' && /unauthenticated/i.test((e as Error).message)) {
        throw new InputError(`guest access is disabled on identity pool ${pool.id}`, undefined, 'enable unauthenticated identities, or drop the guest persona');
      }
      throw setupError(e, `getting identity-pool credentials for ${p.name}`, target);
    }
  };
  // Temporary credentials last an hour: fetched again five minutes before they expire.
  let current = await fetch();
  const credentials = async (): Promise<AwsCredentials> => {
    if (Date.now() > current.expires - 5 * 60_000) current = await fetch();
    return current.credentials;
  };
  return { ...provisioned(p, { mode: 'iam', credentials, region: target.region }, identity, provisioning), aws: { credentials, identityId: identityId! } };
}
