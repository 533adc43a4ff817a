/**
 * User-pool personas (owner, stranger, group members). Emulated: tokens minted by the emulator.
 * Deployed: `AdminCreateUser` (invitation suppressed) + a permanent random password, groups created
 * when missing + `AdminAddUserToGroup`, then sign-in with the first flow the app client allows
 * (ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH, or SRP); tokens are refreshed before they expire.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AuthenticationResultType, InitiateAuthCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import type { Persona } from '../../harness/matrix/cast.js';
import type { Identity } from '../../harness/rules/identity.js';
import { InputError } from '../../harness/schema/errors.js';
import { provisioned, type ProvisionContext, type ProvisionedPersona } from '../types.js';
import { cognitoIdentityProvider, srpHelper } from './aws-sdk.js';
import { claimsOf, mint } from './emulated.js';
import { setupError, USER_PREFIX, type DeployedTarget } from './deployed.js';

export async function provisionUserPoolUser(p: Persona, ctx: ProvisionContext): Promise<ProvisionedPersona> {
  const username = p.username ?? p.name;
  const tokenUse = p.tokenUse ?? 'access';
  if (ctx.target.kind === 'emulated') {
    const t = await mint<{ idToken: string; accessToken: string }>(ctx.target, {
      kind: 'userPool',
      username,
      ...(p.groups?.length ? { groups: p.groups } : {}),
      ...(p.claims ? { claims: p.claims } : {}),
    });
    const token = tokenUse === 'id' ? t.idToken : t.accessToken;
    return {
      ...provisioned(p, { mode: 'userPool', token }, identityOf(token), `user-pool ${tokenUse} token minted by the emulator for "${username}"${p.groups?.length ? ` in ${p.groups.join(', ')}` : ''}`),
      tokens: async () => ({ idToken: t.idToken, accessToken: t.accessToken }),
    };
  }
  const target = ctx.target;
  if (!target.userPool) throw new InputError(`persona ${p.name} needs a user pool, and the outputs have no auth section`, undefined, 'deploy the app with defineAuth, or drop the persona in authmatrix.config.ts');
  const session = await signUpAndIn(target, username, p);
  const token = async () => (await session.fresh())[tokenUse === 'id' ? 'IdToken' : 'AccessToken']!;
  const first = await token();
  return {
    ...provisioned(p, { mode: 'userPool', token }, identityOf(first), `Cognito user ${session.username} (AdminCreateUser, ${session.flow}, ${tokenUse} token)${p.groups?.length ? ` in ${p.groups.join(', ')}` : ''}`),
    tokens: async () => {
      const t = await session.fresh();
      return { idToken: t.IdToken!, accessToken: t.AccessToken! };
    },
  };
}

function identityOf(token: string): Identity {
  return { kind: 'userPool', claims: claimsOf(token) };
}

/** A random password that meets Cognito's strongest default policy. */
export function strongPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#$%&*+-=?@^_'];
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  const all = sets.join('');
  for (const b of randomBytes(20)) chars.push(all[b % all.length]!);
  return chars.sort(() => randomInt(3) - 1).join('');
}

export interface UserSession {
  username: string;
  flow: Flow;
  /** Current tokens, refreshed (or signed in again) shortly before the first of them expires. */
  fresh(): Promise<AuthenticationResultType>;
}

/** Milliseconds since the epoch when the first of the ID and access tokens expires, and their lifetime. */
function expiryOf(tokens: AuthenticationResultType): { at: number; lifetime: number } {
  const claims = [claimsOf(tokens.IdToken!), claimsOf(tokens.AccessToken!)];
  const exp = Math.min(...claims.map((c) => Number(c.exp)));
  const iat = Math.max(...claims.map((c) => Number(c.iat)));
  return { at: exp * 1000, lifetime: (exp - iat) * 1000 };
}

