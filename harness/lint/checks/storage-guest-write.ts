/** Storage rules that let guests (no sign-in) write or delete files. */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { grantCode, home, placedGrants } from '../storage-rules.js';

export function storageGuestWrite(ctx: LintContext): Finding[] {
  if (ctx.auth.authModes.identityPool?.allowUnauthenticated === false) return [];
  return placedGrants(ctx.auth).flatMap(({ bucket, path, grant }): Finding[] => {
    if (grant.principal.kind !== 'guest') return [];
    const writes = grant.actions.filter((a) => a === 'write' || a === 'delete');
    if (!writes.length) return [];
    const keep = grant.actions.filter((a) => a === 'get' || a === 'list');
    return [finding({
      check: 'storage-guest-write',
      subject: `${grant.id}`,
      severity: 'high',
      rule: grant.id,
      title: `Guests can ${writes.join(' and ')} files under ${path} in ${bucket.name}`,
      explanation: `Rule ${grant.id} grants guests ${writes.join(' and ')} on ${path}. The identity pool hands guest credentials to every visitor without sign-in, so anyone can ${writes.includes('delete') ? 'delete any file there' : 'upload or overwrite any file there'}, other users' included.`,
      fix: keep.length
        ? `In ${home(bucket, path)}, replace \`${grantCode(grant.principal, grant.actions)}\` with \`${grantCode(grant.principal, keep)}\`, and let signed-in users write (e.g. \`allow.entity('identity').to(['read', 'write', 'delete'])\` on a '…/{entity_id}/*' path).`
        : `Remove \`${grantCode(grant.principal, grant.actions)}\` from ${home(bucket, path)}, and let signed-in users write instead.`,
    })];
  });
}
