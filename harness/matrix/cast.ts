/**
 * The default cast: which personas a schema calls for, and who each one is (its identity as the oracle
 * sees it). Credentials are obtained elsewhere (personas/); here a persona is a name and its claims.
 */
import { createHash } from 'node:crypto';
import type { AuthModel, Rule } from '../schema/model.js';
import type { Claims, Identity } from '../rules/identity.js';

export const PERSONA_KINDS = [
  'anonymous', 'apiKey', 'guest', 'iamUser', 'iamAdmin', 'owner', 'stranger', 'groupMember',
  'oidcUser', 'oidcStranger', 'oidcGroupMember', 'lambdaAllowed', 'lambdaDenied',
] as const;
export type PersonaKind = (typeof PERSONA_KINDS)[number];

export interface Persona {
  /** Unique and stable: `owner`, `groupMember:Admin`, `oidcGroupMember:Support`. */
  name: string;
  kind: PersonaKind;
  identity: Identity;
  /** For user-pool and OIDC personas: the username the persona signs in with. */
  username?: string;
  /** Group memberships (user pool `cognito:groups`, or the OIDC group claim). */
  groups?: string[];
  /** Lambda personas: the token sent in `Authorization`. */
  lambdaToken?: string;
  /** One line a report shows: who this is. */
  description: string;
}

/** The value dynamic-group fixtures put in group fields; a name no static group uses. */
export function dynamicGroupName(model: AuthModel): string {
  const statics = new Set(allRules(model).flatMap((r) => (r.kind === 'staticGroup' ? r.groups : [])));
  let name = 'Team';
  for (let i = 2; statics.has(name); i++) name = `Team${i}`;
  return name;
}

export function allRules(model: AuthModel): Rule[] {
  return [
    ...model.models.flatMap((m) => [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]),
    ...model.customTypes.flatMap((t) => t.fields.flatMap((f) => f.rules ?? [])),
    ...model.customOperations.flatMap((o) => o.rules),
  ];
}

/** A stable, UUID-shaped `sub` for a persona (emulated targets; deployed users get theirs from Cognito). */
export function stableSub(name: string): string {
  const h = createHash('sha256').update(`authmatrix:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function userPoolIdentity(username: string, groups: string[]): Identity {
  // What an access token carries (amplify-js sends the access token).
  const claims: Record<string, unknown> = { sub: stableSub(username), username, token_use: 'access' };
  if (groups.length) claims['cognito:groups'] = groups;
  return { kind: 'userPool', claims };
}

/** OIDC claims: sub plus whatever claims the schema's OIDC rules read (identity and group claims). */
function oidcIdentity(model: AuthModel, name: string, groups: string[]): Identity {
  const claims: Record<string, unknown> = { sub: stableSub(`oidc:${name}`), email: `${name}@example.com` };
  for (const r of allRules(model)) {
    if (r.provider !== 'oidc') continue;
    if (r.kind === 'owner') for (const part of r.identityClaim.split('::')) if (!(part in claims)) claims[part] = part === 'sub' ? claims.sub : name;
    if ((r.kind === 'staticGroup' || r.kind === 'dynamicGroup') && groups.length) claims[r.groupClaim] = groups;
  }
  return { kind: 'oidc', claims: claims as Claims };
}

/**
 * Personas the schema calls for: one per enabled credential kind, an owner and a stranger per identity
 * provider, and one member per static group and per dynamic-group value.
 */
export function defaultCast(model: AuthModel): Persona[] {
  const modes = new Set(model.authModes.enabled);
  const rules = allRules(model);
  const cast: Persona[] = [{ name: 'anonymous', kind: 'anonymous', identity: { kind: 'anonymous' }, description: 'no credentials at all' }];
  if (modes.has('apiKey')) cast.push({ name: 'apiKey', kind: 'apiKey', identity: { kind: 'apiKey' }, description: 'a valid API key' });
  if (modes.has('iam')) {
    const pool = model.authModes.identityPool;
    if (pool?.allowUnauthenticated) {
      cast.push({ name: 'guest', kind: 'guest', identity: { kind: 'iam', principal: 'unauthRole' }, description: 'identity pool, unauthenticated role' });
    }
    if (pool) {
      cast.push({ name: 'iamUser', kind: 'iamUser', identity: { kind: 'iam', principal: 'authRole' }, description: 'identity pool, authenticated role' });
    }
    // Gen 1 admin roles bypass rules by role name; the admin persona assumes the first one when configured.
    const roleName = model.params.adminRoles[0] ?? 'authmatrix-admin';
    cast.push({ name: 'iamAdmin', kind: 'iamAdmin', identity: { kind: 'iam', principal: 'other', roleName }, description: `IAM role ${roleName}, outside the identity pool` });
  }
  const dynamic = dynamicGroupName(model);
  if (modes.has('userPool')) {
    cast.push(
      { name: 'owner', kind: 'owner', identity: userPoolIdentity('owner', []), username: 'owner', groups: [], description: 'user-pool user who owns the owned fixtures' },
      { name: 'stranger', kind: 'stranger', identity: userPoolIdentity('stranger', []), username: 'stranger', groups: [], description: 'another user-pool user, in no group' },
    );
    for (const g of groupsOf(rules, 'userPools', dynamic)) {
      const username = `member-${g.toLowerCase()}`;
      cast.push({ name: `groupMember:${g}`, kind: 'groupMember', identity: userPoolIdentity(username, [g]), username, groups: [g], description: `user-pool user in group ${g}` });
    }
  }
  if (modes.has('oidc')) {
    cast.push(
      { name: 'oidcUser', kind: 'oidcUser', identity: oidcIdentity(model, 'oidc-user', []), username: 'oidc-user', groups: [], description: 'OIDC user who owns the OIDC-owned fixtures' },
      { name: 'oidcStranger', kind: 'oidcStranger', identity: oidcIdentity(model, 'oidc-stranger', []), username: 'oidc-stranger', groups: [], description: 'another OIDC user, in no group' },
    );
    for (const g of groupsOf(rules, 'oidc', dynamic)) {
      const username = `oidc-member-${g.toLowerCase()}`;
      cast.push({ name: `oidcGroupMember:${g}`, kind: 'oidcGroupMember', identity: oidcIdentity(model, username, [g]), username, groups: [g], description: `OIDC user in group ${g}` });
    }
  }
  if (modes.has('lambda')) {
    cast.push(
      { name: 'lambdaAllowed', kind: 'lambdaAllowed', identity: { kind: 'lambda', authorized: true }, description: 'a token the Lambda authorizer accepts' },
      { name: 'lambdaDenied', kind: 'lambdaDenied', identity: { kind: 'lambda', authorized: false }, description: 'a token the Lambda authorizer refuses' },
    );
  }
  return cast;
}

function groupsOf(rules: Rule[], provider: 'userPools' | 'oidc', dynamic: string): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (r.provider !== provider) continue;
    if (r.kind === 'staticGroup') r.groups.forEach((g) => out.add(g));
  }
  if (rules.some((r) => r.provider === provider && r.kind === 'dynamicGroup')) out.add(dynamic);
  return [...out];
}
