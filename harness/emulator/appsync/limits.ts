/**
 * What one client may make the emulator do: AppSync's published limits where there are some, the
 * emulator's own bounds where there are none. Values, sources and what is UNCONFIRMED: docs/limits.md.
 */
import { AppSyncError } from './errors.js';

export interface EmulatorLimits {
  /** Bytes of an HTTP request body or a realtime frame (AppSync publishes none). */
  requestBytes: number;
  /** Resolver invocations per request (AppSync `resolverCountLimit`, default 10,000). */
  resolverCount: number;
  /** Nesting depth of a field; 0 = none (AppSync `queryDepthLimit`, default none). */
  queryDepth: number;
  /** Tokens parsed in one document (emulator-only bound on parsing). */
  documentTokens: number;
  /** Estimated bytes of parsed documents kept for reuse (emulator-only). */
  documentCacheBytes: number;
  /** Time a realtime connection has to send `connection_init` before it is closed (AppSync documents none). */
  connectionInitTimeoutMs: number;
  /** Bytes of frames waiting for a realtime client that does not read; past it the socket is closed (emulator-only). */
  realtimeBacklogBytes: number;
}

export const DEFAULT_LIMITS: Readonly<EmulatorLimits> = {
  requestBytes: 5 * 1024 * 1024,
  resolverCount: 10_000,
  queryDepth: 0,
  documentTokens: 100_000,
  documentCacheBytes: 32 * 1024 * 1024,
  connectionInitTimeoutMs: 30_000,
  realtimeBacklogBytes: 16 * 1024 * 1024,
};

/** Subscriptions one realtime connection may hold (AppSync quota). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;

export const resolverCountExceeded = (limit: number): AppSyncError =>
  new AppSyncError('ResolverCountLimitExceeded', `The request invokes more than ${limit} resolvers.`);

export const queryDepthExceeded = (limit: number): AppSyncError =>
  new AppSyncError('QueryDepthLimitExceeded', `The field is nested deeper than the query depth limit of ${limit}.`);
