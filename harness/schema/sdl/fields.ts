/** Fields of models and custom types, with their relation and field-level rules. */
import type { FieldDefinitionNode } from 'graphql';
import type { Field } from '../model.js';
import { find, unwrap } from './ast.js';
import { checkDirectives, typeKindOf, type SdlContext } from './context.js';
import { buildRelation } from './relations.js';
import { buildRule, rulesArg } from './rules.js';

export function buildField(ctx: SdlContext, parent: string, node: FieldDefinitionNode, onModel: boolean): Field {
  const name = node.name.value;
  checkDirectives(ctx, node.directives ?? [], parent, name);
  const t = unwrap(node.type);
  const typeKind = typeKindOf(ctx, t.name, node, parent, name);
  const field: Field = { name, type: t.name, typeKind, list: t.list, required: t.required, implicit: false };
  const relation = onModel ? buildRelation(ctx, parent, node, t.name, t.list) : undefined;
  if (relation) field.relation = relation;
  const auth = find(node.directives, 'auth');
  if (auth) {
    field.rules = rulesArg(ctx, auth, parent, name, onModel ? undefined : 'fields of types without @model have no generated operations').map((r, i) => buildRule(ctx, r, `${parent}.${name}#${i + 1}`, auth, parent, name));
  }
  return field;
}
