/**
 * The storage compiler against @aws-amplify/backend-storage itself: every case of
 * test/fixtures/storage/backend-storage.golden.json was compiled by the real package (its generator sits
 * beside it); authmatrix must produce the same policies, the same amplify_outputs.json `paths`, and
 * the same errors with the same messages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessBuilder, declaredPaths, StorageDefinitionError } from '../../harness/schema/storage/define.js';
import { compileBucket } from '../../harness/schema/storage/compile.js';
import { roleKey, type StorageBucket } from '../../harness/schema/storage/model.js';
import { outputsStorage } from '../../harness/schema/storage/outputs.js';

type Rule = [string, ...unknown[]];
interface GoldenCase {
  name: string;
  access: Record<string, Rule[]>;
  policies?: Record<string, unknown>;
  paths?: Record<string, unknown>;
  error?: { name: string; message: string };
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/storage/backend-storage.golden.json', import.meta.url), 'utf8')) as {
  generatedBy: string;
  bucketArn: string;
  cases: GoldenCase[];
};

/** The generator's rule notation, written with authmatrix's `allow` builder. */
function definition(access: Record<string, Rule[]>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(access).map(([path, rules]) => [path, rules.map(([kind, ...rest]) => {
    const actions = rest.at(-1) as string[];
    switch (kind) {
      case 'guest': return accessBuilder.guest.to(actions);
      case 'authenticated': return accessBuilder.authenticated.to(actions);
      case 'groups': return accessBuilder.groups(rest[0] as string[]).to(actions);
      case 'entity': return accessBuilder.entity('identity').to(actions);
      case 'resource': return accessBuilder.resource({ kind: 'authmatrix:function', name: rest[0] }).to(actions);
      default: throw new Error(`unknown rule kind ${kind}`);
    }
  })]));
}

/** The golden file names roles by their Amplify acceptor. */
function acceptorName(key: string): string {
  if (key === 'auth') return 'authenticatedUserIamRole';
  if (key === 'unauth') return 'unauthenticatedUserIamRole';
  return key.startsWith('group:') ? key.slice('group:'.length) : key;
}

function compile(c: GoldenCase) {
  const paths = declaredPaths('golden', definition(c.access), { hasAuth: true });
  const bucket: StorageBucket = { name: 'golden', isDefault: true, flavor: 'gen2', paths };
  const compiled = compileBucket(bucket, golden.bucketArn);
  return {
    policies: Object.fromEntries(compiled.policies.map((p) => [acceptorName(roleKey(p.role)), p.policy])),
    paths: compiled.paths,
  };
}

describe(`the storage compiler reproduces ${golden.generatedBy}`, () => {
  it('covers documented examples, every error, and random definitions', () => {
    expect(golden.cases.length).toBeGreaterThan(250);
    expect(golden.cases.filter((c) => c.error).length).toBeGreaterThan(50);
    expect(golden.cases.filter((c) => c.policies && JSON.stringify(c.policies).includes('"Deny"')).length).toBeGreaterThan(20);
  });

  for (const c of golden.cases) {
    it(c.name, () => {
      if (c.error) {
        let thrown: unknown;
        try {
          compile(c);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(StorageDefinitionError);
        expect({ name: (thrown as StorageDefinitionError).code, message: (thrown as Error).message }).toEqual(c.error);
        return;
      }
      const out = compile(c);
      // Same statements in the same order, role by role (key order of the JSON objects aside).
      expect(out.policies).toEqual(c.policies);
      expect(Object.keys(out.policies)).toEqual(Object.keys(c.policies!));
      expect(out.paths).toEqual(c.paths);
      expect(Object.keys(out.paths)).toEqual(Object.keys(c.paths!));
    });
  }
});

/** Statements as a set: each statement with its resources and condition values sorted. */
function normalized(policies: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(policies).map(([role, p]) => [role, (p as { Statement: Record<string, unknown>[] }).Statement.map((st) => {
    const res = ([] as unknown[]).concat(st.Resource).map(String).sort();
    const cond = (st.Condition as { StringLike?: Record<string, string[]> } | undefined)?.StringLike?.['s3:prefix'];
    return JSON.stringify([st.Effect, st.Action, res, cond ? [...cond].sort() : null]);
  }).sort()]));
}

describe('amplify_outputs.json `paths` give back rules that compile to the same policies', () => {
  for (const c of golden.cases.filter((x) => !x.error)) {
    it(c.name, () => {
      const recovered = outputsStorage('amplify_outputs.json', { storage: { bucket_name: 'golden', buckets: [{ name: 'golden', bucket_name: 'golden', aws_region: 'us-east-1', paths: c.paths }] } })!;
      const compiled = compileBucket(recovered.storage.buckets[0]!, golden.bucketArn);
      const expected = Object.fromEntries(Object.entries(c.policies!).filter(([role]) => !role.startsWith('function:')));
      // Function grants are not in the outputs (a path holding only them is written as {}); every other role's policy is recovered.
      expect(normalized(Object.fromEntries(compiled.policies.map((p) => [acceptorName(roleKey(p.role)), p.policy])))).toEqual(normalized(expected));
    });
  }
});
