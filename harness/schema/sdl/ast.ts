/** Small readers of GraphQL SDL nodes: directives and their arguments, type references, implicit fields. */
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type TypeNode } from 'graphql';
import type { Field } from '../model.js';

export function find(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

export function directiveArgs(d: ConstDirectiveNode | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of d?.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value);
  return out;
}

export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function unwrap(t: TypeNode): { name: string; list: boolean; required: boolean } {
  let required = false;
  let list = false;
  let cur = t;
  if (cur.kind === Kind.NON_NULL_TYPE) {
    required = true;
    cur = cur.type;
  }
  if (cur.kind === Kind.LIST_TYPE) {
    list = true;
    cur = cur.type;
    if (cur.kind === Kind.NON_NULL_TYPE) cur = cur.type;
  }
  if (cur.kind !== Kind.NAMED_TYPE) throw new Error('nested list types are not supported');
  return { name: cur.name.value, list, required };
}

export function implicitField(name: string, type: string, required: boolean): Field {
  return { name, type, typeKind: 'scalar', list: false, required, implicit: true };
}

