/** The example apps' expected matrices, loaded once per test file, and cell results made from them. */
import path from 'node:path';
import { loadConfig } from '../../harness/config.js';
import type { ObservedCell } from '../../harness/contracts/evaluate.js';
import type { ContractMatrix } from '../../harness/contracts/select.js';
import { castWith } from '../../harness/matrix/cast.js';
import { type Cell } from '../../harness/matrix/cells.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { askRestAuthorizers } from '../../personas/shared/rest-authorizers.js';
import { ROOT } from '../cli/cli.js';

const cache = new Map<string, Promise<ContractMatrix>>();

export type Example = 'blog' | 'todo' | 'photos' | 'rest';

/** `blog`, `todo`, `photos` (with its storage) or `rest` (with its REST API): the schema, the config's cast and the full expected matrix. */
export function app(name: Example): Promise<ContractMatrix> {
  let m = cache.get(name);
  if (!m) {
    m = (async () => {
      const dir = path.join(ROOT, 'examples', name);
      const model = await loadAuthModel(name === 'photos' || name === 'rest' ? dir : path.join(dir, 'amplify/data/resource.ts'));
      const { config } = await loadConfig(undefined, [dir]);
      const cast = castWith(model, config.personas);
      // As a run does: the REST Lambda authorizers are asked about the configured tokens.
      await askRestAuthorizers(model, cast);
      return { model, cells: expectedMatrix(model, cast) };
    })();
    cache.set(name, m);
  }
  return m;
}

/** What a run would record if the endpoint did exactly what the matrix expects. */
export function asExpected(cells: Cell[]): ObservedCell[] {
  return cells.map((c) => ({ id: c.id, observed: c.expected, pass: true, summary: c.expected, ...(c.decision.visibleIds ? { seen: c.decision.visibleIds } : {}) }));
}

/** The same, with some cells answered otherwise (a mismatch in the run): only what the change says is recorded. */
export function withObserved(cells: Cell[], changes: Record<string, Omit<ObservedCell, 'id' | 'pass'>>): ObservedCell[] {
  for (const id of Object.keys(changes)) if (!cells.some((c) => c.id === id)) throw new Error(`no cell ${id} in the matrix`);
  return asExpected(cells).map((r) => {
    const change = changes[r.id];
    return change ? { ...change, id: r.id, pass: false } : r;
  });
}
