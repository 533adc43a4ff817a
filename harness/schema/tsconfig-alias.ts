/**
 * Module aliases from the app's tsconfig (`compilerOptions.paths` and `baseUrl`), as jiti prefix aliases,
 * so that a `resource.ts` importing `lib/domain/model` or `@/schema` loads as it does in the app's build.
 * The tsconfig is found and read (comments, `extends`) by get-tsconfig.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getTsconfig } from 'get-tsconfig';

export function tsconfigAliases(file: string): Record<string, string> {
  const found = getTsconfig(path.dirname(file));
  if (!found) return {};
  const options = found.config.compilerOptions ?? {};
  const dir = path.dirname(found.path);
  const base = options.baseUrl ? path.resolve(dir, options.baseUrl) : undefined;
  const alias: Record<string, string> = {};
  // baseUrl: every top-level name under it, unless a package of that name is installed.
  if (base) {
    const packages = createRequire(file);
    for (const entry of safeList(base)) {
      const name = entry.replace(/\.(m|c)?[jt]sx?$/, '');
      if (name.startsWith('.') || name === 'node_modules' || installed(packages, name)) continue;
      alias[name] = path.join(base, name);
    }
  }
  // paths: `prefix/*` → the first target's directory; an exact name → its first target.
  for (const [pattern, targets] of Object.entries(options.paths ?? {})) {
    const target = targets[0];
    if (!target) continue;
    const from = path.resolve(base ?? dir, target.replace(/\/?\*$/, ''));
    alias[pattern.replace(/\/?\*$/, '')] = from;
  }
  return alias;
}

function installed(require: NodeJS.Require, name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
