/**
 * Module aliases from the app's tsconfig (`compilerOptions.paths` and `baseUrl`), as jiti prefix aliases,
 * so that a `resource.ts` importing `lib/domain/model` or `@/schema` loads as it does in the app's build.
 * The tsconfig is found and read (comments, `extends`) by get-tsconfig.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { getTsconfig } from 'get-tsconfig';
import { installedPackageDir } from './installed-package.js';

export function tsconfigAliases(file: string): Record<string, string> {
  const found = readTsconfig(path.dirname(file));
  if (!found) return {};
  const options = found.config.compilerOptions ?? {};
  const dir = path.dirname(found.path);
  const base = options.baseUrl ? path.resolve(dir, options.baseUrl) : undefined;
  // baseUrl: every top-level name under it, unless a package of that name is installed.
  const alias: Record<string, string> = base ? topLevelNames(base, file) : {};
  // paths: `prefix/*` → the first target's directory; an exact name → its first target. A catch-all `*` (as in
  // `"*": ["../*"]`) maps every bare name, so it is read as a baseUrl at its target, over the real one and under
  // the other patterns (TypeScript takes the longest matching prefix): a prefix alias of '' would also catch
  // relative and absolute specifiers, which tsconfig paths never map.
  const patterns = Object.entries(options.paths ?? {}).sort(([a], [b]) => Number(b === '*') - Number(a === '*'));
  for (const [pattern, targets] of patterns) {
    const target = targets[0];
    if (!target) continue;
    const from = path.resolve(base ?? dir, target.replace(/\/?\*$/, ''));
    if (pattern === '*') Object.assign(alias, topLevelNames(from, file));
    else alias[pattern.replace(/\/?\*$/, '')] = from;
  }
  return alias;
}

/**
 * The nearest tsconfig, or none when it cannot be read: a tsconfig that extends a package not installed (an Expo
 * app's `expo/tsconfig.base` before npm install) maps no names, and an import that needed one says so when it fails.
 */
function readTsconfig(dir: string): ReturnType<typeof getTsconfig> {
  try {
    return getTsconfig(dir);
  } catch {
    return null;
  }
}

/** The names under `dir` as aliases, but for those of packages installed where `file` would import them from. */
function topLevelNames(dir: string, file: string): Record<string, string> {
  const alias: Record<string, string> = {};
  for (const entry of safeList(dir)) {
    const name = entry.replace(/\.(m|c)?[jt]sx?$/, '');
    if (name.startsWith('.') || name === 'node_modules' || installedPackageDir(file, name)) continue;
    alias[name] = path.join(dir, name);
  }
  return alias;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
