/**
 * The storage oracle: what a deployed Amplify bucket decides for a caller, an action and a key (or a list
 * prefix), from the rules as declared. A decision table, not IAM: it never reads the compiled policies
 * (harness/schema/storage/compile.ts); the emulator does, and the matrix compares the two.
 *
 * The semantics, with their sources, are in docs/storage.md:
 * - every persona acts through exactly one role: guests the unauthenticated role, signed-in users the
 *   authenticated role, members of groups the role of their first group by precedence (never the
 *   authenticated role too), functions their own role;
 * - an owner rule (`{entity_id}`) covers only the caller's own identity id; any other rule on such a path
 *   covers every identity's folder;
 * - (gen2) a declared path takes nothing from the path enclosing it: inside it, a role keeps an action of
 *   the enclosing path only if the inner path grants it too. An owner path does not take away what the
 *   same path grants to everyone else; a path with no grants at all takes nothing away;
 * - a list request is judged by its prefix exactly as an object by its key; an empty prefix is never
 *   covered, and a listing returns every key under the prefix, inner paths' keys included.
 */
import type { Decision } from './decide.js';
import {
  ENTITY_TOKEN,
  roleKey,
  roleOf,
  type StorageAction,
  type StorageBucket,
  type StorageGrant,
  type StoragePrincipal,
  type StorageRole,
  type StorageSection,
} from '../schema/storage/model.js';

/** Who is calling, as S3 sees it. */
export type StorageCaller =
  /** No credentials at all: an unsigned request. */
  | { kind: 'anonymous' }
  /** An identity-pool identity: a guest (unauthenticated) or a signed-in user, with its user-pool groups. */
  | { kind: 'identity'; authenticated: boolean; identityId: string; groups: string[] }
  /** A function's execution role (`allow.resource(fn)`). */
  | { kind: 'function'; name: string }
  /**
   * An IAM principal outside the identity pool. Amplify attaches no storage policy to it: it reaches the
   * buckets only if its own policy says so (`bucketAccess: 'full'`, e.g. an administrator's profile).
   */
  | { kind: 'admin'; roleName: string; bucketAccess: 'none' | 'full' };

export type StorageRequest =
  | { action: 'get' | 'write' | 'delete'; bucket: string; key: string }
  | { action: 'list'; bucket: string; prefix: string }
  /** Multipart housekeeping Amplify never grants: s3:AbortMultipartUpload, s3:ListMultipartUploadParts. */
  | { action: 'abortMultipart' | 'listParts'; bucket: string; key: string }
  /** CopyObject: reads the source and writes the destination. */
  | { action: 'copy'; bucket: string; key: string; source: { bucket: string; key: string } };

export interface StorageFacts {
  storage: StorageSection;
  /** User-pool groups, lowest precedence first (a member of several gets the first one's role). */
  groupPrecedence: string[];
  /** The identity pool hands out guest identities. */
  allowGuests: boolean;
}

const allow = (rule: string | null, reason: string): Decision => ({ outcome: 'allow', rule, reason });
const deny = (rule: string | null, reason: string): Decision => ({ outcome: 'deny', rule, reason });

export function decideStorage(facts: StorageFacts, caller: StorageCaller, req: StorageRequest): Decision {
  if (caller.kind === 'anonymous') return deny(null, 'denied: the request carries no credentials, and no bucket policy lets anonymous callers in');
  if (caller.kind === 'identity' && !caller.authenticated && !facts.allowGuests) {
    return deny(null, 'denied: the identity pool does not hand out guest identities, so a guest has no credentials');
  }
  if (caller.kind === 'admin') {
    return caller.bucketAccess === 'full'
      ? allow(null, `allowed: ${caller.roleName} is an IAM principal outside the identity pool whose own policy gives it the bucket; no storage rule applies to it`)
      : deny(null, `denied: ${caller.roleName} is an IAM principal outside the identity pool, and Amplify attaches no storage policy to it (its own policy does not cover the bucket)`);
  }
  const bucket = facts.storage.buckets.find((b) => b.name === req.bucket);
  if (!bucket) return deny(null, `denied: the app has no bucket ${req.bucket}`);
  if (req.action === 'abortMultipart' || req.action === 'listParts') {
    const what = req.action === 'abortMultipart' ? 's3:AbortMultipartUpload' : 's3:ListMultipartUploadParts';
    return deny(null, `denied: Amplify never grants ${what}; no storage rule covers it`);
  }
  if (req.action === 'copy') {
    const read = decideStorage(facts, caller, { action: 'get', bucket: req.source.bucket, key: req.source.key });
    if (read.outcome === 'deny') return { ...read, reason: `denied: the copy reads ${req.source.key}, and ${read.reason.replace(/^denied: /, '')}` };
    const write = decideStorage(facts, caller, { action: 'write', bucket: req.bucket, key: req.key });
    if (write.outcome === 'deny') return { ...write, reason: `denied: the copy writes ${req.key}, and ${write.reason.replace(/^denied: /, '')}` };
    return allow(write.rule, `allowed: the caller may read ${req.source.key} (${read.rule}) and write ${req.key} (${write.rule})`);
  }
  const role = callerRole(facts, caller);
  const target = req.action === 'list' ? req.prefix : req.key;
  return decideOnPaths(bucket, role, caller, req.action, target);
}

