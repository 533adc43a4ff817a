/**
 * Loads the app's own TypeScript (resource files, handlers, JS resolvers, contract files) with jiti, and the
 * handler modules (Lambda authorizer, function handlers, JS resolvers) in particular.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import { createJiti } from 'jiti';
import { cacheDir, putCacheEntry } from './cache-dir.js';
import { InputError } from './errors.js';
import { asHandler } from './handler-console.js';

/**
 * Imports a file of the app with jiti. Transpiled files are cached (harness/schema/cache-dir.ts; jiti keys each
 * entry on the file's path and a hash of its source), which takes about 300 ms off every later run of the same
 * app. `cache: 'sealed'` is for a file that may hold secrets (authmatrix.config.ts and its tokens): its transpiled
 * code is cached encrypted under a key derived from its own source (`sealedCode`), and what it imports is not
 * cached. jiti's Babel installs a stack-trace hook when it loads; it is taken off again, as graphql-js reads the
 * stack of every error the emulator's resolvers throw.
 */
export async function importAppModule(file: string, options: { alias?: Record<string, string>; cache?: 'plain' | 'sealed' } = {}): Promise<Record<string, unknown>> {
  const sealed = options.cache === 'sealed';
  const jiti = appJiti(file, options.alias ?? {}, sealed ? false : cacheDir('jiti') ?? false);
  return keepingStackHook(async () => {
    if (!sealed) return (await jiti.import(file)) as Record<string, unknown>;
    const code = sealedCode(file, (source) => jiti.transform({ source, filename: file, ts: /\.[cm]?tsx?$/.test(file), async: true }));
    // jiti.evalModule would transpile again (it tries a native import first), so the transpiled CommonJS runs in
    // the wrapper jiti gives it: its imports are `await jitiImport(id)`, resolved from the file as jiti would.
    const module = { exports: {} as Record<string, unknown> };
    const run = runInThisContext(`(async function (exports, require, module, __filename, __dirname, jitiImport) {${code}\n})`, { filename: file }) as (...args: unknown[]) => Promise<void>;
    await run(module.exports, createRequire(file), module, file, path.dirname(file), (id: string) => jiti.import(id));
    return module.exports;
  });
}

/** Source text evaluated as a module of the app at `file` (its imports resolved from there), not cached. */
export async function evaluateAppSource(file: string, source: string, alias: Record<string, string>): Promise<Record<string, unknown>> {
  const jiti = appJiti(file, alias, false);
  return keepingStackHook(async () => (await jiti.evalModule(source, { filename: file, async: true })) as Record<string, unknown>);
}

function appJiti(file: string, alias: Record<string, string>, fsCache: string | false) {
  return createJiti(pathToFileURL(file).href, { alias, moduleCache: false, fsCache, interopDefault: true });
}

/** Runs `load`, then takes jiti's stack-trace hook off again (see importAppModule). */
async function keepingStackHook<T>(load: () => Promise<T>): Promise<T> {
  const hook = Error.prepareStackTrace;
  try {
    return await load();
  } finally {
    Error.prepareStackTrace = hook;
  }
}

let jitiVersion: string | undefined;

/**
 * The file's transpiled code, from the cache when an entry for this exact source is there. The entry is
 * AES-256-GCM encrypted with a key hashed from the source itself (with jiti's version and the file's path), and
 * named by a hash of that key: without the source the entry can be neither found nor read, so the cache keeps
 * nothing a config's reader could not already see. Transpiling costs about 0.1 s (jiti loads Babel for it).
 */
function sealedCode(file: string, transpile: (source: string) => string): string {
  const source = readFileSync(file, 'utf8');
  jitiVersion ??= String((JSON.parse(readFileSync(createRequire(import.meta.url).resolve('jiti/package.json'), 'utf8')) as { version?: unknown }).version);
  const key = createHash('sha256').update(`authmatrix-sealed-1\0${jitiVersion}\0${file}\0`).update(source).digest();
  const dir = cacheDir('jiti');
  const entry = dir && path.join(dir, `sealed-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`);
  if (entry) {
    try {
      const sealed = readFileSync(entry);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Not there yet, or not readable with this key: transpiled now.
    }
  }
  const code = transpile(source);
  if (entry) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    putCacheEntry(entry, Buffer.concat([iv, cipher.getAuthTag(), body]));
  }
  return code;
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
    const failure = new InputError(`the handler module does not load: ${first}`, { file }, 'fix the module so it can be imported');
    // What failed (a package not found, a syntax error, a throw at the top): personas/lambda-token.ts tells them apart.
    failure.cause = e;
    throw failure;
  }
}

/**
 * The `handler` export of a Lambda-style module. The module loads, and the handler runs, as that handler
 * (harness/schema/handler-console.ts: its console output is the handler's, not the run's); the function returned
 * shows the handler's own source (personas/lambda-token.ts reads whether it declares parameters).
 */
export async function loadHandler<T extends (...args: never[]) => unknown>(file: string, alias: Record<string, string> = {}): Promise<T> {
  const name = path.relative(process.cwd(), file) || file;
  const mod = await asHandler(name, () => loadUserModule(file, alias));
  const handler = (mod.handler ?? (mod.default as Record<string, unknown> | undefined)?.handler) as T | undefined;
  if (typeof handler !== 'function') {
    throw new InputError('the module exports no handler function', { file }, 'export const handler = async (event) => { ... }');
  }
  const run = function (this: unknown, ...args: unknown[]) {
    return asHandler(name, () => Reflect.apply(handler, this, args));
  };
  Object.defineProperty(run, 'toString', { value: () => handler.toString() });
  return run as unknown as T;
}
