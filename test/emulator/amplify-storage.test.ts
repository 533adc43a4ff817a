/**
 * The real aws-amplify v6 storage functions drive the emulated S3 unchanged: configured from the
 * emulator's amplify_outputs.json, credentials through Amplify's own provider interface, the endpoint
 * through each call's `customEndpoint`, and the process's fetch told to trust the emulator's test CA for
 * that endpoint only (docs/storage.md, "Driving the emulator with the real client"). The client's habits
 * are checked against what the endpoint actually received.
 */
import { Amplify } from 'aws-amplify';
import { runWithAmplifyServerContext } from 'aws-amplify/adapter-core';
import { copy, downloadData, getProperties, getUrl, list, remove, uploadData } from 'aws-amplify/storage';
import { uploadData as serverUploadData } from 'aws-amplify/storage/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { trustEmulatedS3 } from '../../harness/client/s3-trust.js';
import { emulatorFor } from './start.js';

let credentials: IamCredentials | null = null;

/** Amplify's credentials provider, answering for whoever `credentials` is right now. */
const libraryOptions = {
  Auth: {
    credentialsProvider: {
      getCredentialsAndIdentityId: async () =>
        credentials
          ? { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, expiration: credentials.expiration }, identityId: credentials.identityId! }
          : undefined,
      clearCredentialsAndIdentityId: () => undefined,
    },
  },
};

function configure(emu: Emulator): void {
  Amplify.configure(emu.outputs() as Parameters<typeof Amplify.configure>[0], libraryOptions);
}

const FIXTURE = new URL('../fixtures/storage/dropbox', import.meta.url).pathname;