/** The one role the caller acts through, and how it got it. */
interface ActingRole {
  role: StorageRole;
  /** `members of Admin get the Admin group's role`, for reasons. */
  how: string;
  identityId?: string;
}

function callerRole(facts: StorageFacts, caller: Exclude<StorageCaller, { kind: 'anonymous' } | { kind: 'admin' }>): ActingRole {
  if (caller.kind === 'function') return { role: { kind: 'function', name: caller.name }, how: `function ${caller.name} acts through its own role` };
  if (!caller.authenticated) return { role: { kind: 'unauth' }, how: 'a guest acts through the unauthenticated role', identityId: caller.identityId };
  const group = facts.groupPrecedence.find((g) => caller.groups.includes(g));
  if (group) {
    const also = caller.groups.length > 1 ? ` (its first group by precedence among ${caller.groups.join(', ')})` : '';
    return { role: { kind: 'group', group }, how: `members of ${group} get the ${group} group's role${also}, not the authenticated role`, identityId: caller.identityId };
  }
  return { role: { kind: 'auth' }, how: 'a signed-in user acts through the authenticated role', identityId: caller.identityId };
}

/** A grant as it applies to keys: the prefix it covers for this caller (null: it covers nothing for it). */
interface Reach {
  grant: StorageGrant;
  path: string;
  /** The keys it covers start with this; owner rules use the caller's own identity id. */
  prefix: string | null;
}

/** What a declared path covers, independent of the caller: `media/{entity_id}/*` covers `media/` for non-owners. */
function sharedPrefix(path: string): string {
  const i = path.indexOf(ENTITY_TOKEN);
  return i >= 0 ? path.slice(0, i) : path.slice(0, -1);
}

/** Whether a grant is scoped to the caller's own folder: an owner rule on a path with `{entity_id}` (elsewhere it has nothing to substitute). */
const ownFolder = (path: string, g: StorageGrant): boolean => g.principal.kind === 'owner' && path.includes(ENTITY_TOKEN);

function reachOf(path: string, g: StorageGrant, identityId: string | undefined): Reach {
  if (!ownFolder(path, g)) return { grant: g, path, prefix: sharedPrefix(path) };
  return { grant: g, path, prefix: identityId ? `${sharedPrefix(path)}${identityId}/` : null };
}

const sameRole = (a: StorageRole, b: StorageRole) => roleKey(a) === roleKey(b);

function decideOnPaths(bucket: StorageBucket, acting: ActingRole, caller: StorageCaller, action: StorageAction, target: string): Decision {
  const reaches = bucket.paths.flatMap(({ path, grants }) => grants.filter((g) => g.actions.length).map((g) => reachOf(path, g, acting.identityId)));
  const covering = reaches.filter((r) => r.prefix !== null && target.startsWith(r.prefix));
  const mine = covering.filter((r) => sameRole(roleOf(r.grant.principal), acting.role) && r.grant.actions.includes(action));
  const what = `${action} ${where(action, target)}`;
  if (bucket.flavor === 'gen2') {
    const overriding = overridingPath(bucket, target, acting, action);
    if (overriding) return overriding;
  }
  if (mine.length) {
    // The most specific grant is the one a reader looks for.
    const g = [...mine].sort((a, b) => b.prefix!.length - a.prefix!.length)[0]!;
    return allow(g.grant.id, `allowed by rule ${g.grant.id}: ${who(g.grant.principal)} may ${action} under ${g.path}; ${acting.how}`);
  }
  return notGranted(bucket, reaches, covering, acting, caller, action, target, what);
}

/**
 * Gen 2 overrides: for the target, the declared paths that cover it (as Amplify nests them, on the
 * substituted form of each path) where an inner path takes away an action its enclosing path granted to
 * this role. Returns the denial, or null when no override applies.
 */
