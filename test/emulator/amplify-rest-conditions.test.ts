/**
 * aws-amplify v6's REST functions, unchanged, against role policies with IAM conditions and a policy variable
 * (test/fixtures/app-shapes/rest-conditions): the gateway evaluates them in the signer's session context.
 */
import path from 'node:path';
import { del, get, post } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { emulatorFor } from './start.js';
import { configureAmplifyRest, refusal } from './amplify-rest-config.js';

let credentials: IamCredentials | null = null;
let emu: Emulator;

beforeAll(async () => {
  emu = await emulatorFor(path.resolve('test/fixtures/app-shapes/rest-conditions/amplify/backend.ts'));
  configureAmplifyRest(emu, { tokens: () => null, credentials: () => credentials });
});
afterAll(() => emu?.stop());

const apiName = 'condApi';

describe('IAM conditions in the signer\'s session context', () => {
  it('a guest: StringEquals on amr "unauthenticated" allows GET /items; ForAnyValue:StringEquals amr "authenticated" does not allow POST', async () => {
    credentials = emu.credentials.identityPool({ authenticated: false });
    expect((await get({ apiName, path: 'items' }).response).statusCode).toBe(200);
    expect(await refusal(post({ apiName, path: 'items' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });

  it('a signed-in user: an Allow under ForAnyValue:StringLike amr, a Deny under Null sub "false", and /notes/${cognito-identity.amazonaws.com:sub}/* for its own identity only', async () => {
    credentials = emu.credentials.identityPool({ authenticated: true, username: 'alice' });
    expect((await post({ apiName, path: 'items' }).response).statusCode).toBe(200);
    const denied = await refusal(del({ apiName, path: 'items' }));
    expect(denied).toMatchObject({ status: 403, name: 'AccessDeniedException' });
    expect(denied.message).toMatch(/with an explicit deny/);
    const own = credentials.identityId!;
    expect(own).toBeTruthy();
    expect((await get({ apiName, path: `notes/${own}/todo` }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'notes/us-east-1:someone-else/todo' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });

  it('aud: the pool backend.ts names by Ref is the emulator\'s own, so its condition holds; another pool\'s id never does', async () => {
    credentials = emu.credentials.identityPool({ authenticated: true, username: 'alice' });
    expect(emu.identityPool!.poolId).toMatch(/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await get({ apiName, path: 'reports' }).response).statusCode).toBe(200);
    expect(await refusal(get({ apiName, path: 'audit' }))).toMatchObject({ status: 403, name: 'AccessDeniedException' });
  });
});
