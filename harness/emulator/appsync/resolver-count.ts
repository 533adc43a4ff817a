/**
 * The resolvers an operation invokes at least: its resolver-backed fields, each response key once,
 * fragments expanded as execution collects them (as if every list had one item). Counted before
 * validation, so that an operation over AppSync's resolver limit is refused before it costs anything
 * more than its parse (docs/limits.md).
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Selections visited at most (fragment reuse can make the expanded tree large); past it, counting stops. */
const MAX_VISITS = 1_000_000;
/** Nesting followed at most. */
const MAX_DEPTH = 1_000;

/** True when more than `limit` resolvers would run; `resolves(type, field)` says which fields have one. */
export function exceedsResolverLimit(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  resolves: (type: string, field: string) => boolean,
  limit: number,
): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getRootType(operation.operation);
  if (!root) return false;
  let count = 0;
  let visits = 0;

  const applies = (type: GraphQLCompositeType, condition: string | undefined): boolean => {
    if (!condition || condition === type.name) return true;
    const c = schema.getType(condition);
    return isObjectType(type) && c !== undefined && isAbstractType(c) && schema.isSubType(c, type);
  };

  /** Returns false once the limit is passed or the visit budget is spent. */
  const visit = (type: GraphQLCompositeType, sets: SelectionSetNode[], depth: number): boolean => {
    const byKey = new Map<string, FieldNode[]>();
    const expanded = new Set<string>();
    const collect = (set: SelectionSetNode): void => {
      for (const s of set.selections) {
        if (++visits > MAX_VISITS) return;
        if (s.kind === Kind.FIELD) {
          const key = s.alias?.value ?? s.name.value;
          const list = byKey.get(key);
          if (list) list.push(s);
          else byKey.set(key, [s]);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          if (applies(type, s.typeCondition?.name.value)) collect(s.selectionSet);
        } else if (!expanded.has(s.name.value)) {
          expanded.add(s.name.value);
          const f = fragments.get(s.name.value);
          if (f && applies(type, f.typeCondition.name.value)) collect(f.selectionSet);
        }
      }
    };
    for (const set of sets) collect(set);
    if (visits > MAX_VISITS) return false;
    for (const nodes of byKey.values()) {
      const name = nodes[0]!.name.value;
      const def = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
      if (!def) continue;
      if (resolves(type.name, name) && ++count > limit) return false;
      const named = getNamedType(def.type);
      const subs = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      if (subs.length && isCompositeType(named) && depth < MAX_DEPTH && !visit(named, subs, depth + 1)) return false;
    }
    return true;
  };

  visit(root, [operation.selectionSet], 0);
  return count > limit;
}
