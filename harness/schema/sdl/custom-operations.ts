/** Custom queries, mutations and subscriptions: arguments, return type, rules or directives, and their handler. */
import type { FieldDefinitionNode } from 'graphql';
import type { Argument, CustomHandler, CustomOperation, StaticRule } from '../model.js';
import { directiveArgs, find, stringList, unwrap } from './ast.js';
import { checkDirectives, sdlError, typeKindOf, type FunctionEntry, type SdlContext } from './context.js';
import { buildDirectiveRules, buildRule, rulesArg } from './rules.js';

export const TYPE_LEVEL = ['Query', 'Mutation', 'Subscription'] as const;

export function buildCustomOperation(ctx: SdlContext, type: (typeof TYPE_LEVEL)[number], node: FieldDefinitionNode): CustomOperation {
  const name = node.name.value;
  checkDirectives(ctx, node.directives ?? [], type, name);
  const t = unwrap(node.type);
  const args: Argument[] = (node.arguments ?? []).map((a) => {
    const at = unwrap(a.type);
    return { name: a.name.value, type: at.name, list: at.list, required: at.required };
  });
  const auth = find(node.directives, 'auth');
  let rules: StaticRule[];
  let enforcement: CustomOperation['enforcement'];
  if (auth) {
    enforcement = 'resolver';
    const parsed = rulesArg(ctx, auth, type, name, 'the rules of a Query, Mutation or Subscription field already apply to that one operation').map((r, i) => buildRule(ctx, r, `${type}.${name}#${i + 1}`, auth, type, name));
    rules = parsed.map((r) => {
      if (r.kind === 'owner' || r.kind === 'dynamicGroup') {
        throw sdlError(ctx, `${r.kind === 'owner' ? 'owner' : 'dynamic group'} rules cannot protect custom ${type.toLowerCase()} ${name}: there is no record to compare with (rule ${r.id})`,
          auth, type, name, 'use a static rule (authenticated, groups, guest, publicApiKey, custom)');
      }
      return r;
    });
  } else {
    enforcement = 'directive';
    rules = buildDirectiveRules(ctx, node.directives ?? [], type, node.name.value, true);
  }
  const handler = ctx.input.handlers?.get(`${type}.${name}`) ?? functionHandler(node, ctx.input.functionEntries) ?? { kind: 'none' as const };
  const subscribe = find(node.directives, 'aws_subscribe');
  return {
    name,
    type: type.toLowerCase() as CustomOperation['type'],
    arguments: args,
    returns: { type: t.name, typeKind: typeKindOf(ctx, t.name, node, type, name), list: t.list, required: t.required },
    rules,
    enforcement,
    handler,
    subscribesTo: subscribe ? stringList(directiveArgs(subscribe).mutations) : [],
  };
}

function functionHandler(node: FieldDefinitionNode, entries: Map<string, FunctionEntry> | undefined): CustomHandler | undefined {
  const names = (node.directives ?? [])
    .filter((d) => d.name.value === 'function')
    .map((d) => directiveArgs(d).name)
    .filter((n): n is string => typeof n === 'string');
  if (!names.length) return undefined;
  return { kind: 'function', functions: names.map((name) => entries?.get(name) ?? { name }) };
}
