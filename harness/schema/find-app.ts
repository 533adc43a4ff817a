/**
 * Finds the schema of the Amplify app a user points at: a schema file as given, or a directory that may be
 * the app itself, the repository root above it, or a monorepo holding the app in a package
 * (`apps/backend/amplify/`, `packages/*-backend/amplify/`). Gen 2 apps are found by
 * `amplify/data/resource.ts`, or by `amplify/backend.ts` when they have no data API (storage or REST only);
 * Gen 1 apps by `amplify/backend/api/<name>/schema.graphql` (or its multi-file `schema/` folder), only the APIs
 * `amplify/backend/backend-config.json` deploys when it names any, or by that `backend-config.json` itself when
 * the project deploys no GraphQL API but S3 storage or a REST API (a GraphQL API it deploys without its schema in the
 * project is said: refused alone, a caveat beside others). Several apps: the user is asked to choose, with the list.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { backendConfigServices } from './cli-json.js';
import { InputError } from './errors.js';

/** What a Gen 2 backend's files may be written in (TypeScript or JavaScript, as ES or CommonJS modules). */
export const GEN2_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** A Gen 2 file of that name (`resource`, `backend`) in any of those. */
export const gen2Files = (name: string): string[] => GEN2_EXTENSIONS.map((e) => `${name}${e}`);

const GEN2_DATA = gen2Files('resource');

/** Files that are a schema source when the directory itself is given. */
const DIRECT = [
  ...GEN2_DATA.map((f) => `amplify/data/${f}`), 'data/resource.ts', ...GEN2_DATA,
  'schema.graphql', 'amplify_outputs.json',
];

/** Folders never searched: dependencies, build output, and Amplify's own copies of the backend. */
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', 'cdk.out', '.amplify', '.next', 'coverage', '#current-cloud-backend', '.migration-backup']);

/** How deep below the given directory an `amplify/` folder is looked for (monorepos nest it 2–3 deep; test projects deeper). */
const MAX_DEPTH = 6;

/** How many of several apps the question names. */
const LISTED = 10;

export function findSchema(input: string): string {
  const p = path.resolve(input);
  if (!existsSync(p)) {
    throw new InputError('schema file not found', { file: p }, 'pass the path to the app directory, amplify/data/resource.ts, schema.graphql or amplify_outputs.json');
  }
  if (!statSync(p).isDirectory() || isSchemaFolder(p)) return p;
  const { apps, empty } = amplifyApps(p);
  if (apps.length === 1) return apps[0]!;
  if (apps.length > 1) {
    const list = apps.slice(0, LISTED).map((a) => path.relative(p, a)).join(', ') + (apps.length > LISTED ? `, … ${apps.length - LISTED} more` : '');
    throw new InputError(`${apps.length} Amplify apps found here: ${list}`, { file: p }, 'choose one with --schema <path>');
  }
  for (const c of DIRECT) {
    const f = path.join(p, c);
    if (existsSync(f)) return f;
  }
  const schemaless = empty.flatMap((a) => graphqlApisWithoutSchema(a).map((api) => path.relative(p, path.join(a, 'backend', 'api', api)) || '.'));
  if (schemaless.length) {
    throw new InputError(`backend-config.json deploys the GraphQL API${schemaless.length > 1 ? 's' : ''} ${schemaless.join(', ')}, but no schema.graphql or schema/ folder is there, and the project has no REST API or S3 storage: nothing to test`, { file: p },
      'check the schema out with the project (amplify pull), or pass --schema <path to schema.graphql>');
  }
  if (empty.length) {
    const list = empty.map((a) => path.relative(p, a) || '.').join(', ');
    throw new InputError(`${list} holds nothing authmatrix tests: no data resource (amplify/data/resource.ts) or backend.ts (Gen 2), and no GraphQL API, REST API or S3 storage in amplify/backend/ (Gen 1)`, { file: p },
      'add a data API, storage or a REST API to the app, or point authmatrix at another app');
  }
  throw new InputError('no Amplify app found in this directory or below it', { file: p },
    'run from the app (the folder holding amplify/), or pass --schema amplify/data/resource.ts, schema.graphql or amplify_outputs.json');
}

