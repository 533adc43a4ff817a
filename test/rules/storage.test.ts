/**
 * The storage oracle on Amplify's documented semantics (docs.amplify.aws, storage/authorization): the
 * access matrix of the "prefix behavior" example, owner folders, group roles, functions, lists.
 */
import { describe, expect, it } from 'vitest';
import { decideStorage, type StorageCaller, type StorageFacts, type StorageRequest } from '../../harness/rules/storage.js';
import { accessBuilder as allow, declaredPaths } from '../../harness/schema/storage/define.js';
import type { StorageAction } from '../../harness/schema/storage/model.js';

function facts(definition: Record<string, unknown[]>, groups: string[] = []): StorageFacts {
  return {
    storage: { buckets: [{ name: 'files', isDefault: true, flavor: 'gen2', paths: declaredPaths('files', definition, { hasAuth: true, groups }) }], groupPrecedence: groups },
    groupPrecedence: groups,
    allowGuests: true,
  };
}

const ME = 'us-east-1:11111111-1111-1111-1111-111111111111';
const YOU = 'us-east-1:22222222-2222-2222-2222-222222222222';
const guest: StorageCaller = { kind: 'identity', authenticated: false, identityId: 'us-east-1:99999999-9999-9999-9999-999999999999', groups: [] };
const user = (identityId = ME, groups: string[] = []): StorageCaller => ({ kind: 'identity', authenticated: true, identityId, groups });

function may(f: StorageFacts, caller: StorageCaller, action: StorageAction, target: string): boolean {
  const req: StorageRequest = action === 'list' ? { action, bucket: 'files', prefix: target } : { action, bucket: 'files', key: target };
  return decideStorage(f, caller, req).outcome === 'allow';
}

/** `read, write, delete`-style summary of what a caller may do with one key (read = get and list). */
function access(f: StorageFacts, caller: StorageCaller, folder: string): string {
  const key = `${folder}file.txt`;
  const out: string[] = [];
  if (may(f, caller, 'get', key) && may(f, caller, 'list', folder)) out.push('read');
  if (may(f, caller, 'write', key)) out.push('write');
  if (may(f, caller, 'delete', key)) out.push('delete');
  return out.join(', ') || 'NONE';
}

describe('the documented prefix example: a path overrides its parent, nothing is inherited', () => {
  const f = facts({
    'media/*': [allow.authenticated.to(['read', 'write', 'delete'])],
    'media/profile-pictures/*': [allow.guest.to(['read'])],
    'media/albums/*': [allow.authenticated.to(['read'])],
    'other/*': [allow.guest.to(['read']), allow.authenticated.to(['read', 'write'])],
  });
  it.each([
    ['media/', 'read, write, delete', 'NONE'],
    ['media/profile-pictures/', 'NONE', 'read'],
    ['media/albums/', 'read', 'NONE'],
    ['other/', 'read, write', 'read'],
  ])('%s: authenticated %s, guest %s', (folder, authenticated, guests) => {
    expect(access(f, user(), folder)).toBe(authenticated);
    expect(access(f, guest, folder)).toBe(guests);
  });

  it('the override names both paths and the rule it takes away', () => {
    const d = decideStorage(f, user(), { action: 'write', bucket: 'files', key: 'media/albums/x.jpg' });
    expect(d).toMatchObject({ outcome: 'deny', rule: 'files:media/*#1' });
    expect(d.reason).toMatch(/media\/albums\/\* overrides media\/\*.*only get\/list/);
  });

  it('listing the parent is judged by the parent alone (it returns the children’s keys too)', () => {
    expect(may(f, user(), 'list', 'media/')).toBe(true);
    expect(may(f, guest, 'list', 'media/')).toBe(false);
    expect(may(f, guest, 'list', 'media/profile-pictures/')).toBe(true);
  });

  it('a list needs a prefix under a rule: the whole bucket, or a prefix without its slash, is refused', () => {
    expect(may(f, user(), 'list', '')).toBe(false);
    expect(may(f, user(), 'list', 'media')).toBe(false);
    expect(decideStorage(f, user(), { action: 'list', bucket: 'files', prefix: '' }).reason).toMatch(/whole bucket/);
  });
});

