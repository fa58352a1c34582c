import { defineConfig } from 'vitest/config';

/** Stops and restarts the shared Unleash server: it must not run while other files use it. */
const STOPS_UNLEASH = 'test/integration/unleash-routing.test.ts';
/** Compare throughputs (perf against autocannon, batching on against off): alone, one file at a time. */
const MEASURES = ['test/e2e/perf.test.ts', 'test/e2e/perf-sweep.test.ts', 'test/e2e/perf-replay.test.ts', 'test/e2e/perf-sweep-api.test.ts'];

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
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts', 'clients/typescript/test/**/*.test.ts'], exclude: [STOPS_UNLEASH, ...MEASURES], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'unleash-outage', include: [STOPS_UNLEASH], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'measures', include: MEASURES, fileParallelism: false, sequence: { groupOrder: 2 } } },
    ],
  },
});
