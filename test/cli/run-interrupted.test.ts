/**
 * Ctrl-C and SIGTERM during `authmatrix run`, through the CLI: the run stops without waiting for the
 * cells in flight, exits 130 / 143, writes reports marked interrupted holding the cells that finished
 * (none counted as failures), never replaces a complete earlier report, and leaves no temporary
 * directory and no process behind. test/fixtures/slow-handler's `waitHere` handler never answers once
 * AUTHMATRIX_TEST_HOLD_MARK is set, and says when it was called: the signal is sent while its cell is
 * in flight and every model's cells have finished.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../reports/results.js';
import { BIN, cli, example, fixture } from './cli.js';

const APP = fixture('slow-handler');
const dir = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-interrupted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunReport;

/** Polls for a condition (the run's own progress), without a fixed sleep. */
async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a run in its own process group with a private TMPDIR, waits until the held cell is in flight,
 * sends the signals (to the group, as a terminal's Ctrl-C does, or to the process alone), and waits for
 * the exit.
 */
async function interruptedRun(out: string, signals: NodeJS.Signals[], to: 'group' | 'process') {
  const tmp = mkdtempSync(path.join(dir, 'tmp-'));
  const mark = path.join(dir, `held-${path.basename(tmp)}`);
  const child = spawn(process.execPath, [BIN, 'run', '--no-probes', '--schema', APP, '--out', out], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, AUTHMATRIX_TEST_HOLD_MARK: mark },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  await until('the held cell', () => existsSync(mark));
  for (const [i, signal] of signals.entries()) {
    // Signals of one kind do not queue: the next is sent once the run has taken the first.
    if (i > 0) await until('the run to take the signal', () => stderr.includes(': stopping run '));
    process.kill(to === 'group' ? -child.pid! : child.pid!, signal);
  }
  const code = await exited;
  // The run's test worker and anything else it started are gone with it.
  await until('the process group to end', () => !groupAlive(child.pid!), 10_000);
  return { code, stdout, stderr, tmpLeft: readdirSync(tmp) };
}

describe('an interrupted run', () => {
  it('Ctrl-C (SIGINT to the process group): exit 130, the finished cells reported as interrupted beside the complete earlier report, nothing left behind', async () => {
    const out = path.join(dir, 'out');
    const complete = await cli(['run', '--no-probes', '--schema', APP, '--out', out]);
    expect(complete.code).toBe(0);
    const earlier = readFileSync(path.join(out, 'results.json'), 'utf8');

    const r = await interruptedRun(out, ['SIGINT'], 'group');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/authmatrix: SIGINT: stopping run \w+; the cells that finished are reported, the others are not run/);
    // The complete report stays; the interrupted one is written beside it.
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe(earlier);
    const report = read(path.join(out, 'interrupted', 'results.json'));
    const planned = read(path.join(out, 'results.json')).totals.cells;
    expect(report.interrupted).toEqual({ signal: 'SIGINT', cellsRun: report.cells.length, cellsPlanned: planned });
    // Every model's cells finished before the held one; the held cell and those after it were not run.
    expect(report.cells.some((c) => c.model === 'Note') && report.cells.some((c) => c.model === 'Team')).toBe(true);
    expect(report.cells.length).toBeLessThan(planned);
    expect(report.cells.filter((c) => c.customOperation === 'waitHere' && c.persona === 'owner')).toEqual([]);
    expect(report.cells.filter((c) => !c.pass)).toEqual([]);
    expect(report.totals.mismatches).toBe(0);
    expect(readFileSync(path.join(out, 'interrupted', 'summary.md'), 'utf8')).toContain('## authmatrix: ⏹ interrupted');
    expect(readFileSync(path.join(out, 'interrupted', 'index.html'), 'utf8')).toContain(`<b>Interrupted</b> by SIGINT after ${report.cells.length} of ${planned} cells`);
    expect(r.stdout).toContain(`INTERRUPTED  ${report.cells.length} of ${planned} cells ran, ${report.cells.length} match`);
    expect(r.stdout).toContain(`Reports: ${path.join(out, 'interrupted')}/`);
    expect(r.tmpLeft).toEqual([]);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);

    // The next complete run replaces the reports and removes the interrupted ones.
    expect((await cli(['run', '--no-probes', '--schema', APP, '--out', out])).code).toBe(0);
    expect(existsSync(path.join(out, 'interrupted'))).toBe(false);
  }, 300_000);

  it('SIGTERM to the process, with no earlier report: exit 143 and the interrupted reports in --out', async () => {
    const out = path.join(dir, 'term');
    mkdirSync(out);
    const r = await interruptedRun(out, ['SIGTERM'], 'process');
    expect(r.code).toBe(143);
    const report = read(path.join(out, 'results.json'));
    expect(report.interrupted).toMatchObject({ signal: 'SIGTERM', cellsRun: report.cells.length });
    expect(report.cells.length).toBeGreaterThan(0);
    expect(report.cells.filter((c) => !c.pass)).toEqual([]);
    expect(r.tmpLeft).toEqual([]);
  }, 300_000);

  it('a second Ctrl-C stops at once: exit 130, no reports, still nothing left behind', async () => {
    const out = path.join(dir, 'twice');
    const r = await interruptedRun(out, ['SIGINT', 'SIGINT'], 'group');
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('authmatrix: signalled again: stopping now');
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
    expect(r.tmpLeft).toEqual([]);
  }, 300_000);

  it('a run that fails while its test worker boots (a deployed app whose Cognito cannot be reached): exit 2 with the reason, the worker stopped, nothing left behind', async () => {
    // The test worker starts before the personas are provisioned (harness/runner/drive.ts); provisioning fails here.
    const app = mkdtempSync(path.join(dir, 'unreachable-'));
    writeFileSync(path.join(app, 'amplify_outputs.json'), JSON.stringify({
      version: '1.3',
      auth: { aws_region: 'us-east-1', user_pool_id: 'us-east-1_unreachable', user_pool_client_id: 'client', username_attributes: [] },
      data: { url: 'http://127.0.0.1:1/graphql', aws_region: 'us-east-1', api_key: 'key', default_authorization_type: 'AMAZON_COGNITO_USER_POOLS', authorization_types: ['API_KEY'] },
    }));
    writeFileSync(path.join(app, 'authmatrix.config.json'), JSON.stringify({
      personas: { guest: false, iamUser: false, iamAdmin: false, 'iamGroupMember:Admin': false, 'iamGroupMember:HR': false, lambdaAllowed: false, lambdaDenied: false },
      deployed: { endpoints: { cognitoIdentityProvider: 'http://127.0.0.1:1' } },
    }));
    mkdirSync(path.join(app, 'no-contracts'));
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    const child = spawn(process.execPath, [BIN, 'run', '--schema', example('blog'), '--target', 'deployed', '--outputs', 'amplify_outputs.json', '--config', 'authmatrix.config.json', '--contracts', 'no-contracts', '--out', 'out'], {
      cwd: app, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_PROFILE: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(2);
    expect(stderr).toMatch(/authmatrix: reading the sign-in flows of app client client: cannot reach the Cognito endpoint \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
    await until('the process group to end', () => !groupAlive(child.pid!), 10_000);
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(path.join(app, 'out', 'results.json'))).toBe(false);
  }, 120_000);
});
