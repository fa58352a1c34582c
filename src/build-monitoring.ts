import { resolve } from 'node:path';
import { AnalysisService } from './analysis/analysis-service.js';
import { FileTrafficActuator } from './analysis/file-actuator.js';
import { LatencySignals } from './analysis/signals.js';
import type { SplitTargets, TrafficActuator } from './analysis/traffic-actuator.js';
import { UnleashTrafficActuator } from './analysis/unleash-actuator.js';
import type { GatewayConfig } from './config/schema.js';
import type { AnalysisSettings } from './config/analysis-schema.js';
import type { AuditSink } from './contracts/audit.js';
import type { PredictionObserver } from './contracts/prediction.js';
import { DriftMonitor } from './drift/drift-monitor.js';
import type { Logger } from './logger.js';
import type { BackgroundTasks } from './logging/background-tasks.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { FeedbackService } from './quality/feedback-service.js';
import { LiveQuality } from './quality/live-quality.js';
import { RecentPredictions, type RecentPrediction } from './quality/recent-predictions.js';
import type { Governance } from './registry/governance.js';
import type { ModelRepository } from './repository/model-repository.js';
import type { FlagSource } from './routing/flag-source.js';
import { FileFlagSource } from './routing/file-flag-source.js';
import type { VersionRouter } from './routing/version-router.js';

export interface MonitoringParts {
  drift: DriftMonitor;
  quality: LiveQuality;
  feedback: FeedbackService;
  analysis: AnalysisService;
  /** Cheap observers for the data plane (binning, the recent-predictions index, latency). */
  observers: PredictionObserver[];
}

export interface BuildMonitoringOptions {
  config: GatewayConfig;
  metrics: GatewayMetrics;
  repository: ModelRepository;
  router: VersionRouter;
  governance: Governance | undefined;
  flags: () => FlagSource | undefined;
  pinStable: (model: string, reason: string) => void;
  unpinStable: (model: string) => void;
  audit: AuditSink;
  logger: Logger;
  background: BackgroundTasks;
}

/** Drift, ground-truth feedback and live quality, and the canary analyses, wired for one gateway. */
export function buildMonitoring(o: BuildMonitoringOptions): MonitoringParts {
  const { config, metrics, router, governance: gov } = o;
  const registry = metrics.registry;
  const stableOf = (m: string) => {
    try {
      return router.stable(m).version;
    } catch {
      return undefined;
    }
  };
  const drift = new DriftMonitor({ settings: config.monitoring.drift, stableVersion: stableOf, registry, background: o.background });
  const trace = gov?.trace?.log;
  const recent = new RecentPredictions(config.monitoring.feedback.recentCapacity ?? (trace ? 0 : 100_000));
  const quality = new LiveQuality(registry);
  const latency = new LatencySignals();
  const feedback = new FeedbackService({
    recent,
    quality,
    maxAgeMs: config.monitoring.feedback.maxAgeMs,
    dedupCapacity: config.monitoring.feedback.dedupCapacity,
    registry,
    // Ids the recent index has forgotten: the trace still knows which version answered.
    findTrace: trace
      ? async (id): Promise<RecentPrediction | undefined> => {
          const [rec] = await trace.find(id, 1);
          if (!rec) return undefined;
          const first = rec.output ? Object.values(rec.output)[0] : undefined;
          const task = o.repository.get(rec.model, rec.version)?.manifest.task ?? 'other';
          const values = (first?.data ?? []).filter((v): v is number => typeof v === 'number');
          return { model: rec.model, version: rec.version, task, atMs: Date.parse(rec.at), values, labelled: false };
        }
      : undefined,
  });
  o.repository.onChange((e) => {
    if (e.type === 'unloaded') drift.forget(e.name, e.version);
  });
  const models: Record<string, AnalysisSettings> = {};
  for (const [m, s] of Object.entries(config.models)) if (s.analysis) models[m] = s.analysis;
  const analysis = new AnalysisService({
    models,
    flagName: (m) => config.models[m]?.flag ?? m,
    actuator: actuatorFor(config, o.flags),
    lookup: (m, target) => {
      const lv = router.lookup(m, target);
      return lv ? { version: lv.version, task: lv.manifest.task } : undefined;
    },
    stableVersion: (m) => router.stable(m).version,
    shadowVersion: (m) => config.models[m]?.shadow?.version,
    pinStable: o.pinStable,
    unpinStable: o.unpinStable,
    promote: gov
      ? async (m, v, reason) => {
          await gov.registry.promote({ name: 'canary-analysis', role: 'approver' }, m, v, 'production', { reason });
        }
      : undefined,
    metrics,
    drift,
    quality,
    latency,
    audit: o.audit,
    logger: o.logger,
    background: o.background,
    registry,
  });
  const observers = recent.capacity > 0 ? [drift, recent, latency] : [drift, latency];
  return { drift, quality, feedback, analysis, observers };
}

/** The actuator of the configured flag source. */
function actuatorFor(config: GatewayConfig, flags: () => FlagSource | undefined): (t: SplitTargets) => TrafficActuator {
  const { source, file, unleash } = config.flags;
  if (source === 'file') {
    return (t) =>
      new FileTrafficActuator(resolve(file), t, async () => {
        const f = flags();
        if (f instanceof FileFlagSource) await f.reload();
      });
  }
  return (t) => {
    if (!unleash.adminUrl || !unleash.adminToken) {
      throw new Error('canary analysis with flags.source unleash needs flags.unleash.adminUrl and adminToken (UNLEASH_ADMIN_URL / UNLEASH_ADMIN_TOKEN)');
    }
    return new UnleashTrafficActuator({ adminUrl: unleash.adminUrl, adminToken: unleash.adminToken, project: unleash.project, environment: unleash.environment }, t);
  };
}
