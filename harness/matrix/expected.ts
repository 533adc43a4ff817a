/**
 * The expected permission matrix of a schema and a cast: every model's cells (CRUDL per ownership, field
 * reads and writes, subscriptions), relations, subscription deliveries, custom operations, then the
 * storage cells (harness/matrix/storage-cells.ts), then the custom-header and batch variants of those cells,
 * and the REST APIs' cells (rest-cells.ts).
 */
import type { AuthModel } from '../schema/model.js';
import { dynamicGroupName, REST_ONLY_KINDS, type Persona } from './cast.js';
import { batchCells, customCells, headerCells, modelCells, relationCells, type Cell } from './cells.js';
import { deliveryCells } from './deliveries.js';
import { keyQueryCells } from './key-queries.js';
import { restCells } from './rest-cells.js';
import { storageCells } from './storage-cells.js';

export interface MatrixOptions {
  /** Restrict to a model, persona or operation (the CLI's --only). */
  only?: (cell: Cell) => boolean;
  /** Leave out subscription delivery cells (they need events; `authmatrix matrix` shows starts only). */
  deliveries?: boolean;
}

export function expectedMatrix(auth: AuthModel, cast: Persona[], options: MatrixOptions = {}): Cell[] {
  const cells: Cell[] = [];
  const team = dynamicGroupName(auth);
  // Personas that exist only for the REST APIs have nothing to present to the data API.
  const dataCast = cast.filter((p) => !REST_ONLY_KINDS.has(p.kind));
  for (const m of auth.models) {
    cells.push(...modelCells(auth, m, dataCast, team));
    cells.push(...keyQueryCells(auth, m, dataCast, team));
    cells.push(...relationCells(auth, m, dataCast));
    if (options.deliveries !== false) cells.push(...deliveryCells(auth, m, dataCast));
  }
  for (const op of auth.customOperations) cells.push(...customCells(auth, op, dataCast));
  cells.push(...storageCells(auth, dataCast).cells);
  cells.push(...headerCells(auth, dataCast, cells));
  cells.push(...batchCells(dataCast, cells));
  cells.push(...restCells(auth, cast).cells);
  return options.only ? cells.filter(options.only) : cells;
}
