import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importAppModule } from '../../harness/schema/user-module.js';
import { privateCacheHome } from '../cache-home.js';

// authmatrix.config.ts may hold tokens: its transpiled code is cached sealed (harness/schema/user-module.ts).
const home = privateCacheHome('authmatrix-sealed-');
const app = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-sealed-app-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

const TOKEN = 'helpdesk-secret-7f3a';
const entries = () => readdirSync(path.join(home, 'authmatrix', 'jiti')).filter((f) => f.startsWith('sealed-'));
const config = (token: string) => {
  const file = path.join(app, 'authmatrix.config.ts');
  writeFileSync(file, `import { agent } from './agents';\nconst token: string = '${token}';\nexport default { personas: { lambdaAllowed: { token } }, agent } satisfies Record<string, unknown>;\n`);
  return file;
};
writeFileSync(path.join(app, 'agents.ts'), `export const agent: string = 'bob';\n`);

describe('a config loaded sealed', () => {
  it('loads TypeScript and its relative imports', async () => {
    const file = config(TOKEN);
    const sealed = await importAppModule(file, { cache: 'sealed' });
    expect(sealed).toEqual({ default: { personas: { lambdaAllowed: { token: TOKEN } }, agent: 'bob' } });
    expect(await importAppModule(file, { cache: 'sealed' })).toEqual(sealed);
  });

  it('keeps no readable copy of the config in the cache', async () => {
    await importAppModule(config(TOKEN), { cache: 'sealed' });
    expect(entries().length).toBeGreaterThan(0);
    for (const f of readdirSync(path.join(home, 'authmatrix', 'jiti'), { recursive: true, encoding: 'utf8' })) {
      const full = path.join(home, 'authmatrix', 'jiti', f);
      try {
        expect(readFileSync(full).includes(TOKEN)).toBe(false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
      }
    }
  });

  it('never gives the code of an earlier source: an edited config is read as edited', async () => {
    expect((await importAppModule(config('first-token'), { cache: 'sealed' })).default).toMatchObject({ personas: { lambdaAllowed: { token: 'first-token' } } });
    expect((await importAppModule(config('second-token'), { cache: 'sealed' })).default).toMatchObject({ personas: { lambdaAllowed: { token: 'second-token' } } });
  });

  it('transpiles again when an entry cannot be opened', async () => {
    const file = config(TOKEN);
    await importAppModule(file, { cache: 'sealed' });
    for (const f of entries()) writeFileSync(path.join(home, 'authmatrix', 'jiti', f), Buffer.alloc(64, 7));
    expect((await importAppModule(file, { cache: 'sealed' })).default).toMatchObject({ personas: { lambdaAllowed: { token: TOKEN } } });
  });
});
