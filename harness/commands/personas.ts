/** `authmatrix personas list` (the cast a schema calls for) and `personas cleanup` (sweep crashed runs). */
import path from 'node:path';
import { loadConfig } from '../config.js';
import { castWith } from '../matrix/cast.js';
import { loadAuthModel } from '../schema/load.js';
import { sweep } from '../../personas/shared/deployed.js';
import { appRoot } from '../schema/app-root.js';

export async function listPersonas(opts: { schema: string; gen1Config?: string; config?: string }): Promise<string> {
  const model = await loadAuthModel(opts.schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const { config, file } = await loadConfig(opts.config, [process.cwd(), appRoot(model.source.path)]);
  const cast = castWith(model, config.personas);
  const width = Math.max(...cast.map((p) => p.name.length)) + 2;
  const lines = cast.map((p) => `${p.name.padEnd(width)}${p.kind.padEnd(16)}${p.description}${p.groups?.length ? ` [${p.groups.join(', ')}]` : ''}`);
  return [`${cast.length} personas${file ? ` (with ${path.relative(process.cwd(), file)})` : ''}`, ...lines].join('\n');
}

export async function cleanupPersonas(opts: { outputs: string; run?: string; config?: string }): Promise<string> {
  const { config } = await loadConfig(opts.config, [process.cwd()]);
  const done = await sweep(path.resolve(opts.outputs), config, opts.run ? { runId: opts.run } : {});
  return `swept ${done.runs.length} run ledger(s): deleted ${done.users} user(s) and ${done.groups} group(s)${done.objects ? `, cleared ${done.objects} storage object key(s)` : ''}${done.uploads ? `, aborted ${done.uploads} multipart upload(s)` : ''}`;
}
