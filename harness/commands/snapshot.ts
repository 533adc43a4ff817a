/** `authmatrix snapshot`: writes the permission snapshot of a schema (authz.snapshot.json) to commit as a baseline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkOutFile } from './out-paths.js';
import { loadConfig } from '../config.js';
import { castWith } from '../matrix/cast.js';
import { serializeSnapshot, snapshotOf, type Snapshot } from '../snapshot/snapshot.js';
import { loadAuthModel } from '../schema/load.js';
import { appRoot } from '../schema/app-root.js';
import { askRestAuthorizers } from '../../personas/shared/rest-authorizers.js';

export interface SnapshotOptions { schema: string; config?: string; gen1Config?: string; out: string }

/** The snapshot of a schema with the cast `matrix` uses (default cast plus authmatrix.config.ts). */
export async function schemaSnapshot(schema: string, opts: { config?: string; gen1Config?: string } = {}): Promise<Snapshot> {
  const auth = await loadAuthModel(schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const { config } = await loadConfig(opts.config, [process.cwd(), appRoot(auth.source.path)]);
  const cast = castWith(auth, config.personas);
  await askRestAuthorizers(auth, cast);
  return snapshotOf(auth, cast);
}

export async function snapshotCommand(opts: SnapshotOptions): Promise<string> {
  checkOutFile(opts.out, '--out', { createDir: true });
  const snapshot = await schemaSnapshot(opts.schema, opts);
  const out = path.resolve(opts.out);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, serializeSnapshot(snapshot));
  return `Wrote ${opts.out}: ${Object.keys(snapshot.permissions).length} permissions, ${Object.keys(snapshot.personas).length} personas.`;
}
