/**
 * Group members act through their group's role, never the authenticated role (docs.amplify.aws,
 * storage/authorization callout): what a path grants signed-in users, or owners of a folder, and not
 * the group, is lost to the group's members, probably by mistake.
 */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import type { StorageAction, StorageBucket, StorageGrant } from '../../schema/storage/model.js';
import { actionWords, grantCode, home } from '../storage-rules.js';

export function storageGroupLosesGrants(ctx: LintContext): Finding[] {
  const storage = ctx.auth.storage;
  if (!storage?.groupPrecedence.length) return [];
  const out: Finding[] = [];
  for (const bucket of storage.buckets) {
    for (const { path, grants } of bucket.paths) {
      for (const group of storage.groupPrecedence) {
        const has = new Set(grants.filter((g) => g.principal.kind === 'group' && g.principal.group === group).flatMap((g) => g.actions));
        const lost = (kind: 'authenticated' | 'owner') => {
          const from = grants.filter((g) => g.principal.kind === kind);
          return { from, actions: [...new Set(from.flatMap((g) => g.actions))].filter((a) => !has.has(a)) as StorageAction[] };
        };
        const everyone = lost('authenticated');
        if (everyone.actions.length) out.push(lostShared(bucket, path, group, everyone.from, everyone.actions, [...has] as StorageAction[]));
        const own = lost('owner');
        if (own.actions.length) out.push(lostOwnFolder(bucket, path, group, own.from, own.actions));
      }
    }
  }
  return out;
}

function lostShared(bucket: StorageBucket, path: string, group: string, from: StorageGrant[], lost: StorageAction[], has: StorageAction[]): Finding {
  return finding({
    check: 'storage-group-loses-grants',
    subject: `${bucket.name}:${path}:${group}`,
    severity: 'medium',
    rule: from[0]!.id,
    title: `Members of ${group} cannot ${actionWords(lost).join(', ')} under ${path} in ${bucket.name}, though every signed-in user can`,
    explanation: `Rule ${from.map((g) => g.id).join(', ')} grants signed-in users ${actionWords(from.flatMap((g) => g.actions)).join(', ')} on ${path}, but a member of ${group} gets the ${group} group's role from the identity pool instead of the authenticated role, and that role has ${has.length ? `only ${actionWords(has).join(', ')}` : 'nothing'} there.`,
    fix: `Add \`${grantCode({ kind: 'group', group }, [...new Set([...has, ...lost])])}\` to ${home(bucket, path)} if members of ${group} should keep that access.`,
  });
}

function lostOwnFolder(bucket: StorageBucket, path: string, group: string, from: StorageGrant[], lost: StorageAction[]): Finding {
  return finding({
    check: 'storage-group-loses-grants',
    subject: `${bucket.name}:${path}:${group}:own-folder`,
    severity: 'medium',
    rule: from[0]!.id,
    title: `Members of ${group} cannot ${actionWords(lost).join(', ')} their own folder under ${path} in ${bucket.name}`,
    explanation: `Rule ${from[0]!.id} (allow.entity('identity')) is attached to the authenticated role only; a member of ${group} acts through the ${group} group's role, so it has no folder of its own there.`,
    fix: `No storage rule gives a group's members their own folder: a rule allow.groups(['${group}']) on ${path} would open every identity's folder to ${group}. Keep users who need a private folder out of groups, or give ${group} its own path (e.g. '${path.split('{entity_id}')[0]}${group.toLowerCase()}/*').`,
  });
}
