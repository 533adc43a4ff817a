/**
 * Loading a Gen 2 resource file (or backend.ts) with jiti, `@aws-amplify/backend` aliased to the
 * stand-in (gen2-shim.ts), the app's tsconfig paths and its own `@aws-amplify/data-schema`; load failures
 * as one-line input errors. Shared by the data loader (gen2.ts) and the REST loader (rest/gen2.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from './errors.js';
import { tsconfigAliases } from './tsconfig-alias.js';
import { evaluateAppSource, importAppModule } from './user-module.js';

const SHIM = fileURLToPath(new URL('./gen2-shim.js', import.meta.url));

/** The app's own `@aws-amplify/data-schema` when installed, else ours. */
export async function importDataSchema(file: string): Promise<unknown> {
  const resolved = appDataSchema(file);
  const mod = (resolved
    ? await import(pathToFileURL(resolved).href)
    : await import('@aws-amplify/data-schema')) as { a?: unknown; default?: { a?: unknown } };
  return mod.a ?? mod.default?.a;
}

function appDataSchema(file: string): string | undefined {
  try {
    return createRequire(file).resolve('@aws-amplify/data-schema');
  } catch {
    return undefined;
  }
}

/**
 * An app that imports `@aws-amplify/data-schema` itself (generated `schema.sql.ts` files do) without its
 * dependencies installed gets ours, as `a` from `@aws-amplify/backend` already does.
 */
function dataSchemaAlias(file: string): Record<string, string> {
  if (appDataSchema(file)) return {};
  const manifest = createRequire(import.meta.url).resolve('@aws-amplify/data-schema/package.json');
  return { '@aws-amplify/data-schema': path.dirname(manifest) };
}

export async function importResource(file: string): Promise<Record<string, unknown>> {
  try {
    return await importAppModule(file, { alias: resourceAliases(file) });
  } catch (e) {
    throw loadError(file, e);
  }
}

const resourceAliases = (file: string): Record<string, string> => ({ ...tsconfigAliases(file), '@aws-amplify/backend': SHIM, ...dataSchemaAlias(file) });

/**
 * A `defineFunction(...)` call as backend.ts writes it, evaluated as if in backend.ts (its entry is relative to
 * backend.ts's folder), with the stand-in for `@aws-amplify/backend`.
 */
export async function defineFunctionIn(file: string, call: string): Promise<unknown> {
  try {
    const mod = await evaluateAppSource(file, `import { defineFunction } from '@aws-amplify/backend';\nexport default ${call};\n`, resourceAliases(file));
    return mod.default;
  } catch (e) {
    throw loadError(file, e);
  }
}

function loadError(file: string, e: unknown): InputError {
  if (e instanceof InputError) return e;
  const err = e as Error & { code?: string; requireStack?: string[] };
  const first = String(err?.message ?? e).split('\n')[0]!;
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND' || /Cannot find module/.test(first)) {
    const m = first.match(/Cannot find (?:module|package) '([^']+)'/);
    const bare = m && !m[1]!.startsWith('.') && !m[1]!.startsWith('/');
    // The file that imports it, which may be one the resource file imports in turn.
    const importer = err.requireStack?.[0] ?? file;
    return new InputError(`cannot load ${m ? `module ${m[1]}` : 'a module'} imported by this file`, { file: importer },
      bare ? 'install the package (npm i), or map the name in the tsconfig.json beside the app (compilerOptions.paths or baseUrl)' : 'correct the import path');
  }
  if (PREVIEW_RULES.test(readSource(file))) {
    return new InputError('the schema is written for the Gen 2 preview (@aws-amplify/backend 0.x: `a.allow.owner()`, relations without reference fields), which authmatrix does not read',
      { file }, 'move the schema to @aws-amplify/backend 1.x: `.authorization((allow) => [allow.owner()])` (Amplify\'s Gen 2 GA migration guide)');
  }
  // jiti reports parse errors as "ParseError: <what>\n <file>:<line>:<col0>"; errors thrown by user code point into the file via the stack.
  const parse = String(err?.message ?? '').match(new RegExp(`${escape(file)}:(\\d+):(\\d+)`));
  const at = parse ? { line: Number(parse[1]), column: Number(parse[2]) + 1 } : stackLocation(err, file);
  return new InputError(`the resource file does not load: ${oneLine(err, first)}`,
    { file, ...(at ? { line: at.line, column: at.column } : {}) },
    // Code that runs and throws may only lack what the app's build gives it (ampx runs with the developer's .env).
    parse ? 'fix the TypeScript so the file evaluates' : 'fix the TypeScript so the file evaluates, or set the environment variables it reads');
}

/**
 * What an error says, on one line. Its first line, unless that says nothing by itself: a validation library's
 * error is a JSON list of issues (knitting-belle's env check with zod printed "does not load: ["), and then the
 * whole message is folded onto one line, shortened, with the error's name.
 */
export function oneLine(err: Error | undefined, first = String(err?.message ?? err).split('\n')[0]!): string {
  const what = first.replace(/^(?:[A-Z]\w*Error|\[jiti\][^:]*): /, '').trim().replace(/\.+$/, '');
  if (/[\p{L}\p{N}]/u.test(what)) return what;
  const folded = String(err?.message ?? '').replace(/\s+/g, ' ').trim();
  const name = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${name}${folded.length > 300 ? `${folded.slice(0, 300)}…` : folded}`;
}

/** Rules as the Gen 2 preview wrote them: `.authorization([a.allow.owner()])`. */
const PREVIEW_RULES = /\ba\.allow\.\w+\(/;

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function stackLocation(err: Error | undefined, file: string): { line: number; column: number } | undefined {
  for (const line of err?.stack?.split('\n') ?? []) {
    const i = line.indexOf(file + ':');
    if (i < 0) continue;
    const m = line.slice(i + file.length).match(/^:(\d+):(\d+)/);
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

export function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
