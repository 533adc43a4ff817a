/**
 * cognito-local (a real Cognito user-pool protocol peer) as a child process for the deployed-target
 * tests: a fresh temp dir (its state lives in `<dir>/.cognito`), a free loopback port, plain usernames
 * (`UserPoolDefaults.UsernameAttributes: []`; in a CreateUserPool request an empty list is ignored),
 * one user pool and three app clients. Its quirks are in README.md, "Tested offline against cognito-local".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';

/** cognito-local checks no signature; the SDK still needs some credentials to sign with. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'cognito-local', secretAccessKey: 'cognito-local' };

export interface CognitoLocal {
  endpoint: string;
  poolId: string;
  /** `<endpoint>/<poolId>`: the `iss` of its tokens. */
  issuer: string;
  jwksUrl: string;
  clients: {
    /** ALLOW_ADMIN_USER_PASSWORD_AUTH + ALLOW_REFRESH_TOKEN_AUTH. */
    admin: string;
    /** ALLOW_USER_PASSWORD_AUTH only. */
    userPassword: string;
    /** ALLOW_USER_SRP_AUTH only. */
    srp: string;
  };
  /** An admin client for the tests' own calls (maxAttempts 1: unsupported calls answer 500). */
  idp: CognitoIdentityProviderClient;
  /** Another app client, with its own flows and token validity. */
  addClient(input: Omit<CreateUserPoolClientCommandInput, 'UserPoolId'>): Promise<string>;
  usernames(): Promise<string[]>;
  groups(): Promise<string[]>;
  /** What it printed (pino lines), for diagnosing a failed test. */
  log(): string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function spawnOnce(dir: string): Promise<{ child: ChildProcess; endpoint: string; log: () => string }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  writeFileSync(path.join(dir, '.cognito', 'config.json'), JSON.stringify({
    UserPoolDefaults: { UsernameAttributes: [] },
    TokenConfig: { IssuerDomain: endpoint },
  }));
  const bin = path.join(path.dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
  const child = spawn(process.execPath, [bin], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw Object.assign(new Error(`cognito-local exited early: ${log}`), { log });
    try {
      if ((await fetch(`${endpoint}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cognito-local was not ready within 20 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, endpoint, log: () => log };
}

export async function startCognitoLocal(): Promise<CognitoLocal> {
  const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-cognito-local-'));
  mkdirSync(path.join(dir, '.cognito'), { recursive: true });
  let started: Awaited<ReturnType<typeof spawnOnce>> | undefined;
  // The port may be taken between choosing it and the child binding it: try again with another one.
  for (let attempt = 0; !started; attempt++) {
    try {
      started = await spawnOnce(dir);
    } catch (e) {
      if (attempt >= 2 || !/EADDRINUSE/.test(String((e as { log?: string }).log ?? ''))) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const { child, endpoint, log } = started;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // No keep-alive: cognito-local closes idle sockets after 5 s, and a reused one fails with "socket hang up".
  const idp = new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, maxAttempts: 1, requestHandler: { httpAgent: new Agent({ keepAlive: false }) } });
  const stop = async () => {
    idp.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'authmatrix-test' }));
    const poolId = UserPool!.Id!;
    // cognito-local 5.3.0 answers GetGroup with HTTP 500 (stormdb: "Can't run .value() on non-existant
    // property") until the pool has had a group; once one has existed, a missing group is the
    // ResourceNotFoundException real Cognito gives. A group created and deleted leaves no trace.
    await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'cognito-local-groups-init' }));
    await idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'cognito-local-groups-init' }));
    const addClient = async (input: Omit<CreateUserPoolClientCommandInput, 'UserPoolId'>) =>
      (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ...input }))).UserPoolClient!.ClientId!;
    const clients = {
      admin: await addClient({ ClientName: 'admin-password', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      userPassword: await addClient({ ClientName: 'user-password', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
      srp: await addClient({ ClientName: 'srp-only', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    };
    const issuer = `${endpoint}/${poolId}`;
    return {
      endpoint,
      poolId,
      issuer,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      clients,
      idp,
      addClient,
      // cognito-local ignores pagination: one call returns every user and group.
      usernames: async () => ((await idp.send(new ListUsersCommand({ UserPoolId: poolId }))).Users ?? []).map((u) => u.Username!).sort(),
      groups: async () => ((await idp.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups ?? []).map((g) => g.GroupName!).sort(),
      log,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
