/**
 * An app without a data API (storage and a REST API only): the emulator serves no GraphQL endpoint, writes
 * amplify_outputs.json without a `data` section, and the real aws-amplify v6 clients, configured from those
 * outputs as the app would be, reach its bucket and its REST API with the identity pool's credentials.
 */
import { get, post } from 'aws-amplify/api';
import { uploadData } from 'aws-amplify/storage';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { trustEmulatedS3 } from '../../harness/client/s3-trust.js';
import { fixture } from '../cli/cli.js';
import { emulatorFor } from './start.js';
import { configureAmplifyRest } from './amplify-rest-config.js';

let emu: Emulator;
let undo: () => void;
let credentials: IamCredentials | null = null;

beforeAll(async () => {
  emu = await emulatorFor(fixture('app-shapes', 'no-data-api', 'amplify', 'backend.ts'));
  undo = trustEmulatedS3({ host: emu.s3!.endpointHost, caPem: emu.s3!.caPem });
  configureAmplifyRest(emu, { tokens: () => null, credentials: () => credentials });
});
afterAll(async () => {
  undo?.();
  await emu?.stop();
});

describe('the emulator of an app without a data API', () => {
  it('writes outputs with auth, storage and custom.API, and no data section', () => {
    const outputs = emu.outputs();
    expect(Object.keys(outputs).sort()).toEqual(['auth', 'custom', 'storage', 'version']);
    expect(outputs.auth).toMatchObject({ identity_pool_id: emu.identityPool!.poolId, unauthenticated_identities_enabled: true });
  });

  it('serves no GraphQL endpoint, over HTTP or WebSocket', async () => {
    const r = await fetch(emu.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(r.status).toBe(404);
    const ws = new WebSocket(emu.realtimeUrl, ['graphql-ws']);
    const closed = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(closed).toBe('refused');
    expect(() => emu.engine).toThrow('this app has no data API');
  });

  it('aws-amplify uploads to the bucket as a signed-in identity, and a guest is refused', async () => {
    const on = { customEndpoint: emu.s3!.endpointHost };
    credentials = emu.credentials.identityPool({ authenticated: true, username: 'alice' });
    const put = await uploadData({ path: `private/${credentials.identityId}/a.txt`, data: 'a', options: on as object }).result;
    expect(put.path).toBe(`private/${credentials.identityId}/a.txt`);
    credentials = emu.credentials.identityPool({ authenticated: false });
    const e = (await uploadData({ path: 'shared/b.txt', data: 'b', options: on as object }).result.catch((x: unknown) => x)) as Error;
    expect(e.name).toBe('AccessDenied');
  });

  it('aws-amplify calls the REST API signed with the identity pool\'s credentials: the guest role may GET /items, not POST', async () => {
    credentials = emu.credentials.identityPool({ authenticated: false });
    expect((await get({ apiName: 'shopApi', path: 'items' }).response).statusCode).toBe(200);
    const refused = await post({ apiName: 'shopApi', path: 'items', options: { body: {} } }).response.catch((x: unknown) => x as { response?: { statusCode: number }; name: string });
    expect(refused).toMatchObject({ name: 'AccessDeniedException', response: { statusCode: 403 } });
  });
});
