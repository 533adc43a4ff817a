import os from 'node:os';
import { defineConfig } from 'vitest/config';

/** The project's own tests (`npm test`). The generated contract specs run through `authmatrix run`. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Most of the suite's time goes to CLI runs that wait on their child processes and sockets: a second
    // worker overlaps those waits even on 2 cores (vitest's default there is one worker).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
