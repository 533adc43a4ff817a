/**
 * The dimensions of a run's coverage (reports/coverage.ts) and `--min-coverage`'s thresholds on them: apart, so that
 * `authmatrix run` checks its options before it loads the reports.
 */
import { InputError } from '../harness/schema/errors.js';

export const COVERAGE_DIMENSIONS = ['rules', 'operations', 'fields', 'personas', 'modes', 'events', 'customOperations', 'restMethods', 'restAuthorizers', 'storage'] as const;
export type CoverageDimension = (typeof COVERAGE_DIMENSIONS)[number];

export type Thresholds = Partial<Record<CoverageDimension, number>>;

const WHERE = { file: '--min-coverage' };

/** `rules=100,operations=90` → `{ rules: 100, operations: 90 }`; bad input is an InputError. */
export function parseThresholds(text: string): Thresholds {
  const out: Thresholds = {};
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new InputError('no thresholds given', WHERE, `name one or more dimensions, e.g. --min-coverage rules=100,operations=100`);
  for (const part of parts) {
    const m = /^([A-Za-z]+)=(\d+(?:\.\d+)?)%?$/.exec(part);
    if (!m) throw new InputError(`"${part}" is not dimension=percent`, WHERE, `write e.g. rules=100 (dimensions: ${COVERAGE_DIMENSIONS.join(', ')})`);
    const name = m[1] as CoverageDimension;
    if (!COVERAGE_DIMENSIONS.includes(name)) throw new InputError(`unknown coverage dimension "${m[1]}"`, WHERE, `use one of ${COVERAGE_DIMENSIONS.join(', ')}`);
    const value = Number(m[2]);
    if (value > 100) throw new InputError(`${name}=${m[2]} is over 100`, WHERE, 'give a percentage from 0 to 100');
    if (name in out) throw new InputError(`${name} is given twice`, WHERE, 'give each dimension once');
    out[name] = value;
  }
  return out;
}
