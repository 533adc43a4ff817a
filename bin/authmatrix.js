#!/usr/bin/env node
import { bundleState } from './bundle-current.js';

// The command runs from its bundle (scripts/bundle.js, written by `npm run build` after tsc). A bundle older than
// what it is made from (tsc run alone) would run old code: then the compiled sources run, unbundled and slower.
const state = bundleState();
if (state !== 'current') process.stderr.write(`authmatrix: ${state === 'missing' ? 'dist/bundle/ is missing' : 'dist/bundle/ is older than dist/'}; running the compiled sources unbundled (npm run build writes the bundle)\n`);
const { main } = await import(state === 'current' ? '../dist/bundle/cli.js' : '../dist/harness/cli.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`authmatrix: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
