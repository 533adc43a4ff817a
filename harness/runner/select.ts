/** Choosing cells: `--only` (by model, persona, operation or kind); `--shard i/n` is harness/runner/shard.ts. */
import { CELL_KINDS, type Cell } from '../matrix/cells.js';
import { InputError } from '../schema/errors.js';

/**
 * `--only Post --only owner,stranger --only update`: a cell is kept when, for every dimension named,
 * it matches one of the names (models and custom operations; personas; operations and cell kinds).
 */
export function onlyFilter(tokens: string[], matrix: () => Cell[]): (c: Cell) => boolean {
  const names = tokens.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (!names.length) return () => true;
  const cells = matrix();
  const subjects = new Set(cells.map((c) => c.model ?? c.customOperation).filter((x): x is string => !!x));
  const personas = new Set(cells.map((c) => c.persona));
  const operations = new Set([...cells.map((c) => c.operation as string), ...CELL_KINDS]);
  const want = { subject: new Set<string>(), persona: new Set<string>(), operation: new Set<string>() };
  for (const n of names) {
    if (subjects.has(n)) want.subject.add(n);
    else if (personas.has(n)) want.persona.add(n);
    else if (operations.has(n)) want.operation.add(n);
    else {
      throw new InputError(`--only ${n} names no model, persona or operation of this run`, undefined,
        `use one of: ${[...subjects].join(', ')}; ${[...personas].join(', ')}; ${[...operations].join(', ')}`);
    }
  }
  return (c) =>
    (!want.subject.size || want.subject.has(c.model ?? c.customOperation!)) &&
    (!want.persona.size || want.persona.has(c.persona)) &&
    (!want.operation.size || want.operation.has(c.operation) || want.operation.has(c.kind));
}
