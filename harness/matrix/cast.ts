/**
 * The default cast: which personas a schema calls for, and who each one is (its identity as the oracle
 * sees it). Credentials are obtained elsewhere (personas/); here a persona is a name and its claims.
 */
import { createHash } from 'node:crypto';
import { allRules, hasDataApi, type AuthModel, type Rule } from '../schema/model.js';
import type { Claims, Identity } from '../rules/identity.js';
import type { PolicyDocument } from '../schema/auth-resources.js';
import { InputError } from '../schema/errors.js';
import type { AuthorizerAnswer } from '../rules/rest.js';
import type { AppClient } from '../schema/rest/model.js';

export const PERSONA_KINDS = [
  'anonymous', 'apiKey', 'guest', 'iamUser', 'iamGroupMember', 'iamAdmin', 'iamRole', 'owner', 'stranger', 'groupMember',
  'oidcUser', 'oidcStranger', 'oidcGroupMember', 'lambdaAllowed', 'lambdaDenied', 'restApiKey', 'restToken', 'functionRole',
  'appClient',
] as const;
export type PersonaKind = (typeof PERSONA_KINDS)[number];

/**
 * Personas that exist for REST APIs only: an API key of a usage plan, a Lambda authorizer's token, a user-pool app
 * client's client-credentials token (AppSync's user-pool mode is not tested with one: Amplify documents no
 * machine-to-machine access to the data API, aws-amplify/amplify-data#472, and its rules read a user's claims).
 */
export const REST_ONLY_KINDS: ReadonlySet<PersonaKind> = new Set(['restApiKey', 'restToken', 'appClient']);

export interface Persona {
  /** Unique and stable: `owner`, `groupMember:Admin`, `oidcGroupMember:Support`, `dynamicGroupMember`. */
  name: string;
  kind: PersonaKind;
  identity: Identity;
  /** For user-pool and OIDC personas: the username the persona signs in with. */
  username?: string;
  /** Group memberships (user pool `cognito:groups`, or the OIDC group claim). */
  groups?: string[];
  /** Extra claims (or user attributes on a deployed user pool). */
  claims?: Record<string, unknown>;
  /** User-pool personas: which token they send (aws-amplify sends the access token). */
  tokenUse?: 'id' | 'access';
  /** Lambda personas: the token sent in `Authorization`. OIDC personas on a deployed IdP: a fixed token. */
  token?: string;
  /** The token is authmatrix's stand-in (a refused token, one a token-blind authorizer takes), not the config's. */
  standIn?: true;
  /** Headers every request of this persona carries. */
  headers?: Record<string, string>;
  /** IAM admin or IAM role personas on a deployed target: the AWS profile to use. */
  profile?: string;
  /** What the REST APIs' Lambda authorizers answer this persona, by `answerKey` (matrix/rest-cells.ts). */
  restAnswers?: Record<string, AuthorizerAnswer>;
  /** Identity-pool personas: the Cognito identity id their AWS credentials belong to (`region:uuid`). */
  identityId?: string;
  /** `functionRole` personas: the function whose execution role they act through. */
  functionName?: string;
  /** iamRole: the role's name (emulated: the role the emulator's STS hands out). */
  roleName?: string;
  /** iamRole on a deployed target: a role to assume with the default credential chain (or `profile`). */
  roleArn?: string;
  /** iamRole: the role's identity-based policies (emulated: what it may do; deployed: what the oracle assumes). */
  policies?: PolicyDocument[];
  /** appClient: the user-pool app client it is, and the scopes its client-credentials grant holds (all it is allowed). */
  appClient?: AppClient;
  /** appClient on a deployed target: the grant (authmatrix.config.ts; the secret never leaves provisioning). */
  clientCredentials?: ClientCredentials;
  /** One line a report shows: who this is. */
  description: string;
}

/** A client-credentials grant at a token endpoint (`https://<domain>/oauth2/token`). */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for; absent, the endpoint grants every scope the client is allowed. */
  scope?: string;
}

const teamNames = new WeakMap<AuthModel, string>();

