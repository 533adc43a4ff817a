/**
 * The contract matrix as vitest tests: one test per group of cells (a model or custom operation and what is done to
 * it: `Post › update title`), generated at collection time from the run that `authmatrix run` prepared. Each cell's
 * result goes on its test's meta as the cell finishes; a test fails when one of its cells does not match. Run it
 * with `authmatrix run`, not alone.
 */
import { afterAll, beforeAll, describe, test, type TestContext } from 'vitest';
import { openSession, type TestGroup } from '../dist/harness/runner/session.js';
import { assertCells, cellsOf, recordCell } from '../dist/reports/cell-meta.js';

const session = await openSession();
// The run makes its fixtures while the tests are collected; none runs before they are made. No time limit (0):
// a deployed app's fixtures take as long as they take, and the run's process ends the wait if they fail.
beforeAll(() => session.fixtures(), 0);

for (const stage of session.stages) {
  describe(stage.title, () => {
    for (const group of stage.groups) {
      // A concurrent stage's groups start at once, their cells sharing the run's concurrency (session.ts stagesOf).
      // No time limit on the test: each cell has its own (session.ts runGroup).
      (stage.concurrent ? describe.concurrent : describe)(group.path[0], () => {
        test(group.path[1], (context) => runGroup(group, context), 0);
      });
    }
  });
}

async function runGroup(group: TestGroup, { task }: TestContext): Promise<void> {
  await session.runGroup(group, (r) => recordCell(task, r));
  assertCells(cellsOf(task.meta), group.cells.length);
}

// No time limit (0): stopped by a signal, the session waits for the requests under way, and the run bounds that.
afterAll(() => session.close(), 0);
