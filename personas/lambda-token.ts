/**
 * Lambda personas (lambdaAllowed, lambdaDenied): a token for the Lambda authorizer, from the config.
 * On the emulated target the authorizer module is asked what it decides for the token, so that the
 * persona's expected `deniedFields` (and that it is really allowed or denied) come from the authorizer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Persona } from '../harness/matrix/cast.js';
import type { Identity } from '../harness/rules/identity.js';
import { InputError } from '../harness/schema/errors.js';
import { loadHandler } from '../harness/schema/user-module.js';
import type { AuthorizerFn } from '../harness/emulator/emulator.js';
import type { AuthModel } from '../harness/schema/model.js';
import { provisioned, type PersonaModule, type ProvisionContext } from './types.js';

export const lambdaToken: PersonaModule = {
  kinds: ['lambdaAllowed', 'lambdaDenied'],
  // Which tokens an authorizer accepts is its own logic: authmatrix cannot make one up.
  unavailable: (p) => (p.token ? undefined : `no token is known that the Lambda authorizer ${verb(p)}; set personas.${p.name}.token in authmatrix.config.ts to one`),
  provision: async (p, ctx) => {
    if (!p.token) {
      throw new InputError(`persona ${p.name} needs a Lambda token`, undefined, `set personas.${p.name}.token in authmatrix.config.ts to a token the authorizer ${verb(p)}`);
    }
    const identity = await identityFor(p, ctx);
    const source = p.standIn ? 'a Lambda token authmatrix made up' : 'Lambda token from authmatrix.config.ts';
    return provisioned(p, { mode: 'lambda', token: p.token }, identity, `${source}${identity.kind === 'lambda' && identity.deniedFields?.length ? ` (deniedFields ${identity.deniedFields.join(', ')})` : ''}`);
  },
};

async function identityFor(p: Persona, ctx: ProvisionContext): Promise<Identity> {
  const declared = p.identity.kind === 'lambda' ? p.identity : { kind: 'lambda' as const, authorized: p.kind === 'lambdaAllowed' };
  const handler = ctx.model.authModes.lambda?.handler;
  if (!handler || declared.deniedFields) return declared;
  // The authorizer's module is the app's own code, so it is asked on a deployed target too; one that
  // cannot run here (it needs its cloud resources) leaves the config's word.
  const ask = async () => (await loadHandler<AuthorizerFn>(handler, ctx.model.authModes.lambda?.moduleAliases))({
    authorizationToken: p.token!,
    requestContext: { apiId: 'authmatrix', accountId: '123456789012', requestId: 'persona-check', queryString: '', variables: {} },
    requestHeaders: Object.fromEntries(Object.entries(p.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  }, {});
  const response = await Promise.resolve(ask()).catch((e: unknown) => (ctx.target.kind === 'emulated' ? { isAuthorized: false } : e instanceof Error ? null : null));
  if (!response) return declared;
  const authorized = response.isAuthorized === true;
  if (authorized !== (p.kind === 'lambdaAllowed')) {
    throw new InputError(`the Lambda authorizer ${authorized ? 'accepts' : 'refuses'} the token${p.headers ? ' and headers' : ''} of ${p.name}`, { file: handler },
      `set personas.${p.name}.token (or headers) in authmatrix.config.ts so that it ${p.kind === 'lambdaAllowed' ? 'accepts' : 'refuses'} them`);
  }
  return { kind: 'lambda', authorized, ...((response as { deniedFields?: string[] }).deniedFields?.length ? { deniedFields: (response as { deniedFields: string[] }).deniedFields } : {}) };
}

const verb = (p: Persona) => (p.kind === 'lambdaAllowed' ? 'accepts' : 'refuses');

/**
 * What a Lambda authorizer whose handler declares no parameter answers: it cannot read the token, so one call tells
 * whether it accepts every token or none. Then one of the Lambda personas cannot exist, whatever the config says
 * (a handler returning anything but `{ isAuthorized: true }` refuses, as AppSync does). Undefined when the handler
 * reads its request, is not known, or cannot run here.
 */
