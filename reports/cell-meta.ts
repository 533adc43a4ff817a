/**
 * How cells' results travel from the test worker to the reporter: on the vitest task's meta, each added as its cell
 * finishes (stopped by a signal, a test ends with the cells it finished: session.ts). A test with a mismatched cell
 * fails with a message saying, for the first few, what was expected, what came back and why.
 */
import type { CellResult } from '../harness/matrix/verdict.js';

type Meta = { authmatrix?: CellResult[] };

export function recordCell(task: { meta: object }, r: CellResult): void {
  ((task.meta as Meta).authmatrix ??= []).push(r);
}

export function cellsOf(meta: object): CellResult[] {
  return (meta as Meta).authmatrix ?? [];
}

/** What a test failed with when its only failures are cells whose observed outcome is not the expected one. */
export const MISMATCH = 'CellMismatch';

const SHOWN = 3;

export class CellMismatch extends Error {
  constructor(failed: CellResult[], of: number) {
    super([
      `${failed.length} of ${of} cell${of === 1 ? '' : 's'} did not match:`,
      ...failed.slice(0, SHOWN).map((r) => [
        `- ${r.id}: expected ${r.expected}, observed ${r.observed}: ${r.detail}`,
        `  oracle: ${r.reason}`,
        `  response: ${r.summary}${r.requestId ? ` (request ${r.requestId})` : ''}`,
      ].join('\n')),
      ...(failed.length > SHOWN ? [`- and ${failed.length - SHOWN} more (results.json)`] : []),
    ].join('\n'));
    this.name = MISMATCH;
  }
}

/** Fails the test if any of its cells did not match. */
export function assertCells(results: CellResult[], of: number): void {
  const failed = results.filter((r) => !r.pass);
  if (failed.length) throw new CellMismatch(failed, of);
}
