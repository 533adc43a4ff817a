/**
 * Executes GraphQL requests against the generated API: parse and validate (AppSync's error shapes),
 * check the `@aws_*` directives of every field on the response path for the caller's auth mode, and
 * resolve with the model and custom-operation resolvers.
 */
import {
  buildSchema,
  validateSchema,
  execute,
  getArgumentValues,
  getLocation,
  getVariableValues,
  GraphQLError,
  GraphQLObjectType,
  isObjectType,
  Kind,
  parse,
  responsePathAsArray,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SourceLocation,
} from 'graphql';
import type { AuthMode, AuthModel } from '../../schema/model.js';
import { buildApiSchema, type ApiOperation, type ApiSchema } from './api-schema.js';
import type { AuthContext } from './authenticate.js';
import { DocumentCache } from './document-cache.js';
import { Answer, executionError, notAuthorized, validationError, type AppSyncError, type AppSyncErrorJson, type ValidationErrorJson } from './errors.js';
import { queryDepthExceeded, resolverCountExceeded, type EmulatorLimits } from './limits.js';
import { exceedsResolverLimit } from './resolver-count.js';
import { ModelResolvers } from './resolvers.js';
import type { GraphQLBody, GraphQLResponse, PreparedSubscription, RequestContext, SubscriptionStart } from './request.js';
import { installAppSyncScalars } from './scalars.js';
import { iamRefusal, PERMISSION_DENIED, type IamRefusal } from './iam-access.js';
import type { AppSyncApiRef } from './role-policies.js';
import type { Store } from './store.js';
import type { CustomOperationRunner } from './custom-operations.js';

/** Which modes may touch a field: the field's directives, else its type's, else the default mode alone. */
interface FieldAccess {
  modes: Set<AuthMode>;
  /** `@aws_cognito_user_pools(cognito_groups: [...])`: user-pool callers must be in one of these. */
  groups?: string[];
}

const DIRECTIVE_MODE: Record<string, AuthMode> = {
  aws_api_key: 'apiKey',
  aws_iam: 'iam',
  aws_oidc: 'oidc',
  aws_lambda: 'lambda',
  aws_cognito_user_pools: 'userPool',
  aws_auth: 'userPool',
};

interface Prepared {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

type Refused = { errors: (ValidationErrorJson | AppSyncErrorJson)[] };

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

export class Engine {
  readonly schema: GraphQLSchema;
  readonly api: ApiSchema;
  private readonly access = new Map<string, FieldAccess>();
  /** Valid documents only: a document that fails parsing, limits or validation is refused anew each time. */
  readonly documents: DocumentCache<Prepared>;
  /** Resolver invocations of each request so far (AppSync's per-request limit). */
  private readonly calls = new WeakMap<RequestContext, number>();
  readonly resolvers: ModelResolvers;

  constructor(
    readonly model: AuthModel,
    store: Store,
    custom: CustomOperationRunner,
    private readonly log: (line: string) => void,
    ids: { id(): string; now(): string },
    private readonly limits: EmulatorLimits,
    /** Names the API in the `appsync:GraphQL` resources IAM callers need. */
    readonly ref: AppSyncApiRef,
  ) {
    this.documents = new DocumentCache(limits.documentCacheBytes);
    this.api = buildApiSchema(model);
    this.schema = buildSchema(this.api.sdl, { assumeValidSDL: true });
    // Checked once here rather than by the first request: an API the emulator cannot serve is its own defect,
    // and every request (and every subscription waiting for its start_ack) would fail alike.
    const invalid = validateSchema(this.schema);
    if (invalid.length) throw new Error(`the emulator built an invalid GraphQL schema for this app (an authmatrix defect: please report it with the schema): ${invalid.slice(0, 3).map((e) => e.message).join('; ')}`);
    installAppSyncScalars(this.schema);
    this.indexDirectives();
    this.resolvers = new ModelResolvers(model, store, custom, ids);
  }

