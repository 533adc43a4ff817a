/**
 * Loads the app's own TypeScript (resource files, handlers, JS resolvers, contract files) with jiti, and the
 * handler modules (Lambda authorizer, function handlers, JS resolvers) in particular.
 */
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { cacheDir } from './cache-dir.js';
import { InputError } from './errors.js';

/**
 * Imports a file of the app with jiti. Transpiled files are cached (harness/schema/cache-dir.ts; jiti keys each
 * entry on the file's path and a hash of its source), which takes about 300 ms off every later run of the same
 * app; `cache: false` for files that may hold secrets. jiti's Babel installs a stack-trace hook when it loads; it
 * is taken off again, as graphql-js reads the stack of every error the emulator's resolvers throw.
 */
export async function importAppModule(file: string, options: { alias?: Record<string, string>; cache?: boolean } = {}): Promise<Record<string, unknown>> {
  const jiti = createJiti(pathToFileURL(file).href, {
    alias: options.alias ?? {},
    moduleCache: false,
    fsCache: options.cache === false ? false : cacheDir('jiti') ?? false,
    interopDefault: true,
  });
  const hook = Error.prepareStackTrace;
  try {
    return (await jiti.import(file)) as Record<string, unknown>;
  } finally {
    Error.prepareStackTrace = hook;
  }
}

export async function loadUserModule(file: string, alias: Record<string, string> = {}): Promise<Record<string, unknown>> {
  try {
    return await importAppModule(file, { alias });
  } catch (e) {
    const err = e as Error & { code?: string };
    const first = String(err?.message ?? e).split('\n')[0]!.replace(/^(?:[A-Z]\w*Error): /, '');
    if (err?.code === 'ENOENT' || /Cannot find module/.test(first) && first.includes(file)) {
      throw new InputError('handler module not found', { file }, 'check the entry path');
    }
    throw new InputError(`the handler module does not load: ${first}`, { file }, 'fix the module so it can be imported');
  }
}

/** The `handler` export of a Lambda-style module. */
export async function loadHandler<T extends (...args: never[]) => unknown>(file: string, alias: Record<string, string> = {}): Promise<T> {
  const mod = await loadUserModule(file, alias);
  const handler = (mod.handler ?? (mod.default as Record<string, unknown> | undefined)?.handler) as T | undefined;
  if (typeof handler !== 'function') {
    throw new InputError('the module exports no handler function', { file }, 'export const handler = async (event) => { ... }');
  }
  return handler;
}
