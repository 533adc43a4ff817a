/** Starts an emulator on an example app, with clients for the common identities. */
import { loadAuthModel } from '../../harness/schema/load.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../harness/emulator/emulator.js';
import { GraphQLClient, type GraphQLResult } from '../../harness/client/http.js';
import type { ClientAuth } from '../../harness/client/auth.js';
import { example } from '../cli/cli.js';

export async function emulatorFor(schema: string, options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const model = await loadAuthModel(schema.startsWith('/') ? schema : example(schema));
  const lines: string[] = [];
  return startEmulator({ model, log: (l) => lines.push(l), ...options });
}

export function client(emu: Emulator, auth: ClientAuth): GraphQLClient {
  return new GraphQLClient({ url: emu.url, auth });
}

export async function userPoolAuth(emu: Emulator, username: string, groups: string[] = [], tokenUse: 'access' | 'id' = 'access'): Promise<ClientAuth> {
  const t = await emu.credentials.userPool({ username, groups });
  return { mode: 'userPool', token: tokenUse === 'access' ? t.accessToken : t.idToken };
}

export function iamAuth(emu: Emulator, who: 'guest' | 'user' | 'admin'): ClientAuth {
  const credentials = who === 'admin' ? emu.credentials.iamRole() : emu.credentials.identityPool({ authenticated: who === 'user' });
  return { mode: 'iam', credentials, region: emu.region };
}

/** The single error of a response, for assertions. */
export function onlyError(r: GraphQLResult): { errorType?: string | null; message: string } {
  if (r.errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(r.body)}`);
  return r.errors[0]!;
}
