/**
 * The real aws-amplify v6 client drives the emulator unchanged: configured from the emulator's
 * amplify_outputs.json, tokens and credentials through Amplify's own provider interfaces.
 */
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';
import { emulatorFor } from './start.js';

/** Who the Amplify providers speak for right now. */
let tokens: { accessToken: string; idToken?: string } | null = null;
let credentials: IamCredentials | null = null;

function configure(emu: Emulator): void {
  Amplify.configure(emu.outputs() as Parameters<typeof Amplify.configure>[0], {
    Auth: {
      tokenProvider: {
        getTokens: async () => (tokens ? { accessToken: decodeJWT(tokens.accessToken), ...(tokens.idToken ? { idToken: decodeJWT(tokens.idToken) } : {}) } : null),
      },
      credentialsProvider: {
        getCredentialsAndIdentityId: async () =>
          credentials
            ? {
                credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, expiration: credentials.expiration },
                ...(credentials.identityId ? { identityId: credentials.identityId } : {}),
              }
            : undefined,
        clearCredentialsAndIdentityId: () => undefined,
      },
    },
  });
}

async function signIn(emu: Emulator, username: string, groups: string[] = []): Promise<void> {
  const t = await emu.credentials.userPool({ username, groups });
  tokens = { accessToken: t.accessToken, idToken: t.idToken };
}

type Todo = { id: string; content: string; owner?: string | null };
type Models = Record<string, {
  create(input: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ data: Todo | null; errors?: { message: string; errorType?: string }[] }>;
  get(input: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ data: Todo | null; errors?: { message: string; errorType?: string }[] }>;
  list(options?: Record<string, unknown>): Promise<{ data: Todo[]; errors?: { message: string; errorType?: string }[] }>;
  update(input: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ data: Todo | null; errors?: { message: string; errorType?: string }[] }>;
  delete(input: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ data: Todo | null; errors?: { message: string; errorType?: string }[] }>;
}>;
type DataClient = { models: Models; queries: Record<string, (args: Record<string, unknown>, options?: Record<string, unknown>) => Promise<{ data: unknown; errors?: { message: string }[] }>> };

describe('the todo app with the aws-amplify client', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await emulatorFor('todo/amplify/data/resource.ts');
    configure(emu);
  });
  afterAll(() => emu.stop());

  it('userPool: the owner creates, reads, updates and deletes; the access token is what is sent', async () => {
    await signIn(emu, 'alice');
    const client = generateClient() as unknown as DataClient;
    const created = await client.models.Todo!.create({ content: 'buy milk' });
    expect(created.errors).toBeUndefined();
    expect(created.data).toMatchObject({ content: 'buy milk', owner: 'alice' });
    const id = created.data!.id;
    expect((await client.models.Todo!.get({ id })).data).toMatchObject({ id, content: 'buy milk' });
    expect((await client.models.Todo!.update({ id, content: 'buy oat milk' })).data).toMatchObject({ content: 'buy oat milk' });
    expect((await client.models.Todo!.list()).data.map((t) => t.id)).toEqual([id]);
    expect((await client.models.Todo!.delete({ id })).data).toMatchObject({ id });
  });

  it('userPool: a stranger is filtered on list and refused on get', async () => {
    await signIn(emu, 'alice');
    const client = generateClient() as unknown as DataClient;
    const id = (await client.models.Todo!.create({ content: 'private' })).data!.id;
    await signIn(emu, 'bob');
    expect((await client.models.Todo!.list()).data).toEqual([]);
    const got = await client.models.Todo!.get({ id });
    expect(got.data).toBeNull();
    expect(got.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access getTodo on type Query' });
  });

  it('apiKey: reads, but may not create', async () => {
    tokens = null;
    const client = generateClient({ authMode: 'apiKey' }) as unknown as DataClient;
    expect(Array.isArray((await client.models.Todo!.list()).data)).toBe(true);
    const created = await client.models.Todo!.create({ content: 'x' });
    expect(created.data).toBeNull();
    expect(created.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
  });

  it('a bad API key comes back as AppSync’s 401, which the client reports as Unauthorized', async () => {
    const client = generateClient({ authMode: 'apiKey', headers: { 'x-api-key': 'da2-notakey' } }) as unknown as DataClient;
    const listed = await client.models.Todo!.list().catch((e: unknown) => e as { errors: { message: string }[] });
    expect(JSON.stringify(listed)).toMatch(/Unauthorized/);
  });
});