describe('owner folders ({entity_id})', () => {
  const f = facts({
    'media/profile-pictures/{entity_id}/*': [
      allow.entity('identity').to(['read', 'write', 'delete']),
      allow.guest.to(['read']),
      allow.authenticated.to(['read']),
    ],
    'private/{entity_id}/*': [allow.entity('identity').to(['read', 'write', 'delete'])],
  }, ['Admin']);

  it('the owner reads, writes and deletes in its own folder only', () => {
    expect(access(f, user(ME), `private/${ME}/`)).toBe('read, write, delete');
    expect(access(f, user(YOU), `private/${ME}/`)).toBe('NONE');
    const d = decideStorage(f, user(YOU), { action: 'get', bucket: 'files', key: `private/${ME}/a.txt` });
    expect(d.rule).toBe('files:private/{entity_id}/*#1');
    expect(d.reason).toContain(`this caller is identity ${YOU}`);
  });

  it('other rules on an owner path cover every identity’s folder; write stays with the owner', () => {
    expect(access(f, guest, `media/profile-pictures/${ME}/`)).toBe('read');
    expect(access(f, user(YOU), `media/profile-pictures/${ME}/`)).toBe('read');
    expect(access(f, user(ME), `media/profile-pictures/${ME}/`)).toBe('read, write, delete');
    expect(may(f, user(YOU), 'list', 'media/profile-pictures/')).toBe(true);
  });

  it('group members act through their group role: they lose owner and authenticated grants', () => {
    const admin = user(ME, ['Admin']);
    expect(access(f, admin, `private/${ME}/`)).toBe('NONE');
    expect(access(f, admin, `media/profile-pictures/${ME}/`)).toBe('NONE');
    expect(decideStorage(f, admin, { action: 'get', bucket: 'files', key: `private/${ME}/a.txt` }).reason).toMatch(/members of Admin get the Admin group's role/);
  });
});

describe('roles', () => {
  const f = facts({
    'media/*': [allow.groups(['Editors']).to(['read', 'write']), allow.groups(['Admin']).to(['read', 'write', 'delete'])],
    'jobs/*': [allow.resource({ kind: 'authmatrix:function', name: 'resize' }).to(['read', 'write'])],
  }, ['Admin', 'Editors']);

  it('a member of several groups gets the role of the first by precedence, never a union', () => {
    expect(access(f, user(ME, ['Editors', 'Admin']), 'media/')).toBe('read, write, delete');
    const g = facts({ 'media/*': [allow.groups(['Editors']).to(['read', 'write']), allow.groups(['Admin']).to(['read'])] }, ['Admin', 'Editors']);
    expect(access(g, user(ME, ['Editors', 'Admin']), 'media/')).toBe('read');
    expect(access(g, user(ME, ['Editors']), 'media/')).toBe('read, write');
  });

  it('a function’s role has what allow.resource grants', () => {
    expect(access(f, { kind: 'function', name: 'resize' }, 'jobs/')).toBe('read, write');
    expect(access(f, { kind: 'function', name: 'resize' }, 'media/')).toBe('NONE');
  });

  it('anonymous callers, and guests when the pool has no guest identities, are refused before any rule', () => {
    expect(decideStorage(f, { kind: 'anonymous' }, { action: 'get', bucket: 'files', key: 'media/a' }).reason).toMatch(/no credentials/);
    const noGuests = { ...facts({ 'media/*': [allow.guest.to(['read'])] }), allowGuests: false };
    expect(may(noGuests, guest, 'get', 'media/a')).toBe(false);
  });

  it('multipart housekeeping is never granted; a copy needs get on the source and write on the destination', () => {
    const editor = user(ME, ['Editors']);
    expect(decideStorage(f, editor, { action: 'abortMultipart', bucket: 'files', key: 'media/a' }).outcome).toBe('deny');
    expect(decideStorage(f, editor, { action: 'copy', bucket: 'files', key: 'media/b', source: { bucket: 'files', key: 'media/a' } }).outcome).toBe('allow');
    const d = decideStorage(f, editor, { action: 'copy', bucket: 'files', key: 'media/b', source: { bucket: 'files', key: 'jobs/a' } });
    expect(d.outcome).toBe('deny');
    expect(d.reason).toMatch(/the copy reads jobs\/a/);
  });
});

describe('Amplify quirks kept as they are', () => {
  it('a child declared without rules takes nothing away from its parent', () => {
    const f = facts({ 'media/*': [allow.authenticated.to(['read', 'write'])], 'media/albums/*': [] });
    expect(access(f, user(), 'media/albums/')).toBe('read, write');
  });

  it('nested owner paths: the outer wildcard form is the parent, so a guest loses its own folder of the inner path', () => {
    // backend-storage picks the first enclosing path in declaration order (a/*), not the nearest (a/b/*).
    const f = facts({
      'a/{entity_id}/*': [allow.guest.to(['read']), allow.entity('identity').to(['read', 'write'])],
      'a/b/{entity_id}/*': [allow.guest.to(['read']), allow.entity('identity').to(['read', 'write', 'delete'])],
    });
    const g: StorageCaller = { kind: 'identity', authenticated: false, identityId: 'us-east-1:g', groups: [] };
    expect(may(f, g, 'get', 'a/b/someone/x')).toBe(true);
    expect(may(f, g, 'get', 'a/b/us-east-1:g/x')).toBe(false);
  });
});

describe('a Gen 1 storage category (cli-inputs.json): fixed levels, group roles on the whole bucket', async () => {
  const { loadAuthModel } = await import('../../harness/schema/load.js');
  const model = await loadAuthModel(new URL('../fixtures/storage/gen1/amplify/backend/api/app/schema.graphql', import.meta.url).pathname);
  const f: StorageFacts = { storage: model.storage!, groupPrecedence: ['Admin', 'Auditors'], allowGuests: true };
  const on = (caller: StorageCaller, action: StorageAction, target: string) =>
    decideStorage(f, caller, action === 'list' ? { action, bucket: 's3photos', prefix: target } : { action, bucket: 's3photos', key: target }).outcome;

  it('reads the S3 resource and skips the DynamoDB one', () => {
    expect(model.storage!.buckets.map((b) => [b.name, b.flavor])).toEqual([['s3photos', 'gen1']]);
  });

  it('public: guests read, signed-in users read, write and delete; uploads: signed-in users write only', () => {
    expect(['get', 'list', 'write', 'delete'].map((a) => on(guest, a as StorageAction, a === 'list' ? 'public/' : 'public/a.jpg'))).toEqual(['allow', 'allow', 'deny', 'deny']);
    expect(['get', 'list', 'write', 'delete'].map((a) => on(user(), a as StorageAction, a === 'list' ? 'public/' : 'public/a.jpg'))).toEqual(['allow', 'allow', 'allow', 'allow']);
    expect([on(user(), 'write', 'uploads/a'), on(user(), 'get', 'uploads/a'), on(guest, 'write', 'uploads/a')]).toEqual(['allow', 'deny', 'deny']);
  });

  it('protected: everyone reads every folder, only the owner writes; private: only the owner', () => {
    expect([on(guest, 'get', `protected/${ME}/a`), on(user(YOU), 'get', `protected/${ME}/a`), on(user(YOU), 'write', `protected/${ME}/a`), on(user(ME), 'write', `protected/${ME}/a`)]).toEqual(['allow', 'allow', 'deny', 'allow']);
    expect([on(user(ME), 'list', `private/${ME}/`), on(user(YOU), 'list', `private/${ME}/`), on(user(YOU), 'get', `private/${ME}/a`)]).toEqual(['allow', 'deny', 'deny']);
  });

  it('group roles reach the whole bucket and may list it without a prefix; they lose the level grants', () => {
    const admin = user(ME, ['Admin']);
    const auditor = user(ME, ['Auditors']);
    expect([on(admin, 'delete', `private/${YOU}/a`), on(admin, 'list', ''), on(auditor, 'get', `private/${YOU}/a`), on(auditor, 'write', 'public/a')]).toEqual(['allow', 'allow', 'allow', 'deny']);
    expect(on({ kind: 'function', name: 'S3Trigger1a2b' }, 'list', '')).toBe('allow');
  });
});
