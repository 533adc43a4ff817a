/**
 * The storage section of a Gen 1 project, from each S3 resource's `amplify/backend/storage/<name>/cli-inputs.json`
 * (`storageAccess`, `authAccess`, `guestAccess`, `groupAccess`, `triggerFunction`), as the Amplify CLI
 * turns them into IAM policies (amplify-category-storage `s3-stack-builder.ts`, `s3-stack-transform.ts`;
 * docs/storage.md "Gen 1 storage category"). The levels are fixed prefixes; a group's role and the
 * trigger function reach the whole bucket (path `*`).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { backendConfigServices, jsonObject, readCliJson } from '../cli-json.js';
import { InputError } from '../errors.js';
import type { StorageAction, StorageBucket, StorageGrant, StoragePathRules, StoragePrincipal, StorageSection } from './model.js';

type Permission = 'CREATE_AND_UPDATE' | 'READ' | 'DELETE';
const PERMISSIONS: readonly Permission[] = ['CREATE_AND_UPDATE', 'READ', 'DELETE'];

interface CliInputs {
  resourceName?: string;
  bucketName?: string;
  storageAccess?: 'auth' | 'authAndGuest';
  authAccess?: Permission[];
  guestAccess?: Permission[];
  groupAccess?: Record<string, Permission[]>;
  triggerFunction?: string;
}

/** The S3 resources of a Gen 1 project (`amplify/backend/storage/*`), or undefined when it has none. */
export function gen1Storage(projectRoot: string): StorageSection | undefined {
  const dir = path.join(projectRoot, 'amplify', 'backend', 'storage');
  if (!existsSync(dir)) return undefined;
  const buckets: StorageBucket[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, 'cli-inputs.json');
    if (!existsSync(file)) continue;
    const inputs = read(file);
    // DynamoDB tables live in the same category; only S3 resources say who may access them.
    if (!('storageAccess' in inputs) && !('authAccess' in inputs) && !('guestAccess' in inputs)) continue;
    buckets.push(bucketOf(file, name, inputs));
  }
  if (!buckets.length) return undefined;
  buckets[0]!.isDefault = true;
  // Without the auth category's precedence file, the groups the storage rules name, in their order.
  const named = buckets.flatMap((b) => b.paths.flatMap((p) => p.grants.flatMap((g) => (g.principal.kind === 'group' ? [g.principal.group] : []))));
  const precedence = gen1Groups(projectRoot);
  return { buckets, groupPrecedence: precedence.length ? precedence : [...new Set(named)] };
}

/**
 * The S3 resources backend-config.json deploys whose access the project does not say, as caveats: a bucket brought in
 * with `amplify import storage` (its `parameters.json` says `"serviceType": "imported"`; its policies are set outside
 * the project: UBC-CIC/balance-test-dashboard) and one without cli-inputs.json. Both were left out silently.
 */
export function unreadBucketCaveats(projectRoot: string): string[] {
  const amplify = path.join(projectRoot, 'amplify');
  return (backendConfigServices(amplify, 'storage', 'S3') ?? []).flatMap((name) => {
    const dir = path.join(amplify, 'backend', 'storage', name);
    if (existsSync(path.join(dir, 'cli-inputs.json'))) return [];
    const params = path.join(dir, 'parameters.json');
    const imported = existsSync(params) && (jsonObject(readCliJson(params)) ?? {}).serviceType === 'imported';
    return [imported
      ? `S3 storage ${name} is an imported bucket (amplify import storage): who may use it is set outside the project, so it is not tested`
      : `S3 storage ${name} has no cli-inputs.json in amplify/backend/storage/${name}/: it is not tested`];
  });
}

