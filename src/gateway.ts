import { resolve } from 'node:path';
import type { Hono } from 'hono';
import type { GatewayConfig } from './config/schema.js';
import { buildExecutor } from './core/build-executor.js';
import type { InferenceExecutor } from './core/executor.js';
import { PredictionService } from './core/prediction-service.js';
import type { AppEnv } from './http/app-env.js';
import { createApp } from './http/app.js';
import { InFlightRequests } from './http/middleware/in-flight.js';
import { createLogger, type Logger } from './logger.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { ModelRepository } from './repository/model-repository.js';
import { DirectorySource, type ModelSource } from './repository/model-source.js';
import { NullAuditSink, type AuditSink } from './audit/audit-sink.js';
import { createFlagSource } from './routing/create-flag-source.js';
import type { FlagSource } from './routing/flag-source.js';
import { FlagVersionChooser } from './routing/flag-router.js';
import { RollbackOverrides } from './routing/rollback-overrides.js';
import { ShadowObserver } from './routing/shadow.js';
import { VersionRouter } from './routing/version-router.js';
import type { RegistrySettings } from './config/registry-schema.js';
import { openGovernance, type Governance } from './registry/governance.js';

export interface GatewayOptions {
  logger?: Logger;
  metrics?: GatewayMetrics;
  /** Wrap the executor (cache, batching); default runs the model directly. */
  executor?: InferenceExecutor;
  /** Where versions come from; default the models/ folder of the config. */
  source?: ModelSource;
  /** Flag source; default from config (flags file or Unleash server). */
  flags?: FlagSource;
  /** Model registry and governance (issue #5), on when given and enabled: serve passes loadRegistrySettings(). */
  registry?: RegistrySettings;
}

/**
 * The whole gateway wired together, with an explicit lifecycle: create -> start (load models)
 * -> serve -> close (stop taking traffic, drain, dispose sessions).
 */
export class Gateway {
  readonly app: Hono<AppEnv>;
  readonly repository: ModelRepository;
  readonly router: VersionRouter;
  readonly service: PredictionService;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly overrides = new RollbackOverrides();
  readonly inFlight = new InFlightRequests();
  flags: FlagSource | undefined;
  /** Governance events (rollback, loads); the registry replaces it with its hash-chained log. */
  audit: AuditSink = new NullAuditSink();
  /** The registry (issue #5): source of versions, production = stable, audit log, trace, /admin routes. */
  readonly governance: Governance | undefined;
  private ready = false;

  constructor(readonly config: GatewayConfig, private readonly options: GatewayOptions = {}) {
    this.logger = options.logger ?? createLogger(config.logLevel);
    this.metrics = options.metrics ?? new GatewayMetrics();
    const settings = (model: string) => config.models[model];
    // --- governance (issue #5): opened before the repository, which loads from its source ---
    const gov = options.registry?.enabled
      ? openGovernance(
          {
            settings: options.registry,
            modelsDir: resolve(config.modelsDir),
            adminToken: config.adminToken,
            session: { providers: config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads },
            importProduction: (m) => settings(m)?.defaultVersion,
            logger: this.logger,
            metrics: this.metrics,
          },
          { repository: () => this.repository },
        )
      : undefined;
    this.governance = gov;
    if (gov) this.audit = gov.audit;
    this.repository = new ModelRepository({
      source: options.source ?? gov?.source ?? new DirectorySource(resolve(config.modelsDir)),
      logger: this.logger,
      metrics: this.metrics,
      versionsFor: (m) => settings(m)?.versions,
      load: (m) => ({
        session: { providers: settings(m)?.executionProviders ?? config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads },
        runner: settings(m)?.runner ?? 'auto',
        workerThresholdMs: config.runtime.workerThresholdMs,
        warmupRuns: config.runtime.warmupRuns,
      }),
    });
    this.router = new VersionRouter({
      repository: this.repository,
      stableVersion: (m) => gov?.stableVersion(m) ?? settings(m)?.defaultVersion,
      aliases: (m) => (gov ? { ...settings(m)?.aliases, ...gov.aliases(m) } : (settings(m)?.aliases ?? {})),
    });
    this.service = new PredictionService({
      resolver: this.router,
      executor: options.executor ?? buildExecutor(config, this.repository, this.metrics),
      metrics: this.metrics,
      maxBatchInstances: config.limits.maxBatchInstances,
      maxInFlight: config.limits.maxInFlight,
    });
    this.app = createApp({
      config,
      repository: this.repository,
      router: this.router,
      service: this.service,
      metrics: this.metrics,
      logger: this.logger,
      isReady: () => this.ready,
      inFlight: this.inFlight,
      overrides: this.overrides,
      flags: () => this.flags,
      audit: () => this.audit,
      adminRoutes: gov ? [gov.routes] : [],
      authenticate: gov ? (token) => gov.handle.tokens.authenticate(token) : undefined,
    });
  }

  async start(): Promise<void> {
    this.flags = this.options.flags ?? (await createFlagSource(this.config, this.logger, this.metrics));
    const flagName = (m: string) => this.config.models[m]?.flag ?? m;
    this.router.useFlags(new FlagVersionChooser(this.flags, flagName, this.overrides));
    if (Object.values(this.config.models).some((m) => m.shadow)) {
      this.service.addObserver(new ShadowObserver(this.repository, (m) => this.config.models[m]?.shadow, this.metrics));
    }
    await this.governance?.start();
    if (this.governance?.traceObserver) this.service.addObserver(this.governance.traceObserver);
    await this.repository.loadAll();
    this.ready = true;
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
    const deadline = Date.now() + graceMs;
    while ((this.inFlight.count > 0 || this.service.pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.flags?.close();
    await this.governance?.close();
    await this.repository.close();
  }
}
