/** Relations (`@hasMany`, `@hasOne`, `@belongsTo`, `@manyToMany`) and the join models `@manyToMany` implies. */
import type { ConstDirectiveNode, FieldDefinitionNode } from 'graphql';
import { InputError } from '../errors.js';
import type { Field, Model, Relation, Rule } from '../model.js';
import { directiveArgs, find, implicitField, stringList, unwrap } from './ast.js';
import { sdlError, type SdlContext } from './context.js';
import { capitalize, lowerFirst, operationNames } from './names.js';

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
      // linkManyToMany sets the keys once both sides are known.
      return { kind, model: target, local: [], remote: [], joinModel: relationName };
    }
    if ((kind === 'hasMany') !== list) {
      throw sdlError(ctx, `@${kind} on ${parent}.${field} needs ${kind === 'hasMany' ? 'a list' : 'a single'} type`, d, parent, field,
        kind === 'hasMany' ? `declare it as [${target}]` : `declare it as ${target}`);
    }
    const keys = relationKeys(ctx, kind, parent, node, target, args, d);
    // A key nobody holds: the field resolves to null, as a field typed with a model and no relation does.
    return keys && { kind, model: target, local: keys.local, remote: keys.remote };
  }
  return undefined;
}

/**
 * The fields a relation matches, as the relational transformer reads its arguments
 * (amplify-graphql-relational-transformer: schema.ts ensureHasManyConnectionField, ensureHasOneConnectionField,
 * ensureBelongsToConnectionField; utils.ts getRelatedTypeIndex, getConnectionAttributeName).
 */
function relationKeys(ctx: SdlContext, kind: 'hasMany' | 'hasOne' | 'belongsTo', parent: string, node: FieldDefinitionNode, target: string,
  args: Record<string, unknown>, d: ConstDirectiveNode): { local: string[]; remote: string[] } | undefined {
  const field = node.name.value;
  const references = stringList(args.references);
  const fields = stringList(args.fields);
  if (references.length && fields.length) {
    throw sdlError(ctx, `@${kind} on ${parent}.${field} has both fields and references`, d, parent, field, 'keep references (fields is the Gen 1 form)');
  }
  // belongsTo: its own fields hold the related record's key, whichever argument names them.
  if (kind === 'belongsTo' && (references.length || fields.length)) return { local: references.length ? references : fields, remote: keyOf(ctx, target) };
  // references: the related model's fields hold this model's key.
  if (references.length) return { local: keyOf(ctx, parent), remote: references };
  // fields: this model's fields, matched against the related model's primary key, or hasMany's index.
  if (fields.length) {
    const indexName = typeof args.indexName === 'string' ? args.indexName : undefined;
    const key = kind === 'hasMany' && indexName ? indexKeyOf(ctx, target, indexName) : keyOf(ctx, target);
    if (!key) throw sdlError(ctx, `@hasMany on ${parent}.${field} names index ${indexName}, which ${target} does not have`, d, parent, field, `declare @index(name: "${indexName}") on ${target}`);
    // The partition key alone, or the whole key (utils.ts getRelatedTypeIndex: "Partial sort keys are not accepted").
    if (fields.length > 1 && fields.length !== key.length) {
      throw sdlError(ctx, `@${kind} on ${parent}.${field} names ${fields.length} fields; partial sort keys are not accepted (${target}'s key: ${key.join(', ')})`,
        d, parent, field, `name one field (the partition key) or ${key.length} (the whole key)`);
    }
    return { local: fields, remote: key.slice(0, fields.length) };
  }
  // Neither: Gen 1's implicit key fields, named <model><Field><KeyField> after the side that holds the relation field,
  // added by hasMany to the related model and by hasOne (and a belongsTo paired with one) to its own.
  const required = unwrap(node.type).required;
  const implicit = (model: string, names: string[], from: string, fromKey: string[]) => {
    names.forEach((name, i) => ctx.implicitKeys.push({ model, name, from, fromField: fromKey[i]!, required }));
    return names;
  };
  if (kind === 'hasMany') return { local: keyOf(ctx, parent), remote: implicit(target, keyOf(ctx, parent).map((k) => connectionName(parent, field, k)), parent, keyOf(ctx, parent)) };
  if (kind === 'hasOne') return { local: implicit(parent, keyOf(ctx, target).map((k) => connectionName(parent, field, k)), target, keyOf(ctx, target)), remote: keyOf(ctx, target) };
  const back = backRelation(ctx, target, parent);
  if (!back) {
    throw sdlError(ctx, `${target} must have a relationship with ${parent} in order to use @belongsTo`, d, parent, field,
      `add a @hasMany or @hasOne field of type ${parent} to ${target}, or name the key with @belongsTo(fields: [...])`);
  }
  // Paired with a hasMany, belongsTo reads the key field that hasMany added; paired with a hasOne, it has its own.
  // A hasMany that names its fields adds none, and the belongsTo reads an attribute no record has (its resolver takes
  // `$ctx.source.<model><Field>Id`, always null: reftool on ArturoBarrios/AAASoccer's `Location.user`).
  if (back.kind === 'hasMany' && back.named) return undefined;
  return back.kind === 'hasMany'
    ? { local: keyOf(ctx, target).map((k) => connectionName(target, back.field, k)), remote: keyOf(ctx, target) }
    : { local: implicit(parent, keyOf(ctx, target).map((k) => connectionName(parent, field, k)), target, keyOf(ctx, target)), remote: keyOf(ctx, target) };
}

