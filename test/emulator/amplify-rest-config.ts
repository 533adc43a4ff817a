/**
 * Amplify configured for the REST and HTTP APIs of an emulator as Amplify's REST guide says: the outputs parsed, their
 * `custom.API` as `API.REST`, retries off, and the caller's tokens and credentials through Amplify's own provider
 * interfaces (whatever the test holds at the moment of each call).
 */
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import type { Emulator } from '../../harness/emulator/emulator.js';
import type { IamCredentials } from '../../harness/emulator/iam/identity-pool.js';

export interface CallerNow {
  tokens: () => { accessToken: string; idToken: string } | null;
  credentials: () => IamCredentials | null;
  /** `API.REST.headers`: the library's global headers. */
  headers?: () => Record<string, string>;
}

export function configureAmplifyRest(emu: Emulator, now: CallerNow): void {
  const outputs = emu.outputs() as unknown as Parameters<typeof parseAmplifyConfig>[0] & { custom: { API: Record<string, { endpoint: string; region: string }> } };
  const config = parseAmplifyConfig(outputs);
  Amplify.configure({ ...config, API: { ...config.API, REST: outputs.custom.API } }, {
    API: { REST: { retryStrategy: { strategy: 'no-retry' }, ...(now.headers ? { headers: async () => now.headers!() } : {}) } },
    Auth: {
      tokenProvider: {
        getTokens: async () => {
          const t = now.tokens();
          return t ? { accessToken: decodeJWT(t.accessToken), idToken: decodeJWT(t.idToken) } : null;
        },
      },
      credentialsProvider: {
        getCredentialsAndIdentityId: async () => {
          const c = now.credentials();
          return c ? { credentials: { ...c }, ...(c.identityId ? { identityId: c.identityId } : {}) } : undefined;
        },
        clearCredentialsAndIdentityId: () => undefined,
      },
    },
  });
}

/** What the client throws for a non-2xx answer: the status, its name (from x-amzn-ErrorType) and message. */
export async function refusal(op: { response: Promise<unknown> }): Promise<{ status: number; name: string; message: string }> {
  try {
    await op.response;
  } catch (e) {
    const err = e as { name: string; message: string; response?: { statusCode: number } };
    return { status: err.response?.statusCode ?? -1, name: err.name, message: err.message };
  }
  throw new Error('the request was not refused');
}
