// D1: the canary analysis's interval tick is background work: a dependency that fails in it (here
// the readings it compares) is counted in modelgate_background_errors_total{task="canary-analysis"},
// logged once per interval, recorded in the analysis history, and the analysis keeps ticking.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CanaryAnalysis, type VersionReading } from '../../src/analysis/canary-analysis.js';
import { LatencyCounts } from '../../src/analysis/signals.js';
import { AnalysisSettings } from '../../src/config/analysis-schema.js';
import { NullAuditSink } from '../../src/contracts/audit.js';
import { BackgroundTasks } from '../../src/logging/background-tasks.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { CounterSlot } from '../../src/metrics/slots.js';
import { eventually } from '../support/governance.js';

describe('canary analysis tick whose readings fail', () => {
  it('is counted, logged once, recorded, and ticks again', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }));
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const background = new BackgroundTasks(logger, { inc: (l) => metrics.backgroundErrors.inc(l) });
    let broken = false;
    let reads = 0;
    const analysis = new CanaryAnalysis({
      model: 'm',
      settings: AnalysisSettings.parse({ canary: '1.1.0', intervalMs: 100 }),
      actuator: { kind: 'file', setSplit: async () => undefined, kill: async () => undefined },
      canary: () => ({ version: '1.1.0', task: 'regression' }),
      stableVersion: () => '1.0.0',
      read: (): VersionReading => {
        reads++;
        if (broken) throw new Error('metrics registry unavailable');
        return { requests: 0, errors: 0, latency: new LatencyCounts(), quality: undefined, shadow: undefined };
      },
      outputDrift: () => ({ psi: 0, pValue: 1, samples: 0 }),
      pinStable: () => undefined,
      unpinStable: () => undefined,
      audit: new NullAuditSink(),
      logger,
      failed: (err) => background.failed('canary-analysis', err),
      alerts: { decision: () => new CounterSlot(), rollbacks: new CounterSlot() },
    });
    await analysis.start();
    broken = true;
    const count = async () => (await metrics.backgroundErrors.get()).values.find((v) => v.labels.task === 'canary-analysis')?.value ?? 0;
    await eventually(async () => ((await count()) >= 2 ? true : undefined));
    analysis.stop();
    expect(reads).toBeGreaterThan(2);
    expect(lines.filter((l) => l.task === 'canary-analysis')).toHaveLength(1);
    expect(analysis.history.some((h) => h.decision === 'error' && /metrics registry unavailable/.test(h.reason))).toBe(true);
  });
});
