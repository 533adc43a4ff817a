/**
 * The AWS session of a persona that signs in with a user-pool token, as aws-amplify's `fetchAuthSession()`
 * builds it: the identity pool's credentials for the user's ID token (the pool's role mapping picks the
 * role: the user's first group by precedence, else the authenticated role) and the identity id.
 * Emulated: minted. Deployed: GetId + GetCredentialsForIdentity with the ID token as login.
 */
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { Persona } from '../../harness/matrix/cast.js';
import type { AwsSession, ProvisionContext, ProvisionedPersona } from '../types.js';
import { cognitoIdentity } from './aws-sdk.js';
import { setupError } from './deployed.js';
import { mint } from './emulated.js';

/** The persona's session, when the app has an identity pool and the persona can get one (undefined otherwise). */
export async function awsSessionFor(p: Persona, done: ProvisionedPersona, ctx: ProvisionContext): Promise<AwsSession | undefined> {
  if (done.aws) return done.aws;
  if (done.auth.mode === 'iam') return { credentials: done.auth.credentials };
  const tokens = done.tokens;
  if (!tokens || !ctx.model.authModes.identityPool) return undefined;
  if (ctx.target.kind === 'emulated') {
    const c = await mint<AwsCredentials & { identityId: string }>(ctx.target, { kind: 'identityPool', authenticated: true, username: p.username ?? p.name, ...(p.groups?.length ? { groups: p.groups } : {}) });
    return { credentials: c, identityId: c.identityId };
  }
  const target = ctx.target;
  const pool = target.identityPool;
  if (!pool || !target.userPool) return undefined;
  const provider = `cognito-idp.${target.userPool.region}.amazonaws.com/${target.userPool.poolId}`;
  const logins = async () => ({ [provider]: (await tokens()).idToken });
  const [client, { GetCredentialsForIdentityCommand, GetIdCommand }] = await Promise.all([target.identity(), cognitoIdentity()]);
  let identityId: string;
  try {
    identityId = (await client.send(new GetIdCommand({ IdentityPoolId: pool.id, Logins: await logins() }))).IdentityId!;
  } catch (e) {
    throw setupError(e, `getting the identity id of ${p.name}`, target);
  }
  let current: { credentials: AwsCredentials; expires: number } | undefined;
  // Temporary credentials last an hour: fetched again five minutes before they expire.
  const credentials = async (): Promise<AwsCredentials> => {
    if (current && Date.now() < current.expires - 5 * 60_000) return current.credentials;
    try {
      const c = (await client.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: await logins() }))).Credentials!;
      current = { credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) }, expires: c.Expiration?.getTime() ?? Infinity };
      return current.credentials;
    } catch (e) {
      throw setupError(e, `getting identity-pool credentials for ${p.name}`, target);
    }
  };
  await credentials();
  return { credentials, identityId };
}
