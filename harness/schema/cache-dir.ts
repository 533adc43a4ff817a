/**
 * Where authmatrix keeps what it can compute again: the user's cache directory
 * (`$XDG_CACHE_HOME/authmatrix/<kind>`, else `~/.cache/authmatrix/<kind>`), readable by that user only,
 * so that no other account on the machine can plant an entry. Never inside the app.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The directory for one kind of entry, created on first use; undefined when it cannot be created. */
export function cacheDir(kind: 'jiti' | 'rest' | 'keys' | 'vitest'): string | undefined {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'authmatrix', kind);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache entry aside, readable by the user only, then renames it into place: a reader never sees half an
 * entry, and two processes writing the same one leave either's. Best effort: an entry that cannot be written is made
 * again next time.
 */
export function putCacheEntry(file: string, data: string | Buffer): void {
  try {
    const next = `${file}.${process.pid}`;
    writeFileSync(next, data, { mode: 0o600 });
    renameSync(next, file);
  } catch {
    // made again next time
  }
}
