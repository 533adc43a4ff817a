/**
 * Custom queries, mutations and subscriptions: the static `@auth` check of resolver-enforced operations,
 * then the handler (a Lambda-style function, or AppSync JS resolvers). An operation without a runnable
 * handler returns null and says why once in the log.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { AuthModel, CustomOperation, StaticRule } from '../../schema/model.js';
import type { AuthEnv } from './auth/checks.js';
import { iamBypass, Unauthorized } from './auth/checks.js';
import type { RequestContext } from './request.js';
import { AppSyncError } from './errors.js';
import { runJsResolver, runJsResolverDetailed, type JsResolverRuntime } from './js-resolver.js';
import { loadHandler } from '../../schema/user-module.js';

type FunctionHandler = (event: Record<string, unknown>, context: Record<string, unknown>) => unknown;

export class CustomOperationRunner {
  private readonly functions = new Map<string, Promise<FunctionHandler>>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly auth: AuthModel,
    private readonly js: JsResolverRuntime,
    private readonly log: (line: string) => void,
  ) {}

  operation(name: string): CustomOperation | undefined {
    return this.auth.customOperations.find((o) => o.name === name);
  }

  async run(name: string, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo): Promise<unknown> {
    const op = this.operation(name)!;
    if (op.enforcement === 'resolver' && !staticAllows(op.rules, ctx.env)) throw new Unauthorized();
    const handler = op.handler;
    if (handler.kind === 'js') {
      return runJsResolver(this.js, handler.entries, handler.dataSource, { arguments: args, identity: identityOf(ctx), headers: ctx.headers, info, requestId: ctx.requestId });
    }
    if (handler.kind === 'function') {
      let prev: unknown = null;
      for (const fn of handler.functions) {
        if (!fn.entry) return this.noHandler(op, `function ${fn.name} is not defined in this project`);
        const run = await this.loadFunction(fn.entry);
        try {
          prev = await run({
            typeName: info.parentType.name,
            fieldName: info.fieldName,
            arguments: args,
            identity: identityOf(ctx),
            source: null,
            request: { headers: ctx.headers, domainName: null },
            prev: prev === null ? null : { result: prev },
            info: { fieldName: info.fieldName, parentTypeName: info.parentType.name, variables: info.variableValues, selectionSetList: [], selectionSetGraphQL: '' },
          }, { functionName: fn.name, awsRequestId: ctx.requestId });
        } catch (e) {
          throw new AppSyncError('Lambda:Unhandled', (e as Error)?.message ?? String(e));
        }
      }
      return prev;
    }
    return this.noHandler(op, 'it has no handler');
  }

  /**
   * A custom subscription at `start`: the static check, then its JS resolver, whose response may set
   * an enhanced filter. Returns that filter (null: none set).
   */
  async subscribe(name: string, args: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown> | null> {
    const op = this.operation(name)!;
    if (op.enforcement === 'resolver' && !staticAllows(op.rules, ctx.env)) throw new Unauthorized();
    if (op.handler.kind !== 'js') return null;
    const info = { fieldName: name, parentType: { name: 'Subscription' }, variableValues: {} } as unknown as GraphQLResolveInfo;
    const result = await runJsResolverDetailed(this.js, op.handler.entries, op.handler.dataSource, { arguments: args, identity: identityOf(ctx), headers: ctx.headers, info, requestId: ctx.requestId });
    return (result.subscriptionFilter as Record<string, unknown> | undefined) ?? null;
  }

  private loadFunction(entry: string): Promise<FunctionHandler> {
    let p = this.functions.get(entry);
    if (!p) this.functions.set(entry, (p = loadHandler<FunctionHandler>(entry)));
    return p;
  }

  private noHandler(op: CustomOperation, why: string): null {
    if (!this.warned.has(op.name)) {
      this.warned.add(op.name);
      this.log(`custom ${op.type} ${op.name} returns null: ${why}`);
    }
    return null;
  }
}

/** `$ctx.identity` as handlers receive it (API-key callers: null). */
function identityOf(ctx: RequestContext): unknown {
  return ctx.auth.identity;
}

/** The static check of a custom operation's `@auth` rules (owner rules never reach here). */
export function staticAllows(rules: StaticRule[], env: AuthEnv): boolean {
  if (iamBypass(env)) return true;
  const a = env.auth;
  return rules.some((r) => {
    switch (r.kind) {
      case 'public':
        if (r.provider === 'apiKey') return a.mode === 'apiKey';
        return a.mode === 'iam' && a.identity.userArn === env.iam.unauthRole;
      case 'private':
        if (r.provider === 'iam') {
          if (a.mode !== 'iam') return false;
          const id = a.identity;
          return id.userArn === env.iam.authRole || (env.iam.identityPoolId !== null && id.cognitoIdentityPoolId === env.iam.identityPoolId && id.cognitoIdentityAuthType === 'authenticated');
        }
        return a.mode === (r.provider === 'userPools' ? 'userPool' : 'oidc');
      case 'custom':
        return a.mode === 'lambda';
      case 'staticGroup': {
        if (a.mode !== (r.provider === 'userPools' ? 'userPool' : 'oidc')) return false;
        const raw = (a.identity as { claims: Record<string, unknown> }).claims[r.groupClaim];
        return r.groups.some((g) => (Array.isArray(raw) ? raw.includes(g) : typeof raw === 'string' && raw.includes(g)));
      }
    }
  });
}
