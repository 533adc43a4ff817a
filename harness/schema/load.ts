import { statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { findSchema, GEN2_EXTENSIONS } from './find-app.js';
import { loadGen1, loadGen1Project } from './gen1.js';
import { loadGen2 } from './gen2.js';
import type { AuthModel } from './model.js';
import { loadOutputs } from './outputs.js';

export interface LoadOptions {
  /** Gen 1 only: the auth-mode/transform settings file (default: `authmatrix.gen1.json` beside the schema). */
  config?: string;
}


/**
 * Loads any supported schema source into an AuthModel: a Gen 2 `amplify/data/resource.ts`, a Gen 1
 * `schema.graphql` (or its `schema/` folder), an `amplify_outputs.json`, a Gen 1 project's
 * `amplify/backend/backend-config.json` (a project without a GraphQL API), or a directory holding an app (see
 * find-app.ts).
 */
export async function loadAuthModel(input: string, options: LoadOptions = {}): Promise<AuthModel> {
  const file = findSchema(input);
  // A Gen 1 API whose schema is split over the files of a `schema/` folder.
  if (statSync(file).isDirectory()) return loadGen1(file, options.config && path.resolve(options.config));
  const ext = path.extname(file);
  if (GEN2_EXTENSIONS.includes(ext)) return loadGen2(file);
  if (ext === '.graphql' || ext === '.gql') return loadGen1(file, options.config && path.resolve(options.config));
  // A Gen 1 project without a GraphQL API: its storage and REST categories (find-app.ts).
  if (path.basename(file) === 'backend-config.json') return loadGen1Project(file);
  if (ext === '.json') return loadOutputs(file);
  throw new InputError(`unsupported schema file type "${ext}"`, { file }, 'pass amplify/data/resource.ts, schema.graphql or amplify_outputs.json');
}
