/** Loaders: Gen 2 resource.ts, Gen 1 schema.graphql (+ config), amplify_outputs.json → one AuthModel. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAuthModel } from '../../harness/schema/load.js';
import { InputError } from '../../harness/schema/errors.js';
import { example, fixture } from '../cli/cli.js';

const withoutSource = <T extends { source: unknown }>(m: T) => ({ ...m, source: undefined });

describe('Gen 2 resource.ts', () => {
  it('loads the quick-start app: rules, implicit fields, auth modes, Gen 2 parameters', async () => {
    const m = await loadAuthModel(example('todo/amplify/data/resource.ts'));
    expect(m.source.kind).toBe('gen2');
    expect(m.authModes).toMatchObject({ default: 'userPool', enabled: ['apiKey', 'userPool', 'iam'], apiKey: { expiresInDays: 30 }, identityPool: { allowUnauthenticated: true } });
    expect(m.params).toMatchObject({ useSubUsernameForDefaultIdentityClaim: true, genericIamAccess: true, populateOwnerFieldForStaticGroupAuth: true });
    const todo = m.models[0]!;
    expect(todo.rules.map((r) => [r.id, r.kind, r.provider])).toEqual([['Todo#1', 'owner', 'userPools'], ['Todo#2', 'public', 'apiKey']]);
    expect(todo.rules[0]).toMatchObject({ ownerField: 'owner', identityClaim: 'sub::username', multiOwner: false });
    expect(todo.fields.filter((f) => f.implicit).map((f) => f.name)).toEqual(['id', 'owner', 'createdAt', 'updatedAt']);
    expect(m.enums).toEqual([{ name: 'TodoPriority', values: ['low', 'medium', 'high'] }]);
  });

  it('records custom operations with their handlers and real file paths', async () => {
    const m = await loadAuthModel(example('blog/amplify/data/resource.ts'));
    const byName = Object.fromEntries(m.customOperations.map((o) => [o.name, o]));
    expect(byName.echo).toMatchObject({ type: 'query', enforcement: 'resolver', handler: { kind: 'function', functions: [{ name: 'echo', entry: example('blog/amplify/functions/echo/handler.ts') }] } });
    expect(byName.likePost).toMatchObject({ type: 'mutation', enforcement: 'directive', handler: { kind: 'js', entries: [{ file: example('blog/amplify/data/likePost.js'), dataSource: 'PostTable' }] } });
    expect(byName.onLikePost).toMatchObject({ type: 'subscription', subscribesTo: ['likePost'] });
    expect(m.authModes.lambda).toEqual({ handler: example('blog/amplify/functions/authorizer/handler.ts'), functionName: 'authorizer', ttlSeconds: 0 });
    expect(m.authModes.oidc).toMatchObject({ issuer: 'https://idp.example.com/', clientId: 'helpdesk-web', iatTTL: 3_600_000, authTTL: 3_600_000 });
  });

  it('a function defined without a name takes its entry\'s file name, as Amplify names it (not the directory of the file defining it)', async () => {
    const m = await loadAuthModel(fixture('bad/authorizer-throws/amplify/data/resource.ts'));
    expect(m.authModes.lambda).toMatchObject({ functionName: 'handler', handler: fixture('bad/authorizer-throws/amplify/functions/auth/handler.ts') });
  });

  it('prefers the app’s own installed @aws-amplify/data-schema', async () => {
    const before = (globalThis as { __authmatrixAppDataSchema?: number }).__authmatrixAppDataSchema ?? 0;
    const m = await loadAuthModel(fixture('own-data-schema/amplify/data/resource.ts'));
    expect(m.models[0]!.name).toBe('Todo');
    expect((globalThis as { __authmatrixAppDataSchema?: number }).__authmatrixAppDataSchema).toBe(before + 1);
  });

  it('accepts the app directory', async () => {
    const m = await loadAuthModel(example('todo'));
    expect(m.source.path).toBe(example('todo/amplify/data/resource.ts'));
  });
});

describe('one AuthModel whatever the source', () => {
  it('the blog app as resource.ts and as schema.graphql + authmatrix.gen1.json are equal', async () => {
    const gen2 = await loadAuthModel(example('blog/amplify/data/resource.ts'));
    const gen1 = await loadAuthModel(example('blog-gen1/schema.graphql'));
    expect(withoutSource(gen1)).toEqual(withoutSource(gen2));
  });

  it('is plain JSON', async () => {
    const m = await loadAuthModel(example('blog/amplify/data/resource.ts'));
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(m.version).toBe(1);
  });

  it('amplify_outputs.json gives the same model rules as the resource file, with its gaps stated', async () => {
    const fromOutputs = await loadAuthModel(fixture('amplify_outputs.todo.json'));
    const fromSource = await loadAuthModel(example('todo/amplify/data/resource.ts'));
    expect(fromOutputs.models[0]!.rules).toEqual(fromSource.models[0]!.rules);
    expect(fromOutputs.authModes.enabled).toEqual(['apiKey', 'userPool', 'iam']);
    expect(fromOutputs.params.useSubUsernameForDefaultIdentityClaim).toBe(true);
    expect(fromOutputs.caveats?.join(' ')).toMatch(/field-level rules are not recorded/);
  });
});

describe('Gen 1 settings file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-gen1-'));
  const sdl = path.join(dir, 'schema.graphql');
  writeFileSync(sdl, 'type Todo @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) { content: String }\n');

  it('without a settings file, enables the modes the rules name and Gen 1 defaults', async () => {
    const m = await loadAuthModel(sdl);
    expect(m.authModes).toMatchObject({ default: 'userPool', enabled: ['apiKey', 'userPool'] });
    expect(m.params.genericIamAccess).toBe(false);
  });

  it('honours transform parameters such as useSubUsernameForDefaultIdentityClaim', async () => {
    const cfg = path.join(dir, 'legacy.json');
    writeFileSync(cfg, JSON.stringify({ authModes: { default: 'userPool', additional: ['apiKey'] }, transform: { useSubUsernameForDefaultIdentityClaim: false } }));
    const m = await loadAuthModel(sdl, { config: cfg });
    expect(m.models[0]!.rules[0]).toMatchObject({ kind: 'owner', identityClaim: 'username' });
  });

  it.each([
    [{ authModes: { default: 'userPool' }, transfrom: {} }, /unknown setting "transfrom"/],
    [{ authModes: { default: 'cognito' } }, /unknown auth mode "cognito" in authModes\.default/],
    [{ authModes: { default: 'userPool', additional: ['oidc'] } }, /the oidc mode needs an "authModes\.oidc" section/],
    [{ transform: { enableIamAccess: 'yes' } }, /"transform\.enableIamAccess" must be true or false/],
  ])('rejects %j', async (cfg, message) => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    const e = await loadAuthModel(sdl, { config: file }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).format()).toMatch(message);
    expect((e as InputError).where?.file).toBe(file);
  });
});

describe('Gen 1 conflict resolution (cli-inputs.json)', () => {
  const api = (conflictResolution: unknown) => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'authmatrix-gen1-')), 'amplify/backend/api/app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'schema.graphql'), 'type Todo @model @auth(rules: [{ allow: public }]) { content: String }\n');
    writeFileSync(path.join(dir, 'cli-inputs.json'), JSON.stringify({ version: 1, serviceConfiguration: { apiName: 'app', serviceName: 'AppSync', defaultAuthType: { mode: 'API_KEY', expirationTime: 7 }, conflictResolution } }));
    return path.join(dir, 'schema.graphql');
  };
  // The CLI turns AUTOMERGE, OPTIMISTIC_CONCURRENCY and LAMBDA into sync; any other type, NONE included, into none.
  it.each([
    [{}, undefined],
    [{ defaultResolutionStrategy: { type: 'NONE' } }, undefined],
    [{ defaultResolutionStrategy: { type: 'AUTOMERGE' } }, /conflict resolution \(AUTOMERGE\) is on .* the update and delete of every model are affected/],
    [{ defaultResolutionStrategy: { type: 'NONE' }, perModelResolutionStrategy: [{ entityName: 'Todo', resolutionStrategy: { type: 'OPTIMISTIC_CONCURRENCY' } }] }, /conflict resolution \(OPTIMISTIC_CONCURRENCY for Todo\) is on .* the update and delete of those models are affected/],
    // A model's entry that repeats the default is said once, with the default (was "(OPTIMISTIC_CONCURRENCY, OPTIMISTIC_CONCURRENCY for Todo)").
    [{ defaultResolutionStrategy: { type: 'OPTIMISTIC_CONCURRENCY' }, perModelResolutionStrategy: [{ entityName: 'Todo', resolutionStrategy: { type: 'OPTIMISTIC_CONCURRENCY' } }, { entityName: 'Note', resolutionStrategy: { type: 'AUTOMERGE' } }] }, /conflict resolution \(OPTIMISTIC_CONCURRENCY, AUTOMERGE for Note\) is on .* the update and delete of every model are affected/],
  ])('%j', async (conflictResolution, caveat) => {
    const m = await loadAuthModel(api(conflictResolution));
    const found = (m.caveats ?? []).find((c) => c.startsWith('conflict resolution'));
    if (caveat) expect(found).toMatch(caveat);
    else expect(found).toBeUndefined();
  });
});

describe('Gen 2 apps without their dependencies installed', () => {
  it('a resource file importing @aws-amplify/data-schema itself (as generated schema.sql.ts files do) gets authmatrix\'s own', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'authmatrix-gen2-')), 'amplify/data');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'schema.ts'), "import { a } from '@aws-amplify/data-schema';\nexport const schema = a.schema({ Note: a.model({ body: a.string() }).authorization((allow) => [allow.publicApiKey()]) });\n");
    writeFileSync(path.join(dir, 'resource.ts'), "import { defineData } from '@aws-amplify/backend';\nimport { schema } from './schema';\nexport const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: { expiresInDays: 7 } } });\n");
    const m = await loadAuthModel(path.join(dir, 'resource.ts'));
    expect(m.models.map((x) => [x.name, x.rules.map((r) => r.kind)])).toEqual([['Note', ['public']]]);
  });
});

describe('Gen 2 apps without a data API', () => {
  it('storage defined outside amplify/storage/ is found through what backend.ts imports; no models, no GraphQL modes beyond the identities auth gives', async () => {
    const model = await loadAuthModel(fixture('storage', 'elsewhere', 'amplify', 'backend.ts'));
    expect(model.models).toEqual([]);
    expect(model.storage?.buckets.map((b) => [b.name, b.paths.map((p) => p.path)])).toEqual([['drop', ['shared/*', 'private/{entity_id}/*']]]);
    expect(model.authModes).toEqual({ default: 'iam', enabled: ['userPool', 'iam'], identityPool: { allowUnauthenticated: true } });
  });
});
