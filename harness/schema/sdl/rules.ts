/** `@auth` rules (and the `@aws_*` auth-mode directives read as rules), validated as the transformer does. */
import { valueFromASTUntyped, type ASTNode, type ConstDirectiveNode, type InputObjectTypeDefinitionNode } from 'graphql';
import { InputError } from '../errors.js';
import { MODEL_OPERATIONS, PROVIDER_MODE, READ_OPERATIONS, type ModelOperation, type Provider, type Rule, type StaticRule } from '../model.js';
import { directiveArgs, stringList } from './ast.js';
import { sdlError, type SdlContext } from './context.js';

const RULE_KEYS = ['allow', 'provider', 'ownerField', 'identityClaim', 'groupClaim', 'groups', 'groupsField', 'operations'];

const ALLOW_VALUES = ['public', 'private', 'owner', 'groups', 'custom'] as const;

type Allow = (typeof ALLOW_VALUES)[number];

const PROVIDERS_BY_ALLOW: Record<Allow, readonly string[]> = {
  public: ['apiKey', 'iam', 'identityPool'],
  private: ['userPools', 'oidc', 'iam', 'identityPool'],
  owner: ['userPools', 'oidc'],
  groups: ['userPools', 'oidc'],
  custom: ['function'],
};

const DEFAULT_PROVIDER: Record<Allow, Provider> = {
  public: 'apiKey',
  private: 'userPools',
  owner: 'userPools',
  groups: 'userPools',
  custom: 'function',
};

const OPERATION_WORDS = ['create', 'update', 'delete', 'read', ...READ_OPERATIONS] as const;

export function globalAuthRule(ctx: SdlContext, def: InputObjectTypeDefinitionNode): Record<string, unknown> | undefined {
  const f = def.fields?.find((x) => x.name.value === 'globalAuthRule');
  if (!f?.defaultValue) return undefined;
  const v = valueFromASTUntyped(f.defaultValue);
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw sdlError(ctx, 'input AMPLIFY { globalAuthRule } must default to one rule object', def, 'AMPLIFY', 'globalAuthRule', 'write globalAuthRule: AuthRule = { allow: public }');
  }
  return v as Record<string, unknown>;
}

/**
 * The raw rules of an @auth directive. `operationsRefused` (field rules outside a model) gives the transformer's reason
 * why they may not name operations (utils/validations.ts validateFieldRules).
 */
export function rulesArg(ctx: SdlContext, d: ConstDirectiveNode, type: string, field?: string, operationsRefused?: string): Record<string, unknown>[] {
  const rules = directiveArgs(d).rules;
  if (!Array.isArray(rules)) throw sdlError(ctx, '@auth needs a rules list', d, type, field, 'write @auth(rules: [{ allow: owner }])');
  // graphql-auth-transformer utils/validations.ts: "@auth on <name> does not have any auth rules."
  if (!rules.length) throw sdlError(ctx, `@auth on ${field ?? type} does not have any auth rules`, d, type, field, 'add a rule, or remove @auth');
  return rules.map((r) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw sdlError(ctx, 'each @auth rule must be an object', d, type, field, 'write rules as { allow: ... }');
    const ops = (r as Record<string, unknown>).operations;
    if (operationsRefused && Array.isArray(ops) && ops.length) throw sdlError(ctx, `@auth rules on ${type}.${field} cannot specify 'operations': ${operationsRefused}`, d, type, field, 'remove operations from these rules');
    return r as Record<string, unknown>;
  });
}

