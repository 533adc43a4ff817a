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
    // A worker keeps its loaded modules from one test file to the next: importing graphql, undici and the
    // harness again for each of 64 files cost 40 s. Test files therefore set up what they use themselves
    // (Amplify.configure, an emulator of their own, a dispatcher they restore) and never rely on module state.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
