import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { loadGen1 } from './gen1.js';
import { loadGen2 } from './gen2.js';
import type { AuthModel } from './model.js';
import { loadOutputs } from './outputs.js';

export interface LoadOptions {
  /** Gen 1 only: the auth-mode/transform settings file (default: `authmatrix.gen1.json` beside the schema). */
  config?: string;
}

const GEN2_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/**
 * Loads any supported schema source into an AuthModel: a Gen 2 `amplify/data/resource.ts`, a Gen 1
 * `schema.graphql`, an `amplify_outputs.json`, or a directory holding one of them.
 */
export async function loadAuthModel(input: string, options: LoadOptions = {}): Promise<AuthModel> {
  const file = resolveSource(path.resolve(input));
  const ext = path.extname(file);
  if (GEN2_EXTENSIONS.includes(ext)) return loadGen2(file);
  if (ext === '.graphql' || ext === '.gql') return loadGen1(file, options.config && path.resolve(options.config));
  if (ext === '.json') return loadOutputs(file);
  throw new InputError(`unsupported schema file type "${ext}"`, { file }, 'pass amplify/data/resource.ts, schema.graphql or amplify_outputs.json');
}

function resolveSource(p: string): string {
  if (!existsSync(p)) {
    throw new InputError('schema file not found', { file: p }, 'pass the path to amplify/data/resource.ts, schema.graphql or amplify_outputs.json');
  }
  if (!statSync(p).isDirectory()) return p;
  const candidates = [
    'amplify/data/resource.ts', 'amplify/data/resource.js', 'amplify/data/resource.mjs',
    'data/resource.ts', 'resource.ts', 'resource.js', 'resource.mjs',
    'schema.graphql', 'amplify_outputs.json',
  ];
  for (const c of candidates) {
    const f = path.join(p, c);
    if (existsSync(f)) return f;
  }
  throw new InputError('no schema found in this directory', { file: p }, `pass one of ${candidates.join(', ')}`);
}
