/**
 * The auth functions of the generated resolvers, one per operation, following the transformer's VTL:
 * a block per provider, static roles first, then owner and dynamic-group roles that either authorize,
 * add allowed fields, or contribute to an auth filter. They throw `Unauthorized` / `FieldsUnauthorized`.
 */
import type { ModelOperation, TransformParams } from '../../../schema/model.js';
import type { AuthContext } from '../authenticate.js';
import { Answer } from '../errors.js';
import type { Filter, Item } from '../filters.js';
import type { Acm, AcmRole, RecordRole, RoleProvider, StaticGroupRole, StaticRole } from './acm.js';

/** `$util.unauthorized()`: the resolver layer turns it into "Not Authorized to access <field> on type <Type>". */
export class Unauthorized extends Answer {
  constructor() {
    super('Unauthorized');
    this.name = 'Unauthorized';
  }
}

/** `$util.error("Unauthorized on [a, b]", "Unauthorized")`. */
export class FieldsUnauthorized extends Answer {
  constructor(readonly fields: string[]) {
    super(`Unauthorized on [${fields.join(', ')}]`);
    this.name = 'FieldsUnauthorized';
  }
}

/** What the `init` slot stashes for IAM checks. */
export interface IamStash {
  authRole: string;
  unauthRole: string;
  identityPoolId: string | null;
  adminRoles: string[];
}

export interface AuthEnv {
  auth: AuthContext;
  iam: IamStash;
  params: TransformParams;
}

const MODE_PROVIDER: Record<AuthContext['mode'], RoleProvider> = { apiKey: 'apiKey', userPool: 'userPools', oidc: 'oidc', iam: 'iam', lambda: 'function' };

function claims(env: AuthEnv): Record<string, unknown> {
  return env.auth.mode === 'userPool' || env.auth.mode === 'oidc' ? env.auth.identity.claims : {};
}

/** The caller's owner claim: every `::` part must be present (`username` falls back to `cognito:username`). */
function ownerClaim(env: AuthEnv, identityClaim: string): { ownerClaim: string; ownerClaimsList: string[] } | null {
  const c = claims(env);
  const parts: string[] = [];
  for (const name of identityClaim.split('::')) {
    const v = c[name] ?? (name === 'username' ? c['cognito:username'] : undefined);
    if (v === undefined || v === null) return null;
    parts.push(String(v));
  }
  return { ownerClaim: parts.join('::'), ownerClaimsList: parts.length > 1 ? parts : [] };
}

function ownsValue(claim: { ownerClaim: string; ownerClaimsList: string[] }, v: unknown): boolean {
  return v === claim.ownerClaim || (typeof v === 'string' && claim.ownerClaimsList.includes(v));
}

/** Whether a record's owner field (one value or a list) names the caller. */
function ownsEntity(claim: { ownerClaim: string; ownerClaimsList: string[] }, entity: unknown): boolean {
  return Array.isArray(entity) ? entity.some((e) => ownsValue(claim, e)) : ownsValue(claim, entity);
}

/** Whether a record's group field (one group or a list) names one of the caller's groups. */
function inGroupEntity(groups: string[], entity: unknown): boolean {
  return groups.some((g) => (Array.isArray(entity) ? entity.includes(g) : entity === g));
}

const isRecordRole = (r: AcmRole): r is RecordRole => !r.static;
const isOwner = (r: AcmRole): r is RecordRole & { strategy: 'owner' } => r.strategy === 'owner';
const isDynamicGroup = (r: AcmRole): r is RecordRole & { strategy: 'groups' } => !r.static && r.strategy === 'groups';
const isStaticGroup = (r: AcmRole): r is StaticGroupRole => r.static && r.strategy === 'groups';

/** The record's owner or group field, an empty list or null when it has none. */
const entityIn = (record: Item, role: RecordRole): unknown => record[role.field] ?? (role.isList ? [] : null);

/** An owner or dynamic-group role holds when the record's field names the caller or one of its groups. */
function holdsDynamic(env: AuthEnv, role: RecordRole, record: Item): boolean {
  const entity = record[role.field];
  if (role.strategy !== 'owner') return inGroupEntity(callerGroups(env, role.claim), entity);
  const claim = ownerClaim(env, role.claim);
  return !!claim && ownsEntity(claim, entity);
}

/**
 * Cognito/OIDC writes: the private role first, then static groups in rule order, stopping at a full
 * grant (a partial one adds its fields through `grant`).
 */