export async function signUpAndIn(target: DeployedTarget, base: string, p: Persona): Promise<UserSession> {
  const pool = target.userPool!;
  const [client, { AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand }] = await Promise.all([target.cognito(), cognitoIdentityProvider()]);
  // Before creating anyone: a flow the app client does not allow would leave users that cannot sign in.
  const flow = await flowFor(target);
  const name = `${USER_PREFIX}${target.runId}-${base}`.toLowerCase().replace(/[^a-z0-9._+@-]/g, '-');
  const username = pool.usernameIsEmail ? `${name}@example.com` : name;
  const password = strongPassword();
  const attributes = [
    ...(pool.usernameIsEmail ? [{ Name: 'email', Value: username }, { Name: 'email_verified', Value: 'true' }] : []),
    ...Object.entries(p.claims ?? {}).map(([Name, v]) => ({ Name, Value: String(v) })),
  ];
  await target.ledger.creating(`creating user-pool persona ${p.name}`, async () => {
    try {
      target.ledger.user(username);
      await client.send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: username, MessageAction: 'SUPPRESS', TemporaryPassword: strongPassword(), UserAttributes: attributes }));
      await client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.poolId, Username: username, Password: password, Permanent: true }));
      for (const group of p.groups ?? []) {
        await ensureGroup(target, group);
        await client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: username, GroupName: group }));
      }
    } catch (e) {
      throw setupError(e, `creating user-pool persona ${p.name}`, target);
    }
  });
  let tokens = await signIn(target, username, password, flow, p.name);
  let renewing: Promise<AuthenticationResultType> | undefined;
  const renew = async () => {
    // The refresh token may have expired or been revoked: then sign in again.
    const next = await refresh(target, tokens.RefreshToken, p.name).catch(() => signIn(target, username, password, flow, p.name));
    tokens = next;
    return next;
  };
  return {
    username,
    flow,
    async fresh() {
      const { at, lifetime } = expiryOf(tokens);
      // A minute early (Cognito's shortest lifetime is 5 minutes); a quarter of the lifetime when shorter.
      if (Date.now() < at - Math.min(60_000, lifetime / 4)) return tokens;
      renewing ??= renew().finally(() => (renewing = undefined));
      return renewing;
    },
  };
}

/** One group creation per group and run, however many personas join it at once. */
const groupsReady = new WeakMap<DeployedTarget, Map<string, Promise<void>>>();

function ensureGroup(target: DeployedTarget, group: string): Promise<void> {
  let ready = groupsReady.get(target);
  if (!ready) groupsReady.set(target, (ready = new Map()));
  let p = ready.get(group);
  if (!p) {
    p = createGroupIfMissing(target, group);
    ready.set(group, p);
    p.catch(() => ready.delete(group));
  }
  return p;
}

async function createGroupIfMissing(target: DeployedTarget, group: string): Promise<void> {
  const [client, { CreateGroupCommand, GetGroupCommand }] = await Promise.all([target.cognito(), cognitoIdentityProvider()]);
  const pool = target.userPool!.poolId;
  try {
    await client.send(new GetGroupCommand({ UserPoolId: pool, GroupName: group }));
    return; // it exists: never ours to delete
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
  }
  target.ledger.group(group);
  try {
    await client.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: group, Description: `created by authmatrix run ${target.runId}` }));
  } catch (e) {
    // Another run created it meanwhile.
    if ((e as Error).name !== 'GroupExistsException') throw e;
    target.ledger.forgetGroup(group);
  }
}

