#!/usr/bin/env node
import { statSync } from 'node:fs';

// The command runs from its bundle (scripts/bundle.js, written by `npm run build` after tsc). A bundle older than
// the compiled sources (tsc run alone) would run old code: then the sources in dist/ run, unbundled and slower.
const mtime = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('../dist/bundle/cli.js');
const compiled = mtime('../dist/.tsbuildinfo');
const current = bundled !== undefined && (compiled === undefined || bundled >= compiled);
if (!current) process.stderr.write(`authmatrix: ${bundled === undefined ? 'dist/bundle/ is missing' : 'dist/bundle/ is older than dist/'}; running the compiled sources unbundled (npm run build writes the bundle)\n`);
const { main } = await import(current ? '../dist/bundle/cli.js' : '../dist/harness/cli.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`authmatrix: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
