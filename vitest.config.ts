import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // onnxruntime-node is a native addon: one process per test file keeps sessions isolated.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: integration files start servers; do not run more than two files at once.
    maxWorkers: 2,
  },
});