export type Flow = 'ADMIN_USER_PASSWORD_AUTH' | 'USER_PASSWORD_AUTH' | 'USER_SRP_AUTH';
const FLOWS: Flow[] = ['ADMIN_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH', 'USER_SRP_AUTH'];
/** Names of the flows before Cognito's `ALLOW_` names. */
const LEGACY: Record<Flow, string> = { ADMIN_USER_PASSWORD_AUTH: 'ADMIN_NO_SRP_AUTH', USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH', USER_SRP_AUTH: 'USER_SRP_AUTH' };

const flows = new WeakMap<DeployedTarget, Promise<Flow>>();

/** The sign-in flow for the run (asked once): the configured one if the app client allows it, else the first it allows. */
function flowFor(target: DeployedTarget): Promise<Flow> {
  let f = flows.get(target);
  if (!f) flows.set(target, (f = chooseFlow(target)));
  return f;
}

async function chooseFlow(target: DeployedTarget): Promise<Flow> {
  const { poolId, clientId } = target.userPool!;
  let enabled: string[];
  try {
    const [client, { DescribeUserPoolClientCommand }] = await Promise.all([target.cognito(), cognitoIdentityProvider()]);
    const res = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    enabled = res.UserPoolClient?.ExplicitAuthFlows ?? [];
  } catch (e) {
    throw setupError(e, `reading the sign-in flows of app client ${clientId}`, target);
  }
  // An app client created without ExplicitAuthFlows allows SRP (and refresh and custom auth).
  const allows = (f: Flow) => (enabled.length === 0 ? f === 'USER_SRP_AUTH' : enabled.includes(`ALLOW_${f}`) || enabled.includes(LEGACY[f]));
  const configured = target.config.deployed?.authFlow;
  if (configured) {
    if (allows(configured)) return configured;
    throw new InputError(`deployed.authFlow is ${configured}, which app client ${clientId} does not allow (it allows ${enabled.join(', ') || 'USER_SRP_AUTH'})`, undefined,
      `enable ALLOW_${configured} on the app client, or set deployed.authFlow in authmatrix.config.ts to a flow it allows`);
  }
  const flow = FLOWS.find(allows);
  if (flow) return flow;
  throw new InputError(`app client ${clientId} allows none of ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH, USER_SRP_AUTH (it allows ${enabled.join(', ')})`, undefined,
    'enable ALLOW_USER_SRP_AUTH or ALLOW_USER_PASSWORD_AUTH on the app client (Cognito console, or the app client settings in the backend)');
}

async function signIn(target: DeployedTarget, username: string, password: string, flow: Flow, persona: string): Promise<AuthenticationResultType> {
  const { poolId, clientId } = target.userPool!;
  const [client, { AdminInitiateAuthCommand, InitiateAuthCommand, RespondToAuthChallengeCommand }] = await Promise.all([target.cognito(), cognitoIdentityProvider()]);
  try {
    let answer: Pick<InitiateAuthCommandOutput, 'AuthenticationResult' | 'ChallengeName'>;
    if (flow === 'ADMIN_USER_PASSWORD_AUTH') {
      answer = await client.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
    } else if (flow === 'USER_PASSWORD_AUTH') {
      answer = await client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
    } else {
      const { createSrpSession, signSrpSession, wrapAuthChallenge, wrapInitiateAuth } = await srpHelper();
      // Created just before the call: the signature's TIMESTAMP is fixed when the session is created.
      const session = createSrpSession(username, password, poolId, false);
      const started = await client.send(new InitiateAuthCommand(wrapInitiateAuth(session, { ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username } })));
      const signed = signSrpSession(session, started);
      answer = await client.send(new RespondToAuthChallengeCommand(wrapAuthChallenge(signed, {
        ClientId: clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ...(started.Session ? { Session: started.Session } : {}),
        ChallengeResponses: { USERNAME: started.ChallengeParameters?.USER_ID_FOR_SRP ?? username },
      })));
    }
    const result = answer.AuthenticationResult;
    if (answer.ChallengeName || !result?.IdToken || !result.AccessToken) {
      throw new InputError(`persona ${persona} cannot sign in: Cognito asks for the ${answer.ChallengeName ?? 'unknown'} challenge`, undefined,
        'make MFA optional (or off) on the user pool for test users; authmatrix answers no MFA or custom challenges');
    }
    return result;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const message = String((e as Error).message ?? e);
    if ((e as Error).name === 'InvalidParameterException' && /flow not enabled|not enabled for this client|not supported/i.test(message)) {
      throw new InputError(`persona ${persona} cannot sign in: ${flow} is not enabled on app client ${clientId}`, undefined,
        `enable ALLOW_${flow} on the app client, or set deployed.authFlow in authmatrix.config.ts to a flow it allows`);
    }
    if ((e as Error).name === 'Unsupported') {
      throw new InputError(`persona ${persona} cannot sign in: this Cognito endpoint does not implement ${flow} (${message})`, undefined,
        'enable ALLOW_ADMIN_USER_PASSWORD_AUTH or ALLOW_USER_PASSWORD_AUTH on the app client (cognito-local has no SRP)');
    }
    throw setupError(e, `signing in persona ${persona}`, target);
  }
}

async function refresh(target: DeployedTarget, refreshToken: string | undefined, persona: string): Promise<AuthenticationResultType> {
  if (!refreshToken) throw new Error('no refresh token');
  try {
    const [client, { InitiateAuthCommand }] = await Promise.all([target.cognito(), cognitoIdentityProvider()]);
    const res = await client.send(new InitiateAuthCommand({ ClientId: target.userPool!.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }));
    const result = res.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken) throw new Error('refresh returned no tokens');
    return { ...result, RefreshToken: result.RefreshToken ?? refreshToken };
  } catch (e) {
    throw setupError(e, `refreshing the tokens of persona ${persona}`, target);
  }
}
