/** The shapes a GraphQL request and a subscription start take through the engine, its resolvers and the realtime layer. */
import type { DocumentNode } from 'graphql';
import type { AuthContext } from './authenticate.js';
import type { AuthEnv } from './auth/checks.js';
import type { AppSyncErrorJson, ValidationErrorJson } from './errors.js';

export interface GraphQLBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: (AppSyncErrorJson | ValidationErrorJson)[];
}

export interface RequestContext {
  auth: AuthContext;
  env: AuthEnv;
  requestId: string;
  headers: Record<string, string>;
  /** Mutations resolved in this request, published to subscribers once the response is complete. */
  published: Published[];
}

/** A mutation result to publish to subscribers once the response is complete. */
export interface Published {
  model: string;
  mutation: string;
  /** The response key (alias) under which the result appears in the response data. */
  responseKey: string;
}

/** A subscription `start`, validated and with its arguments coerced. */
export interface PreparedSubscription {
  document: DocumentNode;
  operationName?: string;
  variables: Record<string, unknown>;
  field: string;
  responseKey: string;
  args: Record<string, unknown>;
  /** The mutations whose results this subscription receives (`@aws_subscribe`). */
  mutations: string[];
}

export interface SubscriptionSetup {
  /** An enhanced filter events must pass (null: every event, subject to argument filtering). */
  filter: Record<string, unknown> | null;
  /** Plain argument filtering when no enhanced filter is set: payload fields equal to the arguments. */
  argumentFilter: Record<string, unknown>;
}

export type SubscriptionStart =
  | { ok: true; prepared: PreparedSubscription; setup: SubscriptionSetup }
  | { ok: false; errors: (AppSyncErrorJson | ValidationErrorJson | { errorType: string; message: string })[] };
