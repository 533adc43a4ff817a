/**
 * Before any test: build dist/ from the current sources and type-check the tests (`tsc -b
 * tsconfig.test.json`, incremental: about a second when nothing changed). The CLI tests run the built
 * `authmatrix` (test/cli/cli.ts), so they always test the sources as they are; a type error fails the
 * whole run here, loudly.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-b', 'tsconfig.test.json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc -b tsconfig.test.json failed: the sources or the tests do not type-check, so nothing was tested.\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
}
