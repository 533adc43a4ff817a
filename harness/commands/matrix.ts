import { expectedMatrix } from '../matrix/cells.js';
import { defaultCast } from '../matrix/cast.js';
import { fixtureLabels } from '../matrix/fixtures.js';
import { loadAuthModel } from '../schema/load.js';
import { matrixJson, renderMatrixMarkdown, renderMatrixTable } from '../../reports/matrix.js';
import { InputError } from '../schema/errors.js';
import { MATRIX_FORMATS, type MatrixFormat } from './defaults.js';


export interface MatrixCommandOptions {
  schema: string;
  config?: string;
  format: string;
  width?: number;
}

/** `authmatrix matrix`: the expected permission matrix, from the schema alone. */
export async function matrixCommand(opts: MatrixCommandOptions): Promise<string> {
  if (!(MATRIX_FORMATS as readonly string[]).includes(opts.format)) {
    throw new InputError(`unknown format "${opts.format}"`, undefined, `use --format ${MATRIX_FORMATS.join('|')}`);
  }
  const auth = await loadAuthModel(opts.schema, opts.config ? { config: opts.config } : {});
  const cast = defaultCast(auth);
  const cells = expectedMatrix(auth, cast);
  switch (opts.format as MatrixFormat) {
    case 'json':
      return JSON.stringify(matrixJson(cells), null, 2);
    case 'md':
      return renderMatrixMarkdown(auth, cells, cast, fixtureLabels(auth, cast));
    case 'table':
      return renderMatrixTable(auth, cells, cast, fixtureLabels(auth, cast), opts.width ?? 100);
  }
}
