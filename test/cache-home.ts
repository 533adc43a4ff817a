/** A private user cache (`XDG_CACHE_HOME`, harness/schema/cache-dir.ts) for one test file: set before its tests, then restored and removed. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function privateCacheHome(prefix: string): string {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = home;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });
  return home;
}
