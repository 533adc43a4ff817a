/**
 * Rules that let every signed-in user delete (or overwrite) files others uploaded: an authenticated grant
 * of delete/write on a shared path, or on a `{entity_id}` path (where it covers every identity's folder).
 */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { grantCode, home, OWNER_TOKEN, placedGrants } from '../storage-rules.js';

export function storageSharedDelete(ctx: LintContext): Finding[] {
  return placedGrants(ctx.auth).flatMap(({ bucket, path, grant }): Finding[] => {
    if (grant.principal.kind !== 'authenticated') return [];
    const owned = path.includes(OWNER_TOKEN);
    // Deleting shared files is sometimes intended (a team drive); overwriting another user's own folder never is.
    const risky = grant.actions.filter((a) => a === 'delete' || (owned && a === 'write'));
    if (!risky.length) return [];
    const base = owned ? path.slice(0, path.indexOf(OWNER_TOKEN)) : path.slice(0, -1);
    const ownerPath = owned ? path : `${base}{entity_id}/*`;
    return [finding({
      check: 'storage-shared-delete',
      subject: `${grant.id}`,
      severity: owned ? 'high' : 'medium',
      rule: grant.id,
      title: `Every signed-in user can ${risky.join(' and ')} any file under ${owned ? `every identity's folder in ${path}` : path}`,
      explanation: `Rule ${grant.id} grants all signed-in users ${risky.join(' and ')} on ${path}${owned ? ` ({entity_id} becomes * for every rule but allow.entity('identity'), so it covers ${base}* whoever uploaded)` : ''}. Any account, including one created a minute ago, can ${risky.includes('delete') ? 'delete' : 'replace'} files other users uploaded.`,
      fix: `In ${home(bucket, path)}, keep \`${grantCode(grant.principal, grant.actions.filter((a) => !risky.includes(a)).length ? grant.actions.filter((a) => !risky.includes(a)) : ['get', 'list'])}\` for everyone and give ${risky.join('/')} to the uploader only: \`'${ownerPath}': [allow.entity('identity').to(['read', 'write', 'delete'])]\` (or to a moderators' group).`,
    })];
  });
}
