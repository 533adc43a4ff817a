/**
 * Whether `amplify/backend.ts` passes a resource file's resource to `defineBackend`. Amplify builds only the
 * resources given to `defineBackend` (each `define*` call returns a factory that nothing else instantiates), so a
 * storage resource imported but left out (`//storage,`) deploys no bucket. Read from the source, without running
 * it: backend.ts usually needs the app's aws-cdk-lib, which only REST APIs make authmatrix load.
 */
import path from 'node:path';
import { reachableSources, resolveLocal } from './rest/gen2.js';

/** backend.ts and the files it reaches through relative imports, comments blanked out: read once per load of an app. */
export interface BackendSources {
  file: string;
  sources: Map<string, string>;
}

export function readBackend(backendFile: string): BackendSources {
  const file = path.resolve(backendFile);
  return { file, sources: reachableSources(file, withoutComments) };
}

/**
 * True or false when backend.ts says; undefined when it cannot be told from the source (the resource is not
 * imported by name from that file, or defineBackend's argument is not an object literal of names).
 */
export function passedToBackend({ file: backend, sources }: BackendSources, resourceFile: string): boolean | undefined {
  const resource = path.resolve(resourceFile);
  if (!sources.has(resource)) {
    // Not imported at all (`// import { storage } from './storage/resource'`), unless through a tsconfig alias.
    const stem = path.relative(path.dirname(backend), resource).replace(/\.[cm]?[jt]s$/, '');
    return [...sources.values()].some((t) => t.includes(`${stem}'`) || t.includes(`${stem}"`) || t.includes(`${stem}.js`)) ? undefined : false;
  }
  const text = sources.get(backend);
  if (text === undefined) return undefined;
  const locals = importedNames(text, backend, resource);
  if (!locals.size) return undefined;
  const entries = backendEntries(text);
  return entries && entries.some((e) => locals.has(e.name));
}

/** A value backend.ts passes to a resource factory: a name it imports, a `defineFunction(...)` it writes, or other text. */
export type BackendValue = { local: string; imported: { file: string; name: string } } | { local: string; defineFunction: string } | { text: string };

/**
 * A resource given to defineBackend as a call of a function its resource file exports (`data: data(authFunction)`,
 * johnpc/svelte-crossword, whose data resource takes the Lambda authorizer backend.ts defines): the export's name
 * and the call's arguments. Undefined when backend.ts gives it no such call.
 */
export function factoryCall({ file: backend, sources }: BackendSources, resourceFile: string): { exported: string; args: BackendValue[] } | undefined {
  const text = sources.get(backend);
  if (text === undefined) return undefined;
  const locals = importedNames(text, backend, path.resolve(resourceFile));
  const entry = backendEntries(text)?.find((e) => e.args && locals.has(e.name));
  return entry && { exported: locals.get(entry.name)!, args: entry.args!.map((a) => backendValue(text, backend, a)) };
}

function backendValue(text: string, backend: string, arg: string): BackendValue {
  if (!/^[A-Za-z_$][\w$]*$/.test(arg)) return { text: arg };
  const imported = relativeImports(text, backend).find((i) => i.local === arg && i.file);
  if (imported?.file) return { local: arg, imported: { file: imported.file, name: imported.name } };
  const declared = new RegExp(`\\b(?:const|let|var)\\s+${arg.replace(/\$/g, '\\$')}\\s*=\\s*defineFunction\\s*\\(`).exec(text);
  if (declared) {
    const open = declared.index + declared[0].length - 1;
    const { close } = bracketed(text, open);
    if (close > open) return { local: arg, defineFunction: text.slice(declared.index + declared[0].indexOf('defineFunction'), close + 1) };
  }
  return { text: arg };
}

/** Local name → exported name of what backend.ts imports from a resource file. */
function importedNames(text: string, backend: string, resource: string): Map<string, string> {
  return new Map(relativeImports(text, backend).filter((i) => i.file === resource).map((i) => [i.local, i.name]));
}

/** backend.ts's named imports from relative paths: each binding's local name, exported name and file. */
function relativeImports(text: string, backend: string): { local: string; name: string; file: string | undefined }[] {
  const out: { local: string; name: string; file: string | undefined }[] = [];
  for (const m of text.matchAll(/import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const file = resolveLocal(path.resolve(path.dirname(backend), m[2]!));
    for (const binding of m[1]!.split(',')) {
      const [name, local = name] = binding.trim().split(/\s+as\s+/).map((x) => x.trim());
      if (name && local) out.push({ local, name, file });
    }
  }
  return out;
}

/**
 * The list a bracket at `open` opens: its comma-separated items at the top level (nested brackets and strings kept
 * whole: `build('a,b')` is one item) and the index of the bracket closing it (-1 when none does).
 */
function bracketed(text: string, open: number): { items: string[]; close: number } {
  const items: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) {
      items.push(text.slice(start, i).trim());
      return { items: items.filter(Boolean), close: i };
    } else if (ch === ',' && depth === 1) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return { items: items.filter(Boolean), close: -1 };
}

/**
 * The files reachable from backend.ts that attach resolvers to AppSync fields with CDK (`data.addResolver`,
 * `createResolver`, `CfnResolver`, `new Resolver`), relative to backend.ts's folder. Such a resolver replaces what
 * Amplify generated for its field, which authmatrix does not model (said as a caveat).
 */
export function cdkResolverFiles({ file: backend, sources }: BackendSources): string[] {
  const found: string[] = [];
  for (const [file, text] of sources) {
    if (/\.(?:addResolver|createResolver)\s*\(|(?:CfnResolver|Resolver)\s*\(/.test(text)) found.push(path.relative(path.dirname(backend), file));
  }
  return found.sort();
}

/**
 * What defineBackend's object literal passes: names (`{ auth, data: myData }` → auth, myData) and calls of a name
 * (`data: data(authFunction)` → data, with its arguments' text); undefined if not such a literal.
 */
function backendEntries(text: string): { name: string; args?: string[] }[] | undefined {
  const call = /\bdefineBackend\s*\(\s*\{/.exec(text);
  if (!call) return undefined;
  const out: { name: string; args?: string[] }[] = [];
  for (const entry of bracketed(text, call.index + call[0].length - 1).items) {
    if (entry.startsWith('...')) return undefined;
    const value = /^(?:[\w$]+|'[^']*'|"[^"]*")\s*:\s*([\s\S]+)$/.exec(entry)?.[1]!.trim() ?? entry;
    const named = /^([A-Za-z_$][\w$]*)$/.exec(value);
    const called = /^([A-Za-z_$][\w$]*)\s*\(([\s\S]*)\)$/.exec(value);
    // Anything else defines its resource inline (`fn: defineFunction({...})`): not a resource file's.
    if (named) out.push({ name: named[1]! });
    else if (called && called[1] !== 'defineFunction') out.push({ name: called[1]!, args: bracketed(value, value.indexOf('(')).items });
  }
  return out;
}

/** The source with its comments blanked out, strings and template literals kept (a URL's `//` is no comment). */
function withoutComments(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== ch) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j;
    } else if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}
