/**
 * How a cell's result travels from a test worker to the reporter: on the vitest task's meta. A failed
 * cell fails its test with a message saying what was expected, what came back and why.
 */
import type { CellResult } from '../harness/matrix/verdict.js';

export function recordCell(task: { meta: object }, r: CellResult): void {
  (task.meta as { authmatrix?: CellResult }).authmatrix = r;
}

export function cellOf(meta: object): CellResult | undefined {
  return (meta as { authmatrix?: CellResult }).authmatrix;
}

export class CellMismatch extends Error {
  constructor(r: CellResult) {
    super([
      `expected ${r.expected}, observed ${r.observed}: ${r.detail}`,
      `  oracle: ${r.reason}`,
      `  response: ${r.summary}${r.requestId ? ` (request ${r.requestId})` : ''}`,
    ].join('\n'));
    this.name = 'CellMismatch';
  }
}

export function assertCell(r: CellResult): void {
  if (!r.pass) throw new CellMismatch(r);
}