const declared = (f: Field): Field => ({ ...f, implicit: false });

function connectionName(model: string, field: string, keyField: string): string {
  return lowerFirst(model) + capitalize(field) + capitalize(keyField);
}

/** A model's primary key fields (partition key, then sort keys), read from its definition. */
function keyOf(ctx: SdlContext, model: string): string[] {
  for (const f of ctx.objects.get(model)?.fields ?? []) {
    const pk = find(f.directives, 'primaryKey');
    if (pk) return [f.name.value, ...stringList(directiveArgs(pk).sortKeyFields)];
  }
  return ['id'];
}

function indexKeyOf(ctx: SdlContext, model: string, indexName: string): string[] | undefined {
  for (const f of ctx.objects.get(model)?.fields ?? []) {
    for (const ix of (f.directives ?? []).filter((x) => x.name.value === 'index')) {
      const args = directiveArgs(ix);
      if (args.name === indexName) return [f.name.value, ...stringList(args.sortKeyFields)];
    }
  }
  return undefined;
}

/**
 * The first field of `model` of type `other` that carries @hasMany or @hasOne (the transformer's pairing); `named`
 * when it names its key fields (`fields` or `references`) and so adds no implicit one.
 */
function backRelation(ctx: SdlContext, model: string, other: string): { kind: 'hasMany' | 'hasOne'; field: string; named: boolean } | undefined {
  for (const f of ctx.objects.get(model)?.fields ?? []) {
    if (unwrap(f.type).name !== other) continue;
    const d = f.directives?.find((x) => x.name.value === 'hasMany' || x.name.value === 'hasOne');
    if (!d) continue;
    const args = directiveArgs(d);
    return { kind: d.name.value as 'hasMany' | 'hasOne', field: f.name.value, named: stringList(args.fields).length > 0 || stringList(args.references).length > 0 };
  }
  return undefined;
}

/**
 * Adds Gen 1's implicit key fields to their models, on the type and its create, update, filter and condition inputs,
 * typed as the key field they hold and required on create when the relation field is
 * (schema.ts updateTypeWithConnectionFields, updateInputWithConnectionFields); then checks that every field a
 * relation names exists, as the transformer does ("<field> is not a field in <Model>").
 */
export function addRelationKeyFields(ctx: SdlContext, models: Model[]): void {
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const k of ctx.implicitKeys) {
    const m = byName.get(k.model)!;
    if (m.fields.some((f) => f.name === k.name)) continue;
    const source = byName.get(k.from)!.fields.find((f) => f.name === k.fromField);
    // Not implicit in the AuthModel's sense: like a declared field, it is in the create and update inputs.
    m.fields.push({ name: k.name, type: source?.type ?? 'ID', typeKind: source?.typeKind === 'enum' ? 'enum' : 'scalar', list: false, required: k.required, implicit: false });
  }
  for (const m of models) {
    for (const f of m.fields) {
      const rel = f.relation;
      if (!rel || rel.kind === 'manyToMany') continue;
      const other = byName.get(rel.model)!;
      for (const [holder, names] of [[m, rel.local], [other, rel.remote]] as const) {
        const missing = names.find((n) => !holder.fields.some((x) => x.name === n));
        if (missing) {
          throw new InputError(`@${rel.kind} on ${m.name}.${f.name}: ${missing} is not a field in ${holder.name}`,
            ctx.input.locate?.(m.name, f.name) ?? { file: ctx.input.file }, `declare ${missing} on ${holder.name}, or correct the name`);
        }
      }
    }
  }
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
        // The keys and relations are the join type's own fields, as if declared (the transformer writes them into the
        // type): the rules grant them, and without them the rules granted nothing but delete (reftool: an API key
        // creates, lists and reads `TryoutEvent` of two public models; ArturoBarrios/AAASoccer).
        declared(implicitField(keyA, 'ID', true)),
        declared(implicitField(keyB, 'ID', true)),
        declared({ ...implicitField(lowerFirst(a.model.name), a.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: a.model.name, local: [keyA], remote: [a.model.primaryKey.partitionKey] } }),
        declared({ ...implicitField(lowerFirst(b.model.name), b.model.name, true), typeKind: 'model', relation: { kind: 'belongsTo', model: b.model.name, local: [keyB], remote: [b.model.primaryKey.partitionKey] } }),
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
    a.field.relation = { kind: 'manyToMany', model: b.model.name, local: [a.model.primaryKey.partitionKey], remote: [keyA], joinModel: join };
    b.field.relation = { kind: 'manyToMany', model: a.model.name, local: [b.model.primaryKey.partitionKey], remote: [keyB], joinModel: join };
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
