import { defineConfig } from 'vitest/config';

/** The project's own tests (`npm test`). The generated contract specs run through `authmatrix run`. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
