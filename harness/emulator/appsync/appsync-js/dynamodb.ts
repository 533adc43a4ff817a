/** Stands in for `@aws-appsync/utils/dynamodb`: builders of DynamoDB data-source requests. */
import { toDynamo, toDynamoMap } from './state.js';

type Item = Record<string, unknown>;

export function get(input: { key: Item; consistentRead?: boolean }): Item {
  return { operation: 'GetItem', key: toDynamoMap(input.key) };
}

export function put(input: { key: Item; item: Item; condition?: Item }): Item {
  return { operation: 'PutItem', key: toDynamoMap(input.key), attributeValues: toDynamoMap(input.item), ...(input.condition ? { condition: condition(input.condition) } : {}) };
}

export function remove(input: { key: Item; condition?: Item }): Item {
  return { operation: 'DeleteItem', key: toDynamoMap(input.key), ...(input.condition ? { condition: condition(input.condition) } : {}) };
}

export function scan(input: { filter?: Item; limit?: number; nextToken?: string } = {}): Item {
  return { operation: 'Scan', ...(input.filter ? { filter: { plain: input.filter } } : {}), ...(input.limit ? { limit: input.limit } : {}), ...(input.nextToken ? { nextToken: input.nextToken } : {}) };
}

export function query(input: { query: Record<string, Item>; filter?: Item; limit?: number; nextToken?: string; index?: string; scanIndexForward?: boolean }): Item {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [field, cond] of Object.entries(input.query)) {
    names[`#${field}`] = field;
    for (const [op, v] of Object.entries(cond)) {
      const ref = `:${field}_${op}`;
      values[ref] = toDynamo(v);
      if (op === 'eq') parts.push(`#${field} = ${ref}`);
      else if (op === 'beginsWith') parts.push(`begins_with(#${field}, ${ref})`);
      else parts.push(`#${field} ${({ lt: '<', le: '<=', gt: '>', ge: '>=' } as Record<string, string>)[op] ?? '='} ${ref}`);
    }
  }
  return {
    operation: 'Query',
    query: { expression: parts.join(' AND '), expressionNames: names, expressionValues: values },
    ...(input.index ? { index: input.index } : {}),
    ...(input.filter ? { filter: { plain: input.filter } } : {}),
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.nextToken ? { nextToken: input.nextToken } : {}),
    ...(input.scanIndexForward === false ? { scanIndexForward: false } : {}),
  };
}

export const operations = {
  increment: (by: number) => ({ type: 'increment', by }),
  decrement: (by: number) => ({ type: 'increment', by: -by }),
  append: (items: unknown[]) => ({ type: 'append', items }),
  prepend: (items: unknown[]) => ({ type: 'prepend', items }),
  remove: () => ({ type: 'remove' }),
  replace: (value: unknown) => ({ type: 'replace', value }),
};

export function update(input: { key: Item; update: Item; condition?: Item }): Item {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  for (const [field, v] of Object.entries(input.update)) {
    names[`#${field}`] = field;
    const op = v as { type?: string; by?: number; value?: unknown; items?: unknown[] } | undefined;
    if (op && typeof op === 'object' && typeof op.type === 'string') {
      if (op.type === 'remove') removes.push(`#${field}`);
      else if (op.type === 'increment') {
        values[`:${field}`] = toDynamo(op.by);
        sets.push(`#${field} = #${field} + :${field}`);
      } else {
        values[`:${field}`] = toDynamo(op.type === 'replace' ? op.value : op.items);
        sets.push(op.type === 'append' ? `#${field} = list_append(#${field}, :${field})` : op.type === 'prepend' ? `#${field} = list_append(:${field}, #${field})` : `#${field} = :${field}`);
      }
    } else {
      values[`:${field}`] = toDynamo(v);
      sets.push(`#${field} = :${field}`);
    }
  }
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return { operation: 'UpdateItem', key: toDynamoMap(input.key), update: { expression, expressionNames: names, expressionValues: values }, ...(input.condition ? { condition: condition(input.condition) } : {}) };
}

/** Conditions stay as plain filters (`{ field: { attributeExists: true } }`); the data source evaluates them. */
function condition(c: Item): Item {
  return { plain: c };
}
