/**
 * Where authmatrix keeps what it can compute again: the user's cache directory
 * (`$XDG_CACHE_HOME/authmatrix/<kind>`, else `~/.cache/authmatrix/<kind>`), readable by that user only,
 * so that no other account on the machine can plant an entry. Never inside the app.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The directory for one kind of entry, created on first use; undefined when it cannot be created. */
export function cacheDir(kind: 'jiti' | 'rest' | 'keys'): string | undefined {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'authmatrix', kind);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return undefined;
  }
}
