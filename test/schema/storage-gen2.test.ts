/**
 * The Gen 2 storage section from the `defineStorage(...)` calls: which calls @aws-amplify/backend deploys
 * and which it refuses (docs/storage.md, "Where the rules come from"). `defineStorage({})` is refused: since
 * backend-storage 0.6.0 the name is the bucket construct's id and CDK refuses an empty id (checked against
 * @aws-amplify/backend-storage 1.6.0 with constructs 10.8.1: "Only root constructs may have an empty ID").
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/schema/errors.js';
import { accessBuilder } from '../../harness/schema/storage/define.js';
import { gen2Storage } from '../../harness/schema/storage/gen2.js';

const auth = { hasAuth: true, groups: [] };
const media = (allow: typeof accessBuilder) => ({ 'media/*': [allow.guest.to(['read'])] });

function refusal(calls: Record<string, unknown>[]): string {
  try {
    gen2Storage('storage.ts', calls, auth);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('not refused');
}

describe('bucket names', () => {
  it.each([
    ['no name, with access rules', [{ access: media }], 'storage.ts: defineStorage call 1 has no name, which @aws-amplify/backend-storage cannot deploy (synthesis fails: "Only root constructs may have an empty ID")'],
    ['no name, without access rules', [{}], 'defineStorage call 1 has no name'],
    ['the second call without a name', [{ name: 'a', isDefault: true }, { access: media }], 'defineStorage call 2 has no name'],
    ['an empty name', [{ name: '' }], 'InvalidResourceNameError: Resource name contains invalid characters, found . Fix: Update name'],
    ['a name starting with a digit', [{ name: '1files' }], 'InvalidResourceNameError: Resource name contains invalid characters, found 1files'],
    ['a name with a dot', [{ name: 'my.files' }], 'found my.files'],
    ['a name that is not a string', [{ name: 42 }], 'found 42'],
    ['two buckets with one name', [{ name: 'a', isDefault: true }, { name: 'a' }], 'two buckets are named a'],
  ])('%s is refused', (_, calls, message) => {
    expect(refusal(calls)).toContain(message);
  });

  it.each(['files', 'My Files', 'media-2_x'])('%s is a valid name, kept as the friendly name', (name) => {
    const s = gen2Storage('storage.ts', [{ name, access: media }], auth);
    expect(s?.buckets.map((b) => [b.name, b.isDefault, b.paths.map((p) => p.path)])).toEqual([[name, true, ['media/*']]]);
  });
});