describe('the all-rules app with the aws-amplify client', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await emulatorFor('blog/amplify/data/resource.ts');
    configure(emu);
  });
  afterAll(() => emu.stop());

  it('oidc: an OIDC user creates a Ticket it owns through its user_id claim', async () => {
    const token = await emu.credentials.oidc({ sub: 'oidc-sub-1', claims: { user_id: 'agent-7' } });
    tokens = { accessToken: token };
    const client = generateClient({ authMode: 'oidc' }) as unknown as DataClient;
    const created = await client.models.Ticket!.create({ subject: 'broken laptop' });
    expect(created.errors).toBeUndefined();
    expect(created.data).toMatchObject({ subject: 'broken laptop', owner: 'agent-7' });
  });

  it('identityPool: a guest reads Posts (allow.guest) with SigV4 from Amplify’s signer, but may not create', async () => {
    tokens = null;
    credentials = emu.credentials.identityPool({ authenticated: false });
    const client = generateClient({ authMode: 'identityPool' }) as unknown as DataClient;
    expect((await client.models.Post!.list()).errors).toBeUndefined();
    const created = await client.models.Post!.create({ title: 't' });
    expect(created.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
  });

  it('iam: an IAM role outside the identity pool passes every rule (Gen 2 generic IAM access)', async () => {
    credentials = emu.credentials.iamRole('ops-admin');
    const client = generateClient({ authMode: 'iam' }) as unknown as DataClient;
    const created = await client.models.Employee!.create({ name: 'Ann', salary: 10 });
    expect(created.errors).toBeUndefined();
    expect(created.data).toMatchObject({ name: 'Ann' });
  });

  it('lambda: authToken reaches the authorizer; a refused token fails', async () => {
    const client = generateClient({ authMode: 'lambda', authToken: 'helpdesk-alice' }) as unknown as DataClient;
    expect((await client.models.Ticket!.list()).errors).toBeUndefined();
    const refused = generateClient({ authMode: 'lambda', authToken: 'nobody' }) as unknown as DataClient;
    const r = await refused.models.Ticket!.list().catch((e: unknown) => e as { errors: { message: string }[] });
    expect(JSON.stringify(r)).toMatch(/Unauthorized/);
  });

  it('custom headers: client-level headers carry the Lambda token; request-level headers replace them', async () => {
    const client = generateClient({ authMode: 'lambda', headers: { Authorization: 'helpdesk-bob' } }) as unknown as DataClient;
    expect((await client.models.Ticket!.list()).errors).toBeUndefined();
    const replaced = await client.models.Ticket!.list({ headers: { Authorization: 'not-helpdesk' } }).catch((e: unknown) => e as { errors: { message: string }[] });
    expect(JSON.stringify(replaced)).toMatch(/Unauthorized/);
    const asFunction = generateClient({ authMode: 'lambda', headers: async () => ({ Authorization: 'helpdesk-carol' }) }) as unknown as DataClient;
    expect((await asFunction.models.Ticket!.list()).errors).toBeUndefined();
  });

  it('custom queries: the function-backed echo works for a signed-in user', async () => {
    await signIn(emu, 'dana');
    const client = generateClient({ authMode: 'userPool' }) as unknown as DataClient;
    const r = await client.queries.echo!({ message: 'ping' });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ message: 'ping', caller: 'dana' });
  });
});
