/**
 * Two routes to the same answer: the storage oracle (declared rules, decision table) and IAM's evaluation
 * of the policies Amplify compiles from the same rules (harness/schema/storage/compile.ts, evaluated by
 * the emulator's IAM engine) must agree for every caller, action and key, on random definitions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from '../../harness/emulator/iam/policy.js';
import { decideStorage, type StorageCaller, type StorageRequest } from '../../harness/rules/storage.js';
import { compileBucket } from '../../harness/schema/storage/compile.js';
import { accessBuilder as allow, declaredPaths } from '../../harness/schema/storage/define.js';
import { roleKey, type StorageAction, type StorageBucket, type StorageRole } from '../../harness/schema/storage/model.js';

const GROUPS = ['A', 'B'];
const IDS = ['us-east-1:aaaa', 'us-east-1:bbbb'];
const ARN = 'arn:aws:s3:::law-bucket';

const segment = fc.constantFrom('a', 'b', 'c');
const actions = fc.subarray(['read', 'get', 'list', 'write', 'delete'] as const, { minLength: 1 }).filter((a) => !(a.includes('read') && (a.includes('get') || a.includes('list'))));
const rule = fc.oneof(
  actions.map((a) => allow.guest.to([...a])),
  actions.map((a) => allow.authenticated.to([...a])),
  actions.map((a) => allow.entity('identity').to([...a])),
  fc.tuple(fc.subarray(GROUPS, { minLength: 1 }), actions).map(([g, a]) => allow.groups(g).to([...a])),
  fc.tuple(fc.constantFrom('f', 'g'), actions).map(([f, a]) => allow.resource({ kind: 'authmatrix:function', name: f }).to([...a])),
);
const path = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([segs, owner]) => `${segs.join('/')}/${owner ? '{entity_id}/' : ''}*`);
const definition = fc.dictionary(path, fc.array(rule, { maxLength: 4 }), { minKeys: 1, maxKeys: 4 });

/** Definitions Amplify accepts (the others are refused by both routes alike). */
function bucketOf(def: Record<string, unknown[]>): StorageBucket | null {
  try {
    const paths = declaredPaths('law', def, { hasAuth: true, groups: GROUPS });
    const bucket: StorageBucket = { name: 'law', isDefault: true, flavor: 'gen2', paths };
    compileBucket(bucket, ARN);
    return bucket;
  } catch {
    return null;
  }
}

const caller: fc.Arbitrary<StorageCaller> = fc.oneof(
  fc.constantFrom(...IDS).map((identityId) => ({ kind: 'identity' as const, authenticated: false, identityId, groups: [] })),
  fc.tuple(fc.constantFrom(...IDS), fc.subarray(GROUPS)).map(([identityId, groups]) => ({ kind: 'identity' as const, authenticated: true, identityId, groups })),
  fc.constantFrom('f', 'g').map((name) => ({ kind: 'function' as const, name })),
);

/** The role the identity pool (or Lambda) gives the caller, as the emulator would. */
function roleOfCaller(c: StorageCaller): StorageRole {
  if (c.kind === 'function') return { kind: 'function', name: c.name };
  if (c.kind !== 'identity') throw new Error('no role');
  if (!c.authenticated) return { kind: 'unauth' };
  const g = GROUPS.find((x) => c.groups.includes(x));
  return g ? { kind: 'group', group: g } : { kind: 'auth' };
}

/** A key or prefix near the bucket's paths: inside a folder, in an identity's folder, just outside. */
function targets(bucket: StorageBucket): string[] {
  const out = new Set<string>(['', 'zz/x']);
  for (const { path: p } of bucket.paths) {
    const shared = p.includes('{entity_id}') ? p.slice(0, p.indexOf('{entity_id}')) : p.slice(0, -1);
    out.add(shared);
    out.add(shared.slice(0, -1));
    out.add(`${shared}x`);
    for (const id of IDS) {
      out.add(`${shared}${id}/`);
      out.add(`${shared}${id}/x`);
    }
    for (const q of bucket.paths) out.add(`${shared}${q.path.replace('{entity_id}', IDS[0]!).slice(0, -1)}x`);
  }
  return [...out];
}

const S3_ACTION: Record<StorageAction, string> = { get: 's3:GetObject', list: 's3:ListBucket', write: 's3:PutObject', delete: 's3:DeleteObject' };

describe('the storage oracle and IAM over the compiled policies agree', () => {
  it('for every caller, action and key of random valid definitions', () => {
    let compared = 0;
    let allowed = 0;
    fc.assert(
      fc.property(definition, caller, (def, who) => {
        const bucket = bucketOf(def as Record<string, unknown[]>);
        fc.pre(bucket !== null);
        const compiled = compileBucket(bucket!, ARN);
        const role = roleOfCaller(who);
        const policy = compiled.policies.find((p) => roleKey(p.role) === roleKey(role));
        const policies = policy ? [compilePolicy(roleKey(role), policy.policy)] : [];
        const facts = { storage: { buckets: [bucket!], groupPrecedence: GROUPS }, groupPrecedence: GROUPS, allowGuests: true };
        const identity: Record<string, string> = who.kind === 'identity' ? { 'cognito-identity.amazonaws.com:sub': who.identityId } : {};
        for (const target of targets(bucket!)) {
          for (const action of ['get', 'list', 'write', 'delete'] as const) {
            const req: StorageRequest = action === 'list' ? { action, bucket: 'law', prefix: target } : { action, bucket: 'law', key: target };
            const oracle = decideStorage(facts, who, req);
            const iam = evaluate(policies, {
              action: S3_ACTION[action],
              resource: action === 'list' ? ARN : `${ARN}/${target}`,
              context: { ...identity, ...(action === 'list' ? { 's3:prefix': target } : {}) },
            });
            compared++;
            if (iam.outcome === 'allow') allowed++;
            if ((oracle.outcome === 'allow') !== (iam.outcome === 'allow')) {
              throw new Error(`${JSON.stringify(def)}\n${JSON.stringify(who)} ${action} ${JSON.stringify(target)}: oracle ${oracle.outcome} (${oracle.reason}), IAM ${iam.outcome} (${iam.reason})`);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
    // The law is worth something only if both answers occur often.
    expect(allowed).toBeGreaterThan(compared / 20);
    expect(compared - allowed).toBeGreaterThan(compared / 20);
  });
});
