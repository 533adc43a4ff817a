/**
 * Bundles the compiled command (dist/harness/cli.js, after `tsc`) into dist/bundle/, which bin/authmatrix.js runs.
 * Node resolves, reads and compiles a few hundred files to start `authmatrix run` from dist/; the run's thread did
 * that before it could plan anything, and the bundle starts it about a fifth of a second sooner (docs/architecture.md,
 * Performance). Three rules keep the bundle behaving as dist/ does:
 * - Every module's `import.meta.url` stays the URL of its file in dist/ (found from the chunk's own, so the package
 *   may move), and the paths the harness finds from it (package.json, the drive's thread, the stand-ins below) are
 *   the same.
 * - Modules that something loads by path (`new URL('./x.js', import.meta.url)`: the Gen 2 backend stand-in, the
 *   contracts' builder, the `$amplify/env` and `@aws-appsync/utils` stand-ins, the drive's thread), and every module
 *   they import, stay in dist/ and are imported from there: user code (jiti) and the harness then share one instance
 *   of each (the state the Gen 2 stand-in captures, the contracts' statements, a JS resolver's current call).
 * - Packages that load files or user code of their own, or that an app provides, are not bundled (EXTERNAL).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { bundleState } from '../bin/bundle-current.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');

/**
 * vitest runs in its own threads; jiti loads user code and its own files; the app's schema is built with its
 * @aws-amplify/data-schema; playwright-core (PDF reports) and the AWS SDK clients (deployed runs) are large and
 * loaded only when used. smithy's signer is bundled: the emulator verifies SigV4 with it on every run, and the
 * harness never hands a smithy object to an SDK client.
 */
const EXTERNAL = [/^vitest(\/|$)/, /^jiti(\/|$)/, /^@aws-amplify\//, /^playwright-core(\/|$)/, /^@aws-sdk\//, /^typescript(\/|$)/];

/** The compiled files that some module loads by path. */
function loadedByPath() {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== OUT) walk(p);
      } else if (e.name.endsWith('.js')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/new URL\(\s*(['"])(\.{1,2}\/[^'"]+\.js)\1\s*,\s*import\.meta\.url\s*\)/g)) files.push(path.resolve(path.dirname(p), m[2]));
      }
    }
  };
  walk(DIST);
  return [...new Set(files)];
}

/** Those files and every compiled module they import. */
async function apart() {
  const roots = loadedByPath();
  const build = await rolldown({ input: roots, platform: 'node', external: (id) => !id.startsWith('.') && !path.isAbsolute(id), logLevel: 'silent' });
  const { output } = await build.generate({ format: 'esm' });
  await build.close();
  return new Set(output.flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : [])).filter((id) => id.startsWith(DIST)));
}

/** A compiled file's path from dist/bundle/, as a URL path. */
const relativeUrl = (file) => path.relative(OUT, file).split(path.sep).join('/');

if (process.argv.includes('--if-stale') && bundleState() === 'current') process.exit(0);
const keep = await apart();
const build = await rolldown({
  input: { cli: path.join(DIST, 'harness/cli.js') },
  platform: 'node',
  logLevel: 'warn',
  onLog(level, log, handler) {
    // A warning about our code fails the build; packages' own (direct `eval` and the like) are theirs to answer
    // for; the rest (a slow plugin on a busy machine) is said and the build goes on.
    if (log.id?.startsWith(DIST)) return handler(level === 'warn' ? 'error' : level, log);
    if (log.id) return;
    handler(level, log);
  },
  plugins: [{
    name: 'authmatrix',
    async resolveId(source, importer, options) {
      if (EXTERNAL.some((re) => re.test(source))) return { id: source, external: true };
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      // Every chunk is written to dist/bundle/ itself, so one relative path reaches the file from any of them.
      if (resolved && keep.has(resolved.id)) return { id: relativeUrl(resolved.id), external: true };
      return resolved;
    },
    transform(code, id) {
      if (!id.startsWith(DIST) || !code.includes('import.meta.url')) return null;
      return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(relativeUrl(id))}, import.meta.url).href`), map: null };
    },
  }],
});
const { output } = await build.generate({ format: 'esm', entryFileNames: '[name].js' });
await build.close();
// Written over the bundle in place, the entry last (renamed into place): a run starting meanwhile loads the old
// bundle or the new one whole. The chunks' names carry their content's hash.
mkdirSync(OUT, { recursive: true });
const files = output.map((f) => ({ name: f.fileName, text: f.type === 'chunk' ? f.code : f.source }));
const entry = files.find((f) => f.name === 'cli.js');
for (const f of files) if (f !== entry) writeFileSync(path.join(OUT, f.name), f.text);
writeFileSync(path.join(OUT, 'cli.js.new'), entry.text);
renameSync(path.join(OUT, 'cli.js.new'), path.join(OUT, 'cli.js'));
const written = new Set(files.map((f) => f.name));
for (const name of readdirSync(OUT)) if (!written.has(name)) rmSync(path.join(OUT, name), { force: true });
