import type { AnalysisSettings } from '../config/analysis-schema.js';
import type { AuditSink } from '../contracts/audit.js';
import { conflict } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { CounterSlot } from '../metrics/slots.js';
import { QualitySums } from '../quality/live-quality.js';
import { runChecks, type CheckResult } from './checks.js';
import { LatencyCounts } from './signals.js';
import type { TrafficActuator } from './traffic-actuator.js';

export type Decision = 'start' | 'hold' | 'advance' | 'rollback' | 'promote' | 'request_promotion' | 'complete' | 'error';
export type AnalysisStatus = 'running' | 'rolled_back' | 'awaiting_approval' | 'promoted' | 'completed' | 'stopped';

export interface HistoryEntry {
  at: string;
  at_ms: number;
  decision: Decision;
  percent: number;
  to_percent?: number;
  canary_requests: number;
  reason: string;
  checks: CheckResult[];
}

/** Cumulative signals of one version, read each interval (the analysis keeps its own snapshots). */
export interface VersionReading {
  requests: number;
  errors: number;
  latency: LatencyCounts;
  quality: QualitySums | undefined;
  shadow: { agree: number; disagree: number } | undefined;
}

/** What one model's analysis reads and acts on; the composition root wires the real parts. */
export interface CanaryAnalysisDeps {
  model: string;
  settings: AnalysisSettings;
  actuator: TrafficActuator;
  /** The canary's version and the model's task, when it is loaded. */
  canary: () => { version: string; task: string } | undefined;
  stableVersion: () => string;
  read: (version: string) => VersionReading;
  outputDrift: (canary: string, stable: string) => { psi: number; pValue: number; samples: number };
  /** Pin this gateway to stable at once (the rollback override). */
  pinStable: (reason: string) => void;
  /** Release a pin the analysis itself set (a restart); an operator's own rollback stays. */
  unpinStable: () => void;
  /** Promote to production under the registry's rules; undefined without a registry. */
  promote?: (version: string, reason: string) => Promise<void>;
  audit: AuditSink;
  logger: Logger;
  /** A failed tick, counted and logged as background work (task 'canary-analysis'). */
  failed?: (err: unknown) => void;
  alerts: { decision: (d: Decision) => CounterSlot; rollbacks: CounterSlot };
  now?: () => number;
}

interface Snapshot {
  requests: number;
  errors: number;
  latency: LatencyCounts;
  quality: QualitySums;
}

const snap = (r: VersionReading): Snapshot => ({ requests: r.requests, errors: r.errors, latency: r.latency.copy(), quality: r.quality?.copy() ?? new QualitySums() });
const ACTOR = 'canary-analysis';
const MAX_HISTORY = 500;

/**
 * The canary analysis of one model. Each interval: compare the canary in this step with the stable
 * version (error rate, p99 latency, shadow disagreement, output drift, live quality), then hold,
 * advance to the next step, or roll back, through the flag source's actuator. Every decision is
 * audited with its evidence; a rollback also alerts (counter + error log). At 100 % the promotion
 * to production goes through the registry: requested for an approver, or done under an explicit
 * auto-promotion policy.
 */
