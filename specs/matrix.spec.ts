/**
 * The contract matrix as vitest tests: one test per cell, grouped by model and operation, generated at
 * collection time from the run that `authmatrix run` prepared. Run it with `authmatrix run`, not alone.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import { openSession, type TestGroup } from '../dist/harness/runner/session.js';
import { assertCell, recordCell } from '../dist/reports/cell-meta.js';
import type { CellResult } from '../dist/harness/matrix/verdict.js';

const session = await openSession();
// vitest makes a new chain object on every `test.concurrent` / `describe.concurrent` access (a tenth of the
// collection of 3,000 tests): taken once.
const concurrentTest = test.concurrent;
const concurrentDescribe = describe.concurrent;
// The run makes its fixtures while the tests are collected; none runs before they are made. No time limit (0):
// a deployed app's fixtures take as long as they take, and the run's process ends the wait if they fail.
beforeAll(() => session.fixtures(), 0);

for (const stage of session.stages) {
  describe(stage.title, () => {
    for (const group of stage.groups) {
      // A concurrent stage's groups start at once, their tests sharing the run's concurrency (session.ts stagesOf).
      (stage.concurrent ? concurrentDescribe : describe)(group.path[0]!, () => {
        describe(group.path[1]!, () => defineGroup(group));
      });
    }
  });
}

function defineGroup(group: TestGroup): void {
  if (group.scenario) {
    const scenario = group.scenario;
    let results = new Map<string, CellResult>();
    beforeAll(async () => {
      results = await session.scenario(scenario, group.cells.map((c) => c.cell));
    });
    for (const { cell, title } of group.cells) {
      test(title, ({ task }) => {
        const r = results.get(cell.id);
        if (!r) throw new Error(`the subscription scenario gave no result for ${cell.id}`);
        recordCell(task, r);
        assertCell(r);
      });
    }
  } else if (group.serial) {
    for (const { cell, title } of group.cells) {
      test(title, async ({ task }) => {
        const r = await session.runAlone(cell);
        recordCell(task, r);
        assertCell(r);
      });
    }
  } else {
    for (const { cell, title } of group.cells) {
      concurrentTest(title, async ({ task }) => {
        const r = await session.run(cell);
        recordCell(task, r);
        assertCell(r);
      });
    }
  }
}

afterAll(() => session.close());
