/**
 * The emulated S3 endpoint as a protocol peer: SigV4 (header and presigned) refused the way S3 refuses
 * it, IAM decisions with S3's status codes and messages, the object operations, keys taken literally,
 * and limits that keep it up whatever it is sent.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { S3Client, type S3Request } from '../../harness/client/s3.js';
import { s3Agent } from '../../harness/client/s3-trust.js';
import { emulatorFor } from './start.js';

const DROPBOX = new URL('../fixtures/storage/dropbox', import.meta.url).pathname;
const GEN1 = new URL('../fixtures/storage/gen1/amplify/backend/api/app/schema.graphql', import.meta.url).pathname;

let emu: Emulator;
let bucket: string;
let alice: IamCredentials;
let client: (creds?: IamCredentials) => S3Client;

beforeAll(async () => {
  emu = await emulatorFor(DROPBOX);
  bucket = emu.s3!.bucketNames.get('dropbox')!;
  alice = emu.credentials.identityPool({ authenticated: true, username: 'alice' });
  client = (creds) => new S3Client({ endpointHost: emu.s3!.endpointHost, region: emu.region, ...(creds ? { credentials: creds } : {}), caPem: emu.s3!.caPem });
});
afterAll(() => emu?.stop());

const send = (creds: IamCredentials | undefined, r: S3Request) => client(creds).send(r);
const outcome = (r: { status: number; error?: { code: string } }) => `${r.status} ${r.error?.code ?? ''}`.trim();

describe('authentication', () => {
  it('an unsigned request is refused with a plain Access Denied', async () => {
    const r = await send(undefined, { op: 'GetObject', bucket, key: 'media/x' });
    expect(r.status).toBe(403);
    expect(r.error).toEqual({ code: 'AccessDenied', message: 'Access Denied' });
  });

  it('refuses a wrong signature, an unknown key, a stale date, another region, a missing token and a body that is not the one signed', async () => {
    const c = client(alice);
    const put = c.build({ op: 'PutObject', bucket, key: 'media/a.txt', body: 'a' });
    const signed = await c.sign(put);
    const tamper = (w: typeof signed, f: (h: Record<string, string>) => void) => {
      const headers = { ...w.headers };
      f(headers);
      return { ...w, headers };
    };
    const wrongSig = tamper(signed, (h) => (h.authorization = h.authorization!.replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`)));
    expect(outcome(await c.sendWire(wrongSig))).toBe('403 SignatureDoesNotMatch');
    const unknown = await c.sign(put, { credentials: { ...alice, accessKeyId: 'ASIAUNKNOWN0000000000' } });
    expect(outcome(await c.sendWire(unknown))).toBe('403 InvalidAccessKeyId');
    const stale = await c.sign(put, { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(outcome(await c.sendWire(stale))).toBe('403 RequestTimeTooSkewed');
    const region = await c.sign(put, { region: 'eu-west-1' });
    const r = await c.sendWire(region);
    expect(outcome(r)).toBe('400 AuthorizationHeaderMalformed');
    expect(r.error!.message).toBe("The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    expect(outcome(await c.sendWire(tamper(signed, (h) => delete h['x-amz-security-token'])))).toBe('400 InvalidToken');
    expect(outcome(await c.sendWire({ ...signed, body: Buffer.from('b') }))).toBe('400 XAmzContentSHA256Mismatch');
    expect(outcome(await c.sendWire(signed))).toBe('200');
  });

  it('presigned URLs: valid until they expire, refused when tampered with, when longer than a week, or sent to another bucket', async () => {
    await send(alice, { op: 'PutObject', bucket, key: `private/${alice.identityId}/p.txt`, body: 'secret' });
    const c = client(alice);
    const dispatcher = s3Agent({ host: emu.s3!.endpointHost, caPem: emu.s3!.caPem });
    const get = async (url: string) => {
      const r = await request(url, { dispatcher });
      const body = await r.body.text();
      return `${r.statusCode} ${/<Code>(\w+)<\/Code>/.exec(body)?.[1] ?? body}`;
    };
    const url = await c.presign({ op: 'GetObject', bucket, key: `private/${alice.identityId}/p.txt` }, 60);
    expect(await get(url)).toBe('200 secret');
    expect(await get(url.replace(/X-Amz-Signature=\w{6}/, 'X-Amz-Signature=000000'))).toBe('403 SignatureDoesNotMatch');
    expect(url).toContain('/p.txt?');
    expect(await get(url.replace('/p.txt?', '/q.txt?'))).toBe('403 SignatureDoesNotMatch');
    const old = await c.presign({ op: 'GetObject', bucket, key: `private/${alice.identityId}/p.txt` }, 60, { signingDate: new Date(Date.now() - 120_000) });
    const expired = await request(old, { dispatcher });
    const text = await expired.body.text();
    expect(expired.statusCode).toBe(403);
    expect(text).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>60<\/X-Amz-Expires>/);
    // Clients refuse to presign for longer than a week; S3 checks the parameter before the signature.
    expect(await get(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801'))).toBe('400 AuthorizationQueryParametersError');
    // The signature covers the host: the same URL against another bucket does not verify.
    const other = emu.s3!.bucketNames.get('dropbox')!.replace('dropbox', 'dropbox2');
    expect(await get(url.replace(`//${bucket}.`, `//${other}.`))).toMatch(/^(403 SignatureDoesNotMatch|404 NoSuchBucket)$/);
  });
});

describe('authorization and objects', () => {
  it('AccessDenied names the role, the action and the resource, and says when a Deny decided', async () => {
    const r = await send(alice, { op: 'PutObject', bucket, key: 'media/locked/x.txt', body: 'x' });
    expect(r.status).toBe(403);
    expect(r.error!.message).toBe(`User: arn:aws:sts::123456789012:assumed-role/authmatrix-authenticated-role/CognitoIdentityCredentials is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${bucket}/media/locked/x.txt" with an explicit deny in an identity-based policy`);
    const guest = emu.credentials.identityPool({ authenticated: false });
    const g = await send(guest, { op: 'DeleteObject', bucket, key: 'media/x.txt' });
    expect(g.error!.message).toMatch(/authmatrix-unauthenticated-role\/CognitoIdentityCredentials is not authorized to perform: s3:DeleteObject on resource: ".*" because no identity-based policy allows the s3:DeleteObject action$/);
  });

  it('list: only under a granted prefix; delimiter, pagination and url encoding as S3 does them', async () => {
    for (const k of ['media/l/a b.txt', 'media/l/c/1', 'media/l/c/2', 'media/l/d.txt']) await send(alice, { op: 'PutObject', bucket, key: k, body: 'x' });
    expect(outcome(await send(alice, { op: 'ListObjectsV2', bucket }))).toBe('403 AccessDenied');
    expect(outcome(await send(alice, { op: 'ListObjectsV2', bucket, prefix: 'media' }))).toBe('403 AccessDenied');
    const page1 = await send(alice, { op: 'ListObjectsV2', bucket, prefix: 'media/l/', delimiter: '/', maxKeys: 2 });
    const xml1 = page1.body.toString();
    expect(xml1).toContain('<Key>media/l/a+b.txt</Key>');
    expect(xml1).toContain('<CommonPrefixes><Prefix>media/l/c/</Prefix></CommonPrefixes>');
    expect(xml1).toContain('<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>');
    const token = /<NextContinuationToken>([^<]+)</.exec(xml1)![1]!;
    const page2 = (await send(alice, { op: 'ListObjectsV2', bucket, prefix: 'media/l/', delimiter: '/', maxKeys: 2, continuationToken: token })).body.toString();
    expect(page2).toContain('<Key>media/l/d.txt</Key>');
    expect(page2).toContain('<IsTruncated>false</IsTruncated>');
  });

  it('DeleteObjects answers 200 and reports each refused key on its own', async () => {
    await send(alice, { op: 'PutObject', bucket, key: 'media/del/a', body: 'a' });
    const r = await send(alice, { op: 'DeleteObjects', bucket, keys: ['media/del/a', 'media/locked/b', 'inbox/c'] });
    expect(r.status).toBe(200);
    const xml = r.body.toString();
    expect(xml).toContain('<Deleted><Key>media/del/a</Key></Deleted>');
    expect(xml).toContain('<Error><Key>media/locked/b</Key><Code>AccessDenied</Code>');
    expect(xml).toContain('<Error><Key>inbox/c</Key><Code>AccessDenied</Code>');
  });

  it('copy needs get on the source and write on the destination; multipart abort and part listing are never granted', async () => {
    await send(alice, { op: 'PutObject', bucket, key: 'media/src.txt', body: 'src' });
    expect(outcome(await send(alice, { op: 'CopyObject', bucket, key: 'media/dst.txt', source: { bucket, key: 'media/src.txt' } }))).toBe('200');
    expect(outcome(await send(alice, { op: 'CopyObject', bucket, key: 'media/locked/dst.txt', source: { bucket, key: 'media/src.txt' } }))).toBe('403 AccessDenied');
    const created = await send(alice, { op: 'CreateMultipartUpload', bucket, key: 'media/mp.bin' });
    const uploadId = /<UploadId>([^<]+)</.exec(created.body.toString())![1]!;
    expect(outcome(await send(alice, { op: 'ListParts', bucket, key: 'media/mp.bin', uploadId }))).toBe('403 AccessDenied');
    expect(outcome(await send(alice, { op: 'AbortMultipartUpload', bucket, key: 'media/mp.bin', uploadId }))).toBe('403 AccessDenied');
    const part = await send(alice, { op: 'UploadPart', bucket, key: 'media/mp.bin', uploadId, partNumber: 1, body: Buffer.from('one part') });
    expect(outcome(await send(alice, { op: 'CompleteMultipartUpload', bucket, key: 'media/mp.bin', uploadId, parts: [{ partNumber: 1, etag: '"0000"' }] }))).toBe('400 InvalidPart');
    expect(outcome(await send(alice, { op: 'CompleteMultipartUpload', bucket, key: 'media/mp.bin', uploadId, parts: [{ partNumber: 1, etag: part.headers.etag! }] }))).toBe('200');
    expect((await send(alice, { op: 'GetObject', bucket, key: 'media/mp.bin' })).body.toString()).toBe('one part');
  });

  it('keys are literal: `..` sent as is stays inside the key, and encoded slashes too; never another folder', async () => {
    const bob = emu.credentials.identityPool({ authenticated: true, username: 'bob' });
    await send(bob, { op: 'PutObject', bucket, key: `private/${bob.identityId}/own.txt`, body: 'bob' });
    const traversal = `media/../private/${bob.identityId}/own.txt`;
    // The S3 client sends the path without resolving `..` (a browser or aws-amplify would resolve it first, and ask for bob's folder).
    expect(outcome(await send(alice, { op: 'PutObject', bucket, key: traversal, body: 'overwrite?' }))).toBe('200');
    expect((await send(bob, { op: 'GetObject', bucket, key: `private/${bob.identityId}/own.txt` })).body.toString()).toBe('bob');
    expect(emu.s3!.store.get(bucket, traversal)?.body.toString()).toBe('overwrite?');
    expect(outcome(await send(alice, { op: 'GetObject', bucket, key: `private/${bob.identityId}/own.txt` }))).toBe('403 AccessDenied');
    const encoded = `media/%2E%2E%2Fprivate%2F${bob.identityId}`;
    expect(outcome(await send(alice, { op: 'PutObject', bucket, key: encoded, body: 'e' }))).toBe('200');
    expect(emu.s3!.store.get(bucket, encoded)).toBeDefined();
  });

  it('a missing key: 403 for a ListBucket conditioned on prefixes, 404 NoSuchKey for one without (a Gen 1 group role)', async () => {
    expect(outcome(await send(alice, { op: 'GetObject', bucket, key: 'media/none' }))).toBe('403 AccessDenied');
    const gen1 = await emulatorFor(GEN1);
    try {
      const admin = gen1.credentials.identityPool({ authenticated: true, username: 'root', groups: ['Admin'] });
      const c = new S3Client({ endpointHost: gen1.s3!.endpointHost, region: gen1.region, credentials: admin, caPem: gen1.s3!.caPem });
      const b = gen1.s3!.bucketNames.get('s3photos')!;
      expect(outcome(await c.send({ op: 'GetObject', bucket: b, key: 'public/none' }))).toBe('404 NoSuchKey');
      expect(outcome(await c.send({ op: 'HeadObject', bucket: b, key: 'public/none' }))).toBe('404');
      const user = new S3Client({ ...c.options, credentials: gen1.credentials.identityPool({ authenticated: true, username: 'u' }) });
      expect(outcome(await user.send({ op: 'HeadObject', bucket: b, key: 'public/none' }))).toBe('403');
    } finally {
      await gen1.stop();
    }
  });
});

describe('principals outside the identity pool', () => {
  it('their own IAM policy decides: AdministratorAccess reaches the bucket, an API-only policy or a prefix grant does not reach the rest', async () => {
    const admin = emu.credentials.iamRole();
    expect(outcome(await send(admin, { op: 'PutObject', bucket, key: 'anywhere/admin.txt', body: 'a' }))).toBe('200');
    expect(outcome(await send(admin, { op: 'DeleteObject', bucket, key: 'anywhere/admin.txt' }))).toBe('204');
    const apiOnly = emu.credentials.iamRole('api-only', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['appsync:GraphQL', 'execute-api:Invoke'], Resource: '*' }] }]);
    const refused = await send(apiOnly, { op: 'PutObject', bucket, key: 'media/api.txt', body: 'a' });
    expect(outcome(refused)).toBe('403 AccessDenied');
    expect(refused.error!.message).toMatch(/assumed-role\/api-only\/.* is not authorized to perform: s3:PutObject .* because no identity-based policy allows the s3:PutObject action$/);
    const reader = emu.credentials.iamRole('media-reader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/media/*` }] }]);
    emu.s3!.store.put(bucket, 'media/read.txt', Buffer.from('r'));
    emu.s3!.store.put(bucket, 'other/read.txt', Buffer.from('r'));
    expect(outcome(await send(reader, { op: 'GetObject', bucket, key: 'media/read.txt' }))).toBe('200');
    expect(outcome(await send(reader, { op: 'GetObject', bucket, key: 'other/read.txt' }))).toBe('403 AccessDenied');
    expect(outcome(await send(reader, { op: 'PutObject', bucket, key: 'media/read.txt', body: 'w' }))).toBe('403 AccessDenied');
  });
});

describe('bounds', () => {
  it('refuses an object over the size limit without reading it all, and keeps serving', async () => {
    const limit = emu.s3!.store.limits.maxObjectBytes;
    const r = await send(alice, { op: 'PutObject', bucket, key: 'media/huge.bin', body: Buffer.alloc(limit + 1) }).catch((e: Error) => ({ status: 0, error: { code: e.message } }));
    expect([400, 0]).toContain(r.status);
    if (r.status === 400) expect(r.error!.code).toBe('EntityTooLarge');
    expect(outcome(await send(alice, { op: 'PutObject', bucket, key: 'media/after.txt', body: 'still up' }))).toBe('200');
  });

  it('an unknown bucket is NoSuchBucket; an unsupported operation is NotImplemented, not a denial', async () => {
    expect(outcome(await send(alice, { op: 'GetObject', bucket: 'no-such-bucket-here', key: 'x' }))).toBe('404 NoSuchBucket');
    const c = client(alice);
    const v1 = await c.sendWire(await c.sign({ method: 'GET', url: `${c.bucketUrl(bucket)}/?versions`, headers: {} }));
    expect(outcome(v1)).toBe('501 NotImplemented');
  });
});
