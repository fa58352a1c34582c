import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { accessControl } from './build-access.js';
import { buildExecutor } from './build-executor.js';
import type { BatchingTuner } from './contracts/batching.js';
import { BatchingControl } from './control/batching-control.js';
import { buildInfo } from './build-info.js';
import { buildMonitoring, type MonitoringParts } from './build-monitoring.js';
import type { CachingExecutor } from './cache/caching-executor.js';
import type { TraceFiles } from './audit/trace-files.js';
import type { GatewayConfig } from './config/schema.js';
import { NullAuditSink, type AuditSink } from './contracts/audit.js';
import type { InferenceExecutor } from './contracts/executor.js';
import type { AccessControl } from './contracts/access.js';
import type { SessionOptions } from './contracts/runner.js';
import type { PredictionObserver } from './contracts/prediction.js';
import type { RequestTracer } from './contracts/tracing.js';
import { ModelCatalog } from './core/catalog.js';
import { PredictionService } from './core/prediction-service.js';
import { RoutingControl } from './control/routing-control.js';
import { governanceControl } from './control/governance-control.js';
import { MonitoringViews } from './control/monitoring-views.js';
import { RepositoryControl } from './control/repository-control.js';
import type { AppEnv } from './http/app-env.js';
import { ExpectedOutcomeLog } from './logging/expected-outcomes.js';
import { createApp } from './http/app.js';
import type { HttpApp } from './http/deps.js';
import type { Authenticate } from './http/middleware/auth.js';
import type { RequestServing } from './http/middleware/serving.js';
import { createLogger, onLoggerFailure, type Logger } from './logger.js';
import { BackgroundTasks } from './logging/background-tasks.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { Governance } from './registry/governance.js';
import { buildGovernance } from './build-governance.js';
import { ModelRepository } from './repository/model-repository.js';
import { DirectorySource, type ModelSource } from './repository/model-source.js';
import { createFlagSource } from './routing/create-flag-source.js';
import type { FlagSource } from './routing/flag-source.js';
import { FlagVersionChooser } from './routing/flag-router.js';
import { RollbackOverrides } from './routing/rollback-overrides.js';
import { ShadowObserver } from './routing/shadow.js';
import { VersionRouter } from './routing/version-router.js';

export interface GatewayOptions {
  logger?: Logger;
  metrics?: GatewayMetrics;
  /** Replace the executor chain (tests); default cache -> batching -> runner from config. */
  executor?: InferenceExecutor;
  /** Where versions come from; default the registry, or the models/ folder without one. */
  source?: ModelSource;
  /** Flag source; default from config (flags file or Unleash server). */
  flags?: FlagSource;
  /** The trace's file system (tests: a disk that fills up on cue); default node:fs. */
  traceFiles?: TraceFiles;
  /** OpenTelemetry tracing (src/tracing, loaded only when OTEL_* asks for it); undefined: off. */
  tracing?: GatewayTracing;
}

/** What the gateway needs of the process's tracing. */
export interface GatewayTracing {
  readonly tracer: RequestTracer;
  /** Export the spans still buffered (on close). */
  shutdown(): Promise<void>;
}

/**
 * The composition root: builds every component, hands each its own slice of the configuration,
 * and owns the lifecycle: create -> start (flags, registry, load models) -> serve -> close
 * (stop taking traffic, drain, dispose sessions).
 */
export class Gateway {
  readonly app: Hono<AppEnv>;
  readonly serving: RequestServing;
  readonly repository: ModelRepository;
  readonly repositoryControl: RepositoryControl;
  /** Dynamic batching changed at run time (the admin API); undefined with an injected executor. */
  readonly batching: BatchingControl | undefined;
  readonly router: VersionRouter;
  readonly service: PredictionService;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Timers, listeners and streams whose failures are counted and logged, never raised. */
  readonly background: BackgroundTasks;
  readonly overrides = new RollbackOverrides();
  flags: FlagSource | undefined;
  /** Governance events (rollback, loads): the registry's hash-chained log, or nowhere without one. */
  readonly audit: AuditSink;
  /** The registry (source of versions, production = stable, audit log, trace), when enabled. */
  readonly governance: Governance | undefined;
  /** Drift, feedback and live quality, canary analysis. */
  readonly monitoring: MonitoringParts;
  /** The read side of the data plane (metadata, readiness), shared by HTTP and gRPC. */
  readonly catalog: ModelCatalog;
  /** The ops token check HTTP's repository routes use, for other protocols (gRPC). */
  readonly access: AccessControl;
  /** Request spans, when tracing is on (gRPC traces its calls with it too). */
  readonly tracer: RequestTracer | undefined;
  private ready = false;
  private readonly caching: CachingExecutor | undefined;

