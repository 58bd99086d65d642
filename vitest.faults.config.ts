import { defineConfig } from 'vitest/config';

// The fault suite kills the detector and restarts the shared broker and Redis: its files run one at a
// time, after the main suite (scripts/test.sh), never beside other tests.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/state-equality.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    minWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
