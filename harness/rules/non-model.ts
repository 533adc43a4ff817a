/**
 * Field rules on non-model types (custom types nested in a model): who may read such a field. Only static rules
 * count; owner and groupsField rules on a non-model field let nobody in (there is no record to compare with). The
 * rules hold on reads only: writes carrying the field are never checked.
 */
import type { AuthModel, CustomType, Field, Model, Rule } from '../schema/model.js';
import type { Identity } from './identity.js';
import { holds, roleKeys, type StoredRecord } from './roles.js';

/** Depth to which a selection of a whole custom-type field reaches, as the client expands it. */
const MAX_DEPTH = 4;

function readable(identity: Identity, rules: Rule[]): boolean {
  return rules.some((rule) => rule.kind !== 'owner' && rule.kind !== 'dynamicGroup'
    && roleKeys(rule).some((k) => holds({ key: k.key, rule, ...(k.group ? { group: k.group } : {}) }, identity, undefined)));
}

/**
 * Selected non-model fields the caller may not read on this record, as dotted paths (`info.secret`). A selected
 * custom-type field without sub-paths stands for all its fields, as the client selects them. A field only
 * resolves, and so only refuses, when the object holding it is present.
 */
export function nonModelDenials(auth: AuthModel, identity: Identity, model: Model, record: StoredRecord, select: string[]): string[] {
  const denied: string[] = [];
  const typeOf = (name: string) => auth.customTypes.find((t) => t.name === name);
  const walk = (type: CustomType, values: unknown[], path: string, subPaths: string[], depth: number): void => {
    const present = values.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object');
    if (!present.length) return;
    for (const f of fieldsSelected(type, subPaths, depth)) {
      const at = `${path}.${f.name}`;
      if (f.rules && !readable(identity, f.rules)) {
        denied.push(at);
        continue;
      }
      const inner = f.typeKind === 'customType' ? typeOf(f.type) : undefined;
      if (inner) walk(inner, present.flatMap((v) => asList(v[f.name])), at, under(subPaths, f.name), depth + 1);
    }
  };
  for (const [name, subPaths] of group(select)) {
    const f = model.fields.find((x) => x.name === name);
    const type = f?.typeKind === 'customType' ? typeOf(f.type) : undefined;
    if (type) walk(type, asList(record[name]), name, subPaths, 1);
  }
  return denied;
}

/** Whether any custom type has field rules (most schemas: none, and reads skip the walk). */
export function hasNonModelRules(auth: AuthModel): boolean {
  return auth.customTypes.some((t) => t.fields.some((f) => f.rules));
}

function fieldsSelected(type: CustomType, subPaths: string[], depth: number): Field[] {
  if (subPaths.length) return [...group(subPaths).keys()].map((n) => type.fields.find((f) => f.name === n)).filter((f): f is Field => !!f);
  return depth <= MAX_DEPTH ? type.fields.filter((f) => f.typeKind !== 'model') : [];
}

/** `['info.a', 'info.b.c', 'x']` → `info → [a, b.c]`, `x → []`. */
function group(paths: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    const [head, ...rest] = p.split('.');
    const list = out.get(head!) ?? [];
    if (rest.length) list.push(rest.join('.'));
    out.set(head!, list);
  }
  return out;
}

function under(paths: string[], name: string): string[] {
  return group(paths).get(name) ?? [];
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}
