/**
 * What the storage lint checks share: every grant with its bucket and path, grants as the app writes them
 * (`allow.guest.to(['read'])`), and who each principal is in a sentence.
 */
import type { AuthModel } from '../schema/model.js';
import type { StorageAction, StorageBucket, StorageGrant, StoragePrincipal } from '../schema/storage/model.js';

export interface PlacedGrant {
  bucket: StorageBucket;
  path: string;
  grant: StorageGrant;
}

export function placedGrants(auth: AuthModel): PlacedGrant[] {
  return (auth.storage?.buckets ?? []).flatMap((bucket) => bucket.paths.flatMap(({ path, grants }) => grants.map((grant) => ({ bucket, path, grant }))));
}

/** `read` where both get and list are granted, as the app would write it. */
export function actionWords(actions: readonly StorageAction[]): string[] {
  const set = new Set(actions);
  const out: string[] = [];
  if (set.has('get') && set.has('list')) out.push('read');
  else for (const a of ['get', 'list'] as const) if (set.has(a)) out.push(a);
  for (const a of ['write', 'delete'] as const) if (set.has(a)) out.push(a);
  return out;
}

/** The Gen 2 rule: `allow.groups(['Admin']).to(['read', 'write'])`. */
export function grantCode(p: StoragePrincipal, actions: readonly StorageAction[]): string {
  const to = `.to([${actionWords(actions).map((a) => `'${a}'`).join(', ')}])`;
  switch (p.kind) {
    case 'guest':
      return `allow.guest${to}`;
    case 'authenticated':
      return `allow.authenticated${to}`;
    case 'group':
      return `allow.groups(['${p.group}'])${to}`;
    case 'owner':
      return `allow.entity('identity')${to}`;
    case 'function':
      return `allow.resource(${p.name})${to}`;
  }
}

export function whoWords(p: StoragePrincipal): string {
  switch (p.kind) {
    case 'guest':
      return 'every visitor (guest credentials need no sign-in)';
    case 'authenticated':
      return 'every signed-in user';
    case 'group':
      return `members of ${p.group}`;
    case 'owner':
      return 'the owning identity';
    case 'function':
      return `function ${p.name}`;
  }
}

/** Where the rule lives, for fix texts. */
export function home(b: StorageBucket, path: string): string {
  return b.flavor === 'gen1' ? `storage resource ${b.name} (amplify update storage)` : `'${path}' of defineStorage({ name: '${b.name}' }) in amplify/storage/resource.ts`;
}

export const OWNER_TOKEN = '{entity_id}';