export function buildRule(ctx: SdlContext, raw: Record<string, unknown>, id: string, node: ASTNode, type: string, field?: string): Rule {
  const fail = (msg: string, fix: string) => sdlError(ctx, `${msg} (rule ${id})`, node, type, field, fix);
  for (const k of Object.keys(raw)) {
    if (k === 'queries' || k === 'mutations') throw fail(`@auth argument "${k}" is from transformer v1 and is not supported`, 'use operations: [...]');
    if (!RULE_KEYS.includes(k)) throw fail(`unknown @auth rule argument "${k}"`, `use one of ${RULE_KEYS.join(', ')}`);
  }
  const allow = raw.allow;
  if (typeof allow !== 'string' || !(ALLOW_VALUES as readonly string[]).includes(allow)) {
    throw fail(`unknown @auth strategy allow: ${String(allow)}`, `use one of ${ALLOW_VALUES.join(', ')}`);
  }
  const a = allow as Allow;
  const rawProvider = raw.provider === undefined ? DEFAULT_PROVIDER[a] : raw.provider;
  if (typeof rawProvider !== 'string' || !PROVIDERS_BY_ALLOW[a].includes(rawProvider)) {
    throw fail(`provider ${String(rawProvider)} cannot be used with allow: ${a}`, `use one of ${PROVIDERS_BY_ALLOW[a].join(', ')}`);
  }
  const provider = (rawProvider === 'identityPool' ? 'iam' : rawProvider) as Provider;
  const operations = ruleOperations(raw.operations, fail, field !== undefined);
  const onlyFor = (key: string, allowed: Allow[]) => {
    if (raw[key] !== undefined && !allowed.includes(a)) throw fail(`"${key}" is not valid with allow: ${a}`, `remove ${key}`);
  };
  onlyFor('ownerField', ['owner']);
  onlyFor('identityClaim', ['owner']);
  onlyFor('groups', ['groups']);
  onlyFor('groupsField', ['groups']);
  onlyFor('groupClaim', ['groups']);
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw fail(`"${key}" must be a non-empty string`, `set ${key}: "..."`);
    return v;
  };
  switch (a) {
    case 'public':
      return { id, kind: 'public', provider: provider as 'apiKey' | 'iam', operations };
    case 'private':
      return { id, kind: 'private', provider: provider as 'userPools' | 'oidc' | 'iam', operations };
    case 'custom':
      return { id, kind: 'custom', provider: 'function', operations };
    case 'owner':
      return {
        id,
        kind: 'owner',
        provider: provider as 'userPools' | 'oidc',
        ownerField: str('ownerField') ?? 'owner',
        multiOwner: false,
        identityClaim: str('identityClaim') ?? (ctx.input.params.useSubUsernameForDefaultIdentityClaim ? 'sub::username' : 'username'),
        operations,
      };
    case 'groups': {
      const groupClaim = str('groupClaim') ?? 'cognito:groups';
      const groupsField = str('groupsField');
      if (groupsField !== undefined) {
        if (raw.groups !== undefined) throw fail('a groups rule takes either groups or groupsField, not both', 'split it into two rules');
        return { id, kind: 'dynamicGroup', provider: provider as 'userPools' | 'oidc', groupsField, multiGroup: false, groupClaim, operations };
      }
      const groups = raw.groups;
      if (!Array.isArray(groups) || groups.length === 0) {
        throw fail('groups rule without groups', 'name at least one group: allow.groups(["Admin"]) / { allow: groups, groups: ["Admin"] }');
      }
      if (!groups.every((g) => typeof g === 'string' && g !== '')) throw fail('group names must be non-empty strings', 'quote each group name');
      return { id, kind: 'staticGroup', provider: provider as 'userPools' | 'oidc', groups: groups as string[], groupClaim, operations };
    }
  }
}

/** The operations a rule grants, refused as graphql-auth-transformer utils/index.ts (ensureAuthRuleDefaults) refuses them. */
function ruleOperations(raw: unknown, fail: (m: string, f: string) => InputError, fieldLevel: boolean): ModelOperation[] {
  if (raw === undefined) return [...MODEL_OPERATIONS];
  if (!Array.isArray(raw)) throw fail('operations must be a list', 'write operations: [read, create]');
  const reads = raw.filter((op): op is string => op !== 'read' && (READ_OPERATIONS as readonly unknown[]).includes(op));
  if (fieldLevel && reads.length) throw fail(`'${reads.join(',')}' operation is not allowed at the field level`, 'write read instead');
  if (reads.length && raw.includes('read')) {
    throw fail(`'${reads.join(',')}' operations are specified in addition to 'read'`, `remove read to grant only ${reads.join(', ')}, or keep only read`);
  }
  const out = new Set<ModelOperation>();
  for (const op of raw) {
    if (typeof op !== 'string' || !(OPERATION_WORDS as readonly string[]).includes(op)) {
      throw fail(`unknown operation ${String(op)}`, `use ${OPERATION_WORDS.join(', ')}`);
    }
    if (op === 'read') for (const r of READ_OPERATIONS) out.add(r);
    else out.add(op as ModelOperation);
  }
  return MODEL_OPERATIONS.filter((o) => out.has(o));
}

