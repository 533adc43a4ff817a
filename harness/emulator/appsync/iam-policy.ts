/**
 * The IAM policies Amplify attaches to the identity pool's roles: the unauthenticated role may reach
 * the fields that guest rules (`public`, `identityPool`) cover, the authenticated role those of
 * `private`/`identityPool` rules. AppSync's `@aws_iam` admits any signed caller; these policies then
 * decide for identity-pool roles. Other IAM principals are limited by their own policies, which the
 * emulator treats as allowing everything.
 */
import type { AuthModel, Model, ModelOperation, Rule } from '../../schema/model.js';
import type { ApiSchema } from './api-schema.js';

export interface RolePolicies {
  unauth: Set<string>;
  auth: Set<string>;
}

type Role = 'unauth' | 'auth';

function roleOf(rule: Rule): Role | undefined {
  if (rule.provider !== 'iam') return undefined;
  return rule.kind === 'public' ? 'unauth' : rule.kind === 'private' ? 'auth' : undefined;
}

export function identityPoolPolicies(auth: AuthModel, api: ApiSchema): RolePolicies {
  const policies: RolePolicies = { unauth: new Set(), auth: new Set() };
  const grant = (role: Role, resource: string) => policies[role].add(resource);
  for (const m of auth.models) {
    for (const role of ['unauth', 'auth'] as const) {
      const ops = operationsFor(m, role);
      if (!ops.size) continue;
      grant(role, `${m.name}.*`);
      grant(role, `Model${m.name}Connection.*`);
      for (const f of m.fields) if (f.typeKind === 'customType') grant(role, `${f.type}.*`);
      for (const [key, op] of api.operations) {
        if (op.kind === 'custom' || op.model !== m.name) continue;
        const needed: ModelOperation = op.kind === 'index' ? 'list' : op.kind.startsWith('on') ? 'listen' : (op.kind as ModelOperation);
        if (ops.has(needed)) grant(role, key);
      }
    }
  }
  for (const op of auth.customOperations) {
    const type = op.type === 'query' ? 'Query' : op.type === 'mutation' ? 'Mutation' : 'Subscription';
    for (const rule of op.rules) {
      const role = roleOf(rule);
      if (!role) continue;
      grant(role, `${type}.${op.name}`);
      if (op.returns.typeKind === 'customType') grant(role, `${op.returns.type}.*`);
      if (op.returns.typeKind === 'model') grant(role, `${op.returns.type}.*`);
    }
  }
  return policies;
}

function operationsFor(m: Model, role: Role): Set<ModelOperation> {
  const ops = new Set<ModelOperation>();
  for (const rule of [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]) if (roleOf(rule) === role) rule.operations.forEach((o) => ops.add(o));
  return ops;
}

export function policyAllows(policies: Set<string>, type: string, field: string): boolean {
  return policies.has(`${type}.${field}`) || policies.has(`${type}.*`);
}