  constructor(readonly config: GatewayConfig, private readonly options: GatewayOptions = {}) {
    this.logger = options.logger ?? createLogger(config.logLevel);
    this.tracer = options.tracing?.tracer;
    this.metrics = options.metrics ?? new GatewayMetrics();
    this.metrics.buildInfo.set({ ...buildInfo() }, 1);
    this.background = new BackgroundTasks(this.logger, {
      inc: (labels) => this.metrics.backgroundErrors.inc(labels),
    });
    onLoggerFailure(this.logger, (task, err) => this.background.failed(task, err));
    const gov = this.openGovernance();
    this.governance = gov;
    this.audit = gov?.audit ?? new NullAuditSink();
    this.repository = this.createRepository(gov);
    this.repositoryControl = new RepositoryControl(this.repository, this.audit, this.logger);
    this.router = new VersionRouter({
      repository: this.repository,
      stableVersion: (m) => gov?.stableVersion(m) ?? this.settings(m)?.defaultVersion,
      aliases: (m) => (gov ? { ...this.settings(m)?.aliases, ...gov.aliases(m) } : (this.settings(m)?.aliases ?? {})),
    });
    let tuner: BatchingTuner | undefined;
    const caching = options.executor ? undefined : buildExecutor(config, this.repository, this.metrics, { background: this.background, onBatching: (t) => (tuner = t) });
    this.batching = tuner && new BatchingControl(tuner, this.repository, this.audit);
    this.caching = caching;
    const routing = this.createRoutingControl(gov);
    this.monitoring = this.createMonitoring(gov, routing);
    this.service = this.createService(gov, options.executor ?? (caching as CachingExecutor));
    const authenticate = gov ? (token: string) => gov.handle.tokens.authenticate(token) : undefined;
    this.catalog = new ModelCatalog(this.repository, this.router, () => this.ready, (): Record<string, string> => {
      const trace = gov?.trace?.log.health?.();
      return trace?.degraded ? { trace: trace.reason ?? 'degraded' } : {};
    });
    this.access = accessControl(authenticate, config.adminToken);
    const { app, serving } = this.createHttp(gov, routing, authenticate);
    this.app = app;
    this.serving = serving;
  }

  private settings(model: string): GatewayConfig['models'][string] | undefined {
    return this.config.models[model];
  }

  /** The flag a model's versions are chosen by (its own name unless its config names another). */
  private readonly flagName = (model: string): string => this.config.models[model]?.flag ?? model;

  private get session(): SessionOptions {
    return { providers: this.config.runtime.executionProviders, intraOpThreads: this.config.runtime.intraOpThreads };
  }

  /** The registry wired in (source of versions, audit log, trace), when the config enables it. */
  private openGovernance(): Governance | undefined {
    const config = this.config;
    if (!config.registry.enabled) return undefined;
    return buildGovernance({
      settings: config.registry,
      modelsDir: resolve(config.modelsDir),
      adminToken: config.adminToken,
      session: this.session,
      importProduction: (m) => this.settings(m)?.defaultVersion,
      logger: this.logger,
      metrics: this.metrics,
      background: this.background,
      traceFiles: this.options.traceFiles,
      repository: () => this.repository,
      overrides: this.overrides,
      claimed: (e) => this.repositoryControl.claims(e),
    });
  }

  /** Loaded versions from the registry, an injected source, or the models/ folder. */
  private createRepository(gov: Governance | undefined): ModelRepository {
    const { config } = this;
    const session = this.session;
    return new ModelRepository({
      source: this.options.source ?? gov?.source ?? new DirectorySource(resolve(config.modelsDir)),
      logger: this.logger,
      metrics: this.metrics,
      versionsFor: (m) => this.settings(m)?.versions,
      load: (m) => ({
        session: { ...session, providers: this.settings(m)?.executionProviders ?? session.providers },
        runner: this.settings(m)?.runner ?? 'auto',
        workerThresholdMs: config.runtime.workerThresholdMs,
        warmupRuns: config.runtime.warmupRuns,
        onWorkerFailure: (err) => this.background.failed('inference-worker', err),
      }),
    });
  }

