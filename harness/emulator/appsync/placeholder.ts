/**
 * What a stubbed handler returns: a value of the operation's return type, built from the GraphQL type
 * itself (non-null fields filled, nullable ones left null, lists empty), so the response is valid and the
 * auth step around the handler, which AppSync decides before any handler runs, is what the cell observes.
 */
import { getNullableType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLOutputType } from 'graphql';

const SCALARS: Record<string, unknown> = {
  ID: 'authmatrix-stub',
  String: 'authmatrix-stub',
  Int: 0,
  Float: 0,
  Boolean: false,
  AWSDate: '2026-01-01',
  AWSTime: '12:00:00.000Z',
  AWSDateTime: '2026-01-01T12:00:00.000Z',
  AWSTimestamp: 0,
  AWSEmail: 'stub@example.com',
  AWSJSON: '{}',
  AWSURL: 'https://example.com/stub',
  AWSPhone: '+15555550100',
  AWSIPAddress: '127.0.0.1',
};

export function placeholder(type: GraphQLOutputType, depth = 0): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [];
  if (isEnumType(t)) return t.getValues()[0]?.value ?? null;
  if (isScalarType(t)) return SCALARS[t.name] ?? 'authmatrix-stub';
  if (isObjectType(t) && depth < 4) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type)) out[f.name] = placeholder(f.type, depth + 1);
    return out;
  }
  return null;
}

/**
 * Why a handler's result cannot be returned as `type` (a non-null value missing, at the top level or in
 * the top-level object's fields), or null when it can.
 */
export function misfit(value: unknown, type: GraphQLOutputType): string | null {
  if (value === null || value === undefined) return isNonNullType(type) ? 'it is null' : null;
  const t = getNullableType(type);
  if (isListType(t)) return Array.isArray(value) ? null : 'it is not a list';
  if (!isObjectType(t)) return null;
  if (typeof value !== 'object') return 'it is not an object';
  const missing = Object.values(t.getFields()).filter((f) => isNonNullType(f.type) && (value as Record<string, unknown>)[f.name] == null).map((f) => f.name);
  return missing.length ? `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} null` : null;
}
