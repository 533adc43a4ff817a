/**
 * Storage lint findings: each risky access rule triggers its finding (severity, rule, a fix in
 * defineStorage's syntax), the safe variant triggers none, and the oracle agrees that the risk is real.
 */
import { describe, expect, it } from 'vitest';
import { findings } from '../../harness/lint/lint.js';
import { decideStorage, type StorageCaller } from '../../harness/rules/storage.js';
import { accessBuilder as allow, declaredPaths } from '../../harness/schema/storage/define.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { example } from '../cli/cli.js';

const todo = await loadAuthModel(example('todo'));

/** The todo app with these storage rules (and these user-pool groups). */
function withStorage(definition: Record<string, unknown[]>, groups: string[] = []): AuthModel {
  const paths = declaredPaths('files', definition, { hasAuth: true, groups });
  return { ...todo, authModes: { ...todo.authModes, identityPool: { allowUnauthenticated: true } }, storage: { buckets: [{ name: 'files', isDefault: true, flavor: 'gen2', paths }], groupPrecedence: groups } };
}

const storageFindings = (m: AuthModel) => findings(m).filter((f) => f.check.startsWith('storage-'));
const ids = (m: AuthModel) => storageFindings(m).map((f) => `${f.id} ${f.severity}`);
const oracle = (m: AuthModel, caller: StorageCaller, action: 'get' | 'list' | 'write' | 'delete', key: string) =>
  decideStorage({ storage: m.storage!, groupPrecedence: m.storage!.groupPrecedence, allowGuests: true }, caller, action === 'list' ? { action, bucket: 'files', prefix: key } : { action, bucket: 'files', key }).outcome;
const guest: StorageCaller = { kind: 'identity', authenticated: false, identityId: 'us-east-1:g', groups: [] };
const user = (id: string, groups: string[] = []): StorageCaller => ({ kind: 'identity', authenticated: true, identityId: id, groups });

describe('storage lint findings', () => {
  it('guests that write or delete: high, with the rule narrowed to read as the fix', () => {
    const m = withStorage({ 'media/*': [allow.guest.to(['read', 'write'])] });
    expect(ids(m)).toEqual(['storage-guest-write:files:media/*#1 high']);
    const f = storageFindings(m)[0]!;
    expect(f.fix).toContain("replace `allow.guest.to(['read', 'write'])` with `allow.guest.to(['read'])`");
    expect(oracle(m, guest, 'write', 'media/x')).toBe('allow');
    expect(ids(withStorage({ 'media/*': [allow.guest.to(['read'])] }))).toEqual([]);
  });

  it('every signed-in user deleting shared files (medium), or writing into every identity’s folder (high)', () => {
    expect(ids(withStorage({ 'media/*': [allow.authenticated.to(['read', 'write', 'delete'])] }))).toEqual(['storage-shared-delete:files:media/*#1 medium']);
    const m = withStorage({ 'private/{entity_id}/*': [allow.authenticated.to(['read', 'write']), allow.entity('identity').to(['read', 'write', 'delete'])] });
    expect(ids(m)).toContain('storage-shared-delete:files:private/{entity_id}/*#1 high');
    expect(oracle(m, user('us-east-1:b'), 'write', 'private/us-east-1:a/x')).toBe('allow');
    expect(storageFindings(m).find((f) => f.check === 'storage-shared-delete')!.fix).toContain("allow.entity('identity')");
  });

  it('owner folders readable by everybody: medium, high for guests on a private path', () => {
    const pictures = withStorage({ 'profile-pictures/{entity_id}/*': [allow.guest.to(['read']), allow.entity('identity').to(['read', 'write', 'delete'])] });
    expect(ids(pictures)).toEqual(['storage-owner-path-readable:files:profile-pictures/{entity_id}/*#1 medium']);
    const leak = withStorage({ 'private/{entity_id}/*': [allow.guest.to(['get']), allow.entity('identity').to(['read', 'write', 'delete'])] });
    expect(ids(leak)).toEqual(['storage-owner-path-readable:files:private/{entity_id}/*#1 high']);
    expect(oracle(leak, guest, 'get', 'private/us-east-1:a/secret.pdf')).toBe('allow');
  });

  it('group members lose what signed-in users have, and their own folder; a group granted the same has nothing to report', () => {
    const m = withStorage({
      'media/*': [allow.authenticated.to(['read'])],
      'private/{entity_id}/*': [allow.entity('identity').to(['read', 'write', 'delete'])],
    }, ['Admin']);
    expect(ids(m)).toEqual([
      'storage-group-loses-grants:files:media/*:Admin medium',
      'storage-group-loses-grants:files:private/{entity_id}/*:Admin:own-folder medium',
    ]);
    const own = storageFindings(m).find((f) => f.id.endsWith(':own-folder'))!;
    expect(own.fix).toMatch(/would open every identity's folder to Admin/);
    expect(oracle(m, user('us-east-1:a', ['Admin']), 'get', 'media/x')).toBe('deny');
    expect(oracle(m, user('us-east-1:a', ['Admin']), 'get', 'private/us-east-1:a/x')).toBe('deny');
    expect(ids(withStorage({ 'media/*': [allow.authenticated.to(['read']), allow.groups(['Admin']).to(['read'])] }, ['Admin']))).toEqual([]);
  });

  it('a path that takes away what its parent grants: low, explained', () => {
    const m = withStorage({ 'media/*': [allow.authenticated.to(['read', 'write'])], 'media/albums/*': [allow.authenticated.to(['read'])] });
    expect(ids(m)).toEqual(['storage-override-drops:files:media/*#1:media/albums/* low']);
    expect(storageFindings(m)[0]!.explanation).toMatch(/explicit Deny of write under media\/albums\/\*.*still returns the names/);
    expect(oracle(m, user('us-east-1:a'), 'write', 'media/albums/x')).toBe('deny');
    // A child declared with no rules takes nothing away: nothing to report.
    expect(ids(withStorage({ 'media/*': [allow.authenticated.to(['read', 'write'])], 'media/albums/*': [] }))).toEqual([]);
  });

  it('the photos example reports what its rules risk, highest first', async () => {
    const photos = await loadAuthModel(example('photos'));
    const got = storageFindings(photos).map((f) => f.check);
    expect(got).toEqual(expect.arrayContaining(['storage-shared-delete', 'storage-owner-path-readable', 'storage-group-loses-grants', 'storage-override-drops']));
    expect(got).not.toContain('storage-guest-write');
  });
});
