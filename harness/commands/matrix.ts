import { expectedMatrix } from '../matrix/expected.js';
import { castWith } from '../matrix/cast.js';
import { loadConfig } from '../config.js';
import { appRoot } from '../schema/app-root.js';
import { fixtureLabels } from '../matrix/fixtures.js';
import { loadAuthModel } from '../schema/load.js';
import { askRestAuthorizers } from '../../personas/shared/rest-authorizers.js';
import { matrixJson, renderMatrixMarkdown, renderMatrixTable } from '../../reports/matrix.js';
import { InputError } from '../schema/errors.js';
import { MATRIX_FORMATS, type MatrixFormat } from './defaults.js';


export interface MatrixCommandOptions {
  schema: string;
  config?: string;
  gen1Config?: string;
  format: string;
  width?: number;
}

/** `authmatrix matrix`: the expected permission matrix, from the schema alone. */
export async function matrixCommand(opts: MatrixCommandOptions): Promise<string> {
  if (!(MATRIX_FORMATS as readonly string[]).includes(opts.format)) {
    throw new InputError(`unknown format "${opts.format}"`, undefined, `use --format ${MATRIX_FORMATS.join('|')}`);
  }
  const auth = await loadAuthModel(opts.schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const { config } = await loadConfig(opts.config, [process.cwd(), appRoot(auth.source.path)]);
  const cast = castWith(auth, config.personas);
  await askRestAuthorizers(auth, cast);
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
