/** `@model` types: keys and indexes, implicit fields (id, owner and group fields, timestamps), rules, operation names. */
import type { ASTNode, ObjectTypeDefinitionNode } from 'graphql';
import type { Field, Index, Model, SubscriptionLevel } from '../model.js';
import { directiveArgs, find, implicitField, stringList } from './ast.js';
import { checkDirectives, sdlError, type SdlContext } from './context.js';
import { buildField } from './fields.js';
import { defaultIndexName, operationNames } from './names.js';
import { checkModelRules } from './refusals.js';
import { buildRule, rulesArg } from './rules.js';

export function buildModel(ctx: SdlContext, node: ObjectTypeDefinitionNode, globalRule: Record<string, unknown> | undefined): Model {
  const name = node.name.value;
  checkDirectives(ctx, node.directives ?? [], name);
  const modelArgs = directiveArgs(find(node.directives, 'model'));
  const authDirective = find(node.directives, 'auth');

  const declared = (node.fields ?? []).map((f) => buildField(ctx, name, f, true));
  const rulesSource = authDirective ? rulesArg(ctx, authDirective, name) : globalRule ? [globalRule] : [];
  const rules = rulesSource.map((r, i) => buildRule(ctx, r, `${name}#${i + 1}`, authDirective ?? node, name));

  // Primary key: @primaryKey on a field, else the implicit `id`.
  let primaryKey: Model['primaryKey'] = { partitionKey: 'id', sortKeys: [] };
  const indexes: Index[] = [];
  for (const f of node.fields ?? []) {
    const pk = find(f.directives, 'primaryKey');
    if (pk) {
      const sortKeys = stringList(directiveArgs(pk).sortKeyFields);
      primaryKey = { partitionKey: f.name.value, sortKeys };
    }
    for (const ix of (f.directives ?? []).filter((d) => d.name.value === 'index')) {
      const args = directiveArgs(ix);
      const sortKeys = stringList(args.sortKeyFields);
      const ixName = typeof args.name === 'string' ? args.name : defaultIndexName(f.name.value, sortKeys);
      const queryField = typeof args.queryField === 'string' ? args.queryField : undefined;
      indexes.push({ name: ixName, partitionKey: f.name.value, sortKeys, ...(queryField ? { queryField } : {}) });
    }
  }

  const fields: Field[] = [];
  const has = (n: string) => declared.some((f) => f.name === n) || fields.some((f) => f.name === n);
  if (!declared.some((f) => f.name === 'id') && primaryKey.partitionKey === 'id') {
    fields.push(implicitField('id', 'ID', true));
  }
  fields.push(...declared);
  const allRules = [...rules, ...declared.flatMap((f) => f.rules ?? [])];
  // Owner fields the schema does not declare are added (any ownerField, as a String), as the auth transformer does;
  // groups fields are not, so an undeclared one could never hold a group.
  for (const rule of allRules) {
    if (rule.kind === 'dynamicGroup' && !has(rule.groupsField)) {
      throw sdlError(ctx, `groupsField "${rule.groupsField}" of rule ${rule.id} is not a field of ${name}`, authDirective ?? node, name, undefined,
        `declare ${rule.groupsField} on ${name} (a String, or [String] for several), or correct the name`);
    }
    if (rule.kind === 'owner' && !has(rule.ownerField)) fields.push(implicitField(rule.ownerField, 'String', false));
  }
  const timestamps = timestampsOf(modelArgs.timestamps);
  for (const ts of [timestamps.createdAt, timestamps.updatedAt]) {
    if (ts && !has(ts)) fields.push(implicitField(ts, 'AWSDateTime', true));
  }

  // Resolve owner/group field shapes now that every field is known.
  for (const rule of allRules) {
    if (rule.kind === 'owner') {
      const f = fields.find((x) => x.name === rule.ownerField)!;
      checkAuthFieldType(ctx, f, name, rule.id, 'ownerField', authDirective ?? node);
      rule.multiOwner = f.list;
    } else if (rule.kind === 'dynamicGroup') {
      const f = fields.find((x) => x.name === rule.groupsField)!;
      checkAuthFieldType(ctx, f, name, rule.id, 'groupsField', authDirective ?? node);
      rule.multiGroup = f.list;
    }
  }

  const model: Model = {
    name,
    fields,
    primaryKey,
    indexes,
    rules,
    operationNames: operationNames(name, modelArgs),
    subscriptionLevel: subscriptionLevel(modelArgs.subscriptions),
    timestamps,
    ...(!authDirective && globalRule ? { rulesFromGlobal: true as const } : {}),
  };
  checkModelRules(ctx, model, authDirective ?? node, ctx.input.params.useSubUsernameForDefaultIdentityClaim, modelArgs.subscriptions === null);
  return model;
}

function checkAuthFieldType(ctx: SdlContext, f: Field, model: string, ruleId: string, what: string, node: ASTNode): void {
  if (f.type !== 'String' && f.type !== 'ID') {
    throw sdlError(ctx, `${what} "${f.name}" of rule ${ruleId} has type ${f.list ? `[${f.type}]` : f.type}; it must be String or [String]`,
      node, model, f.name, `change ${model}.${f.name} to String (or [String] for several)`);
  }
}

function timestampsOf(arg: unknown): Model['timestamps'] {
  if (arg === null) return { createdAt: null, updatedAt: null };
  if (arg && typeof arg === 'object') {
    const t = arg as Record<string, unknown>;
    const pick = (k: string) => (k in t ? (typeof t[k] === 'string' ? (t[k] as string) : null) : k);
    return { createdAt: pick('createdAt'), updatedAt: pick('updatedAt') };
  }
  return { createdAt: 'createdAt', updatedAt: 'updatedAt' };
}

function subscriptionLevel(arg: unknown): SubscriptionLevel {
  if (arg === null) return 'off';
  if (arg && typeof arg === 'object') {
    const level = (arg as Record<string, unknown>).level;
    if (level === 'off' || level === 'public' || level === 'on') return level;
  }
  return 'on';
}
