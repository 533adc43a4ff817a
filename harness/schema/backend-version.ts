/**
 * Which `@aws-amplify/backend` a Gen 2 app builds with: the installed one, else the lowest version its
 * nearest package.json that names it admits. Only the Gen 2 preview is told apart, because IAM changed at
 * its end: `@aws-amplify/backend` 0.13.0 (April 2024) brought backend-data 0.10.0, which turned generic IAM
 * access on (`enableIamAuthorizationMode`, amplify-backend f6489a827a) and dropped `allowListedRoleNames` from
 * `defineData` (91dae554eb). Before it, IAM principals outside the identity pool passed only as the admin roles
 * `allowListedRoleNames` named.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { installedVersion } from './installed-package.js';

const PACKAGE = '@aws-amplify/backend';

/** The app's `@aws-amplify/backend` version ("0.12.1"), or undefined when neither installed nor declared. */
export function backendVersion(file: string): string | undefined {
  const installed = installedVersion(file, PACKAGE);
  if (installed) return installed;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const range = declaredRange(path.join(dir, 'package.json'));
    if (range) return lowestVersion(range);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The app builds with the Gen 2 preview (`@aws-amplify/backend` before 0.13.0). */
export function isGen2Preview(file: string): boolean {
  const m = backendVersion(file)?.match(/^(\d+)\.(\d+)\./);
  return !!m && Number(m[1]) === 0 && Number(m[2]) < 13;
}

function declaredRange(manifest: string): string | undefined {
  if (!existsSync(manifest)) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    for (const section of ['dependencies', 'devDependencies']) {
      const r = pkg[section]?.[PACKAGE];
      if (typeof r === 'string') return r;
    }
  } catch {
    // a package.json that does not parse names nothing
  }
  return undefined;
}

/** `^0.12.0` → 0.12.0, `>=1.0.0 <2` → 1.0.0; `latest`, `*` and tags: undefined. */
function lowestVersion(range: string): string | undefined {
  return range.match(/\d+\.\d+\.\d+(?:-[\w.]+)?/)?.[0];
}
