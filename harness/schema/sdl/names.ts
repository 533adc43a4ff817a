/** The names the transformer gives (model operations and secondary indexes), and the case changes they are made with. */
import pluralize from 'pluralize';
import type { Field, ModelOperationNames } from '../model.js';

export function operationNames(name: string, args: Record<string, unknown>): ModelOperationNames {
  const plural = pluralize(name);
  const defaults: ModelOperationNames = {
    get: `get${name}`,
    list: `list${plural}`,
    create: `create${name}`,
    update: `update${name}`,
    delete: `delete${name}`,
    onCreate: `onCreate${name}`,
    onUpdate: `onUpdate${name}`,
    onDelete: `onDelete${name}`,
  };
  const group = (key: string, ops: (keyof ModelOperationNames)[], subscription = false) => {
    if (!(key in args)) return;
    const v = args[key];
    if (v === null) {
      for (const op of ops) defaults[op] = null;
      return;
    }
    if (typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (subscription) {
      // subscriptions: { level, onCreate: [names] }
      if (o.level === 'off') for (const op of ops) defaults[op] = null;
      for (const op of ops) {
        if (op in o) {
          const list = o[op];
          defaults[op] = Array.isArray(list) && typeof list[0] === 'string' ? list[0] : null;
        }
      }
      return;
    }
    for (const op of ops) {
      if (op in o) defaults[op] = typeof o[op] === 'string' ? (o[op] as string) : null;
    }
  };
  group('queries', ['get', 'list']);
  group('mutations', ['create', 'update', 'delete']);
  group('subscriptions', ['onCreate', 'onUpdate', 'onDelete'], true);
  // A subscription listens to its mutation: without the mutation the transformer makes none.
  for (const [sub, mutation] of [['onCreate', 'create'], ['onUpdate', 'update'], ['onDelete', 'delete']] as const) if (!defaults[mutation]) defaults[sub] = null;
  return defaults;
}

export function defaultIndexName(partitionKey: string, sortKeys: string[]): string {
  return ['by', partitionKey, ...sortKeys].map((p, i) => (i === 0 ? p : capitalize(p))).join('');
}

/** The GraphQL scalar the generated filter and key-condition inputs use for a field type (AWS scalars are Strings, AWSTimestamp an Int). */
export const FILTER_SCALAR: Record<string, string> = {
  ID: 'ID', String: 'String', Int: 'Int', Float: 'Float', Boolean: 'Boolean', AWSTimestamp: 'Int',
  AWSDate: 'String', AWSTime: 'String', AWSDateTime: 'String', AWSEmail: 'String', AWSJSON: 'String',
  AWSURL: 'String', AWSPhone: 'String', AWSIPAddress: 'String',
};

/** The scalar of a single sort key's `Model<T>KeyConditionInput`: enums and Booleans are compared as Strings. */
export function keyConditionScalar(f: Pick<Field, 'type' | 'typeKind'>): string {
  if (f.typeKind === 'enum') return 'String';
  const t = FILTER_SCALAR[f.type] ?? 'String';
  return t === 'Boolean' ? 'String' : t;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
