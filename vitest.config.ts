import { defineConfig } from 'vitest/config';

/** Stops and restarts the shared Unleash server: it must not run while other files use it. */
const STOPS_UNLEASH = 'test/integration/unleash-routing.test.ts';

export default defineConfig({
  test: {
    // onnxruntime-node is a native addon: one process per test file keeps sessions isolated.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: integration files start servers; do not run more than two files at once.
    maxWorkers: 2,
    // Projects with a higher groupOrder start once the lower ones are done.
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [STOPS_UNLEASH], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'unleash-outage', include: [STOPS_UNLEASH], sequence: { groupOrder: 1 } } },
    ],
  },
});