/** `amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json`: `[{ groupName, precedence }]`. */
function gen1Groups(projectRoot: string): string[] {
  const file = path.join(projectRoot, 'amplify', 'backend', 'auth', 'userPoolGroups', 'user-pool-group-precedence.json');
  if (!existsSync(file)) return [];
  const list = read(file) as unknown;
  if (!Array.isArray(list)) return [];
  return (list as { groupName?: unknown; precedence?: unknown }[])
    .filter((g): g is { groupName: string; precedence?: unknown } => typeof g?.groupName === 'string')
    .map((g, i) => ({ name: g.groupName, order: typeof g.precedence === 'number' ? g.precedence : Number.MAX_SAFE_INTEGER, i }))
    .sort((a, b) => a.order - b.order || a.i - b.i).map((g) => g.name);
}

const read = (file: string): CliInputs => readCliJson(file) as CliInputs;

function bucketOf(file: string, name: string, inputs: CliInputs): StorageBucket {
  const perms = (list: unknown, what: string): Permission[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list) || list.some((p) => !PERMISSIONS.includes(p as Permission))) {
      throw new InputError(`${what} must list CREATE_AND_UPDATE, READ or DELETE`, { file }, 'run `amplify update storage` to rewrite it');
    }
    return list as Permission[];
  };
  const auth = perms(inputs.authAccess, 'authAccess');
  const guest = inputs.storageAccess === 'auth' ? [] : perms(inputs.guestAccess, 'guestAccess');
  const has = (list: Permission[], p: Permission) => list.includes(p);
  /** Object actions of a level policy: CREATE_AND_UPDATE → put, READ → get, DELETE → delete (list comes from the read policy). */
  const objectActions = (list: Permission[]): StorageAction[] => [
    ...(has(list, 'READ') ? ['get' as const] : []),
    ...(has(list, 'CREATE_AND_UPDATE') ? ['write' as const] : []),
    ...(has(list, 'DELETE') ? ['delete' as const] : []),
  ];
  const reads = (list: Permission[]): StorageAction[] => (has(list, 'READ') ? ['get', 'list'] : []);
  const upload = (list: Permission[]): StorageAction[] => (has(list, 'CREATE_AND_UPDATE') ? ['write'] : []);
  const paths: [string, [StoragePrincipal, StorageAction[]][]][] = [
    ['public/*', [[{ kind: 'guest' }, union(objectActions(guest), reads(guest))], [{ kind: 'authenticated' }, union(objectActions(auth), reads(auth))]]],
    ['protected/{entity_id}/*', [[{ kind: 'guest' }, reads(guest)], [{ kind: 'authenticated' }, reads(auth)], [{ kind: 'owner' }, objectActions(auth)]]],
    ['private/{entity_id}/*', [[{ kind: 'owner' }, union(objectActions(auth), reads(auth))]]],
    ['uploads/*', [[{ kind: 'guest' }, upload(guest)], [{ kind: 'authenticated' }, upload(auth)]]],
    ['*', [
      ...Object.entries(inputs.groupAccess ?? {}).map(([group, list]): [StoragePrincipal, StorageAction[]] => [{ kind: 'group', group }, union(objectActions(perms(list, `groupAccess.${group}`)), reads(list))]),
      ...(inputs.triggerFunction && inputs.triggerFunction !== 'NONE' ? [[{ kind: 'function', name: inputs.triggerFunction }, ['get', 'list', 'write', 'delete']] as [StoragePrincipal, StorageAction[]]] : []),
    ]],
  ];
  const rules: StoragePathRules[] = paths.map(([p, grants]) => ({
    path: p,
    grants: grants.filter(([, actions]) => actions.length).map(([principal, actions], i): StorageGrant => ({ id: `${name}:${p}#${i + 1}`, principal, actions })),
  })).filter((r) => r.grants.length);
  // cli-inputs' bucketName is only the prefix of the deployed name (the CLI appends the stack id and env).
  return { name, isDefault: false, flavor: 'gen1', paths: rules };
}

function union(a: StorageAction[], b: StorageAction[]): StorageAction[] {
  return [...new Set([...a, ...b])];
}
