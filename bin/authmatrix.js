#!/usr/bin/env node
// graphql-js tests every instanceof for a second copy of itself unless NODE_ENV is production, at a tenth of
// the emulator's time on a list (docs/architecture.md, "Performance"). Set while graphql loads only: vitest,
// its worker and the app's code see the environment as it was.
const nodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
await import('graphql');
if (nodeEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = nodeEnv;

const { main } = await import('../dist/harness/cli.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`authmatrix: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
