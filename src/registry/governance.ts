import type { BackgroundTasks } from '../logging/background-tasks.js';
import type { VerifyResult } from '../audit/audit-log.js';
import type { PredictionTrace } from '../audit/prediction-trace.js';
import type { RegistrySettings } from '../config/registry-schema.js';
import type { AuditSink } from '../contracts/audit.js';
import type { PredictionObserver } from '../contracts/prediction.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ModelRepository, RepositoryEvent } from '../repository/model-repository.js';
import type { ModelSource } from '../repository/model-source.js';
import type { RunnerFactory, SessionOptions } from '../contracts/runner.js';
import { PgTraceLog } from '../audit/pg-trace-log.js';
import type { RollbackOverride } from '../contracts/rollback.js';
import type { SqlEngine } from './sql-engine.js';
import { importModels, type ImportReport } from './import-models.js';
import { openRegistry, type RegistryHandle } from './open-registry.js';
import type { Stage } from '../contracts/stages.js';
import { RegistrySource } from './registry-source.js';
import { RepositoryBroadcast } from './repository-broadcast.js';
import { RoutingCaches } from './routing-caches.js';

export interface GovernanceOptions {
  settings: RegistrySettings;
  /** The models/ folder imported on first start. */
  modelsDir: string;
  /** MODELGATE_ADMIN_TOKEN (the bootstrap admin). */
  adminToken?: string;
  /** Sessions for registration checks. */
  session: SessionOptions;
  /** Opens the validation gate's runners (made by the composition root). */
  openRunner: RunnerFactory;
  /** Which imported version becomes production on first start (config defaultVersion). */
  importProduction?: (model: string) => string | undefined;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Where the periodic audit check and registry sync report their failures. */
  background: BackgroundTasks;
  now?: () => Date;
  /** The repository that serves (made after governance: it loads from `source`). */
  repository: () => ModelRepository;
  /** Told the stored rollback overrides whenever the caches are refreshed (routing's view of them). */
  onRollbacks?: (active: Map<string, RollbackOverride>) => void;
  /** Makes the prediction trace over the registry's engine (undefined: switched off); `stageOf` reads the stage cache. */
  trace?: (engine: SqlEngine, stageOf: (model: string, version: string) => Stage | undefined) => PredictionTrace | undefined;
  /** How often the audit chain is re-verified in the background (default 5 minutes; chaos runs use seconds). */
  auditVerifyIntervalMs?: number;
  /** Loads/unloads an operator's op made, already audited with its principal (not again as `system`). */
  claimed?: (e: RepositoryEvent) => boolean;
}

/** The actor of loads and unloads the gateway does by itself. */
const SYSTEM = 'system';

/**
 * The registry wired into a gateway: the ModelSource the repository loads from, the stable
 * version and aliases routing asks for (production is stable, staging is the canary candidate),
 * the hash-chained audit sink, the prediction trace, and a lifecycle. The request path reads only
 * in-memory caches (stages, aliases, rollback overrides), refreshed on every change made here and
 * on changes made by other processes: replicas announce them (PostgreSQL NOTIFY), and a poll of
 * the engine's change token (SQLite data_version, PostgreSQL audit head) is the safety net and
 * covers the CLI. Versions whose serving set changed are then loaded or unloaded. The HTTP layer
 * mounts the admin routes over `handle` and `trace`; nothing here knows HTTP.
 */
