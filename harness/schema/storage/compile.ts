/**
 * The IAM policies and the amplify_outputs.json `paths` that @aws-amplify/backend-storage synthesizes from
 * a bucket's declared rules (its `storage_access_orchestrator.ts` and `storage_access_policy_factory.ts`),
 * reproduced statement for statement and pinned against the package's own output
 * (test/fixtures/storage/backend-storage.golden.json). The emulator evaluates these policies; the oracle
 * (harness/rules/storage.ts) never reads them.
 */
import { IDENTITY_VARIABLE, ENTITY_TOKEN, roleKey, roleOf, type StorageAction, type StorageBucket, type StoragePrincipal, type StorageRole } from './model.js';
import { StorageDefinitionError } from './define.js';

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string;
  /** One ARN, or several (CDK writes a single resource as a string). */
  Resource: string | string[];
  Condition?: { StringLike: { 's3:prefix': string[] } };
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface RolePolicy {
  role: StorageRole;
  policy: PolicyDocument;
}

export interface CompiledBucket {
  /** One policy per role, in the order the roles first appear in the rules. */
  policies: RolePolicy[];
  /** `storage.buckets[].paths` of amplify_outputs.json. */
  paths: Record<string, Record<string, StorageAction[]>>;
}

const S3_ACTION: Record<StorageAction, string> = {
  get: 's3:GetObject',
  list: 's3:ListBucket',
  write: 's3:PutObject',
  delete: 's3:DeleteObject',
};

/** What amplify_outputs.json calls each principal (`groups<Name>`, `entityidentity`); functions are not named there. */
function outputsKey(p: StoragePrincipal): string | undefined {
  switch (p.kind) {
    case 'guest':
    case 'authenticated':
      return p.kind;
    case 'group':
      return `groups${p.group}`;
    case 'owner':
      return 'entityidentity';
    case 'function':
      return undefined;
  }
}

/**
 * The path a grant's statements use: `{entity_id}` becomes the identity variable for owner rules and `*`
 * for the others, a trailing `/*\/*` then shrinking to `/*` (`media/{entity_id}/*` → `media/*`).
 */
export function substitutePath(path: string, owner: boolean): string {
  const p = path.replaceAll(ENTITY_TOKEN, owner ? IDENTITY_VARIABLE : '*');
  return p.endsWith('/*/*') ? p.slice(0, -2) : p;
}

/** A path's enclosing path among `paths`: the first whose text before `*` starts it. */
function enclosing(path: string, paths: Iterable<string>): string | undefined {
  for (const p of paths) if (p !== path && path.startsWith(p.replaceAll('*', ''))) return p;
  return undefined;
}

interface RoleEntry {
  role: StorageRole;
  /** Per action, in first-seen order: the paths allowed and the paths explicitly denied. */
  actions: Map<StorageAction, { allow: Set<string>; deny: Set<string> }>;
}

export function compileBucket(bucket: StorageBucket, bucketArn: string): CompiledBucket {
  return bucket.flavor === 'gen1' ? compileGen1(bucket, bucketArn) : compileGen2(bucket, bucketArn);
}

function compileGen2(bucket: StorageBucket, bucketArn: string): CompiledBucket {
  const paths: CompiledBucket['paths'] = {};
  const roles = new Map<string, RoleEntry>();
  // Every (role, action) holding each path, in the order they were granted.
  const holders = new Map<string, { role: string; action: StorageAction }[]>();
  for (const { path, grants, hiddenGrants } of bucket.paths) {
    if (hiddenGrants && !holders.has(substitutePath(path, false))) holders.set(substitutePath(path, false), []);
    for (const g of grants) {
      const prefix = substitutePath(path, g.principal.kind === 'owner');
      const key = outputsKey(g.principal);
      paths[prefix] = { ...paths[prefix], ...(key ? { [key]: g.actions } : {}) };
      const role = roleOf(g.principal);
      const rk = roleKey(role);
      let entry = roles.get(rk);
      if (!entry) roles.set(rk, (entry = { role, actions: new Map() }));
      for (const action of g.actions) {
        let sets = entry.actions.get(action);
        if (!sets) entry.actions.set(action, (sets = { allow: new Set(), deny: new Set() }));
        sets.allow.add(prefix);
        let list = holders.get(prefix);
        if (!list) holders.set(prefix, (list = []));
        list.push({ role: rk, action });
      }
    }
  }
  // A path inside another takes none of its grants: every (role, action) the enclosing path allows and this
  // one does not is denied here. An owner path is not denied what its own `*` form allows.
  for (const path of holders.keys()) {
    const parent = enclosing(path, holders.keys());
    if (!parent || parent === path.replaceAll(`${IDENTITY_VARIABLE}/`, '')) continue;
    for (const { role, action } of holders.get(parent)!) {
      const sets = roles.get(role)!.actions.get(action)!;
      if (!sets.allow.has(path)) sets.deny.add(path);
    }
  }
  const policies: RolePolicy[] = [];
  for (const { role, actions } of roles.values()) {
    if (!actions.size) throw new StorageDefinitionError('EmptyPolicyFault', 'At least one permission must be specified');
    const statements: PolicyStatement[] = [];
    for (const [action, { allow, deny }] of actions) {
      const allowed = [...allow].filter((p) => !enclosing(p, allow));
      statements.push(statement('Allow', action, allowed, bucketArn));
      if (deny.size) statements.push(statement('Deny', action, [...deny], bucketArn));
    }
    policies.push({ role, policy: { Version: '2012-10-17', Statement: statements } });
  }
  return { policies, paths };
}

function statement(effect: 'Allow' | 'Deny', action: StorageAction, prefixes: string[], bucketArn: string): PolicyStatement {
  if (action === 'list') {
    return { Effect: effect, Action: S3_ACTION.list, Resource: bucketArn, Condition: { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, p.slice(0, -1)]) } } };
  }
  const arns = prefixes.map((p) => `${bucketArn}/${p}`);
  return { Effect: effect, Action: S3_ACTION[action], Resource: arns.length === 1 ? arns[0]! : arns };
}

/**
 * The Amplify CLI's statements for a Gen 1 bucket, one per grant and action (the CLI groups them in other
 * policies; the permissions are the same): level paths with the identity variable for owners, `*` for the
 * whole bucket, and a ListBucket without condition for whole-bucket readers (group roles, trigger functions).
 */
function compileGen1(bucket: StorageBucket, bucketArn: string): CompiledBucket {
  const roles = new Map<string, RolePolicy>();
  for (const { path, grants } of bucket.paths) {
    for (const g of grants) {
      const role = roleOf(g.principal);
      let entry = roles.get(roleKey(role));
      if (!entry) roles.set(roleKey(role), (entry = { role, policy: { Version: '2012-10-17', Statement: [] } }));
      const prefix = substitutePath(path, g.principal.kind === 'owner');
      for (const action of g.actions) {
        if (action !== 'list') entry.policy.Statement.push({ Effect: 'Allow', Action: S3_ACTION[action], Resource: `${bucketArn}/${prefix}` });
        else if (prefix === '*') entry.policy.Statement.push({ Effect: 'Allow', Action: S3_ACTION.list, Resource: bucketArn });
        else entry.policy.Statement.push({ Effect: 'Allow', Action: S3_ACTION.list, Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [prefix.slice(0, -1), prefix] } } });
      }
    }
  }
  return { policies: [...roles.values()], paths: {} };
}
