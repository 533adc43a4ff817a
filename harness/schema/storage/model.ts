/**
 * The storage section of the AuthModel: each bucket's access rules as the app declares them
 * (`defineStorage({ access })` in Gen 2, the storage category's settings in Gen 1, or the `paths` of a
 * deployed app's amplify_outputs.json). Plain data; the oracle reads the declared rules, the emulator
 * the IAM policies Amplify compiles from them (compile.ts).
 */

/** What a rule can grant once `read` is expanded (`read` = `get` + `list`). */
export const STORAGE_ACTIONS = ['get', 'list', 'write', 'delete'] as const;
export type StorageAction = (typeof STORAGE_ACTIONS)[number];

/** Who a rule names; each kind has its own IAM role (see `roleOf`). */
export type StoragePrincipal =
  | { kind: 'guest' }
  | { kind: 'authenticated' }
  | { kind: 'group'; group: string }
  /** `allow.entity('identity')`: the identity whose id fills `{entity_id}`. */
  | { kind: 'owner' }
  /** `allow.resource(fn)`: a function's execution role. */
  | { kind: 'function'; name: string };

export interface StorageGrant {
  /** Stable id for reasons and reports: `<bucket>:<path>#<n>` (n: 1-based position of the rule on its path). */
  id: string;
  principal: StoragePrincipal;
  actions: StorageAction[];
}

export interface StoragePathRules {
  /** As declared: `media/*`, `private/{entity_id}/*`. */
  path: string;
  grants: StorageGrant[];
  /**
   * The path holds grants the source does not show (amplify_outputs.json writes a path whose only rules
   * are `allow.resource(fn)` as `{}`): it still overrides its parent.
   */
  hiddenGrants?: true;
}

/**
 * How a bucket's rules become IAM policies. `gen2`: @aws-amplify/backend-storage (a more specific path
 * overrides its parent). `gen1`: the Amplify CLI storage category (public/protected/private/uploads
 * levels; group roles reach the whole bucket).
 */
export type StorageFlavor = 'gen2' | 'gen1';

export interface StorageBucket {
  /** The friendly name (`defineStorage({ name })`), used by `options.bucket` in the client. */
  name: string;
  /** The deployed bucket, when the source knows it (amplify_outputs.json). */
  bucketName?: string;
  region?: string;
  isDefault: boolean;
  flavor: StorageFlavor;
  paths: StoragePathRules[];
}

export interface StorageSection {
  buckets: StorageBucket[];
  /**
   * The user-pool groups, first by precedence (Gen 2: `defineAuth({ groups })` order, which Amplify turns
   * into precedence 0, 1, …): a member of several acts through the first one's role.
   */
  groupPrecedence: string[];
}

/** The token Gen 2 paths use for the caller's identity id. */
export const ENTITY_TOKEN = '{entity_id}';
/** The IAM policy variable Amplify puts in its place for owner rules. */
export const IDENTITY_VARIABLE = '${cognito-identity.amazonaws.com:sub}';

/** The IAM role a principal's grants are attached to. */
export type StorageRole =
  | { kind: 'unauth' }
  | { kind: 'auth' }
  | { kind: 'group'; group: string }
  | { kind: 'function'; name: string };

/** guest → unauthenticated role; authenticated and owner → authenticated role; a group → its role; a function → its role. */
export function roleOf(p: StoragePrincipal): StorageRole {
  switch (p.kind) {
    case 'guest':
      return { kind: 'unauth' };
    case 'authenticated':
    case 'owner':
      return { kind: 'auth' };
    case 'group':
      return { kind: 'group', group: p.group };
    case 'function':
      return { kind: 'function', name: p.name };
  }
}

/** `unauth`, `auth`, `group:Admin`, `function:resize`. */
export function roleKey(r: StorageRole): string {
  return r.kind === 'group' ? `group:${r.group}` : r.kind === 'function' ? `function:${r.name}` : r.kind;
}

/**
 * Buckets no rule names (`defineStorage` without `access`): Amplify attaches no policy for them, so no caller
 * may use them and there is nothing to test in them.
 */
export function bucketsWithoutRules(storage: StorageSection | undefined): string[] {
  return (storage?.buckets ?? []).filter((b) => !b.paths.length).map((b) => b.name);
}

/** The run's note on such buckets (console and reports): one line each. */
export function emptyBucketNotes(storage: StorageSection | undefined): string[] {
  return bucketsWithoutRules(storage).map((name) => `storage bucket ${name} has no access rules (defineStorage without access): no one may use it, nothing to test in it`);
}
