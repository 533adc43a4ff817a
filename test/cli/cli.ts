/** Runs the built `authmatrix` CLI (dist/, rebuilt from the sources by test/global-setup.ts) as a child process. */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, inject } from 'vitest';
import type { RunReport } from '../../reports/results.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/authmatrix.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `authmatrix <args>` as a child process, stopped once it counts its cells (its personas, records and
 * fixture objects exist by then): with `SIGINT` as Ctrl-C does, or killed outright with its whole process
 * group (its test workers too), as a killed CI job is. Resolves with its exit code and stderr.
 */
export function cliStoppedMidRun(args: string[], how: 'SIGINT' | 'kill', options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd, env: { ...process.env, ...options.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: how === 'kill',
  });
  let stderr = '';
  let stopped = false;
  return new Promise((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stopped || !/\d+\/\d+ cells/.test(stderr)) return;
      stopped = true;
      if (how === 'SIGINT') child.kill('SIGINT');
      else process.kill(-child.pid!, 'SIGKILL');
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** A scratch directory for one test file, removed after its tests (call it at the top level of the file). */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The results.json of a run's --out directory. */
export const results = (out: string): RunReport => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunReport;

export const fixture = (...p: string[]): string => path.join(ROOT, 'test/fixtures', ...p);
export const example = (...p: string[]): string => path.join(ROOT, 'examples', ...p);

/**
 * `authmatrix run <args> --out <dir>`, once per test run however many test files ask for it: the first
 * caller runs it, the others (in any worker) wait for its result and read the same reports. For runs
 * that several files only read (the examples' full and sharded runs); a test that writes its own
 * reports uses `cli` with its own `--out`.
 */
export async function sharedRun(args: string[], timeoutMs = 300_000): Promise<CliResult & { out: string }> {
  const at = path.join(inject('sharedRuns'), createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16));
  const out = path.join(at, 'reports');
  const done = path.join(at, 'result.json');
  let mine = true;
  try {
    mkdirSync(at);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    mine = false;
  }
  if (mine) {
    const result = await cli([...args, '--out', out], { timeoutMs });
    writeFileSync(`${done}.tmp`, JSON.stringify(result));
    renameSync(`${done}.tmp`, done);
    return { ...result, out };
  }
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the shared run authmatrix ${args.join(' ')} did not finish within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...(JSON.parse(readFileSync(done, 'utf8')) as CliResult), out };
}
