/**
 * State shared between the JS-resolver runner and the `@aws-appsync/utils` stand-in that user resolvers
 * import (separate module instances, so it lives on globalThis). Resolvers run synchronously.
 */
export interface CallState {
  errors: { message: string; errorType?: string; data?: unknown; errorInfo?: unknown }[];
  subscriptionFilter?: unknown;
  invalidationFilter?: unknown;
  ids: () => string;
  now: () => Date;
}

/**
 * `util.error(...)`. User modules load their own copy of this file, so the runner recognizes these by
 * the `kind` mark, not by class identity.
 */
export class ResolverError extends Error {
  readonly kind = 'authmatrix:resolver-error';
  constructor(message: string, readonly errorType?: string, readonly data?: unknown, readonly errorInfo?: unknown) {
    super(message);
    this.name = 'ResolverError';
  }
}

/** `runtime.earlyReturn(value)` unwinds with this. */
export class EarlyReturn {
  readonly kind = 'authmatrix:early-return';
  constructor(readonly value: unknown) {}
}

export function isResolverError(e: unknown): e is ResolverError {
  return (e as { kind?: unknown } | null)?.kind === 'authmatrix:resolver-error';
}

export function isEarlyReturn(e: unknown): e is EarlyReturn {
  return (e as { kind?: unknown } | null)?.kind === 'authmatrix:early-return';
}

const KEY = Symbol.for('authmatrix.appsync-js.call');

export function currentCall(): CallState {
  const state = (globalThis as Record<symbol, CallState | undefined>)[KEY];
  if (!state) throw new Error('@aws-appsync/utils is only available inside a resolver run by authmatrix');
  return state;
}

export function withCall<T>(state: CallState, fn: () => T): T {
  const g = globalThis as Record<symbol, CallState | undefined>;
  const previous = g[KEY];
  g[KEY] = state;
  try {
    return fn();
  } finally {
    g[KEY] = previous;
  }
}

export function toDynamo(value: unknown): unknown {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamo) };
  if (typeof value === 'object') return { M: toDynamoMap(value as Record<string, unknown>) };
  return { S: String(value) };
}

export function toDynamoMap(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toDynamo(v)]));
}

export function fromDynamo(av: unknown): unknown {
  if (!av || typeof av !== 'object') return av;
  const a = av as Record<string, unknown>;
  if ('S' in a) return a.S;
  if ('N' in a) return Number(a.N);
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('L' in a) return (a.L as unknown[]).map(fromDynamo);
  if ('M' in a) return fromDynamoMap(a.M as Record<string, unknown>);
  if ('SS' in a) return a.SS;
  if ('NS' in a) return (a.NS as string[]).map(Number);
  return av;
}

export function fromDynamoMap(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromDynamo(v)]));
}