function grantStatic(roles: AcmRole[], env: AuthEnv, grant: (role: AcmRole) => boolean): boolean {
  const priv = roles.find((r) => r.strategy === 'private');
  let authorized = priv ? grant(priv) : false;
  for (const role of roles.filter(isStaticGroup)) {
    if (authorized) break;
    if (inStaticGroup(env, role)) authorized = grant(role);
  }
  return authorized;
}

/** Static groups: `claims.get(groupClaim, []).contains(group)` (a string claim is a substring test). */
function inStaticGroup(env: AuthEnv, role: StaticGroupRole): boolean {
  const raw = claims(env)[role.claim];
  if (Array.isArray(raw)) return raw.includes(role.group);
  if (typeof raw === 'string') return raw.includes(role.group);
  return false;
}

/** Dynamic groups: a JSON list in a string is parsed, a plain string is one group. */
function callerGroups(env: AuthEnv, claim: string): string[] {
  const raw = claims(env)[claim];
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // a single group
    }
    return [raw];
  }
  return Array.isArray(raw) ? raw.map(String) : [];
}

/**
 * The read filter of a list-typed groups field iterates the claim as it is (`#foreach` over
 * `$ctx.identity.claims.get(claim)`, query.ts generateAuthFilter): only a list claim yields groups; Velocity does not
 * iterate a string, so a JSON-encoded list or a single group in a string yields none. Empty names are skipped.
 */
function iteratedGroups(env: AuthEnv, claim: string): string[] {
  const raw = claims(env)[claim];
  return Array.isArray(raw) ? raw.map(String).filter((g) => g !== '') : [];
}

// ---- IAM ---------------------------------------------------------------------------------------

/**
 * Authorized before any rule, as the generated IAM expression runs: generic IAM access first (a principal
 * outside the identity pool), else an admin role (`userArn` contains an `adminRoles` name and is neither
 * pool role). `acm`: the model's rules; the admin check lives in their auth resolver, so a model without
 * rules lets no admin through.
 */
export function iamBypass(env: AuthEnv, acm?: Acm): boolean {
  if (env.auth.mode !== 'iam') return false;
  const id = env.auth.identity;
  if (env.params.genericIamAccess && id.cognitoIdentityPoolId === null && id.cognitoIdentityId === null) return true;
  return (!acm || acm.roles.length > 0) && adminRole(env);
}

/**
 * A model without any rule has no auth step: its resolvers run the model transformer's sandbox check instead, which
 * lets an API-key caller through when sandbox mode is on (amplify-graphql-model-transformer `resolvers/common.ts`,
 * docs/semantics.md "Gen 1 admin roles pass only where rules exist").
 */
export function sandboxPass(env: AuthEnv, acm: Acm): boolean {
  return env.auth.mode === 'apiKey' && env.params.sandboxMode && acm.roles.length === 0;
}

/** A Gen 1 admin role outside generic access: its field resolvers return the stored value (no mutation redaction). */
export function adminRole(env: AuthEnv): boolean {
  if (env.auth.mode !== 'iam') return false;
  const id = env.auth.identity;
  if (env.params.genericIamAccess && id.cognitoIdentityPoolId === null && id.cognitoIdentityId === null) return false;
  return env.iam.adminRoles.some((r) => id.userArn.includes(r) && id.userArn !== env.iam.authRole && id.userArn !== env.iam.unauthRole);
}

function iamRoleMatches(env: AuthEnv, role: AcmRole, exactRoleOnly = false): boolean {
  if (env.auth.mode !== 'iam') return false;
  const id = env.auth.identity;
  if (role.strategy === 'public') return id.userArn === env.iam.unauthRole;
  if (id.userArn === env.iam.authRole) return true;
  return !exactRoleOnly && env.iam.identityPoolId !== null && id.cognitoIdentityPoolId === env.iam.identityPoolId && id.cognitoIdentityAuthType === 'authenticated';
}

function rolesForCaller(roles: AcmRole[], env: AuthEnv): AcmRole[] {
  const provider = MODE_PROVIDER[env.auth.mode];
  return roles.filter((r) => r.provider === provider);
}

/** A static role the caller holds (provider already matched). */
function holdsStatic(env: AuthEnv, role: StaticRole): boolean {
  switch (role.strategy) {
    case 'public':
    case 'private':
      return role.provider === 'iam' ? iamRoleMatches(env, role) : true;
    case 'custom':
      return true;
    case 'groups':
      return inStaticGroup(env, role);
  }
}

