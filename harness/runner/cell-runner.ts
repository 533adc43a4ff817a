/**
 * The test runner of the matrix spec (specs/matrix.spec.ts), given to vitest by harness/runner/drive-thread.ts. A cell's
 * test asserts with its own verdict (reports/cell-meta.ts `assertCell` throws) and uses no `expect`, snapshot or
 * mock: vitest's per-test setup of those (the expect state, with the test's full name, set before every test and
 * checked after) is left out. It was about 0.08 s of the test worker's CPU on the blog's 3,000 tests.
 */
import { VitestTestRunner } from 'vitest/runners';

export default class CellRunner extends VitestTestRunner {
  override onBeforeTryTask(): void {}
  override onAfterTryTask(): void {}
}
