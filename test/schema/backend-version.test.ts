/** Which @aws-amplify/backend an app installs or declares, and whether that is the Gen 2 preview (harness/schema/backend-version.ts). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendVersion, isGen2Preview } from '../../harness/schema/backend-version.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { InputError } from '../../harness/schema/errors.js';
import { tsconfigAliases } from '../../harness/schema/tsconfig-alias.js';

/** An app whose package.json (at the root, the resource two levels down) declares `deps`. */
function app(deps: Record<string, string> | undefined, resource = ''): string {
  const root = mkdtempSync(path.join(tmpdir(), 'authmatrix-backend-version-'));
  mkdirSync(path.join(root, 'amplify', 'data'), { recursive: true });
  if (deps) writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app', devDependencies: deps }));
  const file = path.join(root, 'amplify', 'data', 'resource.ts');
  writeFileSync(file, resource);
  return file;
}

describe('the Gen 2 preview is @aws-amplify/backend before 0.13.0 (backend-data 0.10.0: generic IAM access, no allowListedRoleNames)', () => {
  it.each([
    ['^0.12.1', '0.12.1', true],
    ['~0.8.0', '0.8.0', true],
    ['0.13.0-beta.5', '0.13.0-beta.5', false],
    ['^0.13.0', '0.13.0', false],
    ['^1.16.1', '1.16.1', false],
    ['>=1.0.0 <2', '1.0.0', false],
    ['latest', undefined, false],
  ])('%s', (range, version, preview) => {
    const file = app({ '@aws-amplify/backend': range });
    expect(backendVersion(file)).toBe(version);
    expect(isGen2Preview(file)).toBe(preview);
  });

  it('an app that declares no @aws-amplify/backend is not the preview', () => {
    expect(isGen2Preview(app(undefined))).toBe(false);
    expect(isGen2Preview(app({ 'aws-amplify': '^5.0.0' }))).toBe(false);
  });
});

describe('an installed package whose exports do not list package.json (@aws-amplify/backend lists ".", "./types/platform", "./ai")', () => {
  // The app declares ^0.12.0 but has 1.16.1 installed; its own `shared/` folder shares a name with an installed package.
  const file = fileURLToPath(new URL('../fixtures/installed-exports-only/amplify/data/resource.ts', import.meta.url));

  it('the installed version wins over the declared range', () => {
    expect(backendVersion(file)).toBe('1.16.1');
    expect(isGen2Preview(file)).toBe(false);
  });

  it('is found from a folder nested below the app, as Node looks it up', () => {
    const nested = fileURLToPath(new URL('../fixtures/installed-exports-only/amplify/data/deep/er/handler.ts', import.meta.url));
    expect(backendVersion(nested)).toBe('1.16.1');
  });

  it('a baseUrl name that an installed package owns is not aliased to the folder', () => {
    const alias = tsconfigAliases(file);
    expect(alias).not.toHaveProperty('shared');
    expect(alias).toHaveProperty('amplify');
  });
});

describe('allowListedRoleNames as loaded', () => {
  const resource = (modes: string) =>
    `import { defineData } from '@aws-amplify/backend';\nexport const data = defineData({ schema: 'type Ticket @model @auth(rules: [{ allow: public }]) { title: String }', authorizationModes: ${modes} });\n`;

  it('must be a list of role names', async () => {
    const e = await loadAuthModel(app(undefined, resource("{ defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: {}, allowListedRoleNames: 'BotRole' }"))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe('authorizationModes.allowListedRoleNames must be a list of IAM role names');
  });

  it('on the preview it needs the backend\'s auth (amplify-backend refused it without IAM authorization)', async () => {
    const e = await loadAuthModel(app({ '@aws-amplify/backend': '^0.12.0' }, resource("{ defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: {}, allowListedRoleNames: ['BotRole'] }"))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/^allowListedRoleNames needs IAM authorization/);
  });

  it('on the preview, generic IAM access is off; since 0.13 it is on and the option changes nothing', async () => {
    const preview = await loadAuthModel(app({ '@aws-amplify/backend': '^0.12.0' }, resource("{ defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: {} }")));
    expect(preview.params).toMatchObject({ genericIamAccess: false, adminRoles: [] });
    // Without auth the preview had no IAM mode at all (its IAM config came from the identity pool).
    expect(preview.authModes.enabled).toEqual(['apiKey']);
    const current = await loadAuthModel(app({ '@aws-amplify/backend': '^1.0.0' }, resource("{ defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: {}, allowListedRoleNames: ['BotRole'] }")));
    expect(current.params).toMatchObject({ genericIamAccess: true, adminRoles: [] });
    expect(current.authModes.enabled).toContain('iam');
    expect(current.caveats).toContain('authorizationModes.allowListedRoleNames (BotRole) is not an option of defineData since @aws-amplify/backend 0.13 and is ignored: those roles, like every IAM role outside the identity pool, skip the rules wherever their IAM policy allows the field (generic IAM access, tested with the iamAdmin persona)');
  });
});