// ---- queries (get, list, index queries, relations) ----------------------------------------------

export interface QueryAuth {
  authorized: boolean;
  /** The filter rows must pass when not authorized outright. */
  filter: Filter | null;
  /** Key arguments the auth step pinned to the caller (an owner sort key left out of the query). */
  pinned?: Item;
}

/**
 * The key a query reads through, as the auth step sees it: the attributes of the table's or index's key schema
 * (a sort key over several fields is one composite attribute, so none of them counts) and the query's arguments.
 */
export interface QueryKey {
  partitionKey: string;
  /** The single sort key field, when there is exactly one. */
  sortKey?: string;
  args: Item;
  index: boolean;
}

export function authorizeRead(acm: Acm, env: AuthEnv, ops: readonly ModelOperation[], key?: QueryKey): QueryAuth {
  const start = readRoles(acm, env, ops);
  if (start.authorized) return { authorized: true, filter: null };
  const { roles } = start;
  const keyFields = key ? [key.partitionKey, ...(key.sortKey ? [key.sortKey] : [])] : [];
  const all = filterEntries(env, roles.filter((r) => !keyFields.includes(r.field)));
  if (key) {
    const keyed = keyedRead(env, roles.filter((r) => keyFields.includes(r.field)), key, all);
    if (keyed) return keyed;
  }
  if (!all.length) throw new Unauthorized();
  return { authorized: false, filter: { or: all } };
}

/** The owner and dynamic-group roles a read depends on, unless the caller's mode or a static rule authorizes it outright. */
function readRoles(acm: Acm, env: AuthEnv, ops: readonly ModelOperation[]): { authorized: true } | { authorized: false; roles: RecordRole[] } {
  if (iamBypass(env, acm) || sandboxPass(env, acm)) return { authorized: true };
  const roles = rolesForCaller(acm.roles.filter((r) => ops.some((op) => acm.rolesFor(op).includes(r))), env);
  const statics = roles.filter((r): r is StaticRole => r.static);
  const priv = statics.find((r) => r.strategy === 'private');
  if (priv && holdsStatic(env, priv)) return { authorized: true };
  if (statics.some((r) => r.strategy !== 'private' && holdsStatic(env, r))) return { authorized: true };
  return { authorized: false, roles: roles.filter(isRecordRole) };
}

/** The auth filter's entries for owner and dynamic-group roles (query.ts generateAuthFilter). */
function filterEntries(env: AuthEnv, roles: RecordRole[]): Filter[] {
  const entries: Filter[] = [];
  const listGroupEntries: Filter[] = [];
  for (const role of roles) {
    if (role.strategy === 'owner') {
      const c = claims(env);
      const parts = role.claim.split('::').map((n) => c[n] ?? (n === 'username' ? c['cognito:username'] : undefined));
      const values: string[] = [];
      if (parts.every((p) => p !== undefined && p !== null)) values.push(parts.map(String).join('::'));
      if (parts.length > 1) for (const p of parts) if (p !== undefined && p !== null) values.push(String(p));
      const op = role.isList ? 'contains' : 'eq';
      for (const v of values) entries.push({ [role.field]: { [op]: v } });
    } else {
      if (role.isList) {
        for (const g of iteratedGroups(env, role.claim)) listGroupEntries.push({ [role.field]: { contains: g } });
        continue;
      }
      const groups = callerGroups(env, role.claim);
      if (groups.length) entries.push({ [role.field]: { in: groups } });
    }
  }
  return [...entries, ...listGroupEntries];
}

export interface RelationAuth extends QueryAuth {
  /** Key fields of the related records read with the caller's own claim instead of the source record's value. */
  replaced: Item;
}

/**
 * A relation read (query.ts generateAuthExpressionForRelationQuery). Owner roles whose field is one of the related
 * key fields the source record fills (`keys`: related field → the source's value) are left out of the filter; when
 * no static rule authorizes the caller, such a role authorizes the read outright if the source value is the caller's
 * claim (whole or a part), clearing any filter; otherwise, if no other role built a filter, the key field is read
 * with the caller's own whole claim instead (generateAuthOnRelationalModelQueryExpression, via
 * ctx.stash.connectionAttributes).
 */