describe('aws-amplify storage against the emulated S3', () => {
  let emu: Emulator;
  let undo: () => void;
  /** The option aws-amplify reads from every call (not in its public types). */
  let on: { customEndpoint: string };
  const as = (who: 'guest' | 'alice' | 'bob' | 'staff') => {
    credentials = who === 'guest'
      ? emu.credentials.identityPool({ authenticated: false })
      : emu.credentials.identityPool({ authenticated: true, username: who, ...(who === 'staff' ? { groups: ['Staff'] } : {}) });
    return credentials;
  };
  /** What the endpoint received since `mark`, as `Operation key?query`. */
  const sent = (mark: number) => emu.s3!.service.recent.slice(mark).map((e) => `${e.op} ${e.status}${e.key !== undefined ? ` ${e.key}` : ''}`);
  const mark = () => emu.s3!.service.recent.length;
  const opts = <T extends object>(o: T = {} as T) => ({ ...o, ...on }) as T;

  beforeAll(async () => {
    emu = await emulatorFor(FIXTURE);
    on = { customEndpoint: emu.s3!.endpointHost };
    undo = trustEmulatedS3({ host: emu.s3!.endpointHost, caPem: emu.s3!.caPem });
    configure(emu);
  });
  afterAll(async () => {
    undo?.();
    await emu?.stop();
  });

  it('uploads, lists, downloads, reads properties, presigns and removes, addressing the bucket virtual-hosted over TLS', async () => {
    as('alice');
    const up = await uploadData({ path: 'media/cat.txt', data: 'meow', options: opts({ contentType: 'text/plain' }) }).result;
    expect(up).toMatchObject({ path: 'media/cat.txt', size: 4, contentType: 'text/plain' });
    as('guest');
    const down = await downloadData({ path: 'media/cat.txt', options: opts() }).result;
    expect(await down.body.text()).toBe('meow');
    expect((await getProperties({ path: 'media/cat.txt', options: opts() })).size).toBe(4);
    const listed = await list({ path: 'media/', options: opts() });
    expect(listed.items.map((i) => i.path)).toEqual(['media/cat.txt']);
    const { url } = await getUrl({ path: 'media/cat.txt', options: opts({ validateObjectExistence: true, expiresIn: 60 }) });
    expect(url.host).toBe(`${emu.s3!.bucketNames.get('dropbox')}.${emu.s3!.endpointHost}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(await (await fetch(url)).text()).toBe('meow');
    as('alice');
    const m = mark();
    await expect(remove({ path: 'media/cat.txt', options: opts() })).resolves.toEqual({ path: 'media/cat.txt' });
    // The client first asks whether the path is a folder (ListObjectsV2 prefix=<path>/, max-keys 1), then deletes.
    expect(sent(m)).toEqual(['ListObjectsV2 200', 'DeleteObject 204 media/cat.txt']);
  });

  it('a refused upload is a StorageError named after S3’s code, with the status and the detailed message', async () => {
    as('guest');
    const e = (await uploadData({ path: 'media/dog.txt', data: 'woof', options: opts() }).result.catch((x: unknown) => x)) as Error & { metadata?: { httpStatusCode?: number } };
    expect(e.name).toBe('AccessDenied');
    expect(e.metadata?.httpStatusCode).toBe(403);
    expect(e.message).toMatch(/^User: arn:aws:sts::\d+:assumed-role\/authmatrix-unauthenticated-role\/CognitoIdentityCredentials is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::amplify-dropbox-[0-9a-f]+\/media\/dog.txt" because no identity-based policy allows the s3:PutObject action$/);
  });

  // Above 5 MiB the browser build reads parts with FileReader, which Node lacks; in Node the server build
  // (aws-amplify/storage/server, the same multipart code with Node's Blob reader) is the real client.
  const upload = (input: { path: string; data: Uint8Array; options: object }) =>
    runWithAmplifyServerContext(emu.outputs() as Parameters<typeof runWithAmplifyServerContext>[0], libraryOptions, (ctx) => serverUploadData(ctx, input as unknown as Parameters<typeof serverUploadData>[1]).result);

  it('a multipart upload ends with a HEAD: a write-only role sees the upload fail after the object is written', async () => {
    as('alice');
    const big = new Uint8Array(6 * 1024 * 1024).fill(7);
    let m = mark();
    await upload({ path: 'media/big.bin', data: big, options: opts() });
    expect(sent(m)).toEqual(['CreateMultipartUpload 200 media/big.bin', 'UploadPart 200 media/big.bin', 'UploadPart 200 media/big.bin', 'CompleteMultipartUpload 200 media/big.bin', 'HeadObject 200 media/big.bin']);
    m = mark();
    const e = (await upload({ path: 'inbox/big.bin', data: big, options: opts() }).catch((x: unknown) => x)) as Error & { metadata?: { httpStatusCode?: number } };
    expect(sent(m).slice(-2)).toEqual(['CompleteMultipartUpload 200 inbox/big.bin', 'HeadObject 403 inbox/big.bin']);
    expect(e.metadata?.httpStatusCode).toBe(403);
    expect(emu.s3!.store.get(emu.s3!.bucketNames.get('dropbox')!, 'inbox/big.bin')?.body.length).toBe(big.length);
  });

  it('getProperties needs get, not list (the docs table says list)', async () => {
    const bucket = emu.s3!.bucketNames.get('dropbox')!;
    emu.s3!.store.put(bucket, 'docs/readme.txt', Buffer.from('x'));
    as('alice');
    expect((await list({ path: 'docs/', options: opts() })).items.map((i) => i.path)).toEqual(['docs/readme.txt']);
    const e = (await getProperties({ path: 'docs/readme.txt', options: opts() }).catch((x: unknown) => x)) as Error & { metadata?: { httpStatusCode?: number } };
    expect(e.metadata?.httpStatusCode).toBe(403);
  });

  it('a missing key is 403, not 404, for roles whose ListBucket depends on the prefix; getUrl validates with a HEAD', async () => {
    as('alice');
    const e = (await getUrl({ path: 'media/none.txt', options: opts({ validateObjectExistence: true }) }).catch((x: unknown) => x)) as Error & { metadata?: { httpStatusCode?: number } };
    expect(e.metadata?.httpStatusCode).toBe(403);
    expect(emu.s3!.service.recent.at(-1)).toMatchObject({ op: 'HeadObject', key: 'media/none.txt', status: 403 });
  });

  it('a folder remove resolves although keys were refused; they are reported only through onProgress', async () => {
    as('alice');
    await uploadData({ path: 'media/album/a.txt', data: 'a', options: opts() }).result;
    const bucket = emu.s3!.bucketNames.get('dropbox')!;
    emu.s3!.store.put(bucket, 'media/locked/b.txt', Buffer.from('b'));
    const failed: string[] = [];
    const deleted: string[] = [];
    await expect(remove({ path: 'media/', options: opts({ onProgress: (p: { deleted?: { path: string }[]; failed?: { path: string; code: string }[] }) => {
      deleted.push(...(p.deleted ?? []).map((d) => d.path));
      failed.push(...(p.failed ?? []).map((f) => `${f.path} ${f.code}`));
    } }) })).resolves.toEqual({ path: 'media/' });
    expect(failed).toEqual(['media/locked/b.txt AccessDenied']);
    expect(deleted).toContain('media/album/a.txt');
    expect(emu.s3!.store.get(bucket, 'media/locked/b.txt')).toBeDefined();
  });

  it('owner folders: the owner copies within its folder, another identity is refused, a group member has no folder', async () => {
    const alice = as('alice');
    await uploadData({ path: `private/${alice.identityId}/a.txt`, data: 'mine', options: opts() }).result;
    await copy({ source: { path: `private/${alice.identityId}/a.txt` }, destination: { path: `private/${alice.identityId}/b.txt` }, options: opts() } as unknown as Parameters<typeof copy>[0]);
    expect(emu.s3!.service.recent.at(-1)).toMatchObject({ op: 'CopyObject', status: 200 });
    as('bob');
    const e = (await downloadData({ path: `private/${alice.identityId}/a.txt`, options: opts() }).result.catch((x: unknown) => x)) as Error;
    expect(e.name).toBe('AccessDenied');
    const staff = as('staff');
    const s = (await uploadData({ path: `private/${staff.identityId}/s.txt`, data: 's', options: opts() }).result.catch((x: unknown) => x)) as Error;
    expect(s.message).toMatch(/assumed-role\/authmatrix-StaffGroupRole\//);
  });

  it('dangerouslyConnectToHttpEndpointForTesting cannot work: the resolver rejects the http:// endpoint it sets', async () => {
    as('alice');
    const m = mark();
    Amplify.configure({ Storage: { S3: { bucket: emu.s3!.bucketNames.get('dropbox')!, region: emu.region, dangerouslyConnectToHttpEndpointForTesting: 'true' } } }, libraryOptions);
    try {
      const e = (await list({ path: 'media/' }).catch((x: unknown) => x)) as Error;
      expect(e.name).toBe('InvalidCustomEndpoint');
      expect(sent(m)).toEqual([]);
    } finally {
      configure(emu);
    }
  });
});
