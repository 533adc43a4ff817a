/**
 * Whether the command's bundle (dist/bundle/, scripts/bundle.js) is as new as what it is made from: the compiled
 * sources (dist/.tsbuildinfo), the bundler's rules and the installed packages (package-lock.json). An installed
 * package has none of these (package.json `files`), and its bundle is current.
 */
import { statSync } from 'node:fs';

const mtime = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;

/** `missing`, `stale` or `current`. */
export function bundleState() {
  const bundled = mtime('../dist/bundle/cli.js');
  if (bundled === undefined) return 'missing';
  const sources = ['../dist/.tsbuildinfo', '../scripts/bundle.js', '../package-lock.json'].map(mtime).filter((t) => t !== undefined);
  return sources.every((t) => bundled >= t) ? 'current' : 'stale';
}
