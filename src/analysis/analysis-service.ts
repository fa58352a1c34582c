import { Gauge, type Registry } from 'prom-client';
import type { AnalysisSettings } from '../config/analysis-schema.js';
import type { AuditSink } from '../contracts/audit.js';
import type { DriftMonitor } from '../drift/drift-monitor.js';
import { modelNotFound, notFound } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { BackgroundWork } from '../contracts/background.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { SlotCounter } from '../metrics/slots.js';
import type { LiveQuality } from '../quality/live-quality.js';
import { CanaryAnalysis, type Decision } from './canary-analysis.js';
import type { LatencySignals } from './signals.js';
import { chiSquareHomogeneity } from './stats.js';
import { psi, total } from '../drift/psi.js';
import type { SplitTargets, TrafficActuator } from './traffic-actuator.js';

export interface AnalysisServiceOptions {
  /** Models with an analysis config. */
  models: Record<string, AnalysisSettings>;
  flagName: (model: string) => string;
  /** The actuator of the flag source in use, for one model's flag and targets. */
  actuator: (targets: SplitTargets) => TrafficActuator;
  /** A version or alias of a model -> the loaded version and the model's task. */
  lookup: (model: string, target: string) => { version: string; task: string } | undefined;
  stableVersion: (model: string) => string;
  /** The shadow challenger configured for a model, if any. */
  shadowVersion: (model: string) => string | undefined;
  pinStable: (model: string, reason: string) => void;
  unpinStable: (model: string) => void;
  promote?: (model: string, version: string, reason: string) => Promise<void>;
  metrics: GatewayMetrics;
  drift: DriftMonitor;
  quality: LiveQuality;
  latency: LatencySignals;
  audit: AuditSink;
  logger: Logger;
  /** Where failed ticks and starts are counted and logged (task 'canary-analysis'). */
  background?: BackgroundWork;
  registry: Registry;
  now?: () => number;
}

/**
 * The canary analyses of the gateway's models: built from the config, started with the gateway,
 * shown by GET /admin/models/{m}/analysis. Exports `modelgate_canary_step_percent{model}`,
 * `modelgate_canary_decisions_total{model,decision}` and the alert
 * `modelgate_canary_rollbacks_total{model}`.
 */
export class AnalysisService {
  private readonly analyses = new Map<string, CanaryAnalysis>();

  constructor(private readonly o: AnalysisServiceOptions) {
    const decisions = new SlotCounter<'model' | 'decision'>({
      name: 'modelgate_canary_decisions_total', help: 'Canary analysis decisions (start, hold, advance, rollback, promote, ...).',
      labelNames: ['model', 'decision'], registers: [o.registry],
    });
    const rollbacks = new SlotCounter<'model'>({
      name: 'modelgate_canary_rollbacks_total', help: 'Automatic canary rollbacks (alert on any increase).',
      labelNames: ['model'], registers: [o.registry],
    });
    const self = this;
    new Gauge({
      name: 'modelgate_canary_step_percent', help: 'Share of traffic (%) the canary analysis gives the canary now.',
      labelNames: ['model'], registers: [o.registry],
      collect() {
        this.reset();
        for (const [model, a] of self.analyses) this.set({ model }, a.percent);
      },
    });
    for (const [model, settings] of Object.entries(o.models)) {
      const stable = () => o.stableVersion(model);
      const canary = () => o.lookup(model, settings.canary);
      this.analyses.set(model, new CanaryAnalysis({
        model,
        settings,
        actuator: o.actuator({ flag: o.flagName(model), stable: 'stable', canary: settings.canary }),
        canary,
        stableVersion: stable,
        read: (version) => this.read(model, version),
        outputDrift: (c, s) => {
          const w = o.drift.outputWindows(model, c, s);
          if (!w) return { psi: Number.NaN, pValue: 1, samples: 0 };
          const [nc, ns] = [total(w[0]), total(w[1])];
          // PSI of two samples of one distribution is about (bins - 1)(1/n1 + 1/n2), not 0: subtract
          // that bias, or a canary's first hundred outputs read as drift by themselves.
          const bias = (w[0].length - 1) * (1 / Math.max(1, nc) + 1 / Math.max(1, ns));
          return { psi: Math.max(0, psi(w[1], w[0]) - bias), pValue: chiSquareHomogeneity(w[0], w[1]), samples: Math.min(nc, ns) };
        },
        pinStable: (reason) => o.pinStable(model, reason),
        unpinStable: () => o.unpinStable(model),
        promote: o.promote ? (v, reason) => (o.promote as NonNullable<typeof o.promote>)(model, v, reason) : undefined,
        audit: o.audit,
        logger: o.logger,
        failed: (err) => o.background?.failed('canary-analysis', err),
        alerts: { decision: (d: Decision) => decisions.labels({ model, decision: d }), rollbacks: rollbacks.labels({ model }) },
        now: o.now,
      }));
    }
  }

  /** Start every configured analysis whose canary is loaded (a failure is logged, the gateway serves on). */
  async startAll(): Promise<void> {
    for (const [model, a] of this.analyses) {
      await a.start().catch((err: unknown) => this.o.logger.warn({ model, err: err instanceof Error ? err.message : String(err) }, 'canary analysis not started'));
    }
  }

  /** (Re)start one model's analysis from its first step. */
  async start(model: string): Promise<void> {
    await this.get(model).start();
  }

  get(model: string): CanaryAnalysis {
    const a = this.analyses.get(model);
    if (!a) throw notFound(`model '${model}' has no canary analysis configured`);
    return a;
  }

  close(): void {
    for (const a of this.analyses.values()) a.stop();
  }

  /** GET /admin/models/{m}/analysis. */
  view(model: string) {
    const a = this.get(model);
    const s = a.status;
    const settings = this.o.models[model] as AnalysisSettings;
    return {
      model,
      status: s,
      canary: a.canaryVersion ?? settings.canary,
      stable: a.stableVersion ?? null,
      flag: this.o.flagName(model),
      step: { index: a.step, percent: a.percent, steps: settings.steps },
      interval_ms: settings.intervalMs,
      min_requests_per_step: settings.minRequestsPerStep,
      promotion: settings.promotion,
      checks: a.lastChecks,
      history: a.history,
    };
  }

  /** Cumulative signals of a version (the analysis subtracts its snapshots). */
  private read(model: string, version: string) {
    const { inferences, shadowRequests } = this.o.metrics;
    // Every protocol's predictions count (v1, OIP JSON and binary, gRPC).
    const ok = inferences.sum({ model, version, status: 'success' });
    const errors = inferences.sum({ model, version, status: 'error' });
    const shadowed = this.o.shadowVersion(model) === version;
    return {
      requests: ok + errors,
      errors,
      latency: this.o.latency.of(model, version),
      quality: this.o.quality.peek(model, version)?.sums,
      shadow: shadowed
        ? { agree: shadowRequests.current({ model, version, outcome: 'agree' }), disagree: shadowRequests.current({ model, version, outcome: 'disagree' }) }
        : undefined,
    };
  }
}
