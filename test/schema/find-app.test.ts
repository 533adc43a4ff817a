/**
 * A Gen 2 backend written in any module flavour (harness/schema/find-app.ts `GEN2_EXTENSIONS`): amplify-backend's own
 * test projects write `resource.cjs` and `backend.cjs`, which authmatrix said held nothing to test.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSchema } from '../../harness/schema/find-app.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { InputError } from '../../harness/schema/errors.js';
import { cli } from '../cli/cli.js';

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

describe('a Gen 1 backend-config.json that does not parse (harness/schema/cli-json.ts backendConfigServices)', () => {
  const project = path.join(root, 'broken-backend-config');
  const config = path.join(project, 'amplify', 'backend', 'backend-config.json');
  mkdirSync(path.join(project, 'amplify', 'backend', 'api', 'shop'), { recursive: true });
  // One closing brace too many: hjson, as the CLI reads it, refuses it too (it takes missing commas).
  writeFileSync(config, '{\n  "api": {\n    "shop": { "service": "API Gateway" }}\n  }\n}\n');
  writeFileSync(path.join(project, 'amplify', 'backend', 'api', 'shop', 'cli-inputs.json'), JSON.stringify({ version: 1, paths: { '/items': { name: '/items', lambdaFunction: 'fn', permissions: { setting: 'private', auth: ['read'] } } } }));

  it('is bad input naming the file and where, not a project holding nothing', () => {
    const e = (() => {
      try {
        return findSchema(project);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).where).toEqual({ file: config, line: 5, column: 1 });
    expect((e as InputError).format()).toMatch(/^\S+backend-config\.json:5:1: invalid JSON: Syntax error, found trailing characters\. Fix: correct the JSON syntax$/);
  });

  it('the CLI says it on one line and exits 2', async () => {
    const r = await cli(['matrix', '--format', 'json'], { cwd: project });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${config}:5:1: invalid JSON`);
  });
});

describe('a GraphQL API backend-config.json deploys whose schema is not in the project (harness/schema/find-app.ts graphqlApisWithoutSchema)', () => {
  const project = (name: string, apis: Record<string, string>, files: Record<string, unknown>): string => {
    const dir = path.join(root, name);
    const backend = path.join(dir, 'amplify', 'backend');
    mkdirSync(backend, { recursive: true });
    writeFileSync(path.join(backend, 'backend-config.json'), JSON.stringify({ api: Object.fromEntries(Object.entries(apis).map(([api, service]) => [api, { service }])) }));
    for (const [rel, value] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(backend, rel)), { recursive: true });
      writeFileSync(path.join(backend, rel), typeof value === 'string' ? value : JSON.stringify(value));
    }
    return dir;
  };
  const restInputs = { version: 1, paths: { '/items': { name: '/items', lambdaFunction: 'fn', permissions: { setting: 'open' } } } };
  const caveat = (api: string) => `backend-config.json deploys the GraphQL API ${api}, but amplify/backend/api/${api}/ holds no schema.graphql or schema/ folder: that API is not tested, only what else the project has`;

  it('beside a REST API: the REST API is tested, and the run says the GraphQL API is not', async () => {
    const dir = project('schemaless-with-rest', { blog: 'AppSync', shop: 'API Gateway' }, { 'api/blog/cli-inputs.json': { version: 1 }, 'api/shop/cli-inputs.json': restInputs });
    const model = await loadAuthModel(dir);
    expect(model.rest?.apis.map((a) => a.name)).toEqual(['shop']);
    expect(model.caveats).toContain(caveat('blog'));
  });

  it('beside another GraphQL API with its schema: that one is tested, and the run says the other is not', async () => {
    const dir = project('schemaless-with-graphql', { blog: 'AppSync', news: 'AppSync' }, { 'api/blog/schema.graphql': 'type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String }' });
    const model = await loadAuthModel(dir);
    expect(model.models.map((m) => m.name)).toEqual(['Post']);
    expect(model.caveats).toContain(caveat('news'));
  });

  it('alone: refused, naming the API', () => {
    const dir = project('schemaless-alone', { blog: 'AppSync' }, { 'api/blog/cli-inputs.json': { version: 1 } });
    expect(() => findSchema(dir)).toThrow(/^backend-config\.json deploys the GraphQL API amplify\/backend\/api\/blog, but no schema\.graphql or schema\/ folder is there, and the project has no REST API or S3 storage: nothing to test$/);
  });

  it('an imported S3 bucket (amplify import storage) and one without cli-inputs.json are said not to be tested (UBC-CIC/balance-test-dashboard; was: left out silently)', async () => {
    const dir = project('imported-bucket', { shop: 'API Gateway' }, { 'api/shop/cli-inputs.json': restInputs, 'storage/photos/parameters.json': { resourceName: 'photos', serviceType: 'imported' }, 'storage/old/parameters.json': { bucketName: 'old' } });
    const config = path.join(dir, 'amplify', 'backend', 'backend-config.json');
    writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), storage: { photos: { service: 'S3' }, old: { service: 'S3' }, table: { service: 'DynamoDB' } } }));
    const model = await loadAuthModel(dir);
    expect(model.storage).toBeUndefined();
    expect(model.caveats).toEqual(expect.arrayContaining([
      'S3 storage photos is an imported bucket (amplify import storage): who may use it is set outside the project, so it is not tested',
      'S3 storage old has no cli-inputs.json in amplify/backend/storage/old/: it is not tested',
    ]));
    expect(model.caveats?.some((c) => c.includes('table'))).toBe(false);
  });

  it("a REST API whose folder is not in the project, alone: refused, naming the API (FuturePathDev/futurepath-main; was: \"no REST API in amplify/backend/\", though backend-config.json names one)", async () => {
    const dir = project('rest-folderless', { FuturePathAPI: 'API Gateway' }, { 'storage/users/cli-inputs.json': { resourceName: 'users', tableName: 'users' } });
    const refusal = (api: string) => new RegExp(`^backend-config\\.json deploys the REST API amplify/backend/api/${api}, but no REST inputs are there \\(a cli-inputs\\.json with paths, or an api-params\\.json\\), and the project has no GraphQL API or S3 storage: nothing to test$`);
    await expect(loadAuthModel(dir)).rejects.toThrow(refusal('FuturePathAPI'));
    // A cli-inputs.json without paths holds no REST inputs either.
    const pathless = project('rest-pathless', { shop: 'API Gateway' }, { 'api/shop/cli-inputs.json': { version: 1 } });
    await expect(loadAuthModel(pathless)).rejects.toThrow(refusal('shop'));
  });
});
