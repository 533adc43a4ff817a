/**
 * Gen 2 paths do not inherit: a path inside another takes away every action of the outer path that it
 * does not grant again (an explicit Deny per role and action). Worth saying when it happens.
 */
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { roleKey, roleOf, type StorageAction } from '../../schema/storage/model.js';
import { actionWords, grantCode, home, OWNER_TOKEN, whoWords } from '../storage-rules.js';

export function storageOverrideDrops(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const bucket of ctx.auth.storage?.buckets ?? []) {
    if (bucket.flavor !== 'gen2') continue;
    for (const inner of bucket.paths) {
      if (!inner.grants.some((g) => g.actions.length) && !inner.hiddenGrants) continue;
      const outer = bucket.paths.find((p) => p !== inner && !p.path.includes(OWNER_TOKEN) && inner.path.startsWith(p.path.slice(0, -1)));
      if (!outer) continue;
      for (const g of outer.grants) {
        const role = roleKey(roleOf(g.principal));
        const kept = new Set(inner.grants.filter((x) => roleKey(roleOf(x.principal)) === role).flatMap((x) => x.actions));
        const dropped = g.actions.filter((a) => !kept.has(a)) as StorageAction[];
        if (!dropped.length) continue;
        out.push(finding({
          check: 'storage-override-drops',
          subject: `${g.id}:${inner.path}`,
          severity: 'low',
          rule: g.id,
          title: `${whoWords(g.principal)[0]!.toUpperCase()}${whoWords(g.principal).slice(1)} lose ${actionWords(dropped).join(', ')} inside ${inner.path}`,
          explanation: `Rule ${g.id} grants ${actionWords(g.actions).join(', ')} on ${outer.path}, but ${inner.path} is declared too and paths do not inherit: Amplify adds an explicit Deny of ${actionWords(dropped).join(', ')} under ${inner.path} for that role. A listing of ${outer.path.slice(0, -1)} still returns the names of the files under ${inner.path}.`,
          fix: `If that is not intended, add \`${grantCode(g.principal, [...new Set([...kept, ...dropped])] as StorageAction[])}\` to ${home(bucket, inner.path)}.`,
        }));
      }
    }
  }
  return out;
}
