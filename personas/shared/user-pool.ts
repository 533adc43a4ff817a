/**
 * User-pool personas (owner, stranger, group members). Emulated: tokens minted by the emulator.
 * Deployed: `AdminCreateUser` (invitation suppressed) + a permanent random password, groups created
 * when missing + `AdminAddUserToGroup`, then sign-in with the first flow the app client allows
 * (ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH, or SRP); tokens are refreshed before they expire.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  DescribeUserPoolClientCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession, wrapAuthChallenge, wrapInitiateAuth } from 'cognito-srp-helper';
import type { Persona } from '../../harness/matrix/cast.js';
import type { Identity } from '../../harness/rules/identity.js';
import { InputError } from '../../harness/schema/errors.js';
import { provisioned, type ProvisionContext, type ProvisionedPersona } from '../types.js';
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
    return provisioned(p, { mode: 'userPool', token }, identityOf(token), `user-pool ${tokenUse} token minted by the emulator for "${username}"${p.groups?.length ? ` in ${p.groups.join(', ')}` : ''}`);
  }
  const target = ctx.target;
  if (!target.userPool) throw new InputError(`persona ${p.name} needs a user pool, and the outputs have no auth section`, undefined, 'deploy the app with defineAuth, or drop the persona in authmatrix.config.ts');
  const session = await signUpAndIn(target, username, p);
  const token = async () => (await session.fresh())[tokenUse === 'id' ? 'IdToken' : 'AccessToken']!;
  const first = await token();
  return provisioned(p, { mode: 'userPool', token }, identityOf(first), `Cognito user ${session.username} (AdminCreateUser, ${session.flow})${p.groups?.length ? ` in ${p.groups.join(', ')}` : ''}`);
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
  flow: string;
  /** Current tokens, refreshed when less than a minute is left. */
  fresh(): Promise<AuthenticationResultType>;
}

export async function signUpAndIn(target: DeployedTarget, base: string, p: Persona): Promise<UserSession> {
  const pool = target.userPool!;
  const client = target.cognito();
  const name = `${USER_PREFIX}${target.runId}-${base}`.toLowerCase().replace(/[^a-z0-9._+@-]/g, '-');
  const username = pool.usernameIsEmail ? `${name}@example.com` : name;
  const password = strongPassword();
  const attributes = [
    ...(pool.usernameIsEmail ? [{ Name: 'email', Value: username }, { Name: 'email_verified', Value: 'true' }] : []),
    ...Object.entries(p.claims ?? {}).map(([Name, v]) => ({ Name, Value: String(v) })),
  ];
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
  const flow = target.config.deployed?.authFlow ?? (await allowedFlow(target));
  let tokens = await signIn(target, username, password, flow, p.name);
  let expires = Date.now() + (tokens.ExpiresIn ?? 3600) * 1000;
  return {
    username,
    flow,
    async fresh() {
      if (Date.now() < expires - 60_000) return tokens;
      tokens = await refresh(target, tokens.RefreshToken!, username, p.name).catch(() => signIn(target, username, password, flow, p.name));
      expires = Date.now() + (tokens.ExpiresIn ?? 3600) * 1000;
      return tokens;
    },
  };
}

async function ensureGroup(target: DeployedTarget, group: string): Promise<void> {
  const client = target.cognito();
  const pool = target.userPool!.poolId;
  try {
    await client.send(new GetGroupCommand({ UserPoolId: pool, GroupName: group }));
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    target.ledger.group(group);
    await client.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: group, Description: `created by authmatrix run ${target.runId}` }));
  }
}

type Flow = 'ADMIN_USER_PASSWORD_AUTH' | 'USER_PASSWORD_AUTH' | 'USER_SRP_AUTH';

/** The first sign-in flow the app client allows; Amplify's default app client allows only SRP. */
async function allowedFlow(target: DeployedTarget): Promise<Flow> {
  try {
    const res = await target.cognito().send(new DescribeUserPoolClientCommand({ UserPoolId: target.userPool!.poolId, ClientId: target.userPool!.clientId }));
    const flows = res.UserPoolClient?.ExplicitAuthFlows ?? [];
    if (flows.includes('ALLOW_ADMIN_USER_PASSWORD_AUTH') || flows.includes('ADMIN_NO_SRP_AUTH')) return 'ADMIN_USER_PASSWORD_AUTH';
    if (flows.includes('ALLOW_USER_PASSWORD_AUTH') || flows.includes('USER_PASSWORD_AUTH')) return 'USER_PASSWORD_AUTH';
    if (flows.includes('ALLOW_USER_SRP_AUTH') || flows.length === 0) return 'USER_SRP_AUTH';
    throw new InputError(`the app client ${target.userPool!.clientId} allows none of ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH, USER_SRP_AUTH`, undefined,
      'enable one of them on the app client (Gen 2: defineAuth … or the Cognito console), or set deployed.authFlow');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw setupError(e, 'reading the app client’s sign-in flows', target);
  }
}

async function signIn(target: DeployedTarget, username: string, password: string, flow: Flow, persona: string): Promise<AuthenticationResultType> {
  const { poolId, clientId } = target.userPool!;
  const client = target.cognito();
  try {
    let result: AuthenticationResultType | undefined;
    if (flow === 'ADMIN_USER_PASSWORD_AUTH') {
      result = (await client.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }))).AuthenticationResult;
    } else if (flow === 'USER_PASSWORD_AUTH') {
      result = (await client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }))).AuthenticationResult;
    } else {
      const session = createSrpSession(username, password, poolId, false);
      const started = await client.send(new InitiateAuthCommand(wrapInitiateAuth(session, { ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { CHALLENGE_NAME: 'SRP_A', USERNAME: username } })));
      const signed = signSrpSession(session, started);
      const answered = await client.send(new RespondToAuthChallengeCommand(wrapAuthChallenge(signed, {
        ClientId: clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: { USERNAME: started.ChallengeParameters?.USER_ID_FOR_SRP ?? username },
      })));
      result = answered.AuthenticationResult;
    }
    if (!result?.IdToken || !result.AccessToken) throw new Error(`sign-in with ${flow} returned no tokens`);
    return result;
  } catch (e) {
    const message = String((e as Error).message ?? e);
    if ((e as Error).name === 'InvalidParameterException' && /flow not enabled|not enabled for this client|not supported/i.test(message)) {
      throw new InputError(`persona ${persona} cannot sign in: ${flow} is not enabled on app client ${clientId}`, undefined,
        'enable it on the app client, or set deployed.authFlow in authmatrix.config.ts to a flow it allows');
    }
    if ((e as Error).name === 'Unsupported') {
      throw new InputError(`persona ${persona} cannot sign in: this Cognito endpoint does not implement ${flow}`, undefined, 'set deployed.authFlow to ADMIN_USER_PASSWORD_AUTH or USER_PASSWORD_AUTH');
    }
    throw setupError(e, `signing in persona ${persona}`, target);
  }
}

async function refresh(target: DeployedTarget, refreshToken: string, username: string, persona: string): Promise<AuthenticationResultType> {
  const client = target.cognito();
  try {
    const res = await client.send(new InitiateAuthCommand({ ClientId: target.userPool!.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken, USERNAME: username } }));
    const result = res.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken) throw new Error('refresh returned no tokens');
    return { ...result, RefreshToken: result.RefreshToken ?? refreshToken };
  } catch (e) {
    throw setupError(e, `refreshing the tokens of persona ${persona}`, target);
  }
}