/**
 * The schema sources of every Amplify app at or below `root` (the nearest `amplify/` folders win), and the
 * `amplify/` folders holding none (an empty Gen 1 project).
 */
function amplifyApps(root: string): { apps: string[]; empty: string[] } {
  const found: string[] = [];
  const empty: string[] = [];
  const visit = (dir: string, depth: number): void => {
    const amplify = path.join(dir, 'amplify');
    if (isDir(amplify)) {
      const sources = appSources(amplify);
      if (sources.length) {
        found.push(...sources);
        return;
      }
      empty.push(amplify);
    }
    if (depth >= MAX_DEPTH) return;
    for (const name of subdirs(dir)) {
      if (!SKIP.has(name) && !name.startsWith('.')) visit(path.join(dir, name), depth + 1);
    }
  };
  visit(root, 0);
  return { apps: found.sort(), empty: empty.sort() };
}

/**
 * A Gen 2 data resource, else each Gen 1 GraphQL API's schema (file or `schema/` folder), else a Gen 2
 * `backend.ts` (an app without a data API: its storage and REST APIs are read from there), else a Gen 1
 * project's `backend-config.json` when it deploys S3 storage or a REST API but no GraphQL API.
 */
function appSources(amplify: string): string[] {
  for (const f of GEN2_DATA) {
    const file = path.join(amplify, 'data', f);
    if (existsSync(file)) return [file];
  }
  const apis = path.join(amplify, 'backend', 'api');
  const deployed = deployedGraphqlApis(amplify);
  const schemas = subdirs(apis).filter((api) => !deployed || deployed.has(api)).flatMap((api) => apiSchema(apis, api) ?? []);
  if (schemas.length) return schemas;
  const backend = isDir(apis) ? undefined : GEN2_DATA.map((f) => path.join(amplify, f.replace('resource', 'backend'))).find((f) => existsSync(f));
  if (backend) return [backend];
  const config = path.join(amplify, 'backend', 'backend-config.json');
  return backendConfigServices(amplify, 'api', 'API Gateway')?.length || backendConfigServices(amplify, 'storage', 'S3')?.length ? [config] : [];
}

/** A Gen 1 API's schema: its `schema.graphql`, else its `schema/` folder; undefined when it has neither. */
function apiSchema(apis: string, api: string): string | undefined {
  const file = path.join(apis, api, 'schema.graphql');
  if (existsSync(file)) return file;
  const folder = path.join(apis, api, 'schema');
  return isSchemaFolder(folder) ? folder : undefined;
}

/**
 * The GraphQL APIs a Gen 1 project's `backend-config.json` deploys whose schema is not in the project (not committed,
 * or the folder gone): nothing of them is tested, which a run must say (`amplify` is the project's `amplify/` folder).
 */
export function graphqlApisWithoutSchema(amplify: string): string[] {
  const apis = path.join(amplify, 'backend', 'api');
  return (backendConfigServices(amplify, 'api', 'AppSync') ?? []).filter((api) => !apiSchema(apis, api));
}

/** A Gen 1 API's `schema/` folder: the schema split over the `.graphql` files it holds. */
function isSchemaFolder(dir: string): boolean {
  return path.basename(dir) === 'schema' && isDir(dir) && readdirSync(dir).some((f) => f.endsWith('.graphql'));
}

/**
 * The GraphQL APIs a Gen 1 project deploys: the AppSync entries of `backend-config.json`'s `api` section, which
 * `amplify push` builds from (a folder under `backend/api/` that it does not name is a leftover, deployed by
 * nobody). Undefined when the file is missing or names none: every folder is then taken (one that does not parse is
 * refused, naming it).
 */
function deployedGraphqlApis(amplify: string): Set<string> | undefined {
  const names = backendConfigServices(amplify, 'api', 'AppSync');
  return names?.length ? new Set(names) : undefined;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