export class Governance {
  readonly source: ModelSource;
  readonly audit: AuditSink;
  readonly handle: RegistryHandle;
  /** The prediction trace (absent when switched off). */
  readonly trace: PredictionTrace | undefined;
  private readonly caches = new RoutingCaches();
  private lastToken = '';
  /** model -> its serving versions as last reconciled: a sync loads/unloads only where this changed. */
  private serving = new Map<string, string>();
  private unlisten: (() => Promise<void>) | undefined;
  private readonly broadcast: RepositoryBroadcast;
  /** > 0 while loads/unloads follow a registry change made here (audited, not announced: peers follow the registry). */
  private following = 0;
  /** > 0 while loads/unloads follow another process's registry change (audited by that process on PostgreSQL). */
  private catchingUp = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: GovernanceOptions) {
    this.handle = openRegistry(opts.settings, {
      adminToken: opts.adminToken,
      session: opts.session,
      openRunner: opts.openRunner,
      logger: opts.logger,
      now: opts.now,
      engine: {
        onListenState: (up) => opts.metrics.registryListenConnected.set({ store: 'postgres' }, up ? 1 : 0),
        onListenError: (err) => opts.background.failed('registry-listen', err),
      },
      hooks: {
        beforeServe: (model, version) =>
          this.during('following', async () => {
            const repo = opts.repository();
            if (!repo.get(model, version)) await repo.load(model, version);
          }),
        changed: async (model) => {
          await this.refresh();
          await this.during('following', () => this.reconcile(model));
        },
      },
    });
    const { store, artifacts, audit } = this.handle;
    this.source = new RegistrySource(store, artifacts);
    this.audit = audit;
    this.broadcast = new RepositoryBroadcast(this.handle.engine, opts.repository, opts.logger);
    this.trace = opts.trace?.(this.handle.engine, (m, v) => this.caches.stageOf(m, v));
  }

  get registry() {
    return this.handle.registry;
  }

  /** Observers the data plane tells about every answered prediction. */
  get observers(): PredictionObserver[] {
    return this.trace ? [this.trace] : [];
  }

  /** The production version: routing's stable version. */
  stableVersion(model: string): string | undefined {
    return this.caches.stableVersion(model);
  }

  /** Registry aliases plus `production` and `staging` (the canary candidate). */
  aliases(model: string): Record<string, string> {
    return this.caches.aliases(model);
  }

  /**
   * Import models/ on first start, audit the repository's loads and unloads, start the trace's
   * retention and the poll. Call before the repository loads (it loads from `source`).
   */
  async start(): Promise<ImportReport | undefined> {
    const { settings, logger } = this.opts;
    await this.handle.ready;
    await this.refresh();
    const report = settings.importModels
      ? await importModels(this.registry, this.opts.modelsDir, { production: this.opts.importProduction, logger, now: this.opts.now })
      : undefined;
    for (const s of report?.skipped ?? []) this.opts.repository().recordFailure(s.model, s.version, s.cause, s.reason);
    await this.refresh();
    for (const m of await this.handle.store.modelNames()) this.serving.set(m, (await this.handle.store.servingVersions(m)).join(' '));
    const shared = this.handle.engine.kind === 'postgres';
    this.opts.repository().onChange((e) => {
      if (this.broadcast.isReplay(e) || (shared && this.catchingUp > 0)) return;
      if (!this.opts.claimed?.(e)) {
        this.opts.background.run('audit-append', () =>
          this.audit.append({ actor: SYSTEM, action: e.type === 'loaded' ? 'model.load' : 'model.unload', target: `${e.name}@${e.version}` }),
        );
      }
      // A load/unload through the repository API: every replica makes it.
      if (shared && this.following === 0 && this.catchingUp === 0) this.broadcast.announce(e);
    });
    this.trace?.log.start();
    await this.verifyAudit();
    // One pass reads every audit row (governance events, thousands at most: milliseconds).
    this.verifyTimer = this.opts.background.every('audit-verify', this.opts.auditVerifyIntervalMs ?? settings.auditVerifyIntervalMs, () => this.verifyAudit());
    if (settings.pollIntervalMs > 0) this.pollTimer = this.opts.background.every('registry-poll', settings.pollIntervalMs, () => this.poll());
    // Another replica's change arrives within milliseconds; the poll stays the safety net.
    this.unlisten = await this.handle.engine.onAnnounce((what) => {
      if (!this.broadcast.handle(what)) void this.poll(true);
    });
    return report;
  }

  /**
   * Pick up changes other processes committed (replicas, the CLI): load what should now serve,
   * then switch routing (stable = the new production version, aliases, rollback overrides), then
   * unload what was archived. Resolves once the repository matches the registry. `force`: an
   * announced change (skip the change-token test).
   */
  poll(force = false): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      const token = await this.handle.engine.changeToken();
      if (!force && token === this.lastToken) return;
      this.lastToken = token;
      const { store } = this.handle;
      const changed: string[] = [];
      for (const m of await store.modelNames()) {
        const wanted = (await store.servingVersions(m)).join(' ');
        if (this.serving.get(m) !== wanted) changed.push(m);
        this.serving.set(m, wanted);
      }
      await this.during('catchingUp', async () => {
        for (const m of changed) await this.reconcile(m, 'load');
        await this.refresh();
        for (const m of changed) await this.reconcile(m, 'unload');
      });
    }).catch((err: unknown) => this.opts.background.failed('registry-poll', err));
    return this.syncing;
  }

  /** Verify the audit chain and publish the result as `modelgate_audit_chain_ok` (1 ok, 0 broken). */
  async verifyAudit(): Promise<VerifyResult> {
    const result = await this.handle.audit.verify();
    this.opts.metrics.auditChainOk.set({ store: this.handle.engine.kind }, result.ok ? 1 : 0);
    if (!result.ok) this.opts.logger.error({ brokenAt: result.brokenAt, reason: result.reason }, 'audit log: the hash chain does not verify');
    return result;
  }

  /**
   * The registry store as ops see it (/admin/status): reachable (a `SELECT 1` answered within 2 s),
   * the LISTEN connection (shared mode), and whether trace records wait for the database.
   */
  async status(): Promise<{ store: string; reachable: boolean; listening: boolean | null; traceWaiting: boolean }> {
    const { engine } = this.handle;
    const probe = engine.get('SELECT 1 AS one').then(() => true, () => false);
    const reachable = await Promise.race([probe, new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
    const log = this.trace?.log;
    return {
      store: engine.kind,
      reachable,
      listening: engine.listening ?? null,
      traceWaiting: log instanceof PgTraceLog ? log.waiting : false,
    };
  }

  /** Write every trace record appended so far (tests, shutdown). */
  async flushTraces(): Promise<void> {
    await this.trace?.log.drain();
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    clearInterval(this.verifyTimer);
    await this.unlisten?.();
    await this.syncing.catch(() => undefined);
    await this.trace?.log.close();
    await this.handle.close();
  }

  /** Run fn with a cause counter raised: loads and unloads it makes are attributed to that cause. */
  private async during<T>(cause: 'following' | 'catchingUp', fn: () => Promise<T>): Promise<T> {
    this[cause]++;
    try {
      return await fn();
    } finally {
      this[cause]--;
    }
  }

  /** Re-read the caches the request path uses, and routing's rollback overrides. */
  private async refresh(): Promise<void> {
    const token = await this.handle.engine.changeToken();
    await this.caches.reload(this.handle.store);
    if (this.opts.onRollbacks) this.opts.onRollbacks(await this.handle.rollbacks.load());
    this.lastToken = token;
  }

  /** Load what should serve (every stage but archived), unload what should not. Failures are logged, never thrown. */
  private async reconcile(model: string, only?: 'load' | 'unload'): Promise<void> {
    const repo = this.opts.repository();
    const wanted = new Set(await this.handle.store.servingVersions(model));
    this.serving.set(model, [...wanted].join(' '));
    if (only !== 'unload') {
      for (const v of wanted) {
        if (!repo.get(model, v)) await repo.load(model, v).catch((err: unknown) => this.warn(model, v, 'load', err));
      }
    }
    if (only !== 'load') {
      for (const lv of repo.versions(model)) {
        if (!wanted.has(lv.version)) await repo.unload(model, lv.version).catch((err: unknown) => this.warn(model, lv.version, 'unload', err));
      }
    }
  }

  private warn(model: string, version: string, op: string, err: unknown): void {
    this.opts.logger.warn({ model, version, err: err instanceof Error ? err.message : String(err) }, `registry sync: ${op} of ${model}@${version} failed`);
  }
}
