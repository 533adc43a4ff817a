/**
 * `authmatrix diff`: permissions gained and lost between a base and a head, each a snapshot
 * (authz.snapshot.json) or a schema. Exit 1 when access widened (unless allowed), 0 otherwise.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { diffSnapshots, gateFailures, renderDiff, type DiffFormat } from '../snapshot/permission-diff.js';
import { isSnapshotLike, validateSnapshot, type Snapshot } from '../snapshot/snapshot.js';
import { InputError } from '../schema/errors.js';
import { schemaSnapshot } from './snapshot.js';

export interface DiffOptions { base: string; head: string; config?: string; allowWidening?: boolean; format: string }

const FORMATS: readonly DiffFormat[] = ['text', 'md', 'json'];

export async function diffCommand(opts: DiffOptions): Promise<{ output: string; exitCode: number }> {
  if (!(FORMATS as readonly string[]).includes(opts.format)) {
    throw new InputError(`unknown format "${opts.format}"`, undefined, `use --format ${FORMATS.join('|')}`);
  }
  const base = await loadSide(opts.base, opts.config);
  const head = await loadSide(opts.head, opts.config);
  const changes = diffSnapshots(base, head);
  const failing = gateFailures(changes).length > 0;
  let output = renderDiff(changes, opts.format as DiffFormat);
  if (opts.format !== 'json' && failing) {
    output += `\n\n${opts.allowWidening ? 'Access widened; accepted (--allow-widening).' : 'Access widened: exit 1. Review the changes, then refresh the baseline (authmatrix snapshot) or pass --allow-widening.'}`;
  }
  return { output, exitCode: failing && !opts.allowWidening ? 1 : 0 };
}

/**
 * A snapshot file as it is, anything else as a schema. A JSON file is a snapshot when it says so, an
 * amplify_outputs.json when it has a `data` section, and bad input otherwise.
 */
export async function loadSide(file: string, config?: string): Promise<Snapshot> {
  if (!existsSync(file)) {
    throw new InputError('file not found', { file }, 'pass an authz.snapshot.json, or a schema (amplify/data/resource.ts, schema.graphql, amplify_outputs.json)');
  }
  if (file.endsWith('.json') && statSync(file).isFile()) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InputError(`invalid JSON: ${(e as Error).message}`, { file }, 'pass an authz.snapshot.json written by `authmatrix snapshot`');
    }
    const looksLikeOutputs = typeof json === 'object' && json !== null && 'data' in json;
    if (isSnapshotLike(json) || !looksLikeOutputs) return validateSnapshot(json, file);
  }
  return schemaSnapshot(file, config ? { config } : {});
}
