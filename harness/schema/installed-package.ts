/**
 * Where a package an app depends on is installed, found as Node looks for it from a file of the app: `node_modules/<name>`
 * in the file's directory, then in each directory above it. It is not asked of `require.resolve('<name>/package.json')`,
 * which fails for every package whose `exports` does not list `./package.json` (`@aws-amplify/backend` lists only ".",
 * "./types/platform" and "./ai"), nor of the package's entry, which a package of types or CLI binaries may not have.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The directory of the installed package `name` as seen from `file`, or undefined when none is installed. */
export function installedPackageDir(file: string, name: string): string | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    // Node never looks in node_modules/node_modules.
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The `version` of the installed package `name` as seen from `file`; undefined when none is installed or it says none. */
export function installedVersion(file: string, name: string): string | undefined {
  const dir = installedPackageDir(file, name);
  if (!dir) return undefined;
  try {
    const v = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