export function authorizeRelationRead(acm: Acm, env: AuthEnv, ops: readonly ModelOperation[], keys: ReadonlyMap<string, unknown>): RelationAuth {
  const start = readRoles(acm, env, ops);
  if (start.authorized) return { authorized: true, filter: null, replaced: {} };
  const keyed = start.roles.filter((r) => r.strategy === 'owner' && keys.has(r.field));
  const all = filterEntries(env, start.roles.filter((r) => !keyed.includes(r)));
  let filter: Filter | null = all.length ? { or: all } : null;
  let authorized = false;
  const replaced: Item = {};
  for (const role of keyed) {
    const claim = ownerClaim(env, role.claim);
    if (!claim) continue;
    const source = keys.get(role.field);
    if (source !== undefined && source !== null && ownsValue(claim, source)) {
      authorized = true;
      filter = null;
    } else if (!authorized && filter === null) {
      replaced[role.field] = claim.ownerClaim;
      authorized = true;
    }
  }
  if (!authorized && filter === null) throw new Unauthorized();
  return { authorized, filter, replaced };
}

/**
 * Owner and dynamic-group roles whose field is part of the key being queried (query.ts
 * generateAuthOnModelQueryExpression): an argument naming the caller (the whole claim or one of its parts) authorizes
 * the query outright, without any filter; an argument naming anyone else authorizes nothing (Unauthorized unless
 * another rule built a filter). Left out, the caller's claim takes its place: as a sort-key condition (`eq` the last
 * claim value) for an index query, or for a table query with its partition key; as filter entries for a scan.
 */
function keyedRead(env: AuthEnv, roles: RecordRole[], key: QueryKey, others: Filter[]): QueryAuth | null {
  const absent = new Map<string, string[]>();
  for (const role of roles) {
    const claim = keyClaim(env, role);
    if (!claim) continue;
    const arg = key.args[role.field];
    if (arg === undefined || arg === null) {
      absent.set(role.field, claim);
      continue;
    }
    const eq = typeof arg === 'string' ? arg : (arg as Item).eq ?? null;
    const named = Array.isArray(eq) ? eq.length > 0 && eq.every((v) => claim.includes(String(v))) : typeof eq === 'string' && claim.includes(eq);
    if (named) return { authorized: true, filter: null };
  }
  if (!absent.size) return null;
  if (key.index) {
    if (others.length) return null;
    const pinned: Item = {};
    for (const [field, claim] of absent) pinned[field] = field === key.sortKey ? { eq: claim.at(-1) ?? null } : claim;
    return { authorized: true, filter: null, pinned };
  }
  if (key.args[key.partitionKey] === undefined || key.args[key.partitionKey] === null) {
    const entries = [...absent].map(([field, claim]) => ({ [field]: { in: claim } }));
    return { authorized: false, filter: { or: [...others, ...entries] } };
  }
  if (others.length) return null;
  const pinned: Item = {};
  for (const [field, claim] of absent) pinned[field] = { eq: claim.at(-1) ?? null };
  return { authorized: true, filter: null, pinned };
}

/**
 * The values a key-field role accepts for the caller: for an owner, the claim's parts then the whole claim
 * (`[sub, username, "sub::username"]`); for a group, the groups (a JSON list in a string parsed). Null when a claim
 * part is missing.
 */
function keyClaim(env: AuthEnv, role: RecordRole): string[] | null {
  if (role.strategy === 'groups') {
    const raw = claims(env)[role.claim];
    return raw === undefined || raw === null ? null : callerGroups(env, role.claim);
  }
  const claim = ownerClaim(env, role.claim);
  return claim ? [...claim.ownerClaimsList, claim.ownerClaim] : null;
}

// ---- create ------------------------------------------------------------------------------------

