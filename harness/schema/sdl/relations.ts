/** Relations (`@hasMany`, `@hasOne`, `@belongsTo`, `@manyToMany`) and the join models `@manyToMany` implies. */
import type { FieldDefinitionNode } from 'graphql';
import { InputError } from '../errors.js';
import type { Field, Model, Relation, Rule } from '../model.js';
import { capitalize, directiveArgs, find, implicitField, lowerFirst, stringList } from './ast.js';
import { sdlError, type SdlContext } from './context.js';
import { operationNames } from './names.js';

export function buildRelation(ctx: SdlContext, parent: string, node: FieldDefinitionNode, target: string, list: boolean): Relation | undefined {
  const field = node.name.value;
  for (const kind of ['hasMany', 'hasOne', 'belongsTo', 'manyToMany'] as const) {
    const d = find(node.directives, kind);
    if (!d) continue;
    if (!ctx.modelNames.has(target)) {
      throw sdlError(ctx, `@${kind} on ${parent}.${field} points at ${target}, which is not a @model`, d, parent, field, `make ${target} a model or remove @${kind}`);
    }
    const args = directiveArgs(d);
    if (kind === 'manyToMany') {
      const relationName = args.relationName;
      if (typeof relationName !== 'string') {
        throw sdlError(ctx, `@manyToMany on ${parent}.${field} needs relationName`, d, parent, field, 'add relationName: "..."');
      }
      return { kind, model: target, references: [lowerFirst(parent) + 'Id'], joinModel: relationName };
    }
    let references = stringList(args.references ?? args.fields);
    if (references.length === 0) {
      // Gen 1 relations without fields/references use an implicit key named after both sides.
      references = kind === 'belongsTo'
        ? [`${lowerFirst(parent)}${capitalize(field)}Id`]
        : kind === 'hasMany'
          ? [`${lowerFirst(parent)}${capitalize(field)}Id`]
          : [`${lowerFirst(parent)}${capitalize(field)}Id`];
    }
    if ((kind === 'hasMany') !== list) {
      throw sdlError(ctx, `@${kind} on ${parent}.${field} needs ${kind === 'hasMany' ? 'a list' : 'a single'} type`, d, parent, field,
        kind === 'hasMany' ? `declare it as [${target}]` : `declare it as ${target}`);
    }
    return { kind, model: target, references };
  }
  return undefined;
}

/** Adds the join models that `@manyToMany` implies (Gen 1). */
export function linkManyToMany(ctx: SdlContext, models: Model[]): void {
  const byJoin = new Map<string, { model: Model; field: Field }[]>();
  for (const m of models) {
    for (const f of m.fields) {
      if (f.relation?.kind === 'manyToMany') {
        const list = byJoin.get(f.relation.joinModel!) ?? [];
        list.push({ model: m, field: f });
        byJoin.set(f.relation.joinModel!, list);
      }
    }
  }
  for (const [join, sides] of byJoin) {
    if (sides.length !== 2) {
      const s = sides[0]!;
      throw new InputError(`@manyToMany relationName "${join}" is used ${sides.length} time(s); it must join exactly two models`,
        ctx.input.locate?.(s.model.name, s.field.name) ?? { file: ctx.input.file }, 'use the same relationName on both sides');
    }
    const [a, b] = sides as [{ model: Model; field: Field }, { model: Model; field: Field }];
    const keyA = lowerFirst(a.model.name) + 'Id';
    const keyB = lowerFirst(b.model.name) + 'Id';
    // The join model carries both sides' rules (its records are created by whoever links them).
    const rules = [...a.model.rules, ...b.model.rules].map((r, i) => ({ ...r, id: `${join}#${i + 1}` }));
    models.push({
      name: join,
      fields: [
        implicitField('id', 'ID', true),
        { ...implicitField(keyA, 'ID', true) },
        { ...implicitField(keyB, 'ID', true) },
        { ...implicitField(lowerFirst(a.model.name), a.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: a.model.name, references: [keyA] } },
        { ...implicitField(lowerFirst(b.model.name), b.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: b.model.name, references: [keyB] } },
        ...ownerAndGroupFields(rules),
        implicitField('createdAt', 'AWSDateTime', true),
        implicitField('updatedAt', 'AWSDateTime', true),
      ],
      primaryKey: { partitionKey: 'id', sortKeys: [] },
      indexes: [
        { name: `by${a.model.name}`, partitionKey: keyA, sortKeys: [] },
        { name: `by${b.model.name}`, partitionKey: keyB, sortKeys: [] },
      ],
      rules,
      operationNames: operationNames(join, {}),
      subscriptionLevel: 'on',
      timestamps: { createdAt: 'createdAt', updatedAt: 'updatedAt' },
    });
    a.field.relation = { kind: 'manyToMany', model: b.model.name, references: [keyA], joinModel: join };
    b.field.relation = { kind: 'manyToMany', model: a.model.name, references: [keyB], joinModel: join };
  }
}

function ownerAndGroupFields(rules: Rule[]): Field[] {
  const names = new Set<string>();
  for (const r of rules) {
    if (r.kind === 'owner') names.add(r.ownerField);
    if (r.kind === 'dynamicGroup') names.add(r.groupsField);
  }
  return [...names].map((n) => implicitField(n, 'String', false));
}
