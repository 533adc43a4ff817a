/**
 * A Gen 2 backend written in any module flavour (harness/schema/find-app.ts `GEN2_EXTENSIONS`): amplify-backend's own
 * test projects write `resource.cjs` and `backend.cjs`, which authmatrix said held nothing to test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSchema } from '../../harness/schema/find-app.js';
import { loadAuthModel } from '../../harness/schema/load.js';

const root = mkdtempSync(path.join(tmpdir(), 'am-find-app-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Gen 2 files in every module flavour', () => {
  it.each(['.cjs', '.cts', '.mts', '.mjs'])('amplify/data/resource%s is found from the app folder', (ext) => {
    const app = path.join(root, `app${ext.replace('.', '-')}`);
    mkdirSync(path.join(app, 'amplify', 'data'), { recursive: true });
    writeFileSync(path.join(app, 'amplify', 'data', `resource${ext}`), '');
    expect(findSchema(app)).toBe(path.join(app, 'amplify', 'data', `resource${ext}`));
  });

  it('a CommonJS resource file loads', async () => {
    const app = path.join(root, 'cjs-app');
    mkdirSync(path.join(app, 'amplify', 'data'), { recursive: true });
    writeFileSync(path.join(app, 'amplify', 'data', 'resource.cjs'), [
      "const { defineData } = require('@aws-amplify/backend');",
      'exports.data = defineData({',
      "  schema: 'type Todo @model @auth(rules: [{ allow: public }]) { id: ID! name: String }',",
      "  authorizationModes: { defaultAuthorizationMode: 'apiKey' },",
      '});',
    ].join('\n'));
    const model = await loadAuthModel(app);
    expect(model.models.map((m) => m.name)).toEqual(['Todo']);
    expect(model.authModes.default).toBe('apiKey');
  });
});
