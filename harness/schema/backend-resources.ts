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
  const locals = new Set<string>();
  for (const m of text.matchAll(/import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    if (resolveLocal(path.resolve(path.dirname(backend), m[2]!)) !== resource) continue;
    for (const binding of m[1]!.split(',')) {
      const local = binding.trim().split(/\s+as\s+/).at(-1)!.trim();
      if (local) locals.add(local);
    }
  }
  if (!locals.size) return undefined;
  const names = backendArgumentNames(text);
  return names && names.some((n) => locals.has(n));
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

/** The names defineBackend's object literal passes (`{ auth, data: myData }` → auth, myData); undefined if not such a literal. */
function backendArgumentNames(text: string): string[] | undefined {
  const call = /\bdefineBackend\s*\(\s*\{/.exec(text);
  if (!call) return undefined;
  const entries: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text.slice(call.index + call[0].length)) {
    if (depth === 0 && (ch === ',' || ch === '}')) {
      entries.push(current.trim());
      current = '';
      if (ch === '}') break;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    current += ch;
  }
  const names: string[] = [];
  for (const entry of entries.filter(Boolean)) {
    if (entry.startsWith('...')) return undefined;
    const m = /^(?:[\w$]+|'[^']*'|"[^"]*")\s*:\s*([A-Za-z_$][\w$]*)$/.exec(entry) ?? /^([A-Za-z_$][\w$]*)$/.exec(entry);
    // Anything else defines its resource inline (`fn: defineFunction({...})`): not a resource file's.
    if (m) names.push(m[1]!);
  }
  return names;
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
