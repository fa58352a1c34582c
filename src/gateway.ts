import { resolve } from 'node:path';
import type { Hono } from 'hono';
import type { GatewayConfig } from './config/schema.js';
import { DirectExecutor, type InferenceExecutor } from './core/executor.js';
import { PredictionService } from './core/prediction-service.js';
import type { AppEnv } from './http/app-env.js';
import { createApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { ModelRepository } from './repository/model-repository.js';
import { DirectorySource, type ModelSource } from './repository/model-source.js';
import { VersionRouter } from './routing/version-router.js';

export interface GatewayOptions {
  logger?: Logger;
  metrics?: GatewayMetrics;
  /** Wrap the executor (cache, batching); default runs the model directly. */
  executor?: InferenceExecutor;
  /** Where versions come from; default the models/ folder of the config. */
  source?: ModelSource;
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
  private ready = false;

  constructor(readonly config: GatewayConfig, options: GatewayOptions = {}) {
    this.logger = options.logger ?? createLogger(config.logLevel);
    this.metrics = options.metrics ?? new GatewayMetrics();
    const settings = (model: string) => config.models[model];
    this.repository = new ModelRepository({
      source: options.source ?? new DirectorySource(resolve(config.modelsDir)),
      logger: this.logger,
      metrics: this.metrics,
      versionsFor: (m) => settings(m)?.versions,
      load: (m) => ({
        session: { providers: config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads },
        runner: settings(m)?.runner ?? 'auto',
        workerThresholdMs: config.runtime.workerThresholdMs,
        warmupRuns: config.runtime.warmupRuns,
      }),
    });
    this.router = new VersionRouter({
      repository: this.repository,
      stableVersion: (m) => settings(m)?.defaultVersion,
      aliases: (m) => settings(m)?.aliases ?? {},
    });
    this.service = new PredictionService({
      resolver: this.router,
      executor: options.executor ?? new DirectExecutor(),
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
    });
  }

  async start(): Promise<void> {
    await this.repository.loadAll();
    this.ready = true;
  }

  /** Fail readiness, wait for in-flight predictions (up to the grace period), free sessions. */
  async close(graceMs = this.config.shutdownGraceMs): Promise<void> {
    this.ready = false;
    const deadline = Date.now() + graceMs;
    while (this.service.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await this.repository.close();
  }
}
