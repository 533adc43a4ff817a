/**
 * Executes GraphQL requests against the generated API: parse and validate (AppSync's error shapes),
 * check the `@aws_*` directives of every field on the response path for the caller's auth mode, and
 * resolve with the model and custom-operation resolvers.
 */
import {
  buildSchema,
  execute,
  getArgumentValues,
  getVariableValues,
  GraphQLError,
  GraphQLObjectType,
  isObjectType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { AuthMode, AuthModel } from '../../schema/model.js';
import { buildApiSchema, type ApiOperation, type ApiSchema } from './api-schema.js';
import type { AuthContext } from './authenticate.js';
import { executionError, notAuthorized, validationError, type ValidationErrorJson } from './errors.js';
import { ModelResolvers } from './resolvers.js';
import type { GraphQLBody, GraphQLResponse, PreparedSubscription, RequestContext, SubscriptionStart } from './request.js';
import { installAppSyncScalars } from './scalars.js';
import { identityPoolPolicies, policyAllows, type RolePolicies } from './iam-policy.js';
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

export class Engine {
  readonly schema: GraphQLSchema;
  readonly api: ApiSchema;
  private readonly access = new Map<string, FieldAccess>();
  private readonly prepared = new Map<string, Prepared | { errors: ValidationErrorJson[] }>();
  readonly resolvers: ModelResolvers;
  private readonly policies: RolePolicies;

  constructor(
    readonly model: AuthModel,
    store: Store,
    custom: CustomOperationRunner,
    private readonly log: (line: string) => void,
    ids: { id(): string; now(): string },
  ) {
    this.api = buildApiSchema(model);
    this.schema = buildSchema(this.api.sdl, { assumeValidSDL: true });
    installAppSyncScalars(this.schema);
    this.indexDirectives();
    this.policies = identityPoolPolicies(model, this.api);
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

  /** May this caller touch `Type.field` at all (AppSync's directive check, then IAM policies)? */
  allows(type: string, field: string, auth: AuthContext, iam: { authRole: string; unauthRole: string; identityPoolId: string | null }): boolean {
    const a = this.access.get(`${type}.${field}`);
    if (!a || !a.modes.has(auth.mode)) return false;
    if (auth.mode === 'userPool' && a.groups) {
      const groups = auth.identity.groups ?? [];
      return a.groups.some((g) => groups.includes(g));
    }
    if (auth.mode === 'iam' && auth.identity.cognitoIdentityPoolId !== null) {
      const id = auth.identity;
      const role = id.userArn === iam.unauthRole ? 'unauth' : id.userArn === iam.authRole || id.cognitoIdentityAuthType === 'authenticated' ? 'auth' : 'unauth';
      return policyAllows(this.policies[role], type, field);
    }
    return true;
  }

  operationOf(type: string, field: string): ApiOperation | undefined {
    return this.api.operations.get(`${type}.${field}`);
  }

  /** Parses and validates once per query text. */
  prepare(query: string, operationName?: string | null): Prepared | { errors: ValidationErrorJson[] } {
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = this.prepared.get(key);
    if (cached) return cached;
    let result: Prepared | { errors: ValidationErrorJson[] };
    try {
      const document = parse(query);
      const errors = validate(this.schema, document);
      if (errors.length) result = { errors: errors.map(validationError) };
      else {
        const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
        const operation = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
        result = operation
          ? { document, operation }
          : { errors: [validationError(new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.'))] };
      }
    } catch (e) {
      result = { errors: [validationError(e as GraphQLError)] };
    }
    if (this.prepared.size > 5000) this.prepared.clear();
    this.prepared.set(key, result);
    return result;
  }

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
    if (!this.allows('Subscription', field, ctx.auth, ctx.env.iam)) {
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
        if (!this.allows(type, info.fieldName, c.auth, c.env.iam)) throw notAuthorized(info.fieldName, type);
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
    if (!this.allows(type, field, ctx.auth, ctx.env.iam)) throw notAuthorized(field, type);
    if (ctx.auth.mode === 'lambda' && isDenied(ctx.auth.deniedFields, type, field)) return null;
    if (type === 'Query' || type === 'Mutation' || type === 'Subscription') {
      const op = this.operationOf(type, field);
      if (!op) return null;
      return this.resolvers.root(op, args, ctx, info);
    }
    return this.resolvers.field(info.parentType as GraphQLObjectType, field, source as Record<string, unknown>, args, ctx);
  };
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

function isDenied(denied: string[], type: string, field: string): boolean {
  return denied.some((d) => d === `${type}.${field}` || d.endsWith(`/types/${type}/fields/${field}`));
}
