/**
 * Before any test: build dist/ from the current sources and type-check the tests (`tsc -b
 * tsconfig.test.json`, incremental: about a second when nothing changed), then bundle the command when the
 * bundle is older than what it is made from (scripts/bundle.js `--if-stale`). The CLI tests run the built
 * `authmatrix` from its bundle (test/cli/cli.ts), so they always test the sources as they are; a type error
 * fails the whole run here, loudly. Also makes the directory where test files share the contract runs they
 * all read (`sharedRun` in test/cli/cli.ts), removed at the end.
 *
 * Every temporary directory the suite makes (test files, the CLI runs they start, the emulators) goes
 * under one directory, the workers' and children's TMPDIR, removed at the end: a test that forgets to
 * clean up, or a child killed mid-run, leaves nothing behind in the machine's /tmp.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where `sharedRun` keeps the runs several test files read. */
    sharedRuns: string;
  }
}

export default function setup(project: TestProject): () => void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  build([tsc, '-b', 'tsconfig.test.json'], 'tsc -b tsconfig.test.json failed: the sources or the tests do not type-check, so nothing was tested.');
  build([path.join(ROOT, 'scripts/bundle.js'), '--if-stale'], 'scripts/bundle.js failed, so the command could not be tested.');
  const scratch = mkdtempSync(path.join(tmpdir(), 'authmatrix-test-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  const shared = mkdtempSync(path.join(scratch, 'shared-runs-'));
  project.provide('sharedRuns', shared);
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true });
  };
}

function build(args: string[], failure: string): void {
  try {
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`${failure}\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
}
