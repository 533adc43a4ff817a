/**
 * Turns a Gen 2 `defineStorage({ access })` callback into declared rules, refusing what
 * @aws-amplify/backend-storage refuses with its own messages: the path rules of
 * `validate_storage_access_paths.ts`, a principal named twice on one path (`access_builder.ts`,
 * `storage_access_orchestrator.ts`), and grants to roles the backend does not have (backend-auth
 * `factory.ts`, `getResourceAccessAcceptor`). Pinned against the package's own output in
 * test/schema/storage-compile.test.ts.
 */
import { ENTITY_TOKEN, type StorageAction, type StoragePathRules, type StoragePrincipal } from './model.js';

/** A rule as the builder records it (what `allow.guest.to([...])` returns while authmatrix loads the file). */
export interface DeclaredRule {
  readonly kind: 'authmatrix:storage-rule';
  principals: StoragePrincipal[];
  actions: string[];
}

const rule = (principals: StoragePrincipal[]) => ({
  to: (actions: string[]): DeclaredRule => ({ kind: 'authmatrix:storage-rule', principals, actions: [...actions] }),
});

/** The `allow` object the access callback receives. */
export const accessBuilder = {
  guest: rule([{ kind: 'guest' }]),
  authenticated: rule([{ kind: 'authenticated' }]),
  groups: (groups: string[]) => rule(groups.map((group) => ({ kind: 'group', group }))),
  entity: (entity: string) => {
    if (entity !== 'identity') throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', `Unsupported entity "${entity}": only allow.entity('identity') exists.`);
    return rule([{ kind: 'owner' }]);
  },
  resource: (fn: unknown) => rule([{ kind: 'function', name: functionName(fn) }]),
};

function functionName(fn: unknown): string {
  const f = fn as { kind?: string; name?: unknown } | undefined;
  if (f?.kind === 'authmatrix:function' && typeof f.name === 'string') return f.name;
  throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', 'allow.resource() takes the result of defineFunction(...)');
}

/** An error @aws-amplify/backend-storage (or backend-auth) raises for this definition, with its name and message. */
export class StorageDefinitionError extends Error {
  constructor(
    readonly code: 'InvalidStorageAccessPathError' | 'InvalidStorageAccessDefinitionError' | 'InvalidResourceAccessConfigError' | 'EmptyPolicyFault' | 'MissingAuth',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface AuthFacts {
  /** The backend defines auth (a user pool and an identity pool). */
  hasAuth: boolean;
  /** The user-pool groups `defineAuth({ groups })` declares, when known (undefined: unknown, not checked). */
  groups?: string[];
}

const VALID_ACTIONS = new Set(['read', 'get', 'list', 'write', 'delete']);

/**
 * The declared rules of one bucket, in declaration order, with `read` expanded and duplicate actions
 * dropped (as the orchestrator does). Throws `StorageDefinitionError` where Amplify would.
 */
export function declaredPaths(bucket: string, definition: unknown, auth: AuthFacts): StoragePathRules[] {
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', 'access must return an object of path: [rules]');
  }
  const entries = Object.entries(definition as Record<string, unknown>);
  validatePaths(entries.map(([p]) => p));
  const declared = entries.map(([path, rules]) => {
    if (!Array.isArray(rules)) throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', `The rules of [${path}] must be a list of allow.*.to([...])`);
    const seen = new Set<string>();
    const grants = (rules as DeclaredRule[]).flatMap((r, i) => {
      if (r?.kind !== 'authmatrix:storage-rule') throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', `Rule ${i + 1} of [${path}] is not an allow.*.to([...]) rule`);
      for (const a of r.actions) if (!VALID_ACTIONS.has(a)) throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', `Unknown storage action "${a}" on [${path}]: use read, get, list, write or delete`);
      const actions = [...new Set(r.actions.flatMap((a) => (a === 'read' ? ['get', 'list'] : [a])))] as StorageAction[];
      for (const unique of r.principals.map(uniqueId)) {
        if (!unique) continue;
        if (seen.has(unique.id)) throw new StorageDefinitionError('InvalidStorageAccessDefinitionError', unique.message);
        seen.add(unique.id);
      }
      r.principals.forEach((p) => requireAuth(p, auth));
      return r.principals.map((principal) => ({ id: `${bucket}:${path}#${i + 1}`, principal, actions }));
    });
    return { path, grants };
  });
  // Roles are looked up when the policies are attached, after every path was read.
  const unknown = declared.flatMap((d) => d.grants).find((g) => g.principal.kind === 'group' && auth.groups && !auth.groups.includes(g.principal.group));
  if (unknown?.principal.kind === 'group') throw new StorageDefinitionError('InvalidResourceAccessConfigError', `No auth IAM role found for "${unknown.principal.group}".`);
  return declared;
}

function uniqueId(p: StoragePrincipal): { id: string; message: string } | undefined {
  switch (p.kind) {
    case 'guest':
      return { id: 'guest', message: 'Entity access definition for guest users specified multiple times.' };
    case 'authenticated':
      return { id: 'authenticated', message: 'Entity access definition for authenticated users specified multiple times.' };
    case 'group':
      return { id: `groups${p.group}`, message: `Group access definition for ${p.group} specified multiple times.` };
    case 'owner':
      return { id: 'entityidentity', message: 'Entity access definition for identity specified multiple times.' };
    case 'function':
      return undefined;
  }
}

function requireAuth(p: StoragePrincipal, auth: AuthFacts): void {
  if (p.kind === 'function' || auth.hasAuth) return;
  const role = p.kind === 'guest' ? 'unauthenticatedUserIamRole' : p.kind === 'group' ? p.group : 'authenticatedUserIamRole';
  throw new StorageDefinitionError('MissingAuth', `Cannot specify auth access for ${role} users without defining auth. See https://docs.amplify.aws/gen2/build-a-backend/auth/set-up-auth/ for more information.`);
}

/** `validate_storage_access_paths.ts`: the first invalid path, in declaration order, throws. */
export function validatePaths(paths: string[]): void {
  for (const path of paths) {
    const fail = (message: string): never => {
      throw new StorageDefinitionError('InvalidStorageAccessPathError', message);
    };
    if (path.startsWith('/')) fail(`Storage access paths must not start with "/". Found [${path}].`);
    if (!path.endsWith('/*')) fail(`Storage access paths must end with "/*". Found [${path}].`);
    if (path.includes('//')) fail(`Path cannot contain "//". Found [${path}].`);
    if (path.indexOf('*') < path.length - 1) fail(`Wildcards are only allowed as the final part of a path. Found [${path}].`);
    const prefixes = paths.filter((p) => p !== path && path.startsWith(p.replaceAll('*', '')));
    if (prefixes.length > 1) fail(`For any given path, only one other path can be a prefix of it. Found [${path}] which has prefixes [${prefixes.join(', ')}].`);
    if (!path.includes(ENTITY_TOKEN)) continue;
    if (prefixes.length > 0) fail(`A path cannot be a prefix of another path that contains the ${ENTITY_TOKEN} token.`);
    const parts = path.split(ENTITY_TOKEN);
    if (parts.length > 2) fail(`The ${ENTITY_TOKEN} token can only appear once in a path. Found [${path}]`);
    const [before, after] = parts as [string, string];
    if (after !== '/*') fail(`The ${ENTITY_TOKEN} token must be the path part right before the ending wildcard. Found [${path}].`);
    if (before === '') fail(`The ${ENTITY_TOKEN} token must not be the first path part. Found [${path}].`);
    if (!before.endsWith('/')) fail(`A path part that includes the ${ENTITY_TOKEN} token cannot include any other characters. Found [${path}].`);
  }
}
