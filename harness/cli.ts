/**
 * The `authmatrix` command. Every command prints its result on stdout; problems with the user's input
 * print one line on stderr and exit 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { isInputError } from './schema/errors.js';
import { loadGraphql } from './graphql-mode.js';

import { DEFAULT_OUTPUTS, DEFAULT_PORT, MATRIX_FORMATS } from './commands/defaults.js';

// Command modules are imported when their command runs, so each pays only for what it uses.


const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function program(): Command {
  const cli = new Command('authmatrix')
    .description('Contract tests for AWS Amplify auth rules')
    .version(version)
    .showHelpAfterError('(run authmatrix --help for usage)')
    .exitOverride()
    // `run` loads graphql once it has started its test drive (harness/commands/run.ts).
    .hook('preAction', async (_, action) => {
      if (action.name() !== 'run') await loadGraphql();
    });

  cli
    .command('matrix')
    .description('print the expected permission matrix derived from a schema (no endpoint needed)')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--config <path>', 'authmatrix.config.ts (default: found in the working directory or the app directory)')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings (default: authmatrix.gen1.json beside the schema)')
    .addOption(new Option('--format <format>', 'output format').choices(MATRIX_FORMATS).default('table'))
    .action(async (opts: { schema: string; config?: string; gen1Config?: string; format: string }) => {
      const { matrixCommand } = await import('./commands/matrix.js');
      process.stdout.write((await matrixCommand(opts)) + '\n');
    });

  cli
    .command('run')
    .description('run the contract matrix against the embedded emulator (default) or a deployed app; exit 1 on mismatches')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--config <path>', 'authmatrix.config.ts (default: found in the working directory or the app directory)')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings')
    .addOption(new Option('--target <target>', 'where to run').choices(['emulated', 'deployed']).default('emulated'))
    .option('--outputs <file>', 'the deployed app\'s amplify_outputs.json (with --target deployed)')
    .option('--only <names...>', 'only these models, personas or operations (repeat or comma-separate)')
    .option('--shard <i/n>', 'run the i-th of n shards (merge them with `authmatrix report --merge`)')
    .option('--concurrency <n>', 'cells in flight at once (default: 32 on the emulator, 16 on a deployed app)')
    .option('--no-probes', 'skip the credential probes')
    .option('--min-coverage <thresholds>', 'fail below these coverage percentages, e.g. rules=100,operations=100')
    .option('--contracts <paths...>', 'contract files or directories (default: specs/contracts/ under the app and the working directory)')
    .option('--baseline <snapshot>', 'fail when access widened against this authz.snapshot.json')
    .option('--allow-widening', 'report widening against the baseline without failing')
    .addOption(new Option('--fail-on <severity>', 'fail on risky-rule findings at least this severe (see authmatrix lint)').choices(['high', 'medium', 'low']))
    .option('--out <dir>', 'where reports go', 'reports/out')
    .action(async (opts: import('./commands/run.js').RunCommandOptions) => {
      const { runCommand } = await import('./commands/run.js');
      const result = await runCommand(opts);
      process.stdout.write(result.output + '\n');
      // The test run an interrupt cut short may still be tearing down (and would set its own exit code).
      if (result.interrupted) process.exit(result.exitCode);
      process.exitCode = result.exitCode;
    });

  cli
    .command('report')
    .description('render the reports of a run again, merge the results of shards, or write the audit report')
    .option('--results <file>', 'a results.json', 'reports/out/results.json')
    .option('--merge <dirs...>', 'merge the results.json of these shard output directories')
    .option('--audit', 'also write the audit report (audit.html, and audit.pdf when Chromium is installed)')
    .option('--out <dir>', 'where reports go', 'reports/out')
    .action(async (opts: import('./commands/report.js').ReportOptions) => {
      const { reportCommand } = await import('./commands/report.js');
      const result = await reportCommand(opts);
      process.stdout.write(result.output + '\n');
      process.exitCode = result.exitCode;
    });

  cli
    .command('emulate')
    .description('serve the embedded AppSync emulator for a schema and write an amplify_outputs.json for it')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings')
    .option('--host <host>', 'interface to bind (the /.authmatrix/ endpoints are served on loopback only)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', String(DEFAULT_PORT))
    .option('--outputs <file>', 'where to write the amplify_outputs.json for the emulator', DEFAULT_OUTPUTS)
    .option('--seed <seed>', 'deterministic ids and timestamps')
    .option('--lambda-tokens <file>', 'JSON token table for the Lambda authorizer (instead of its handler module)')
    .action(async (opts: import('./commands/emulate.js').EmulateOptions) => {
      const { emulateCommand } = await import('./commands/emulate.js');
      const emulator = await emulateCommand(opts, (line) => process.stdout.write(line + '\n'));
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stdout.write('Stopping the emulator.\n');
          emulator.stop().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  const personas = cli.command('personas').description('the personas a schema calls for, and cleanup of deployed runs');
  personas
    .command('list')
    .description('print the cast for a schema (default cast plus authmatrix.config.ts)')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--config <path>', 'authmatrix.config.ts')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings')
    .action(async (opts: { schema: string; config?: string; gen1Config?: string }) => {
      const { listPersonas } = await import('./commands/personas.js');
      process.stdout.write((await listPersonas(opts)) + '\n');
    });
  personas
    .command('cleanup')
    .description('delete the users, groups and storage objects that crashed runs left in a deployed app')
    .requiredOption('--outputs <file>', 'the deployed app\'s amplify_outputs.json')
    .option('--run <id>', 'only this run (default: every run ledger and every am-* user)')
    .option('--config <path>', 'authmatrix.config.ts (for deployed.endpoints)')
    .action(async (opts: { outputs: string; run?: string; config?: string }) => {
      const { cleanupPersonas } = await import('./commands/personas.js');
      process.stdout.write((await cleanupPersonas(opts)) + '\n');
    });

  cli
    .command('lint')
    .description('report risky auth rules in a schema: severity, the rule, why, and the fix (no endpoint needed)')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'md']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices(['high', 'medium', 'low']))
    .action(async (opts: import('./commands/lint.js').LintOptions) => {
      const { lintCommand } = await import('./commands/lint.js');
      const result = await lintCommand(opts);
      process.stdout.write(result.output + '\n');
      process.exitCode = result.exitCode;
    });

  cli
    .command('snapshot')
    .description('write the permission snapshot (authz.snapshot.json) of a schema, to commit as a baseline')
    .option('--schema <path>', 'the app (default: the current directory; a repository root or monorepo is searched for amplify/), or amplify/data/resource.ts, schema.graphql, amplify_outputs.json', '.')
    .option('--config <path>', 'authmatrix.config.ts')
    .option('--gen1-config <path>', 'Gen 1 only: auth modes and transform settings')
    .option('--out <file>', 'where to write it', 'authz.snapshot.json')
    .action(async (opts: import('./commands/snapshot.js').SnapshotOptions) => {
      const { snapshotCommand } = await import('./commands/snapshot.js');
      process.stdout.write((await snapshotCommand(opts)) + '\n');
    });

  cli
    .command('diff')
    .description('permissions gained and lost between two schemas or snapshots, by severity; exit 1 when access widened')
    .requiredOption('--base <path>', 'authz.snapshot.json or a schema')
    .requiredOption('--head <path>', 'a schema or authz.snapshot.json')
    .option('--config <path>', 'authmatrix.config.ts')
    .option('--allow-widening', 'exit 0 even when access widened')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'md']).default('text'))
    .action(async (opts: import('./commands/diff.js').DiffOptions) => {
      const { diffCommand } = await import('./commands/diff.js');
      const result = await diffCommand(opts);
      process.stdout.write(result.output + '\n');
      process.exitCode = result.exitCode;
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isInputError(e)) {
      process.stderr.write(`authmatrix: ${e.format()}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
