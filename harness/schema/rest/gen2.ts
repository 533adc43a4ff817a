/**
 * REST APIs of a Gen 2 app, read from `amplify/backend.ts` as CDK itself builds them: the file is loaded
 * with jiti (`@aws-amplify/backend` aliased to the stand-in, whose `defineBackend` builds real constructs,
 * see cdk-backend.ts) using the app's own `aws-cdk-lib`, synthesized, and the templates are read
 * (from-cfn.ts). Synthesis takes seconds (loading aws-cdk-lib is most of it), so its result is cached by
 * the content of every file backend.ts reaches, and skipped when none of them mentions API Gateway.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../cache-dir.js';
import { InputError } from '../errors.js';
import { importDataSchema, importResource } from '../gen2-import.js';
import { installCapture, uninstallCapture } from '../gen2-capture.js';
import { buildBackend, type BackendRecord, type CdkModules, type ConstructRef } from './cdk-backend.js';
import { Templates, type Template } from './cfn.js';
import { restFromTemplates, type KnownResources } from './from-cfn.js';
import type { RestSection } from './model.js';
import { gen2Files } from '../find-app.js';

/** Bumped whenever what is read from the templates changes, so that older cache entries are ignored. */
const READER_VERSION = 6;
const BACKEND_FILES = gen2Files('backend');
/** Region and account of the stand-in ARNs: the emulator's. */
export const REST_ENV = { region: 'us-east-1', account: '123456789012' };

export function backendFile(amplifyDir: string): string | undefined {
  return BACKEND_FILES.map((f) => path.join(amplifyDir, f)).find((f) => existsSync(f));
}

export interface RestLoadOptions {
  /** Where synthesis results are kept (default: harness/schema/cache-dir.ts). */
  cacheDir?: string;
  /** Told how long synthesis took when it ran. */
  onSynth?: (ms: number) => void;
}

/** The REST section of the app whose `amplify/` folder is given, or undefined when it defines no API Gateway API. */
export async function loadGen2Rest(amplifyDir: string, options: RestLoadOptions = {}): Promise<RestSection | undefined> {
  const file = backendFile(amplifyDir);
  if (!file) return undefined;
  const sources = reachableSources(file);
  if (![...sources.values()].some((text) => /aws[-_]apigateway/.test(text))) return undefined;
  let cdkEntry: string;
  try {
    cdkEntry = createRequire(file).resolve('aws-cdk-lib');
  } catch {
    throw new InputError('backend.ts defines API Gateway APIs, which authmatrix reads by synthesizing it with the app\'s own aws-cdk-lib, and aws-cdk-lib is not installed', { file },
      `run npm install in ${path.dirname(amplifyDir)} (every Gen 2 app has aws-cdk-lib and constructs as devDependencies)`);
  }
  const cdkVersion = packageVersion(cdkEntry);
  const key = createHash('sha256').update(JSON.stringify([READER_VERSION, file, cdkVersion, [...sources].sort()])).digest('hex').slice(0, 32);
  const dir = options.cacheDir ?? cacheDir('rest');
  const cached = dir && path.join(dir, `rest-${key}.json`);
  if (cached && existsSync(cached)) {
    try {
      return JSON.parse(readFileSync(cached, 'utf8')) as RestSection;
    } catch {
      // a torn or foreign file: synthesize again
    }
  }
  const started = performance.now();
  const section = await synthesize(file, cdkEntry);
  options.onSynth?.(performance.now() - started);
  if (cached) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(section));
    renameSync(tmp, cached);
  }
  return section;
}

