/**
 * Ctrl-C (SIGINT) and SIGTERM during a deployed run: delete the run's users and groups once, then exit
 * with 130 / 143 as a shell expects. A second signal during cleanup exits at once (the ledger stays,
 * for `authmatrix personas cleanup --run <id>`).
 */
import { isInputError } from '../../harness/schema/errors.js';
import { cleanup, type DeployedTarget } from './deployed.js';
import { EXIT_CODES } from './exit-codes.js';

/** Installs the handlers; the returned function removes them (call it after a normal cleanup). */
export function cleanupOnSignal(target: DeployedTarget, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): () => void {
  let cleaning = false;
  const sweepHint = `run \`authmatrix personas cleanup --run ${target.runId}\``;
  const handler = (signal: keyof typeof EXIT_CODES) => {
    const code = EXIT_CODES[signal];
    if (cleaning) {
      log(`authmatrix: ${signal} again: cleanup of run ${target.runId} abandoned; ${sweepHint}`);
      process.exit(code);
    }
    cleaning = true;
    log(`authmatrix: ${signal}: deleting the users and groups of run ${target.runId}`);
    cleanup(target).then(
      () => process.exit(code),
      (e: unknown) => {
        log(`authmatrix: cleanup of run ${target.runId} failed: ${isInputError(e) ? e.format() : String((e as Error)?.message ?? e).split('\n')[0]}; ${sweepHint}`);
        process.exit(code);
      },
    );
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}