function overridingPath(bucket: StorageBucket, target: string, acting: ActingRole, action: StorageAction): Decision | null {
  // Declared paths as Amplify keys them: owner rules on the `${sub}` form, others on the wildcard form.
  const forms = orderedForms(bucket);
  const holds = (f: Form) => f.grants.find((g) => sameRole(roleOf(g.principal), acting.role) && g.actions.includes(action));
  const overrides = forms.flatMap((inner) => {
    const parent = forms.find((p) => p !== inner && inner.key.startsWith(p.key.replaceAll('*', '')));
    if (!parent || (inner.owner && parent.key === inner.ownerless)) return [];
    const onParent = holds(parent);
    return onParent && !holds(inner) ? [{ inner, parent, onParent }] : [];
  });
  // Amplify writes one Deny per role and action listing all these paths; for a caller with no identity id
  // (a function's role) an owner path in it cannot be resolved, and IAM then ignores the whole statement.
  if (acting.identityId === undefined && overrides.some((o) => o.inner.owner)) return null;
  const hit = overrides.find((o) => o.inner.covers(acting.identityId, target));
  if (!hit) return null;
  const { inner, parent, onParent } = hit;
  const kept = [...new Set(inner.grants.filter((g) => sameRole(roleOf(g.principal), acting.role)).flatMap((g) => g.actions))];
  return deny(onParent.id, `denied: ${inner.declared} overrides ${parent.declared}: rule ${onParent.id} lets ${who(onParent.principal)} ${action} under ${parent.declared}, but not inside ${inner.declared}${kept.length ? `, where this role may only ${kept.join('/')}` : ''}; ${acting.how}`);
}

interface Form {
  /** The path as Amplify substitutes it: `media/*`, `private/${sub}/*`. */
  key: string;
  owner: boolean;
  /** For owner forms: the key with the identity segment removed (`private/*`). */
  ownerless: string;
  /** The declared path this form comes from. */
  declared: string;
  grants: StorageGrant[];
  covers(identityId: string | undefined, target: string): boolean;
}

const SUB = '${sub}';

/** Every substituted form carrying an action, in the order Amplify first meets them (declaration order). */
function orderedForms(bucket: StorageBucket): Form[] {
  const forms = new Map<string, Form>();
  const formOf = (path: string, owner: boolean): Form => {
    const shared = sharedPrefix(path);
    const key = owner ? path.replace(ENTITY_TOKEN, SUB) : `${shared}*`;
    let f = forms.get(key);
    if (!f) {
      forms.set(key, (f = {
        key,
        owner,
        ownerless: owner ? `${shared}*` : key,
        declared: path,
        grants: [],
        covers: (identityId, target) => (owner ? identityId !== undefined && target.startsWith(`${shared}${identityId}/`) : target.startsWith(shared)),
      }));
    }
    return f;
  };
  for (const { path, grants, hiddenGrants } of bucket.paths) {
    // A path whose grants the source does not show still takes its parent's actions away.
    if (hiddenGrants) formOf(path, false);
    for (const g of grants) if (g.actions.length) formOf(path, ownFolder(path, g)).grants.push(g);
  }
  return [...forms.values()];
}

function notGranted(bucket: StorageBucket, reaches: Reach[], covering: Reach[], acting: ActingRole, caller: StorageCaller, action: StorageAction, target: string, what: string): Decision {
  // The closest thing to a grant, to explain the refusal: an owner rule for someone else's folder, another role's rule.
  const owners = reaches.filter((r) => ownFolder(r.path, r.grant) && r.grant.actions.includes(action) && target.startsWith(sharedPrefix(r.path)));
  const o = owners[0];
  if (o) {
    const folder = target.slice(sharedPrefix(o.path).length).split('/')[0];
    if (acting.role.kind === 'auth' && caller.kind === 'identity') {
      return deny(o.grant.id, `denied: ${o.path} gives each identity its own folder (rule ${o.grant.id}); the target is in identity ${folder}'s folder and this caller is identity ${caller.identityId}`);
    }
    return deny(o.grant.id, `denied: only the owning identity may ${action} in ${o.path} (rule ${o.grant.id}, through the authenticated role), and ${acting.how}`);
  }
  const others = covering.filter((r) => r.grant.actions.includes(action));
  if (others.length) {
    const x = others[0]!;
    return deny(x.grant.id, `denied: rule ${x.grant.id} lets ${who(x.grant.principal)} ${action} under ${x.path}, but ${acting.how}, which no rule of ${bucket.name} grants ${action} there`);
  }
  if (!covering.length) return deny(null, `denied: no rule of ${bucket.name} covers ${where(action, target)}, so nobody may ${action} there`);
  return deny(null, `denied: no rule of ${bucket.name} lets anyone ${what}; ${acting.how}`);
}

function where(action: StorageAction, target: string): string {
  return action !== 'list' ? target : target === '' ? 'the whole bucket (no prefix)' : `the prefix ${target}`;
}

function who(p: StoragePrincipal): string {
  switch (p.kind) {
    case 'guest':
      return 'guests';
    case 'authenticated':
      return 'signed-in users';
    case 'group':
      return `members of ${p.group}`;
    case 'owner':
      return 'the owning identity';
    case 'function':
      return `function ${p.name}`;
  }
}