/**
 * The value dynamic-group fixtures put in group fields: one the run invents, named so that it cannot be taken for
 * one of the app's groups (and none of its static groups).
 */
export function dynamicGroupName(model: AuthModel): string {
  let name = teamNames.get(model);
  if (name === undefined) {
    const statics = new Set(allRules(model).flatMap((r) => (r.kind === 'staticGroup' ? r.groups : [])));
    name = 'authmatrix-team';
    for (let i = 2; statics.has(name); i++) name = `authmatrix-team-${i}`;
    teamNames.set(model, name);
  }
  return name;
}

/** The members of the group dynamic-group fixtures name are called for what they are, not `groupMember:<group>`. */
const DYNAMIC_MEMBER = { groupMember: 'dynamicGroupMember', oidcGroupMember: 'oidcDynamicGroupMember' } as const;

/** What a persona called `groupMember:Team` before (the invented group was `Team`) is called now. */
export function renamedPersona(name: string): string | undefined {
  const m = /^(groupMember|oidcGroupMember):Team\d*$/.exec(name);
  return m ? DYNAMIC_MEMBER[m[1] as keyof typeof DYNAMIC_MEMBER] : undefined;
}


/** A stable, UUID-shaped `sub` for a persona (emulated targets; deployed users get theirs from Cognito). */
export function stableSub(name: string): string {
  const h = createHash('sha256').update(`authmatrix:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function userPoolIdentity(username: string, groups: string[], extra: Record<string, unknown> = {}, tokenUse: 'id' | 'access' = 'access'): Identity {
  // What the token carries: access tokens name the user `username`, ID tokens `cognito:username`.
  const claims: Record<string, unknown> = { sub: stableSub(username), [tokenUse === 'access' ? 'username' : 'cognito:username']: username, token_use: tokenUse, ...extra };
  if (groups.length) claims['cognito:groups'] = groups;
  return { kind: 'userPool', claims };
}

/** OIDC claims: sub plus whatever claims the schema's OIDC rules read (identity and group claims). */
function oidcIdentity(model: AuthModel, name: string, groups: string[], extra: Record<string, unknown> = {}): Identity {
  const claims: Record<string, unknown> = { sub: stableSub(`oidc:${name}`), email: `${name}@example.com`, ...extra };
  for (const r of allRules(model)) {
    if (r.provider !== 'oidc') continue;
    if (r.kind === 'owner') for (const part of r.identityClaim.split('::')) if (!(part in claims)) claims[part] = part === 'sub' ? claims.sub : name;
    if ((r.kind === 'staticGroup' || r.kind === 'dynamicGroup') && groups.length) claims[r.groupClaim] = groups;
  }
  return { kind: 'oidc', claims: claims as Claims };
}

/** The identity pool's guest (its unauthenticated role), once, where the pool admits guests. */
function addGuest(model: AuthModel, cast: Persona[]): void {
  if (!model.authModes.identityPool?.allowUnauthenticated || cast.some((p) => p.kind === 'guest')) return;
  cast.push({ name: 'guest', kind: 'guest', identity: { kind: 'iam', principal: 'unauthRole' }, description: 'identity pool, unauthenticated role' });
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
    addGuest(model, cast);
    if (pool) {
      cast.push({ name: 'iamUser', kind: 'iamUser', identity: { kind: 'iam', principal: 'authRole' }, description: 'identity pool, authenticated role' });
      // Token-based role mapping gives a member of a group with a role that role, never the authenticated one.
      // Without a data API the group members' REST and storage cells sign with the group's role already.
      for (const g of hasDataApi(model) ? model.authResources?.userPool?.groups ?? [] : []) {
        if (!g.role || !modes.has('userPool')) continue;
        const username = `iam-member-${g.name.toLowerCase()}`;
        cast.push({ name: `iamGroupMember:${g.name}`, kind: 'iamGroupMember', identity: { kind: 'iam', principal: 'authRole', groups: [g.name] }, username, groups: [g.name], description: `identity pool, signed in as a member of group ${g.name}` });
      }
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
      const name = g === dynamic ? DYNAMIC_MEMBER.groupMember : `groupMember:${g}`;
      cast.push({ name, kind: 'groupMember', identity: userPoolIdentity(username, [g]), username, groups: [g], description: `user-pool user in group ${g}${g === dynamic ? ', the group dynamic-group fixtures name' : ''}` });
    }
  }
  if (modes.has('oidc')) {
    cast.push(
      { name: 'oidcUser', kind: 'oidcUser', identity: oidcIdentity(model, 'oidc-user', []), username: 'oidc-user', groups: [], description: 'OIDC user who owns the OIDC-owned fixtures' },
      { name: 'oidcStranger', kind: 'oidcStranger', identity: oidcIdentity(model, 'oidc-stranger', []), username: 'oidc-stranger', groups: [], description: 'another OIDC user, in no group' },
    );
    for (const g of groupsOf(rules, 'oidc', dynamic)) {
      const username = `oidc-member-${g.toLowerCase()}`;
      const name = g === dynamic ? DYNAMIC_MEMBER.oidcGroupMember : `oidcGroupMember:${g}`;
      cast.push({ name, kind: 'oidcGroupMember', identity: oidcIdentity(model, username, [g]), username, groups: [g], description: `OIDC user in group ${g}${g === dynamic ? ', the group dynamic-group fixtures name' : ''}` });
    }
  }
  addRestPersonas(model, cast);
  addStoragePersonas(model, cast);
  if (modes.has('lambda')) {
    cast.push(
      { name: 'lambdaAllowed', kind: 'lambdaAllowed', identity: { kind: 'lambda', authorized: true }, description: 'a token the Lambda authorizer accepts' },
      { name: 'lambdaDenied', kind: 'lambdaDenied', identity: { kind: 'lambda', authorized: false }, token: 'authmatrix-refused-token', standIn: true, description: 'a token the Lambda authorizer refuses' },
    );
  }
  return cast;
}

/**
 * What REST APIs add: a member of every user-pool group (each group has its own identity-pool role, so
 * each signs with a different one), and an API key holder when an API has keys. Lambda authorizer tokens
 * come from the config (`kind: 'restToken'`).
 */
function addRestPersonas(model: AuthModel, cast: Persona[]): void {
  const rest = model.rest;
  if (!rest?.apis.length && !rest?.httpApis.length) return;
  if (model.authModes.enabled.includes('userPool')) {
    for (const g of rest.rolePolicies.groupPrecedence) {
      if (cast.some((p) => p.kind === 'groupMember' && p.groups?.length === 1 && p.groups[0] === g)) continue;
      const username = `member-${g.toLowerCase()}`;
      cast.push({ name: `groupMember:${g}`, kind: 'groupMember', identity: userPoolIdentity(username, [g]), username, groups: [g], description: `user-pool user in group ${g}` });
    }
  }
  // Guests sign with the identity pool's unauthenticated role even where the data API takes no IAM (a Gen 1 API on
  // user pools beside the CLI's REST category, app shape gen1-club): without this persona their grants went untested.
  const iam = rest.apis.some((a) => a.methods.some((m) => m.authorization.type === 'AWS_IAM')) || rest.httpApis.some((a) => a.routes.some((r) => r.authorization.type === 'AWS_IAM'));
  if (iam) addGuest(model, cast);
  // One per client: each is allowed its own scopes, and a method may name any of them.
  for (const client of rest.appClients ?? []) {
    cast.push({ name: `appClient:${client.name}`, kind: 'appClient', identity: { kind: 'anonymous' }, appClient: client, description: `app client ${client.name} of the user pool, with a client-credentials access token (scopes ${client.scopes.join(' ') || 'none'}), no user` });
  }
  if (rest.apis.some((a) => a.apiKeys.length)) {
    cast.push({ name: 'restApiKey', kind: 'restApiKey', identity: { kind: 'anonymous' }, description: 'an API key of a usage plan of the REST API, and no other credential' });
  }
}

/**
 * What storage adds: a member of every group its rules name, a persona per function they grant
 * (`allow.resource(fn)`), and an identity id for every identity-pool persona (stable here; provisioning
 * gives the real one).
 */
function addStoragePersonas(model: AuthModel, cast: Persona[]): void {
  const storage = model.storage;
  if (!storage) return;
  const grants = storage.buckets.flatMap((b) => b.paths.flatMap((p) => p.grants));
  if (model.authModes.enabled.includes('userPool')) {
    for (const g of new Set(grants.flatMap((x) => (x.principal.kind === 'group' ? [x.principal.group] : [])))) {
      if (cast.some((p) => p.kind === 'groupMember' && p.groups?.includes(g))) continue;
      const username = `member-${g.toLowerCase()}`;
      cast.push({ name: `groupMember:${g}`, kind: 'groupMember', identity: userPoolIdentity(username, [g]), username, groups: [g], description: `user-pool user in group ${g}` });
    }
  }
  // A function granted storage gets no appsync:GraphQL policy (Amplify grants it only with allow.resource in the data schema).
  for (const fn of new Set(grants.flatMap((x) => (x.principal.kind === 'function' ? [x.principal.name] : [])))) {
    cast.push({ name: `function:${fn}`, kind: 'functionRole', functionName: fn, username: fn, identity: { kind: 'iam', principal: 'other', roleName: `function:${fn}`, policies: [] }, description: `the execution role of function ${fn}` });
  }
  if (!model.authModes.identityPool) return;
  // Guests reach a bucket with the identity pool's unauthenticated role even where the data API takes no IAM (a Gen 1
  // API on user pools and an API key): without this persona their storage rules went untested.
  if (grants.some((g) => g.principal.kind === 'guest')) addGuest(model, cast);
  for (const p of cast) if (IDENTITY_KINDS.has(p.kind)) p.identityId = stableIdentityId(p.name);
}

/** Personas whose AWS credentials come from the identity pool (each has an identity id). */
const IDENTITY_KINDS = new Set<PersonaKind>(['guest', 'iamUser', 'owner', 'stranger', 'groupMember']);

/** A Cognito identity id (`region:uuid`) for a persona, the same in every run. */
export function stableIdentityId(name: string): string {
  return `us-east-1:${stableSub(`identity:${name}`)}`;
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

/** The identity a persona of this kind has, from its username, groups and claims. */
export function identityOf(model: AuthModel, p: Pick<Persona, 'kind' | 'username' | 'groups' | 'claims' | 'tokenUse' | 'roleName' | 'policies'> & { deniedFields?: string[] }): Identity {
  const username = p.username ?? p.kind;
  const groups = p.groups ?? [];
  switch (p.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'apiKey':
      return { kind: 'apiKey' };
    case 'guest':
      return { kind: 'iam', principal: 'unauthRole' };
    case 'iamUser':
    case 'iamGroupMember':
      return { kind: 'iam', principal: 'authRole', ...(groups.length ? { groups } : {}) };
    case 'iamAdmin':
      return { kind: 'iam', principal: 'other', roleName: model.params.adminRoles[0] ?? 'authmatrix-admin' };
    case 'iamRole':
      return { kind: 'iam', principal: 'other', roleName: p.roleName ?? 'authmatrix-role', policies: p.policies ?? [] };
    case 'owner':
    case 'stranger':
    case 'groupMember':
      return userPoolIdentity(username, groups, p.claims, p.tokenUse);
    case 'oidcUser':
    case 'oidcStranger':
    case 'oidcGroupMember':
      return oidcIdentity(model, username, groups, p.claims);
    case 'lambdaAllowed':
      return { kind: 'lambda', authorized: true, ...(p.deniedFields?.length ? { deniedFields: p.deniedFields } : {}) };
    case 'lambdaDenied':
      return { kind: 'lambda', authorized: false };
    case 'restApiKey':
    case 'restToken':
    case 'appClient':
      return { kind: 'anonymous' };
    case 'functionRole':
      return { kind: 'iam', principal: 'other', roleName: `function:${username}`, policies: [] };
  }
}

/** A persona as `authmatrix.config.ts` changes or adds it (harness/config.ts reads the file). */
export interface PersonaOverride {
  /** Required for a new persona; an existing one keeps its kind. */
  kind?: PersonaKind;
  username?: string;
  groups?: string[];
  /** Extra token claims (emulated target) or user attributes (deployed user pools). */
  claims?: Record<string, unknown>;
  /** User-pool personas send the access token by default, as aws-amplify does. */
  tokenUse?: 'id' | 'access';
  /** Lambda personas: the token; OIDC personas: a fixed token for a deployed IdP. */
  token?: string;
  /** Lambda personas: the fields the authorizer denies this token (when its handler cannot be run). */
  deniedFields?: string[];
  /** Headers every request of this persona carries. */
  headers?: Record<string, string>;
  /** IAM admin or IAM role persona on a deployed target: a named AWS profile instead of the default chain. */
  profile?: string;
  /** iamRole: the role's name. */
  roleName?: string;
  /** iamRole on a deployed target: a role to assume. */
  roleArn?: string;
  /** iamRole: its identity-based policies; `appsync:GraphQL` resources name the API with wildcards for region, account and API id. */
  policies?: PolicyDocument[];
  /** appClient on a deployed target: its client id and secret, and the user pool domain's token endpoint. */
  clientCredentials?: ClientCredentials;
}

/**
 * The default cast with the config's overrides: a persona can be dropped (`false`), changed (username,
 * groups, claims, token use, Lambda token, headers) or added (a new name with a `kind`).
 */
export function castWith(model: AuthModel, overrides: Record<string, PersonaOverride | false> | undefined): Persona[] {
  const cast = defaultCast(model);
  for (const [name, o] of Object.entries(overrides ?? {})) {
    const i = cast.findIndex((p) => p.name === name);
    if (o === false) {
      if (i >= 0) cast.splice(i, 1);
      continue;
    }
    const base: Persona | undefined = cast[i];
    const kind = o.kind ?? base?.kind;
    const renamed = renamedPersona(name);
    if (!kind && renamed) throw new InputError(`persona "${name}" is now called "${renamed}" (the member of the group dynamic-group fixtures name, ${dynamicGroupName(model)})`, undefined, `rename it to "${renamed}" in authmatrix.config.ts`);
    if (kind === 'appClient' && !base?.appClient) throw new InputError(`persona "${name}" is not one of the user pool's client-credentials app clients`, undefined, `configure the app client's own persona (${cast.filter((p) => p.kind === 'appClient').map((p) => `"${p.name}"`).join(', ') || 'the app has none'})`);
    if (!kind) throw new InputError(`persona "${name}" is new and needs a kind`, undefined, `personas: { "${name}": { kind: "groupMember", groups: ["…"] } }`);
    const merged: Omit<Persona, 'identity'> = {
      name,
      kind,
      description: base?.description ?? `${kind} persona from the config`,
      ...(base?.username || o.username ? { username: o.username ?? base!.username! } : {}),
      ...(o.groups ?? base?.groups ? { groups: o.groups ?? base?.groups } : {}),
      ...(o.claims ?? base?.claims ? { claims: { ...base?.claims, ...o.claims } } : {}),
      ...(o.tokenUse ?? base?.tokenUse ? { tokenUse: o.tokenUse ?? base?.tokenUse } : {}),
      ...(o.token ?? base?.token ? { token: o.token ?? base?.token } : {}),
      ...(!o.token && base?.standIn ? { standIn: true as const } : {}),
      ...(o.headers ?? base?.headers ? { headers: { ...base?.headers, ...o.headers } } : {}),
      ...(o.profile ? { profile: o.profile } : {}),
      ...(o.roleName ?? base?.roleName ? { roleName: o.roleName ?? base?.roleName } : {}),
      ...(o.roleArn ? { roleArn: o.roleArn } : {}),
      ...(o.policies ?? base?.policies ? { policies: o.policies ?? base?.policies } : {}),
      ...(base?.appClient ? { appClient: base.appClient } : {}),
      ...(o.clientCredentials ? { clientCredentials: o.clientCredentials } : {}),
    };
    const persona: Persona = { ...merged, identity: identityOf(model, { ...merged, ...(o.deniedFields ? { deniedFields: o.deniedFields } : {}) }) };
    if (i >= 0) cast[i] = persona;
    else cast.push(persona);
  }
  return cast;
}