export class CanaryAnalysis {
  status: AnalysisStatus = 'stopped';
  step = 0;
  canaryVersion: string | undefined;
  stableVersion: string | undefined;
  readonly history: HistoryEntry[] = [];
  lastChecks: CheckResult[] = [];
  private started: { canary: Snapshot; stable: Snapshot } | undefined;
  private stepStart: Snapshot | undefined;
  private killPending = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly d: CanaryAnalysisDeps) {
    this.now = d.now ?? Date.now;
  }

  get percent(): number {
    return this.status === 'running' || this.status === 'awaiting_approval' || this.status === 'promoted' || this.status === 'completed'
      ? (this.d.settings.steps[this.step] ?? 0)
      : 0;
  }

  /** Begin at the first step (again, after a rollback or a stop) and tick every interval. */
  async start(): Promise<void> {
    this.stop();
    await this.ticking;
    const c = this.d.canary();
    this.stableVersion = this.d.stableVersion();
    if (!c) throw conflict(`canary ${this.d.settings.canary} of ${this.d.model} is not loaded`);
    if (c.version === this.stableVersion) throw conflict(`canary ${this.d.settings.canary} of ${this.d.model} is the stable version ${c.version}`);
    this.d.unpinStable();
    this.canaryVersion = c.version;
    this.step = 0;
    this.status = 'running';
    this.started = { canary: snap(this.d.read(c.version)), stable: snap(this.d.read(this.stableVersion)) };
    this.stepStart = this.started.canary;
    await this.d.actuator.setSplit(this.percent);
    this.record('start', `canary ${c.version} vs stable ${this.stableVersion} at ${this.percent} %`, [], 0);
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.status === 'running') this.status = 'stopped';
  }

  /** One interval's analysis (also called by tests); serialised, never two at once. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.evaluate()).catch((err: unknown) => {
      this.d.failed?.(err);
      try {
        this.record('error', err instanceof Error ? err.message : String(err), [], 0);
      } catch (again) {
        this.d.failed?.(again);
      }
    });
    return this.ticking;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.tick().then(() => {
        if (this.status === 'running' || this.killPending) this.schedule();
      });
    }, this.d.settings.intervalMs);
    this.timer.unref();
  }

  private async evaluate(): Promise<void> {
    if (this.killPending) {
      await this.d.actuator.kill();
      this.killPending = false;
    }
    if (this.status !== 'running' || !this.started || !this.stepStart || !this.canaryVersion || !this.stableVersion) return;
    const { settings } = this.d;
    const cNow = this.d.read(this.canaryVersion);
    const sNow = this.d.read(this.stableVersion);
    const inStep = cNow.requests - this.stepStart.requests;
    const task = this.d.canary()?.task ?? 'other';
    const checks = runChecks({
      settings,
      task,
      canary: {
        requests: inStep,
        errors: cNow.errors - this.stepStart.errors,
        latency: cNow.latency.minus(this.stepStart.latency),
        quality: cNow.quality?.minus(this.started.canary.quality),
      },
      stable: {
        requests: sNow.requests - this.started.stable.requests,
        errors: sNow.errors - this.started.stable.errors,
        latency: sNow.latency.minus(this.started.stable.latency),
        quality: sNow.quality,
      },
      shadow: cNow.shadow,
      drift: this.d.outputDrift(this.canaryVersion, this.stableVersion),
    });
    this.lastChecks = checks;
    const failed = checks.filter((c) => c.verdict === 'fail');
    if (failed.length > 0) return this.rollback(`failed: ${failed.map((c) => `${c.name}=${c.value} (stable ${c.stable}; ${c.threshold})`).join(', ')}`, checks, inStep);
    if (inStep < settings.minRequestsPerStep) return this.record('hold', `${inStep} of ${settings.minRequestsPerStep} canary requests in this step`, checks, inStep);
    const waiting = checks.filter((c) => c.verdict === 'wait');
    if (waiting.length > 0) return this.record('hold', `waiting for data: ${waiting.map((c) => c.name).join(', ')}`, checks, inStep);
    if (this.step < settings.steps.length - 1) return this.advance(checks, inStep);
    return this.finish(checks, inStep);
  }

  private async advance(checks: CheckResult[], inStep: number): Promise<void> {
    const to = this.d.settings.steps[this.step + 1] as number;
    await this.d.actuator.setSplit(to).catch((err: unknown) => {
      throw new Error(`could not move to ${to} %, staying at ${this.percent} % and trying again next interval: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.record('advance', `all checks pass over ${inStep} canary requests`, checks, inStep, to);
    this.step++;
    this.stepStart = snap(this.d.read(this.canaryVersion as string));
  }

  private async rollback(reason: string, checks: CheckResult[], inStep: number): Promise<void> {
    if (this.d.settings.rollbackOverride) this.d.pinStable(`canary analysis: ${reason}`);
    this.status = 'rolled_back';
    this.d.alerts.rollbacks.inc();
    this.d.logger.error({ model: this.d.model, canary: this.canaryVersion, stable: this.stableVersion, reason }, 'canary analysis: rolled back the canary');
    this.record('rollback', reason, checks, inStep, 0);
    try {
      await this.d.actuator.kill();
    } catch (err) {
      // Retried every interval until the flag source takes it; this gateway is already pinned to stable.
      this.killPending = true;
      throw new Error(`kill switch not applied yet, retried every interval (this gateway already serves stable): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async finish(checks: CheckResult[], inStep: number): Promise<void> {
    const version = this.canaryVersion as string;
    const reason = `canary analysis: ${version} passed every step up to 100 %`;
    if (!this.d.promote) {
      this.status = 'completed';
      return this.record('complete', `${reason}; no registry: make it the default version in the config`, checks, inStep);
    }
    if (this.d.settings.promotion === 'auto') {
      await this.d.promote(version, `${reason} (auto-promotion policy)`);
      this.status = 'promoted';
      return this.record('promote', `${reason}; promoted to production under the model's auto-promotion policy`, checks, inStep);
    }
    this.status = 'awaiting_approval';
    this.record('request_promotion', `${reason}; an approver confirms with POST /admin/models/${this.d.model}/versions/${version}/promote {"stage":"production"}`, checks, inStep);
  }

  private record(decision: Decision, reason: string, checks: CheckResult[], inStep: number, to?: number): void {
    const at = this.now();
    const percent = decision === 'rollback' ? (this.d.settings.steps[this.step] ?? 0) : this.percent;
    const entry: HistoryEntry = { at: new Date(at).toISOString(), at_ms: at, decision, percent, ...(to === undefined ? {} : { to_percent: to }), canary_requests: inStep, reason, checks };
    this.history.push(entry);
    if (this.history.length > MAX_HISTORY) this.history.shift();
    this.d.alerts.decision(decision).inc();
    try {
      this.d.audit.append({
        actor: ACTOR,
        action: `analysis.${decision}`,
        target: `${this.d.model}@${this.canaryVersion ?? this.d.settings.canary}`,
        before: { percent },
        after: { percent: to ?? percent, status: this.status, canary_requests: inStep, checks },
        reason,
      });
    } catch (err) {
      this.d.logger.error({ err, model: this.d.model }, 'audit log: could not record a canary analysis decision');
    }
  }
}
