/**
 * Output paths are checked before any work: a run that would end on "cannot write" after minutes of
 * cells, or an emulator that could never write its outputs, stops at once with one line instead.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../schema/errors.js';

/** A directory the command will create or write into (`run --out`, `report --out`). */
export function checkOutDir(dir: string, flag: string): void {
  const p = path.resolve(dir);
  if (existsSync(p) && !statSync(p).isDirectory()) {
    throw new InputError(`${flag} names a file, not a directory`, { file: p }, `pass a directory for the reports, e.g. ${flag} reports/out`);
  }
  writable(p, flag, 'directory');
}

/** A file the command will write (`snapshot --out`, `emulate --outputs`); `createDir`: its directory is made if missing. */
export function checkOutFile(file: string, flag: string, options: { createDir: boolean }): void {
  const p = path.resolve(file);
  if (existsSync(p) && statSync(p).isDirectory()) {
    throw new InputError(`${flag} names a directory, not a file`, { file: p }, `pass a file name, e.g. ${flag} ${path.join(file, path.basename(flagDefault(flag)))}`);
  }
  const dir = path.dirname(p);
  if (!options.createDir && !existsSync(dir)) {
    throw new InputError(`${flag}: the directory ${dir} does not exist`, { file: p }, 'create the directory first, or pass a path in an existing one');
  }
  writable(dir, flag, 'file');
}

/** The nearest existing ancestor must be a directory this process may write into. */
function writable(p: string, flag: string, what: string): void {
  let at = p;
  while (!existsSync(at)) at = path.dirname(at);
  if (!statSync(at).isDirectory()) throw new InputError(`${flag}: ${at} is a file, so the ${what} cannot be made under it`, { file: p }, `pass another path to ${flag}`);
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw new InputError(`${flag}: ${at} is not writable`, { file: p }, `pass a path you may write to ${flag}`);
  }
}

function flagDefault(flag: string): string {
  return flag === '--outputs' ? 'amplify_outputs.json' : 'authz.snapshot.json';
}
