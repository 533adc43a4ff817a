/**
 * The storage section of a Gen 2 app, from what its `defineStorage(...)` calls received: one bucket per
 * call, its `access` callback run against authmatrix's `allow` builder, and the default bucket chosen as
 * @aws-amplify/backend-storage does (`storage_outputs_aspect.ts`).
 */
import { InputError } from '../errors.js';
import { accessBuilder, declaredPaths, StorageDefinitionError, type AuthFacts } from './define.js';
import type { StorageBucket, StorageSection } from './model.js';

export function gen2Storage(file: string, calls: Record<string, unknown>[], auth: AuthFacts): StorageSection | undefined {
  if (!calls.length) return undefined;
  const buckets = calls.map((props, i): StorageBucket => {
    const name = props.name;
    // backend-storage 0.6+ makes the name the bucket construct's id (storage_container_entry_generator.ts), and
    // CDK refuses an empty id, so `defineStorage({})` never deploys; the name check is the backend's
    // (packages/backend/src/engine/validations/default_resource_name_validator.ts). Pinned in test/schema/storage-gen2.test.ts.
    if (name === undefined || name === null) {
      throw new InputError(`defineStorage call ${i + 1} has no name, which @aws-amplify/backend-storage cannot deploy (synthesis fails: "Only root constructs may have an empty ID")`, { file }, "give every bucket a name: defineStorage({ name: 'myProjectFiles', ... })");
    }
    if (typeof name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9-_ ]*$/.test(name)) {
      throw new InputError(`InvalidResourceNameError: Resource name contains invalid characters, found ${String(name)}`, { file }, 'Update name to use only alphanumeric characters, dashes, underscores and spaces. The name should also start with an alphabetic character');
    }
    const access = props.access;
    if (access !== undefined && typeof access !== 'function') throw new InputError(`the access of bucket ${name} must be a function`, { file }, "write access: (allow) => ({ 'media/*': [allow.guest.to(['read'])] })");
    let paths: StorageBucket['paths'] = [];
    try {
      paths = access ? declaredPaths(name, (access as (allow: unknown) => unknown)(accessBuilder), auth) : [];
    } catch (e) {
      if (e instanceof StorageDefinitionError) throw new InputError(`bucket ${name}: ${e.code}: ${e.message}`, { file }, 'correct the access rules as Amplify asks (see docs/storage.md)');
      throw new InputError(`the access callback of bucket ${name} throws: ${(e as Error).message}`, { file }, 'fix the callback so that it returns the rules');
    }
    return { name, isDefault: props.isDefault === true, flavor: 'gen2', paths };
  });
  const defaults = buckets.filter((b) => b.isDefault);
  if (defaults.length > 1) {
    throw new InputError('MultipleDefaultStorageError: More than one default storage set in the Amplify project.', { file }, 'Remove `isDefault: true` from all `defineStorage` calls except for one in your Amplify project.');
  }
  if (!defaults.length) {
    if (buckets.length > 1) {
      throw new InputError('NoDefaultStorageError: No default storage set in the Amplify project.', { file }, 'Add `isDefault: true` to one of the `defineStorage` calls in your Amplify project.');
    }
    buckets[0]!.isDefault = true;
  }
  const names = new Set<string>();
  for (const b of buckets) {
    if (names.has(b.name)) throw new InputError(`two buckets are named ${b.name}`, { file }, 'give each defineStorage call its own name');
    names.add(b.name);
  }
  return { buckets, groupPrecedence: auth.groups ?? [] };
}