  private createRoutingControl(gov: Governance | undefined): RoutingControl {
    const { config } = this;
    return new RoutingControl({
      repository: this.repository,
      router: this.router,
      overrides: this.overrides,
      shared: () => gov?.handle.rollbacks,
      flags: () => this.flags,
      flagName: this.flagName,
      shadow: (m) => config.models[m]?.shadow,
      audit: this.audit,
      logger: this.logger,
    });
  }

  /** Drift, feedback and live quality, and canary analysis, whose actuators pin through routing. */
  private createMonitoring(gov: Governance | undefined, routing: RoutingControl): MonitoringParts {
    return buildMonitoring({
      config: this.config, metrics: this.metrics, repository: this.repository, router: this.router, governance: gov, flags: () => this.flags,
      // A rollback can now be refused (503: the store unreachable): counted and logged, never an unhandled rejection.
      pinStable: (m, reason) => this.background.run('canary-pin', () => routing.rollback(m, 'canary-analysis', reason)),
      unpinStable: (m) => this.background.run('canary-pin', () => this.overrides.get(m)?.actor === 'canary-analysis' && routing.clearRollback(m, 'canary-analysis')),
      audit: this.audit, logger: this.logger, background: this.background,
    });
  }

  /** The data plane's predict, observed by governance, monitoring and shadows. */
  private createService(gov: Governance | undefined, executor: InferenceExecutor): PredictionService {
    const { config } = this;
    const caching = this.caching;
    const observers: PredictionObserver[] = [...(gov?.observers ?? []), ...this.monitoring.observers];
    if (Object.values(config.models).some((m) => m.shadow)) {
      observers.push(new ShadowObserver(this.repository, (m) => config.models[m]?.shadow, this.metrics));
    }
    return new PredictionService({
      resolver: this.router,
      executor,
      metrics: this.metrics,
      maxBatchInstances: config.limits.maxBatchInstances,
      maxInFlight: config.limits.maxInFlight,
      cacheEnabled: caching ? (m) => caching.enabledFor(m) : undefined,
      countHit: caching ? (m) => caching.countHit(m) : undefined,
      observers,
      flagOf: this.flagName,
    });
  }

  /** The Hono app over the data and control planes. */
  private createHttp(gov: Governance | undefined, routing: RoutingControl, authenticate: Authenticate | undefined): HttpApp {
    const { config } = this;
    return createApp({
      settings: {
        maxBodyBytes: config.limits.maxBodyBytes,
        maxBinaryBodyBytes: config.limits.maxBinaryBodyBytes,
        maxUploadBytes: config.limits.maxUploadBytes,
        adminToken: config.adminToken,
        trustedProxies: config.http.trustedProxies,
        authThrottle: config.http.authThrottle,
      },
      service: this.service,
      catalog: this.catalog,
      routing,
      monitoring: new MonitoringViews(this.monitoring, this.repository),
      repositoryControl: this.repositoryControl,
      ...(this.batching ? { batching: this.batching } : {}),
      metrics: this.metrics,
      logger: this.logger,
      outcomes: new ExpectedOutcomeLog(this.logger),
      governance: gov ? governanceControl(gov) : undefined,
      authenticate,
      tracer: this.tracer,
    });
  }

  async start(): Promise<void> {
    this.flags = this.options.flags ?? (await createFlagSource(this.config, this.logger, this.metrics, this.background));
    this.router.useFlags(new FlagVersionChooser(this.flags, this.flagName, this.overrides));
    await this.governance?.start();
    await this.repository.loadAll();
    this.monitoring.drift.start();
    this.ready = true;
    await this.monitoring.analysis.startAll();
  }

  /** Fail readiness now (SIGTERM): load balancers stop sending while requests are still served. */
  failReadiness(): void {
    this.ready = false;
  }

  /**
   * After the listener stopped: wait for in-flight predictions (up to the grace period), then
   * flush the prediction trace and close the audit log (governance), and only then free the
   * sessions, so nothing answered is missing from the trace and no request sees "not loaded".
   */
  async close(graceMs = this.config.shutdownGraceMs): Promise<void> {
    this.ready = false;
    this.monitoring.analysis.close();
    this.monitoring.drift.close();
    const deadline = Date.now() + graceMs;
    while ((this.serving.inFlight > 0 || this.service.pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.flags?.close();
    await this.governance?.close();
    await this.repository.close();
    await this.caching?.close();
    // Last: spans of the requests drained above still go out.
    await this.options.tracing?.shutdown().catch((err: unknown) => this.logger.warn({ err }, 'trace export on shutdown failed'));
  }
}