export function checkProviders(ctx: SdlContext, rules: Rule[], type: string, field?: string): void {
  for (const r of rules) {
    const mode = PROVIDER_MODE[r.provider];
    if (!ctx.input.authModes.enabled.includes(mode)) {
      const loc = ctx.input.locate?.(type, field) ?? { file: ctx.input.file };
      throw new InputError(
        `rule ${r.id} uses provider ${r.provider}, but the ${mode} authorization mode is not configured`,
        loc,
        MODE_FIX[mode],
      );
    }
  }
}

/**
 * `@aws_*` directives as static rules. For an operation (`orDefault`), no directive means the default
 * mode only.
 */
export function buildDirectiveRules(ctx: SdlContext, directives: readonly ConstDirectiveNode[], type: string, name: string, orDefault: boolean): StaticRule[] {
  const out: StaticRule[] = [];
  const add = (r: RuleShape) =>
    out.push({ ...r, id: `${prefix}#${out.length + 1}`, operations: [...MODEL_OPERATIONS] } as StaticRule);
  const prefix = type === name ? name : `${type}.${name}`;
  for (const d of directives) {
    switch (d.name.value) {
      case 'aws_api_key': add({ kind: 'public', provider: 'apiKey' }); break;
      case 'aws_iam': add({ kind: 'public', provider: 'iam' }); add({ kind: 'private', provider: 'iam' }); break;
      case 'aws_oidc': add({ kind: 'private', provider: 'oidc' }); break;
      case 'aws_lambda': add({ kind: 'custom', provider: 'function' }); break;
      case 'aws_cognito_user_pools':
      case 'aws_auth': {
        const groups = stringList(directiveArgs(d).cognito_groups);
        if (groups.length) add({ kind: 'staticGroup', provider: 'userPools', groups, groupClaim: 'cognito:groups' });
        else add({ kind: 'private', provider: 'userPools' });
        break;
      }
    }
  }
  if (out.length === 0 && orDefault) {
    switch (ctx.input.authModes.default) {
      case 'apiKey': add({ kind: 'public', provider: 'apiKey' }); break;
      case 'userPool': add({ kind: 'private', provider: 'userPools' }); break;
      case 'oidc': add({ kind: 'private', provider: 'oidc' }); break;
      case 'iam': add({ kind: 'public', provider: 'iam' }); add({ kind: 'private', provider: 'iam' }); break;
      case 'lambda': add({ kind: 'custom', provider: 'function' }); break;
    }
  }
  return out;
}

type RuleShape = StaticRule extends infer R ? (R extends StaticRule ? Omit<R, 'id' | 'operations'> : never) : never;

const MODE_FIX: Record<string, string> = {
  apiKey: 'enable API key authorization (Gen 2: authorizationModes.apiKeyAuthorizationMode; Gen 1: authModes.additional)',
  userPool: 'add a Cognito user pool (Gen 2: defineAuth; Gen 1: authModes.additional: ["userPool"])',
  oidc: 'configure an OIDC provider (Gen 2: authorizationModes.oidcAuthorizationMode; Gen 1: authModes.oidc)',
  iam: 'enable IAM authorization (an identity pool)',
  lambda: 'configure a Lambda authorizer (Gen 2: authorizationModes.lambdaAuthorizationMode; Gen 1: authModes.lambda)',
};
