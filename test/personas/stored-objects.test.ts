/**
 * `authmatrix personas cleanup` on a run ledger that names storage objects, against the emulator's S3 as
 * the deployed bucket: the objects are deleted and a multipart upload the run left open is aborted, with
 * the process's own AWS credentials (no Amplify role may abort an upload); nothing outside the run's
 * folders is touched.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../harness/client/s3.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import type { LedgerEntry } from '../../personas/shared/deployed.js';
import type { StoredObject } from '../../personas/shared/stored-objects.js';
import { cli, scratchDir } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

const dir = scratchDir('authmatrix-stored-objects-');
let emu: Emulator;
let bucket: string;
let outputs: string;
let config: string;

beforeAll(async () => {
  emu = await emulatorFor('photos');
  bucket = emu.s3!.bucketNames.get('photos')!;
  // The app's outputs without a user pool: this ledger names no user, and no am-* user is looked for.
  const own = emu.outputs() as { auth: Record<string, unknown> };
  const { user_pool_id: _pool, user_pool_client_id: _client, ...auth } = own.auth;
  outputs = path.join(dir, 'amplify_outputs.json');
  writeFileSync(outputs, JSON.stringify({ ...own, auth }));
  const ca = path.join(dir, 's3-ca.pem');
  writeFileSync(ca, emu.s3!.caPem);
  config = path.join(dir, 'authmatrix.config.json');
  writeFileSync(config, JSON.stringify({ deployed: { endpoints: { s3: `https://${emu.s3!.endpointHost}` }, s3CaFile: ca } }));
});
afterAll(() => emu?.stop());

const s3 = (credentials: IamCredentials) => new S3Client({ endpointHost: emu.s3!.endpointHost, region: emu.region, credentials, caPem: emu.s3!.caPem });
const env = (c: IamCredentials) => ({ AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken, AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

function ledger(runId: string, objects: StoredObject[]): void {
  const runs = path.join(dir, '.authmatrix', 'runs');
  mkdirSync(runs, { recursive: true });
  const entry: LedgerEntry = { runId, region: emu.region, users: [], groups: [], objects, startedAt: new Date().toISOString() };
  writeFileSync(path.join(runs, `${runId}.json`), JSON.stringify(entry));
}

describe('personas cleanup and storage objects', () => {
  it('deletes the ledger\'s objects and aborts the upload the run left open, and nothing else', async () => {
    const runId = '20261204aaaaaa';
    const alice = emu.credentials.identityPool({ authenticated: true, username: 'alice' });
    const client = s3(alice);
    const written = `media/authmatrix-${runId}/a.txt`;
    const big = `media/authmatrix-${runId}/big.bin`;
    expect((await client.send({ op: 'PutObject', bucket, key: written, body: 'a' })).status).toBe(200);
    // A multipart upload cut off after its first part, and another of someone else's, both open.
    const upload = async (key: string) => {
      const created = await client.send({ op: 'CreateMultipartUpload', bucket, key });
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString('utf8'))![1]!;
      expect((await client.send({ op: 'UploadPart', bucket, key, uploadId, partNumber: 1, body: Buffer.from('part') })).status).toBe(200);
      return uploadId;
    };
    const cut = await upload(big);
    await upload('media/someone-else/big.bin');
    // Amplify grants no role s3:AbortMultipartUpload: the persona that started it cannot end it.
    expect((await client.send({ op: 'AbortMultipartUpload', bucket, key: big, uploadId: cut })).error?.code).toBe('AccessDenied');
    ledger(runId, [{ bucket, key: written }, { bucket, key: big, multipart: true }, { bucket, key: `media/authmatrix-${runId}/never-written.txt` }]);

    const r = await cli(['personas', 'cleanup', '--outputs', outputs, '--config', config, '--run', runId], { cwd: dir, env: env(emu.credentials.iamRole()) });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('swept 1 run ledger(s): deleted 0 user(s) and 0 group(s), cleared 3 storage object key(s), aborted 1 multipart upload(s)');
    expect(r.code).toBe(0);
    expect(emu.s3!.store.keys(bucket, `media/authmatrix-${runId}/`)).toEqual([]);
    expect(emu.s3!.store.uploadsIn(bucket, '').map((u) => u.key)).toEqual(['media/someone-else/big.bin']);
    expect(readdirSync(path.join(dir, '.authmatrix', 'runs'))).toEqual([]);
  });

  it('refuses a ledger naming a key outside the run\'s folders, and deletes nothing', async () => {
    const runId = '20261204bbbbbb';
    emu.s3!.store.put(bucket, 'media/keep.txt', Buffer.from('k'));
    ledger(runId, [{ bucket, key: 'media/keep.txt' }]);
    const r = await cli(['personas', 'cleanup', '--outputs', outputs, '--config', config, '--run', runId], { cwd: dir, env: env(emu.credentials.iamRole()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names s3:\/\/amplify-photos-\w+\/media\/keep\.txt, which is not under that run's folders in this app's buckets: nothing deleted/);
    expect(emu.s3!.store.get(bucket, 'media/keep.txt')).toBeDefined();
  });
});
