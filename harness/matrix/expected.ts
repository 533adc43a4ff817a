/**
 * The expected permission matrix of a schema and a cast: every model's cells (CRUDL per ownership, field
 * reads and writes, subscriptions), relations, subscription deliveries, custom operations, then the
 * custom-header and batch variants of those cells.
 */
import type { AuthModel } from '../schema/model.js';
import { dynamicGroupName, type Persona } from './cast.js';
import { batchCells, customCells, headerCells, modelCells, relationCells, type Cell } from './cells.js';
import { deliveryCells } from './deliveries.js';
import { keyQueryCells } from './key-queries.js';

export interface MatrixOptions {
  /** Restrict to a model, persona or operation (the CLI's --only). */
  only?: (cell: Cell) => boolean;
  /** Leave out subscription delivery cells (they need events; `authmatrix matrix` shows starts only). */
  deliveries?: boolean;
}

export function expectedMatrix(auth: AuthModel, cast: Persona[], options: MatrixOptions = {}): Cell[] {
  const cells: Cell[] = [];
  const team = dynamicGroupName(auth);
  for (const m of auth.models) {
    cells.push(...modelCells(auth, m, cast, team));
    cells.push(...keyQueryCells(auth, m, cast, team));
    cells.push(...relationCells(auth, m, cast));
    if (options.deliveries !== false) cells.push(...deliveryCells(auth, m, cast));
  }
  for (const op of auth.customOperations) cells.push(...customCells(auth, op, cast));
  cells.push(...headerCells(auth, cast, cells));
  cells.push(...batchCells(cast, cells));
  return options.only ? cells.filter(options.only) : cells;
}
