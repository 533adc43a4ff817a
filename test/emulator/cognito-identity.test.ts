/**
 * The emulator's Cognito Identity API as a protocol peer of the real AWS SDK client: guest and signed-in
 * identities, group roles by token-based mapping, the identity pool's refusals with their `__type`, and
 * credentials that the emulator's S3 accepts, deciding by the role they carry.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  type Credentials,
} from '@aws-sdk/client-cognito-identity';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { S3Client } from '../../harness/client/s3.js';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { startEmulator } from '../../harness/emulator/emulator.js';
import { example } from '../cli/cli.js';

let model: AuthModel;
let emu: Emulator;
let identity: CognitoIdentityClient;
let poolId: string;
let provider: string;

beforeAll(async () => {
  model = await loadAuthModel(example('photos'));
  emu = await startEmulator({ model, log: () => undefined });
  identity = sdkClient(emu);
  poolId = emu.identityPool!.poolId;
  provider = `cognito-idp.${emu.region}.amazonaws.com/${emu.userPool!.poolId}`;
});
afterAll(async () => {
  identity?.destroy();
  await emu?.stop();
});

function sdkClient(e: Emulator): CognitoIdentityClient {
  return new CognitoIdentityClient({ region: e.region, endpoint: e.cognitoIdentityEndpoint()!, maxAttempts: 1 });
}

/** GetId then GetCredentialsForIdentity, as an app's credentials provider does. */
async function credentialsFor(logins?: Record<string, string>, client = identity, pool = poolId): Promise<{ identityId: string; credentials: Credentials }> {
  const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: pool, ...(logins ? { Logins: logins } : {}) }));
  const res = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: IdentityId!, ...(logins ? { Logins: logins } : {}) }));
  expect(res.IdentityId).toBe(IdentityId);
  return { identityId: IdentityId!, credentials: res.Credentials! };
}

/** The SDK error's name and message, or "resolved". */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return `${err.$metadata?.httpStatusCode} ${err.name}: ${err.message}`;
  }
}

const idToken = async (username: string, groups: string[] = []) => (await emu.credentials.userPool({ username, groups })).idToken;

function s3(credentials?: Credentials): S3Client {
  const aws: AwsCredentials | undefined = credentials && { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretKey!, sessionToken: credentials.SessionToken! };
  return new S3Client({ endpointHost: emu.s3!.endpointHost, region: emu.region, ...(aws ? { credentials: aws } : {}), caPem: emu.s3!.caPem });
}

const bucket = () => emu.s3!.bucketNames.get('photos')!;
const put = async (c: Credentials, key: string) => {
  const r = await s3(c).send({ op: 'PutObject', bucket: bucket(), key, body: 'x' });
  return `${r.status}${r.error ? ` ${r.error.code}` : ''}`;
};
const roleOf = (c: Credentials) => emu.identityPool!.lookup(c.AccessKeyId!)!.caller.role.name;