/** Authorizes a create and fills owner fields into `input` as the resolver does. */
export function authorizeCreate(acm: Acm, env: AuthEnv, input: Item): void {
  if (iamBypass(env, acm) || sandboxPass(env, acm)) return;
  const inputFields = Object.keys(input);
  const roles = rolesForCaller(acm.rolesFor('create'), env);
  const allowed = new Set<string>();
  let authorized = false;
  const grant = (role: AcmRole): boolean => {
    const fields = acm.resourcesFor(role, 'create');
    if (fields.length === acm.resources.length) return true;
    fields.forEach((f) => allowed.add(f));
    return false;
  };
  switch (env.auth.mode) {
    case 'apiKey':
    case 'lambda': {
      const [role] = roles;
      if (!role) throw new Unauthorized();
      authorized = grant(role);
      break;
    }
    case 'iam':
      if (!roles.length) throw new Unauthorized();
      for (const role of roles) {
        if (authorized) break;
        const partial = acm.resourcesFor(role, 'create').length < acm.resources.length;
        if (iamRoleMatches(env, role, partial)) authorized = grant(role);
      }
      break;
    default: {
      authorized = grantStatic(roles, env, grant);
      for (const role of roles.filter(isOwner)) {
        const claim = ownerClaim(env, role.claim);
        if (!claim) continue;
        const field = role.field;
        const fill = role.isList ? [claim.ownerClaim] : claim.ownerClaim;
        const present = Object.prototype.hasOwnProperty.call(input, field);
        if (env.params.populateOwnerFieldForStaticGroupAuth && authorized && !present) input[field] = fill;
        if (authorized) continue;
        const entity = input[field];
        if (ownsEntity(claim, entity)) authorized = grant(role);
        if (!authorized && (entity === undefined || entity === null) && !present) {
          input[field] = fill;
          authorized = grant(role);
        }
      }
      for (const role of roles.filter(isDynamicGroup)) {
        if (authorized) break;
        if (inGroupEntity(callerGroups(env, role.claim), entityIn(input, role))) authorized = grant(role);
      }
    }
  }
  if (authorized) return;
  if (!allowed.size) throw new Unauthorized();
  const denied = inputFields.filter((f) => !allowed.has(f));
  if (denied.length) throw new FieldsUnauthorized(denied);
}

// ---- update ------------------------------------------------------------------------------------

/** Authorizes an update against the stored record (null when missing). */
export function authorizeUpdate(acm: Acm, env: AuthEnv, input: Item, stored: Item | null): void {
  if (iamBypass(env, acm) || sandboxPass(env, acm)) return;
  const roles = rolesForCaller(acm.roles.filter((r) => acm.rolesFor('update').includes(r) || acm.rolesFor('delete').includes(r)), env);
  const allowed = new Set<string>();
  const nullAllowed = new Set<string>();
  let authorized = false;
  const grant = (role: AcmRole): boolean => {
    const upd = acm.resourcesFor(role, 'update');
    const del = acm.resourcesFor(role, 'delete');
    if (upd.length === acm.resources.length && del.length === acm.resources.length) return true;
    upd.forEach((f) => allowed.add(f));
    allowed.add(acm.model.primaryKey.partitionKey);
    del.forEach((f) => nullAllowed.add(f));
    return false;
  };
  if (env.auth.mode === 'apiKey' || env.auth.mode === 'lambda') {
    const [role] = roles;
    if (!role) throw new Unauthorized();
    authorized = grant(role);
  } else if (env.auth.mode === 'iam') {
    if (!roles.length) throw new Unauthorized();
    for (const role of roles) if (!authorized && iamRoleMatches(env, role)) authorized = grant(role);
  } else {
    authorized = grantStatic(roles, env, grant);
    for (const role of roles.filter(isOwner)) {
      if (authorized) break;
      const claim = ownerClaim(env, role.claim);
      if (!claim || !stored) continue;
      if (ownsEntity(claim, entityIn(stored, role))) authorized = grant(role);
    }
    for (const role of roles.filter(isDynamicGroup)) {
      if (authorized || !stored) break;
      if (inGroupEntity(callerGroups(env, role.claim), entityIn(stored, role))) authorized = grant(role);
    }
  }
  if (authorized) return;
  if (!allowed.size && !nullAllowed.size) throw new Unauthorized();
  const denied: string[] = [];
  for (const [k, v] of Object.entries(input)) if (v === null && !nullAllowed.has(k)) denied.push(k);
  for (const k of Object.keys(input)) if (!allowed.has(k) && !denied.includes(k)) denied.push(k);
  if (denied.length) throw new FieldsUnauthorized(denied);
}

// ---- delete ------------------------------------------------------------------------------------

export function authorizeDelete(acm: Acm, env: AuthEnv, stored: Item | null): void {
  if (iamBypass(env, acm) || sandboxPass(env, acm)) return;
  const roles = rolesForCaller(acm.rolesFor('delete', true), env);
  if (!roles.length) throw new Unauthorized();
  if (env.auth.mode === 'apiKey' || env.auth.mode === 'lambda') return;
  if (env.auth.mode === 'iam') {
    if (roles.some((r) => iamRoleMatches(env, r))) return;
    throw new Unauthorized();
  }
  if (roles.some((r) => r.static && holdsStatic(env, r))) return;
  if (stored && roles.some((r) => !r.static && holdsDynamic(env, r, stored))) return;
  throw new Unauthorized();
}

