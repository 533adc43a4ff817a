/**
 * The `appsync:GraphQL` policies Amplify's auth transformer attaches to the identity pool's roles,
 * reproduced from amplify-category-api `packages/amplify-graphql-auth-transformer/src/graphql-auth-transformer.ts`
 * (`addTypeToResourceReferences`, `addFieldToResourceReferences`, `addOperationToResourceReferences`,
 * `propagateAuthDirectivesToNestedTypes`, `generateIAMPolicies`) and `src/utils/iam.ts`
 * (`createPolicyDocumentForManagedPolicy`):
 * - a model's type (`types/Todo/*`), a field with rules (`types/Todo/fields/secret`) and every root
 *   operation of a model (`types/Query/fields/getTodo`) go to the unauthenticated and authenticated roles
 *   when any identity-pool `public` rule of the model names them, to the authenticated role when a
 *   `private` one does; the operations follow the model's rules as a whole, not per operation (the
 *   resolvers then refuse operations the rules do not grant);
 * - custom operations follow their own rules; non-model types a model embeds go to both roles;
 * - a role gets policies only when some rule needs them (any identity-pool rule for the authenticated
 *   role, a `public` one for the unauthenticated role), split into managed policies of about 6000 bytes.
 */
import type { PolicyDocument } from '../../schema/auth-resources.js';
import type { AuthModel, Rule } from '../../schema/model.js';
import type { ApiSchema } from './api-schema.js';

export interface AppSyncApiRef {
  region: string;
  accountId: string;
  apiId: string;
}

export interface RolePolicies {
  auth: { name: string; document: PolicyDocument }[];
  unauth: { name: string; document: PolicyDocument }[];
}

/** `field: null` is the whole type (`types/T/*`). */
export function appSyncArn(api: AppSyncApiRef, type: string, field: string | null): string {
  const base = `arn:aws:appsync:${api.region}:${api.accountId}:apis/${api.apiId}/types/${type}`;
  return field === null ? `${base}/*` : `${base}/fields/${field}`;
}

const identityPool = (kind: 'public' | 'private') => (r: Rule) => r.provider === 'iam' && r.kind === kind;

export function amplifyRolePolicies(model: AuthModel, api: ApiSchema, ref: AppSyncApiRef): RolePolicies {
  const auth = new Set<string>();
  const unauth = new Set<string>();
  const add = (type: string, field: string | null, rules: readonly Rule[]) => {
    const key = `${type}/${field ?? 'null'}`;
    if (rules.some(identityPool('public'))) {
      unauth.add(key);
      auth.add(key);
    }
    if (rules.some(identityPool('private'))) auth.add(key);
  };
  const rootOps = new Map<string, string[]>();
  for (const [key, op] of api.operations) if (op.kind !== 'custom') rootOps.set(op.model, [...(rootOps.get(op.model) ?? []), key]);
  const everyRule: Rule[] = [];
  for (const m of model.models) {
    const fieldRules = m.fields.flatMap((f) => f.rules ?? []);
    const all = [...m.rules, ...fieldRules];
    everyRule.push(...all);
    if (!all.length) continue;
    if (m.rules.length) add(m.name, null, m.rules);
    for (const f of m.fields) if (f.rules?.length) add(m.name, f.name, f.rules);
    for (const key of rootOps.get(m.name) ?? []) {
      const [type, field] = key.split('.') as [string, string];
      add(type, field, all);
    }
    // Non-model types a model embeds are added to both sets once the model's types carry @aws_iam.
    const iam = all.some((r) => r.provider === 'iam') || model.params.genericIamAccess || model.authModes.default === 'iam';
    if (iam) for (const f of m.fields) if (f.typeKind === 'customType') (unauth.add(`${f.type}/null`), auth.add(`${f.type}/null`));
  }
  for (const op of model.customOperations) {
    everyRule.push(...op.rules);
    add(op.type === 'query' ? 'Query' : op.type === 'mutation' ? 'Mutation' : 'Subscription', op.name, op.rules);
  }
  const anyRule = (kind: 'public' | 'private') => everyRule.some(identityPool(kind));
  return {
    auth: anyRule('public') || anyRule('private') ? managedPolicies('AuthRolePolicy', auth, ref) : [],
    unauth: anyRule('public') ? managedPolicies('UnauthRolePolicy', unauth, ref) : [],
  };
}

/** `createPolicyDocumentForManagedPolicy`: one Allow statement per policy, a new policy past ~6000 bytes. */
function managedPolicies(prefix: string, resources: Set<string>, ref: AppSyncApiRef): RolePolicies['auth'] {
  const MAX_BUILT_SIZE_BYTES = 6000;
  const RESOURCE_OVERHEAD = 100;
  const documents: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const resource of resources) {
    const [type, field] = resource.split('/') as [string, string];
    current.push(appSyncArn(ref, type, field === 'null' ? null : field));
    size += RESOURCE_OVERHEAD + type.length + (field === 'null' ? 0 : field.length);
    if (size > MAX_BUILT_SIZE_BYTES) {
      documents.push(current.slice(0, -1));
      current = current.slice(-1);
      size = 0;
    }
  }
  if (current.length) documents.push(current);
  return documents.map((Resource, i) => ({
    name: `${prefix}${String(i + 1).padStart(2, '0')}`,
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['appsync:GraphQL'], Resource }] },
  }));
}
