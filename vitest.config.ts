import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Restarts of the shared broker and Redis: run alone by vitest.faults.config.ts.
    exclude: ['tests/faults/**', '**/node_modules/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/state-equality.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one broker and one Redis on a 2-core machine: a few files at a time.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