describe('guests', () => {
  it('get a new unauthenticated identity each time, and credentials of the unauthenticated role that S3 accepts', async () => {
    const a = await credentialsFor();
    const b = await credentialsFor();
    expect(a.identityId).toMatch(new RegExp(`^${emu.region}:[0-9a-f-]{36}$`));
    expect(b.identityId).not.toBe(a.identityId);
    expect(a.credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(a.credentials.Expiration!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(roleOf(a.credentials)).toBe(emu.identityPool!.options.unauthRole.name);
    // Guests read media/* and write nowhere.
    const key = `media/guest-${Date.now()}.txt`;
    emu.s3!.store.put(bucket(), key, Buffer.from('shared'), 'text/plain');
    const got = await s3(a.credentials).send({ op: 'GetObject', bucket: bucket(), key });
    expect(`${got.status} ${got.body.toString()}`).toBe('200 shared');
    expect(await put(a.credentials, 'media/by-guest.txt')).toBe('403 AccessDenied');
    // Unsigned, the same GetObject is refused.
    expect((await s3().send({ op: 'GetObject', bucket: bucket(), key })).status).toBe(403);
  });

  it('are refused when the identity pool does not allow unauthenticated identities', async () => {
    const resources = model.authResources!;
    const closed = await startEmulator({
      model: { ...model, authResources: { ...resources, identityPool: { ...resources.identityPool!, allowUnauthenticated: false } } },
      log: () => undefined,
    });
    const client = sdkClient(closed);
    try {
      const pool = closed.identityPool!.poolId;
      expect(await refusal(client.send(new GetIdCommand({ IdentityPoolId: pool })))).toBe('400 NotAuthorizedException: Unauthenticated access is not supported for this identity pool.');
      // A signed-in user still gets in.
      const token = (await closed.credentials.userPool({ username: 'amy' })).idToken;
      const { credentials } = await credentialsFor({ [`cognito-idp.${closed.region}.amazonaws.com/${closed.userPool!.poolId}`]: token }, client, pool);
      expect(closed.identityPool!.lookup(credentials.AccessKeyId!)!.caller.role.name).toBe(closed.identityPool!.options.authRole.name);
    } finally {
      client.destroy();
      await closed.stop();
    }
  });
});

describe('signed-in users', () => {
  it('keep one identity per login, and get the authenticated role, which writes only its own private folder', async () => {
    const token = await idToken('alice');
    const first = await credentialsFor({ [provider]: token });
    const again = await credentialsFor({ [provider]: await idToken('alice') });
    expect(again.identityId).toBe(first.identityId);
    expect(roleOf(first.credentials)).toBe(emu.identityPool!.options.authRole.name);
    expect(await put(first.credentials, `private/${first.identityId}/a.txt`)).toBe('200');
    const bob = await credentialsFor({ [provider]: await idToken('bob') });
    expect(bob.identityId).not.toBe(first.identityId);
    expect(await put(bob.credentials, `private/${first.identityId}/b.txt`)).toBe('403 AccessDenied');
    expect(await put(first.credentials, 'admin/a.txt')).toBe('403 AccessDenied');
  });

  it('a group member gets its group role (cognito:preferred_role): Admin writes admin/*, an Editor does not', async () => {
    const token = await idToken('ada', ['Admin']);
    expect(decodeJwt(token)['cognito:preferred_role']).toMatch(/:role\//);
    const admin = await credentialsFor({ [provider]: token });
    expect(roleOf(admin.credentials)).not.toBe(emu.identityPool!.options.authRole.name);
    expect(`arn:aws:iam::123456789012:role/${roleOf(admin.credentials)}`).toBe(decodeJwt(token)['cognito:preferred_role']);
    expect(await put(admin.credentials, 'admin/report.txt')).toBe('200');
    const editor = await credentialsFor({ [provider]: await idToken('ed', ['Editors']) });
    expect(await put(editor.credentials, 'admin/report.txt')).toBe('403 AccessDenied');
    expect(await put(editor.credentials, 'media/albums/new.txt')).toBe('200');
  });
});

describe('refusals', () => {
  it('a forged, an expired or an access token, an unknown provider, another pool, and mismatched logins', async () => {
    const alice = (await emu.credentials.userPool({ username: 'alice' }));
    // Same claims and issuer, signed with a key that is not the pool's.
    const { privateKey } = await generateKeyPair('RS256');
    const claims = decodeJwt(alice.idToken);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'forged' }).sign(privateKey);
    const getId = (logins: Record<string, string>, pool = poolId) => refusal(identity.send(new GetIdCommand({ IdentityPoolId: pool, Logins: logins })));
    expect(await getId({ [provider]: forged })).toBe("400 NotAuthorizedException: Invalid login token. Couldn't verify signed token.");
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = (await emu.credentials.userPool({ username: 'alice', notBefore: past, expiresInSeconds: 60 })).idToken;
    expect(await getId({ [provider]: expired })).toMatch(new RegExp(`^400 NotAuthorizedException: Invalid login token\\. Token expired: \\d+ >= ${past + 60}$`));
    expect(await getId({ [provider]: alice.accessToken })).toBe('400 NotAuthorizedException: Invalid login token. Not a valid OpenId Connect identity token.');
    expect(await getId({ 'cognito-idp.us-east-1.amazonaws.com/us-east-1_other': alice.idToken })).toBe('400 NotAuthorizedException: Token is not from a supported provider of this identity pool.');
    expect(await getId({ [provider]: alice.idToken }, 'us-east-1:00000000-0000-0000-0000-000000000000')).toBe("400 ResourceNotFoundException: IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.");
    expect(await getId({ [provider]: alice.idToken }, 'not a pool id')).toMatch(/^400 InvalidParameterException: 1 validation error detected: Value 'not a pool id' at 'identityPoolId'/);

    // An authenticated identity: without its login, or with another user's, no credentials.
    const { identityId } = await credentialsFor({ [provider]: alice.idToken });
    const creds = (logins?: Record<string, string>) => refusal(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, ...(logins ? { Logins: logins } : {}) })));
    const mismatch = "400 NotAuthorizedException: Logins don't match. Please include at least one valid login for this identity or identity pool.";
    expect(await creds()).toBe(mismatch);
    expect(await creds({ [provider]: await idToken('mallory') })).toBe(mismatch);
    expect(await creds({ [provider]: forged })).toBe("400 NotAuthorizedException: Invalid login token. Couldn't verify signed token.");
    expect(await refusal(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: 'us-east-1:00000000-0000-0000-0000-000000000000' })))).toBe("400 ResourceNotFoundException: Identity 'us-east-1:00000000-0000-0000-0000-000000000000' not found.");
  });

  it('a guest identity signed in later becomes the login\'s identity', async () => {
    const guest = await credentialsFor();
    const token = await idToken('late-signer');
    const res = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId, Logins: { [provider]: token } }));
    expect(roleOf(res.Credentials!)).toBe(emu.identityPool!.options.authRole.name);
    expect((await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [provider]: token } }))).IdentityId).toBe(guest.identityId);
  });

  it('over HTTP: an unknown operation, a body that is not JSON, an over-size body; nothing else is served there', async () => {
    const endpoint = emu.cognitoIdentityEndpoint()!;
    const post = (target: string, body: string) => fetch(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });
    const answer = async (r: Response) => `${r.status} ${r.headers.get('content-type')} ${await r.text()}`;
    expect(await answer(await post('AWSCognitoIdentityService.DeleteIdentityPool', '{}'))).toMatch(/^400 application\/x-amz-json-1\.1 \{"__type":"UnknownOperationException","message":"Unknown operation AWSCognitoIdentityService\.DeleteIdentityPool/);
    expect(await answer(await post('AWSCognitoIdentityService.GetId', '{"IdentityPoolId":'))).toMatch(/^400 application\/x-amz-json-1\.1 \{"__type":"SerializationException"/);
    // GetIdentityPoolRoles is signed (a developer operation): unsigned, it is refused before anything is read.
    expect(await answer(await post('AWSCognitoIdentityService.GetIdentityPoolRoles', JSON.stringify({ IdentityPoolId: poolId })))).toBe('400 application/x-amz-json-1.1 {"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}');
    expect((await post('AWSCognitoIdentityService.GetId', JSON.stringify({ IdentityPoolId: poolId, pad: 'x'.repeat(100_000) }))).status).toBe(413);
    expect((await fetch(endpoint)).status).toBe(405);
    // Still serving.
    expect((await credentialsFor()).identityId).toMatch(/^us-east-1:/);
  });
});