// ---- field reads -------------------------------------------------------------------------------

/**
 * Fields that get their own auth resolver: some role that can `get` the model cannot read them (after
 * the private role of a provider that reads the field fully stands in for that provider's other roles).
 * Returns, per such field, the roles allowed to read it.
 */
export function restrictedFields(acm: Acm): Map<string, AcmRole[]> {
  const READ: ModelOperation[] = ['get', 'list', 'listen', 'sync', 'search'];
  const readRoles = acm.rolesFor('get');
  const out = new Map<string, AcmRole[]>();
  for (const field of acm.resources) {
    let compared = readRoles;
    for (const provider of ['userPools', 'oidc'] as const) {
      const priv = compared.find((r) => r.provider === provider && r.strategy === 'private');
      if (priv && READ.every((op) => acm.isAllowed(priv, field, op))) compared = compared.filter((r) => r === priv || r.provider !== provider);
    }
    const allowedRoles = compared.filter((r) => READ.some((op) => acm.isAllowed(r, field, op)));
    if (allowedRoles.length < compared.length) out.set(field, allowedRoles);
  }
  return out;
}

/** The field resolver's check: may this caller read this field of this record? */
export function canReadField(env: AuthEnv, allowedRoles: AcmRole[], source: Item): boolean {
  if (iamBypass(env)) return true;
  const roles = rolesForCaller(allowedRoles, env);
  if (env.auth.mode === 'apiKey' || env.auth.mode === 'lambda') return roles.length > 0;
  if (env.auth.mode === 'iam') return roles.some((r) => iamRoleMatches(env, r));
  return roles.some((r) => (r.static ? holdsStatic(env, r) : holdsDynamic(env, r, source)));
}

// ---- subscriptions -----------------------------------------------------------------------------

export interface SubscriptionAuth {
  /** A runtime filter events must pass (from dynamic rules), or null for every event. */
  filter: Filter | null;
}

/** The subscription resolver at `start`: throws when refused; owner arguments are checked here. */
export function authorizeSubscription(acm: Acm, env: AuthEnv, args: Record<string, unknown>): SubscriptionAuth {
  // The response template turns a non-empty `filter` argument into an enhanced filter for every caller.
  const clientFilter = args.filter && typeof args.filter === 'object' && Object.keys(args.filter).length ? (args.filter as Filter) : null;
  if (iamBypass(env, acm) || sandboxPass(env, acm)) return { filter: clientFilter };
  const roles = rolesForCaller(acm.rolesFor('listen'), env);
  if (env.auth.mode === 'apiKey' || env.auth.mode === 'lambda') {
    if (!roles.length) throw new Unauthorized();
    return { filter: clientFilter };
  }
  if (env.auth.mode === 'iam') {
    if (roles.some((r) => iamRoleMatches(env, r))) return { filter: clientFilter };
    throw new Unauthorized();
  }
  let authorized = roles.some((r) => r.static && holdsStatic(env, r));
  let validOwnerArgument = false;
  const ownerEntries: Filter[] = [];
  const groupEntries: Filter[] = [];
  for (const role of roles.filter(isOwner)) {
    const claim = ownerClaim(env, role.claim);
    if (!claim) continue;
    // The payload shows the username segment of a composite owner value.
    const shown = claim.ownerClaimsList.at(-1) ?? claim.ownerClaim;
    ownerEntries.push({ [role.field]: { [role.isList ? 'contains' : 'eq']: shown } });
    const arg = args[role.field];
    if (!authorized && typeof arg === 'string' && arg !== '') {
      if (arg === claim.ownerClaim || claim.ownerClaimsList.includes(arg)) {
        authorized = true;
        validOwnerArgument = true;
      } else throw new Unauthorized();
    }
  }
  for (const role of roles.filter(isDynamicGroup)) {
    const groups = callerGroups(env, role.claim);
    if (groups.length) groupEntries.push({ [role.field]: { [role.isList ? 'containsAny' : 'in']: groups } });
  }
  const runtime = [...ownerEntries, ...groupEntries];
  if (validOwnerArgument && runtime.length === 1 && !clientFilter) return { filter: null };
  if ((!authorized || validOwnerArgument) && runtime.length) {
    return { filter: clientFilter ? { and: [{ or: runtime }, clientFilter] } : { or: runtime } };
  }
  if (!authorized) throw new Unauthorized();
  return { filter: clientFilter };
}