  private indexDirectives(): void {
    const defaultMode = this.model.authModes.default;
    for (const type of Object.values(this.schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const typeAccess = accessOf(type.astNode?.directives ?? []);
      for (const field of Object.values(type.getFields())) {
        const fieldAccess = accessOf(field.astNode?.directives ?? []);
        this.access.set(`${type.name}.${field.name}`, fieldAccess ?? typeAccess ?? { modes: new Set([defaultMode]) });
      }
    }
  }

  /** May this caller's auth mode (and user-pool groups) touch `Type.field` (AppSync's directive check)? */
  allows(type: string, field: string, auth: AuthContext): boolean {
    const a = this.access.get(`${type}.${field}`);
    if (!a || !a.modes.has(auth.mode)) return false;
    if (auth.mode === 'userPool' && a.groups) {
      const groups = auth.identity.groups ?? [];
      return a.groups.some((g) => groups.includes(g));
    }
    return true;
  }

  /**
   * For an IAM caller: the first root field of the request its policies refuse (iam-access.ts), logged
   * with the deciding reason. Requests that do not validate are left to `execute`.
   */
  iamRefusal(body: GraphQLBody, auth: AuthContext): IamRefusal | undefined {
    if (auth.mode !== 'iam') return undefined;
    const prepared = this.prepare(body.query, body.operationName);
    if ('errors' in prepared) return undefined;
    const type = prepared.operation.operation === 'query' ? 'Query' : prepared.operation.operation === 'mutation' ? 'Mutation' : 'Subscription';
    const refusal = iamRefusal(auth, this.ref, rootFields(prepared, type));
    if (refusal) this.log(`401 ${PERMISSION_DENIED} for ${auth.identity.userArn} on ${refusal.type}.${refusal.field}: ${refusal.decision.reason}`);
    return refusal;
  }

  operationOf(type: string, field: string): ApiOperation | undefined {
    return this.api.operations.get(`${type}.${field}`);
  }

  /** Parses, checks the resolver limit, and validates; once per query text while the document stays cached. */
  prepare(query: string, operationName?: string | null): Prepared | Refused {
    const cached = this.documents.get(query, operationName);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.limits.documentTokens });
    } catch (e) {
      // graphql-js parses recursively: a document nested thousands deep overflows the stack.
      return { errors: [validationError(e instanceof GraphQLError ? e : new GraphQLError('Syntax Error: Document is nested too deeply.'))] };
    }
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
    // Before validation, whose cost grows with the document: what AppSync would refuse costs no more than its parse.
    if (operation && exceedsResolverLimit(this.schema, document, operation, this.invokesResolver, this.limits.resolverCount)) {
      return { errors: [errorJson(resolverCountExceeded(this.limits.resolverCount))] };
    }
    const errors = validate(this.schema, document);
    if (errors.length) return { errors: errors.map(validationError) };
    if (!operation) {
      return { errors: [validationError(new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.'))] };
    }
    const prepared = { document, operation };
    this.documents.set(query, operationName, prepared);
    return prepared;
  }

  private readonly invokesResolver = (type: string, field: string): boolean => ROOT_TYPES.has(type) || this.resolvers.resolves(type, field);

  async execute(body: GraphQLBody, ctx: RequestContext): Promise<GraphQLResponse> {
    const prepared = this.prepare(body.query, body.operationName);
    if ('errors' in prepared) return { data: null, errors: prepared.errors };
    if (prepared.operation.operation === 'subscription') {
      return { data: null, errors: [validationError(new GraphQLError('Subscriptions are served over the realtime WebSocket endpoint, not over HTTP'))] };
    }
    const result = await execute({
      schema: this.schema,
      document: prepared.document,
      variableValues: body.variables ?? {},
      ...(body.operationName ? { operationName: body.operationName } : {}),
      contextValue: ctx,
      fieldResolver: this.resolve,
    });
    const response: GraphQLResponse = { data: (result.data as Record<string, unknown> | null | undefined) ?? null };
    if (result.errors?.length) response.errors = result.errors.map((e) => executionError(e, this.log));
    return response;
  }

  /** Validates a subscription document, checks the caller may subscribe, and runs the subscription resolver. */
  async startSubscription(body: GraphQLBody, ctx: RequestContext): Promise<SubscriptionStart> {
    const prepared = this.prepare(body.query, body.operationName);
    if ('errors' in prepared) return { ok: false, errors: prepared.errors };
    if (prepared.operation.operation !== 'subscription') {
      return { ok: false, errors: [validationError(new GraphQLError('Only subscriptions are served over the realtime endpoint'))] };
    }
    const roots = prepared.operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
    if (roots.length !== 1) return { ok: false, errors: [validationError(new GraphQLError('A subscription must select exactly one field'))] };
    const node = roots[0]!;
    const field = node.name.value;
    const coerced = getVariableValues(this.schema, prepared.operation.variableDefinitions ?? [], body.variables ?? {});
    if (coerced.errors) return { ok: false, errors: coerced.errors.map(validationError) };
    const type = this.schema.getSubscriptionType()!;
    const def = type.getFields()[field]!;
    const args = getArgumentValues(def, node, coerced.coerced);
    if (iamRefusal(ctx.auth, this.ref, [['Subscription', field]])) {
      this.log(`realtime start refused for ${ctx.auth.mode === 'iam' ? ctx.auth.identity.userArn : ''}: its policies do not allow appsync:GraphQL on Subscription.${field}`);
      return { ok: false, errors: [{ errorType: 'UnauthorizedException', message: PERMISSION_DENIED }] };
    }
    if (!this.allows('Subscription', field, ctx.auth)) {
      return { ok: false, errors: [{ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type Subscription` }] };
    }
    const mutations = subscribedMutations(def.astNode?.directives ?? []);
    const op = this.operationOf('Subscription', field);
    try {
      const setup = await this.resolvers.subscribe(op, field, args, ctx);
      return {
        ok: true,
        prepared: {
          document: prepared.document,
          ...(body.operationName ? { operationName: body.operationName } : {}),
          variables: coerced.coerced,
          field,
          responseKey: node.alias?.value ?? field,
          args,
          mutations,
        },
        setup,
      };
    } catch (e) {
      const err = e instanceof Error && 'errorType' in e ? (e as Error & { errorType: string }) : null;
      if (err) return { ok: false, errors: [{ errorType: err.errorType, message: err.message }] };
      throw e;
    }
  }

  /**
   * An event as one subscriber receives it: the subscription's selection over the mutation's response
   * payload. No resolvers run (fields the mutation did not select are null); the subscriber's auth mode
   * must still reach each field, and its Lambda deniedFields are nulled.
   */
  async renderEvent(sub: PreparedSubscription, payload: unknown, ctx: RequestContext): Promise<GraphQLResponse> {
    const result = await execute({
      schema: this.schema,
      document: sub.document,
      variableValues: sub.variables,
      ...(sub.operationName ? { operationName: sub.operationName } : {}),
      rootValue: { [sub.field]: payload },
      contextValue: ctx,
      fieldResolver: (source, _args, c: RequestContext, info) => {
        const type = info.parentType.name;
        if (!this.allows(type, info.fieldName, c.auth)) throw located(notAuthorized(info.fieldName, type), info);
        if (c.auth.mode === 'lambda' && isDenied(c.auth.deniedFields, type, info.fieldName)) return null;
        const value = (source as Record<string, unknown> | null)?.[info.fieldName];
        return value === undefined ? null : value;
      },
    });
    const response: GraphQLResponse = { data: (result.data as Record<string, unknown> | null | undefined) ?? null };
    if (result.errors?.length) response.errors = result.errors.map((e) => executionError(e, this.log));
    return response;
  }

  /** Every field goes through here: directive check, Lambda deniedFields, then the resolver. */
  private readonly resolve: GraphQLFieldResolver<unknown, RequestContext> = (source, args, ctx, info) => {
    const type = info.parentType.name;
    const field = info.fieldName;
    if (this.limits.queryDepth && depthOf(info.path) > this.limits.queryDepth) throw queryDepthExceeded(this.limits.queryDepth);
    if (!this.allows(type, field, ctx.auth)) throw located(notAuthorized(field, type), info);
    if (ctx.auth.mode === 'lambda' && isDenied(ctx.auth.deniedFields, type, field)) return null;
    if (this.invokesResolver(type, field)) {
      const calls = (this.calls.get(ctx) ?? 0) + 1;
      this.calls.set(ctx, calls);
      if (calls > this.limits.resolverCount) throw resolverCountExceeded(this.limits.resolverCount);
    }
    if (ROOT_TYPES.has(type)) {
      const op = this.operationOf(type, field);
      if (!op) return null;
      return this.resolvers.root(op, args, ctx, info);
    }
    let value: unknown;
    try {
      value = this.resolvers.field(info.parentType as GraphQLObjectType, field, source as Record<string, unknown>, args, ctx);
    } catch (e) {
      throw located(e, info);
    }
    return value instanceof Promise ? value.catch((e: unknown) => {
      throw located(e, info);
    }) : value;
  };
}

/**
 * A resolver's answer (a field refused on one item of a list, ...) located as graphql-js would locate it: path,
 * the field's locations, the answer as originalError. Made without GraphQLError's constructor, which captures a
 * stack and redefines six properties: a list raises an error per item and refused field, and that constructor
 * cost more than the rest of such a list. errors.ts `executionError` reads nothing else of it.
 */
function located(e: unknown, info: GraphQLResolveInfo): unknown {
  if (!(e instanceof Answer)) return e;
  return Object.assign(Object.create(GraphQLError.prototype) as GraphQLError, {
    message: e.message,
    path: responsePathAsArray(info.path),
    locations: locationsOf(info.fieldNodes),
    originalError: e,
    extensions: {},
  });
}

const fieldLocations = new WeakMap<readonly FieldNode[], SourceLocation[]>();

function locationsOf(nodes: readonly FieldNode[]): SourceLocation[] {
  let found = fieldLocations.get(nodes);
  if (!found) {
    found = nodes.flatMap((n) => (n.loc ? [getLocation(n.loc.source, n.loc.start)] : []));
    fieldLocations.set(nodes, found);
  }
  return found;
}

/** The root fields an operation selects, through fragments on the root type. */
function rootFields(prepared: Prepared, type: string): Array<[string, string]> {
  const fragments = new Map(prepared.document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const out = new Map<string, [string, string]>();
  const seen = new Set<string>();
  const walk = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) out.set(s.name.value, [type, s.name.value]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet.selections);
      }
    }
  };
  walk(prepared.operation.selectionSet.selections);
  return [...out.values()];
}

function accessOf(directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[]): FieldAccess | undefined {
  const modes = new Set<AuthMode>();
  let groups: string[] | undefined;
  for (const d of directives) {
    const mode = DIRECTIVE_MODE[d.name.value];
    if (!mode) continue;
    modes.add(mode);
    const arg = d.arguments?.find((a) => a.name.value === 'cognito_groups');
    const value = arg?.value as { kind: string; values?: { value: string }[] } | undefined;
    if (value?.kind === Kind.LIST) groups = [...(groups ?? []), ...(value.values ?? []).map((v) => v.value)];
  }
  return modes.size ? { modes, ...(groups ? { groups } : {}) } : undefined;
}

function subscribedMutations(directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[]): string[] {
  const d = directives.find((x) => x.name.value === 'aws_subscribe');
  const value = d?.arguments?.find((a) => a.name.value === 'mutations')?.value as { kind: string; values?: { value: string }[] } | undefined;
  return value?.kind === Kind.LIST ? (value.values ?? []).map((v) => v.value) : [];
}

/** A request-level error in AppSync's execution-error shape (no path). */
function errorJson(e: AppSyncError): AppSyncErrorJson {
  return { path: null, data: null, errorType: e.errorType, errorInfo: null, locations: [], message: e.message };
}

/** Fields from the root to this one (list indexes are not levels). */
function depthOf(path: { prev: unknown; key: string | number } | undefined): number {
  let n = 0;
  for (let p = path; p; p = p.prev as typeof path) if (typeof p.key === 'string') n++;
  return n;
}

function isDenied(denied: string[], type: string, field: string): boolean {
  return denied.some((d) => d === `${type}.${field}` || d.endsWith(`/types/${type}/fields/${field}`));
}