async function synthesize(file: string, cdkEntry: string): Promise<RestSection> {
  const req = createRequire(cdkEntry);
  const cdk: CdkModules = {
    core: req('aws-cdk-lib'),
    iam: req('aws-cdk-lib/aws-iam'),
    cognito: req('aws-cdk-lib/aws-cognito'),
    lambda: req('aws-cdk-lib/aws-lambda'),
    s3: req('aws-cdk-lib/aws-s3'),
    dynamodb: req('aws-cdk-lib/aws-dynamodb'),
    appsync: req('aws-cdk-lib/aws-appsync'),
  };
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-synth-'));
  const capture = installCapture(await importDataSchema(file));
  let record: BackendRecord | undefined;
  capture.defineBackend = (resources) => {
    if (record) throw new InputError('defineBackend is called twice', { file }, 'call defineBackend once, in amplify/backend.ts');
    const built = buildBackend(cdk, resources, outdir);
    record = built.record;
    return built.backend;
  };
  try {
    await importResource(file);
    if (!record) throw new InputError('backend.ts never calls defineBackend', { file }, 'call defineBackend({ auth, data, ... }) in amplify/backend.ts');
    let assembly;
    try {
      assembly = record.app.synth();
    } catch (e) {
      throw new InputError(`CDK cannot synthesize backend.ts: ${String((e as Error).message).split('\n')[0]}`, { file }, 'fix the CDK code so that `npx ampx sandbox` would synthesize it');
    }
    const templates: Record<string, Template> = {};
    for (const s of assembly.stacks) templates[s.stackName] = s.template as Template;
    const t = new Templates(templates, REST_ENV);
    return restFromTemplates(t, knownResources(cdk, record, t), REST_ENV);
  } finally {
    uninstallCapture();
    rmSync(outdir, { recursive: true, force: true });
  }
}

function knownResources(cdk: CdkModules, record: BackendRecord, t: Templates): KnownResources {
  const id = (r: ConstructRef) => t.physicalId(r.stack, cdk.core.Stack.of(r.construct).resolve(r.construct.logicalId) as string);
  const functions = new Map<string, { name: string; entry?: string }>();
  for (const f of record.functions) functions.set(id(f.ref), { name: f.fn.name, entry: f.fn.entry });
  // `custom.API` entries name an API by the client's key; they are matched to the RestApi whose url they hold.
  const apiNames = new Map<string, string>();
  const custom = (record.outputs.custom as { API?: Record<string, { endpoint?: unknown }> } | undefined)?.API ?? {};
  for (const c of record.app.node.findAll()) {
    const api = c as unknown as { url?: unknown; restApiId?: unknown; httpApiId?: unknown; node: { defaultChild?: unknown } };
    if (typeof api.url !== 'string' || (api.restApiId === undefined && api.httpApiId === undefined) || !api.node.defaultChild) continue;
    const entry = Object.entries(custom).find(([, v]) => v?.endpoint === api.url);
    if (entry) apiNames.set(id({ stack: cdk.core.Stack.of(c).stackName, construct: api.node.defaultChild as ConstructRef['construct'] }), entry[0]);
  }
  const roles = record.roles;
  return {
    roles: {
      ...(roles.authenticated ? { authenticated: id(roles.authenticated) } : {}),
      ...(roles.unauthenticated ? { unauthenticated: id(roles.unauthenticated) } : {}),
      groups: Object.fromEntries(Object.entries(roles.groups).map(([g, r]) => [g, id(r)])),
    },
    ...(record.userPool ? { userPool: id(record.userPool) } : {}),
    ...(record.userPoolClient ? { userPoolClient: id(record.userPoolClient) } : {}),
    functions,
    apiNames,
  };
}

/** backend.ts and the local files it imports (relative specifiers), transitively, with their text (through `read` if given). */
export function reachableSources(entry: string, read: (text: string) => string = (t) => t): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (file: string): void => {
    if (out.has(file) || out.size > 500) return;
    let text: string;
    try {
      text = read(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    out.set(file, text);
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const resolved = resolveLocal(path.resolve(path.dirname(file), m[1]!));
      if (resolved) visit(resolved);
    }
  };
  visit(entry);
  return out;
}

export function resolveLocal(base: string): string | undefined {
  const stem = base.replace(/\.(?:js|mjs|cjs)$/, '');
  const candidates = [base, ...['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].flatMap((e) => [stem + e, path.join(base, `index${e}`)])];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function packageVersion(entry: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'aws-cdk-lib') return json.version ?? 'unknown';
    }
  }
  return 'unknown';
}