export async function tokenBlindAuthorizer(model: AuthModel): Promise<{ accepts: boolean; file: string } | undefined> {
  const file = model.authModes.lambda?.handler;
  if (!file) return undefined;
  const handler = await loadHandler<AuthorizerFn>(file, model.authModes.lambda?.moduleAliases).catch(() => undefined);
  const source = handler?.toString() ?? '';
  // A `function` declaring no parameter may still read `arguments`.
  if (!handler || !/^(async\s*)?(function\b[^(]*)?\(\s*\)/.test(source) || /\barguments\b/.test(source)) return undefined;
  const response = await Promise.resolve((handler as unknown as () => unknown)()).catch(() => ({ isAuthorized: false }));
  return { accepts: (response as { isAuthorized?: unknown } | null)?.isAuthorized === true, file };
}

/**
 * A Lambda authorizer whose module does not load here (a package of the function's own or of its layer not installed,
 * a file under `/opt/` no project layer holds; Sanoodia/DatastoreDemo's Gen 1 authorizer needs its layer's): the emulator cannot ask it. The
 * model without it has the emulator refuse every token, as AppSync refuses when the authorizer fails, and no token
 * can be seen accepted, so lambdaAllowed cannot be had; `why` says so and what to do. Undefined when the module loads
 * or none is known.
 */
export async function unloadableAuthorizer(model: AuthModel): Promise<{ model: AuthModel; why: string } | undefined> {
  const lambda = model.authModes.lambda;
  if (!lambda?.handler) return undefined;
  const failed = await loadHandler<AuthorizerFn>(lambda.handler, lambda.moduleAliases).then(() => undefined, (e: unknown) => e);
  if (failed === undefined) return undefined;
  // A package missing here, or a throw at its top (a setting it reads from the environment), is this machine's gap;
  // an authorizer that does not compile, or is not there, would not deploy either, and stays a refusal (exit 2).
  const cause = failed instanceof InputError ? failed.cause : failed;
  // jiti reports a parse error as an Error whose message starts `ParseError:`; a native import, as a SyntaxError.
  if (cause === undefined || (cause as Error).name === 'SyntaxError' || /^(ParseError|SyntaxError):/.test(String((cause as Error).message))) throw failed;
  const missing = /MODULE_NOT_FOUND/.test(String((cause as { code?: unknown }).code)) || /Cannot find (module|package)/.test(String((cause as Error).message ?? cause));
  const failure = failed instanceof InputError ? failed.message : String(failed);
  const { handler, ...rest } = lambda;
  const shown = path.relative(process.cwd(), handler) || handler;
  // A project layer's packages are installed in its lib/nodejs (harness/schema/gen1-project.ts layerAliases).
  const layerLib = rest.moduleAliases?.['/opt/nodejs'] ? [path.relative(process.cwd(), rest.moduleAliases['/opt/nodejs'])] : [];
  // What the Lambda runtime provides, a function's package.json need not name (aws-sdk up to nodejs16.x, @aws-sdk/* after;
  // UBC-CIC/balance-test-dashboard's authorizer requires aws-sdk); a Lambda layer's files are under /opt/.
  const provided = /Cannot find module '(aws-sdk|@aws-sdk\/[^/']+)/.exec(failure)?.[1];
  const layer = /Cannot find module '\/opt\//.test(failure) ? "; that /opt/ file is in none of the function's project layers (function-parameters.json lambdaLayers)"
    : provided ? `; the Lambda runtime provides ${provided}, so its package.json need not name it: npm install ${provided} there too` : '';
  return {
    model: { ...model, authModes: { ...model.authModes, lambda: rest } },
    why: `the Lambda authorizer ${shown} does not load here (${failure.replace(/^the handler module does not load: /, '')}), so every Lambda token is refused, as AppSync refuses when the authorizer fails; to test it, make it load (${missing ? `npm install in ${[path.relative(process.cwd(), packageDir(handler)) || '.', ...layerLib].join(' and in ')}${layer}` : 'set the environment variables it reads'})`,
  };
}

/**
 * Where the authorizer's packages are installed: the nearest folder holding a package.json from the handler up to the
 * app (the folder holding `amplify/`; a Gen 2 app bundles its functions from the app's own, taobluesky's
 * `amplify/data/custom-authorizer.ts` from the root), else the handler's own folder (a Gen 1 function's `src/`). A
 * package.json naming no packages (Gen 2's `amplify/package.json`, `{ "type": "module" }`) is not where they go.
 */
function packageDir(handler: string): string {
  const parts = path.dirname(handler).split(path.sep);
  const amplify = parts.lastIndexOf('amplify');
  const top = amplify > 0 ? parts.slice(0, amplify).join(path.sep) : path.dirname(handler);
  for (let dir = path.dirname(handler); dir.startsWith(top); dir = path.dirname(dir)) {
    if (declaresPackages(path.join(dir, 'package.json'))) return dir;
    if (dir === top) break;
  }
  return path.dirname(handler);
}

function declaresPackages(file: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return 'dependencies' in manifest || 'devDependencies' in manifest;
  } catch {
    return false;
  }
}
