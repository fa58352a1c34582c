import { z } from 'zod';

const on = () => z.boolean().default(true);

/**
 * Automated canary analysis of one model (config/gateway.json `models.<name>.analysis`): every
 * interval it compares the canary with the stable version and holds, advances a step, or rolls
 * back, through the flag source in use.
 */
export const AnalysisSettings = z.object({
  /** The candidate: a version or an alias (e.g. `staging`). */
  canary: z.string().min(1),
  intervalMs: z.number().int().min(100).default(60_000),
  /** Canary share of traffic per step (%), increasing, ending at 100. */
  steps: z
    .array(z.number().gt(0).max(100))
    .min(1)
    .default([5, 10, 25, 50, 100])
    .refine((s) => s.every((v, i) => i === 0 || v > (s[i - 1] as number)) && s[s.length - 1] === 100, 'steps increase and end at 100'),
  /** Canary requests a step needs before it may advance. */
  minRequestsPerStep: z.number().int().min(1).default(100),
  /** Significance of the tests that confirm a failing check (Fisher exact, Welch t). */
  alpha: z.number().gt(0).lt(1).default(0.05),
  checks: z
    .object({
      /** Canary error rate minus stable's. */
      errorRate: z.object({ enabled: on(), maxIncrease: z.number().min(0).default(0.01) }).prefault({}),
      /** Canary p99 over stable's p99 (and at least minDeltaMs slower) fails. */
      latencyP99: z.object({ enabled: on(), maxRatio: z.number().min(1).default(1.5), minDeltaMs: z.number().min(0).default(10), minSamples: z.number().int().min(1).default(50) }).prefault({}),
      /** Share of shadowed requests where the canary disagreed (needs shadow on the canary). */
      shadowDisagreement: z.object({ enabled: on(), max: z.number().min(0).max(1).default(0.1), minSamples: z.number().int().min(1).default(20) }).prefault({}),
      /** PSI of the canary's outputs vs the stable version's over the drift window. */
      drift: z.object({ enabled: on(), maxPsi: z.number().min(0).default(0.25), minSamples: z.number().int().min(1).default(100) }).prefault({}),
      /** Live quality from feedback: MAE (regression) or accuracy (classification) worse than stable's by this share. */
      quality: z.object({ enabled: on(), maxRelativeIncrease: z.number().min(0).default(0.1), minSamples: z.number().int().min(2).default(30) }).prefault({}),
    })
    .prefault({}),
  /** At 100 %: `request` records a promotion request for an approver; `auto` promotes (audited). */
  promotion: z.enum(['request', 'auto']).default('request'),
  /** Also pin this gateway to stable at once on rollback (the flag change reaches the fleet on its own time). */
  rollbackOverride: z.boolean().default(true),
});
export type AnalysisSettings = z.infer<typeof AnalysisSettings>;

/** Drift and feedback, for every served version. */
export const MonitoringSettings = z
  .object({
    drift: z
      .object({
        windowMs: z.number().int().min(100).default(600_000),
        slices: z.number().int().min(1).max(60).default(10),
        sampleEvery: z.number().int().min(1).default(1),
        outputWarmup: z.number().int().min(10).default(200),
      })
      .prefault({}),
    feedback: z
      .object({
        maxAgeMs: z.number().int().min(1).default(7 * 24 * 3_600_000),
        /**
         * Recent predictions kept in memory for feedback lookups. Default: none when the prediction
         * trace is on (feedback reads the trace: the index would cost every prediction ~2 µs and GC
         * time), 100,000 without it.
         */
        recentCapacity: z.number().int().min(0).optional(),
        dedupCapacity: z.number().int().min(1).default(1_000_000),
      })
      .prefault({}),
  })
  .prefault({});
export type MonitoringSettings = z.infer<typeof MonitoringSettings>;
