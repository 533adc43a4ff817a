/**
 * Custom queries, mutations and subscriptions: the static `@auth` check of resolver-enforced operations,
 * then the handler (a Lambda-style function, or AppSync JS resolvers). A function handler that is not
 * configured, does not load offline or fails offline is stubbed: the operation returns a placeholder of its
 * type and the run reports the handler and why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLResolveInfo } from 'graphql';
import type { AuthModel, CustomOperation, StaticRule } from '../../schema/model.js';
import { tsconfigAliases } from '../../schema/tsconfig-alias.js';
import type { AuthEnv } from './auth/checks.js';
import { iamBypass, Unauthorized } from './auth/checks.js';
import type { RequestContext } from './request.js';
import { AppSyncError, FailedOffline } from './errors.js';
import { misfit, placeholder } from './placeholder.js';
import { runJsResolver, runJsResolverDetailed, type JsResolverRuntime } from './js-resolver.js';
import { loadHandler } from '../../schema/user-module.js';

type FunctionHandler = (event: Record<string, unknown>, context: Record<string, unknown>) => unknown;

/**
 * What to do with a function or resolver handler (authmatrix.config.ts `handlers`, by function or
 * operation name). Unset: run it where it loads and works offline, else stub it. `run`: run it as AppSync
 * would (a failure is `Lambda:Unhandled`). `stub`: a placeholder of its type answers. `skip`: the run
 * leaves its cells out (the emulator stubs it).
 */
export type HandlerMode = 'run' | 'stub' | 'skip';

/** The `$amplify/env/<name>` stand-in that Gen 2 function handlers import. */
const AMPLIFY_ENV = fileURLToPath(new URL('./amplify-env.js', import.meta.url));

export class CustomOperationRunner {
  private readonly functions = new Map<string, Promise<FunctionHandler | string>>();
  private readonly warned = new Set<string>();
  /** Function handlers answered by a typed placeholder, with why (the run reports them). */
  readonly stubbed = new Map<string, string>();

  constructor(
    private readonly auth: AuthModel,
    private readonly js: JsResolverRuntime,
    private readonly log: (line: string) => void,
    private readonly modes: Record<string, HandlerMode> = {},
  ) {}

  operation(name: string): CustomOperation | undefined {
    return this.auth.customOperations.find((o) => o.name === name);
  }

  async run(name: string, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo): Promise<unknown> {
    const op = this.operation(name)!;
    if (op.enforcement === 'resolver' && !staticAllows(op.rules, ctx.env)) throw new Unauthorized();
    const handler = op.handler;
    // Past the auth step: what the handler does is the app's business, not the matrix's.
    if (this.modes[op.name] === 'stub' || this.modes[op.name] === 'skip') return this.stub(op.name, `${this.modes[op.name]} in authmatrix.config.ts`, info);
    if (handler.kind === 'js') {
      try {
        return await runJsResolver(this.js, handler.entries, { arguments: args, identity: identityOf(ctx), headers: ctx.headers, info, requestId: ctx.requestId });
      } catch (e) {
        // util.error and util.unauthorized are the app's own answers; what fails offline is stubbed.
        if (e instanceof FailedOffline && this.modes[op.name] !== 'run') return this.stub(op.name, `its resolver failed offline: ${e.message}`, info);
        throw e;
      }
    }
    if (handler.kind === 'function') {
      let prev: unknown = null;
      for (const fn of handler.functions) {
        const mode = this.modes[fn.name] ?? this.modes[op.name];
        if (mode === 'stub' || mode === 'skip') return this.stub(fn.name, `${mode} in authmatrix.config.ts`, info);
        if (fn.notRun) return this.stub(fn.name, fn.notRun, info);
        if (!fn.entry) return this.stub(fn.name, 'no handler module is configured', info);
        const run = await this.loadFunction(fn.entry);
        if (typeof run === 'string') return this.stub(fn.name, run, info);
        const strict = mode === 'run';
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
          if (strict) throw new AppSyncError('Lambda:Unhandled', firstLine(e));
          // Offline, a handler fails on the AWS services and settings it would have in the cloud.
          return this.stub(fn.name, `it failed offline: ${firstLine(e)}`, info);
        }
        const unfit = strict ? null : misfit(prev, info.returnType);
        if (unfit) return this.stub(fn.name, `its result offline does not fit ${String(info.returnType)}: ${unfit}`, info);
      }
      return prev;
    }
    return this.noHandler(op, 'it has no handler');
  }

  private stub(name: string, why: string, info: GraphQLResolveInfo): unknown {
    if (!this.stubbed.has(name)) this.stubbed.set(name, why);
    return placeholder(info.returnType);
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
    const result = await runJsResolverDetailed(this.js, op.handler.entries, { arguments: args, identity: identityOf(ctx), headers: ctx.headers, info, requestId: ctx.requestId });
    return (result.subscriptionFilter as Record<string, unknown> | undefined) ?? null;
  }

  /** The handler, or why it does not load (missing packages, code that needs the cloud at import time). */
  private loadFunction(entry: string): Promise<FunctionHandler | string> {
    let p = this.functions.get(entry);
    if (!p) {
      const alias = { ...tsconfigAliases(entry), ...Object.fromEntries(envModules(entry).map((n) => [n, AMPLIFY_ENV])) };
      this.functions.set(entry, (p = loadHandler<FunctionHandler>(entry, alias).catch((e: unknown) => firstLine(e))));
    }
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

/** The `$amplify/env/<name>` modules the handler's folder imports (Amplify generates one per function). */
function envModules(entry: string): string[] {
  const dir = path.dirname(entry);
  const found = new Set<string>();
  for (const f of readdirSync(dir).filter((x) => /\.(m|c)?[jt]s$/.test(x))) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/['"](\$amplify\/env\/[\w.-]+)['"]/g)) found.add(m[1]!);
  }
  return [...found];
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
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
