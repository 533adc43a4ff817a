/**
 * Amplify builds only what backend.ts gives defineBackend: a storage resource left out (zcqqq/uni-scrm comments it
 * out of defineBackend; epiphanyapps/mapyourhealth and GovRes/FedResFrontEnd never import it) deploys no bucket,
 * and its rules were tested as if it did. And a tsconfig that extends a package not installed (an Expo app's
 * `expo/tsconfig.base`) refused the app ("File 'expo/tsconfig.base' not found. Fix: fix the TypeScript").
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuthModel } from '../../harness/schema/load.js';

const root = mkdtempSync(path.join(tmpdir(), 'am-backend-resources-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function app(name: string, backend: string[], extra: Record<string, string> = {}): string {
  const dir = path.join(root, name);
  const files: Record<string, string> = {
    'amplify/auth/resource.ts': "import { defineAuth } from '@aws-amplify/backend';\nexport const auth = defineAuth({ loginWith: { email: true } });\n",
    'amplify/data/resource.ts': [
      "import { a, defineData } from '@aws-amplify/backend';",
      'const schema = a.schema({ Note: a.model({ body: a.string() }).authorization((allow) => [allow.owner()]) });',
      "export const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'userPool' } });",
    ].join('\n'),
    'amplify/storage/resource.ts': [
      "import { defineStorage } from '@aws-amplify/backend';",
      "export const storage = defineStorage({ name: 'media', access: (allow) => ({ 'photos/*': [allow.authenticated.to(['read'])] }) });",
    ].join('\n'),
    'amplify/backend.ts': backend.join('\n'),
    ...extra,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const imports = ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';", "import { data } from './data/resource';"];

describe('resources backend.ts does not give defineBackend', () => {
  it('storage imported but left out of defineBackend (commented out) deploys no bucket: not tested, and said', async () => {
    const model = await loadAuthModel(app('left-out', [...imports, "import { storage } from './storage/resource';",
      'const backend = defineBackend({', '  auth,', '  data,', "  //storage, // can't co-exist with our own bucket", '});',
      "backend.addOutput({ storage: { bucket_name: 'our-own.example.com' } }); // https://example.com/{storage}"]));
    expect(model.storage).toBeUndefined();
    expect(model.caveats).toEqual(['amplify/storage/resource.ts is not given to defineBackend in amplify/backend.ts: Amplify deploys no bucket for it, and none is tested']);
  });

  it('storage whose import is commented out deploys no bucket either', async () => {
    const model = await loadAuthModel(app('not-imported', [...imports, "// import { storage } from './storage/resource';", 'defineBackend({ auth, data });']));
    expect(model.storage).toBeUndefined();
    expect(model.caveats).toHaveLength(1);
  });

  it('storage given to defineBackend, by name or under another key, is tested', async () => {
    for (const [name, entry] of [['shorthand', 'storage'], ['keyed', 'files: media'], ['keyed-quoted', "'files': media"]] as const) {
      const local = entry.startsWith('storage') ? 'storage' : 'storage as media';
      const model = await loadAuthModel(app(name, [...imports, `import { ${local} } from './storage/resource';`,
        `defineBackend({ auth, data, ${entry}, fn: defineFunction({ name: 'x' }) });`, "import { defineFunction } from '@aws-amplify/backend';"]));
      expect(model.storage?.buckets.map((b) => b.name), name).toEqual(['media']);
      expect(model.caveats, name).toBeUndefined();
    }
  });

  it('defineBackend given something other than names (a spread, a factory object) keeps the storage: it cannot be told', async () => {
    const model = await loadAuthModel(app('spread', [...imports, "import { storage } from './storage/resource';",
      'const rest = { storage };', 'defineBackend({ auth, data, ...rest });']));
    expect(model.storage?.buckets.map((b) => b.name)).toEqual(['media']);
  });
});

describe('data and auth backend.ts does not give defineBackend', () => {
  it("a data resource backend.ts never imports (a template's schema left behind) deploys no GraphQL API: the app is backend.ts's", async () => {
    // seaver-choy/aerena: auth and REST functions in defineBackend, the starter's Todo model in amplify/data/resource.ts.
    const dir = app('data-left-behind', ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { storage } from './storage/resource';", 'defineBackend({ auth, storage });']);
    const model = await loadAuthModel(dir);
    expect(model.source.path).toBe(path.join(dir, 'amplify', 'backend.ts'));
    expect(model.models).toEqual([]);
    expect(model.storage?.buckets.map((b) => b.name)).toEqual(['media']);
    expect(model.authModes.enabled).toEqual(['userPool', 'iam']);
    expect(model.caveats).toEqual(['amplify/data/resource.ts is not given to defineBackend in amplify/backend.ts: Amplify deploys no GraphQL API for it, and none is tested']);
  });

  it('auth commented out of defineBackend: no user pool and no identity pool, so storage rules for signed-in users are refused as Amplify refuses them', async () => {
    // asanchez-easygosa/amplify-backend-api-gateway comments out `// auth,` and `// data,`.
    const dir = app('auth-left-out', [...imports, "import { storage } from './storage/resource';", 'defineBackend({', '  // auth,', '  // data,', '  storage,', '});']);
    await expect(loadAuthModel(dir)).rejects.toThrow(/bucket media: MissingAuth: Cannot specify auth access for authenticatedUserIamRole users without defining auth/);
    const given = app('auth-given', [...imports, "import { storage } from './storage/resource';", 'defineBackend({ auth, data, storage });']);
    expect((await loadAuthModel(given)).authResources).toBeDefined();
  });
});

describe('a data resource backend.ts builds with a call (johnpc/svelte-crossword: `data: data(authFunction)`)', () => {
  const factory = (body: string) => ({
    'amplify/data/resource.ts': [
      "import { a, defineData } from '@aws-amplify/backend';",
      'const schema = a.schema({ Note: a.model({ body: a.string() }).authorization((allow) => [allow.owner(), allow.custom()]) });',
      body,
    ].join('\n'),
    'amplify/data/gate.ts': 'export const handler = async () => ({ isAuthorized: false });\n',
    'amplify/functions/gate/resource.ts': "import { defineFunction } from '@aws-amplify/backend';\nexport const gate = defineFunction({ name: 'shared-gate', entry: '../../data/gate.ts' });\n",
  });
  const lambdaData = "export const build = (fn: never) => defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'userPool', lambdaAuthorizationMode: { function: fn } } });";

  it('is loaded by calling the exported function with what backend.ts passes: a defineFunction written there (its entry relative to backend.ts) or a resource file\'s export', async () => {
    // Was: the call was not a name, so the data resource counted as left out: no data API was tested, and a caveat said it was not given.
    const written = await loadAuthModel(app('factory-written', ["import { defineBackend, defineFunction } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { build } from './data/resource';", "const authFunction = defineFunction({\n  entry: './data/gate.ts', // beside the schema\n});",
      'defineBackend({ auth, authFunction, data: build(authFunction) });'], factory(lambdaData)));
    expect(written.models.map((m) => m.name)).toEqual(['Note']);
    expect(written.caveats).toEqual(['amplify/storage/resource.ts is not given to defineBackend in amplify/backend.ts: Amplify deploys no bucket for it, and none is tested']);
    expect(written.authModes.lambda).toMatchObject({ functionName: 'gate' });
    expect(written.authModes.lambda?.handler).toMatch(/amplify\/data\/gate\.ts$/);
    const imported = await loadAuthModel(app('factory-imported', ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { build as data } from './data/resource';", "import { gate } from './functions/gate/resource';", 'defineBackend({ auth, data: data(gate) });'], factory(lambdaData)));
    expect(imported.authModes.lambda).toMatchObject({ functionName: 'shared-gate' });
  });

  it('a call whose arguments cannot be had here fails in one line naming the call', async () => {
    const dir = app('factory-unknown', ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { build } from './data/resource';", 'defineBackend({ auth, data: build(makeGate()) });'], factory(lambdaData));
    await expect(loadAuthModel(dir)).rejects.toThrow(/backend\.ts builds this data resource with build\(makeGate\(\)\), whose argument makeGate\(\) authmatrix does not evaluate/);
    const throws = app('factory-throws', ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { build } from './data/resource';", "defineBackend({ auth, data: build('eu-west-1,eu-west-2') });"], factory("export const build = (...regions: string[]) => { throw new Error(`no tables in ${regions.join(' and ')}`); };"));
    // A comma inside a string is no argument's end (was: two arguments, `'eu-west-1` and `eu-west-2'`).
    await expect(loadAuthModel(throws)).rejects.toThrow(/with build\('eu-west-1,eu-west-2'\), which fails here: no tables in eu-west-1,eu-west-2$/);
    // An error whose first line says nothing (a validation library's list of issues) is folded onto one line.
    const listed = app('factory-throws-list', ["import { defineBackend } from '@aws-amplify/backend';", "import { auth } from './auth/resource';",
      "import { build } from './data/resource';", 'defineBackend({ auth, data: build(1) });'], factory("export const build = () => { throw new Error(JSON.stringify([{ path: ['REGION'], message: 'Required' }], null, 2)); };"));
    await expect(loadAuthModel(listed)).rejects.toThrow('with build(1), which fails here: [ { "path": [ "REGION" ], "message": "Required" } ]');
  });
});

describe("the user pool's pre token generation trigger (QuarksG/heimdall)", () => {
  const withTrigger = (rules: string) => ({
    'amplify/auth/resource.ts': [
      "import { defineAuth, defineFunction } from '@aws-amplify/backend';",
      "export const auth = defineAuth({ loginWith: { email: true }, groups: ['Admin'], triggers: { preTokenGeneration: defineFunction({ entry: './pre-token.ts' }) } });",
    ].join('\n'),
    'amplify/data/resource.ts': [
      "import { a, defineData } from '@aws-amplify/backend';",
      `const schema = a.schema({ Note: a.model({ body: a.string() }).authorization((allow) => [${rules}]) });`,
      "export const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'userPool' } });",
    ].join('\n'),
  });
  const backend = [...imports, "import { storage } from './storage/resource';", 'defineBackend({ auth, data, storage });'];

  it('is named in a caveat where a rule reads groups or a claim of the app\'s own, as it may change them in real tokens', async () => {
    // Was silent: the personas' tokens hold what the trigger would add or take away in none of them.
    const caveat = "the user pool's pre token generation trigger (amplify/auth/pre-token.ts) may add claims to tokens and override their groups; it is not run, so each persona's token holds only its own groups and the claims authmatrix.config.ts gives it (personas.<name>.groups, .claims): give them what the trigger adds";
    for (const [name, rules] of [['trigger-groups', "allow.owner(), allow.group('Admin')"], ['trigger-claim', "allow.owner().identityClaim('custom:tenant')"]] as const) {
      const dir = app(name, backend, withTrigger(rules));
      const model = await loadAuthModel(dir);
      expect(model.caveats, name).toContain(caveat);
    }
  });

  it('is not, where the rules read only the owner\'s default claim', async () => {
    const model = await loadAuthModel(app('trigger-owner', backend, withTrigger('allow.owner(), allow.authenticated().to([\'read\'])')));
    expect(model.caveats ?? []).toEqual([]);
  });
});

describe('a tsconfig that cannot be read', () => {
  it('one extending a package that is not installed maps no names; the app loads', async () => {
    const dir = app('expo', [...imports, "import { storage } from './storage/resource';", 'defineBackend({ auth, data, storage });'], {
      'tsconfig.json': JSON.stringify({ extends: 'authmatrix-not-installed/tsconfig.base', compilerOptions: { strict: true } }),
    });
    const model = await loadAuthModel(dir);
    expect(model.models.map((m) => m.name)).toEqual(['Note']);
  });
});

describe('resolvers backend.ts attaches with CDK (fossamagna/amplify-gen2-resolvers-sample)', () => {
  it('are named in a caveat, from the file backend.ts imports that adds them; a copy of backend.ts it does not import and a commented-out call are not', async () => {
    const dir = app('cdk-resolver', [
      ...imports,
      "import { addUrlResolver } from './url-resolver';",
      'const backend = defineBackend({ auth, data });',
      "// backend.data.addResolver('Old', { typeName: 'Note', fieldName: 'body' });",
      'addUrlResolver(backend.data);',
    ], {
      'amplify/url-resolver.ts': "export function addUrlResolver(data: any) { data.addResolver('NoteUrl', { typeName: 'Note', fieldName: 'url' }); }\n",
      'amplify/backend copy.ts': "export function old(api: any) { new api.CfnResolver(api, 'x', {}); }\n",
    });
    const model = await loadAuthModel(dir);
    const resolverCaveats = (m: { caveats?: string[] }) => (m.caveats ?? []).filter((c) => c.startsWith('resolvers attached'));
    expect(resolverCaveats(model)).toEqual(['resolvers attached to the data API with CDK (url-resolver.ts) are not modelled: the fields they resolve are tested as Amplify generates them']);
    const plain = await loadAuthModel(app('no-cdk-resolver', [...imports, 'const backend = defineBackend({ auth, data });', "// backend.data.addResolver('Old', {});"]));
    expect(resolverCaveats(plain)).toEqual([]);
  });
});
