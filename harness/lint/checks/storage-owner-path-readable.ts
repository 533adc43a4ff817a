/** `{entity_id}` folders that guests or every signed-in user can read: "private" files that are not. */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { actionWords, grantCode, home, OWNER_TOKEN, placedGrants } from '../storage-rules.js';

export function storageOwnerPathReadable(ctx: LintContext): Finding[] {
  return placedGrants(ctx.auth).flatMap(({ bucket, path, grant }): Finding[] => {
    const p = grant.principal;
    if (!path.includes(OWNER_TOKEN) || (p.kind !== 'guest' && p.kind !== 'authenticated')) return [];
    const reads = grant.actions.filter((a) => a === 'get' || a === 'list');
    if (!reads.length) return [];
    const base = path.slice(0, path.indexOf(OWNER_TOKEN));
    const who = p.kind === 'guest' ? 'every visitor, signed in or not,' : 'every signed-in user';
    return [finding({
      check: 'storage-owner-path-readable',
      subject: `${grant.id}`,
      severity: p.kind === 'guest' && /private/i.test(path) ? 'high' : 'medium',
      rule: grant.id,
      title: `${p.kind === 'guest' ? 'Guests' : 'Every signed-in user'} can ${actionWords(reads).join(' and ')} every identity's folder under ${base}`,
      explanation: `Rule ${grant.id} is on an {entity_id} path, but only allow.entity('identity') is scoped to the caller's own folder: for every other rule {entity_id} becomes *, so ${who} can ${reads.includes('list') ? 'list and ' : ''}${reads.includes('get') ? 'download' : 'see the names of'} the files of every identity under ${base}. Fine for profile pictures; wrong for private files.`,
      fix: `If the files are private, remove \`${grantCode(p, grant.actions)}\` from ${home(bucket, path)}; keep public files under a path of their own.`,
    })];
  });
}
