import { AuditLog } from '../audit/audit-log.js';
import { artifactsDirOf, type RegistrySettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SessionOptions } from '../runtime/runner.js';
import { ArtifactStore, type Artifacts } from './artifact-store.js';
import { PgArtifacts } from './engines/pg-artifacts.js';
import { PgEngine, type PgEngineOptions } from './engines/pg-engine.js';
import { SqliteEngine } from './engines/sqlite-engine.js';
import { ModelRegistry, type LifecycleHooks } from './lifecycle.js';
import { RegistryStore } from './registry-store.js';
import { RollbackStore } from './rollback-store.js';
import { ConnectingEngine } from './engines/connecting-engine.js';
import type { SqlEngine } from './sql-engine.js';
import { TokenStore } from './tokens.js';
import { ValidationGate } from './validation-gate.js';

/** The registry's stores and rules over one database: what the gateway and the CLI share. */
export interface RegistryHandle {
  engine: SqlEngine;
  store: RegistryStore;
  artifacts: Artifacts;
  audit: AuditLog;
  tokens: TokenStore;
  rollbacks: RollbackStore;
  registry: ModelRegistry;
  /** Resolves once the database is connected and migrated (rejects when it cannot be). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface OpenRegistryOptions {
  /** MODELGATE_ADMIN_TOKEN: authenticates as the bootstrap admin. */
  adminToken?: string;
  session?: SessionOptions;
  logger?: Logger;
  now?: () => Date;
  /** What the registry tells the serving side (the gateway loads before a stage move); none for the CLI. */
  hooks?: LifecycleHooks;
  /** Shared mode: the LISTEN connection's state and failures (a metric, the background-error count). */
  engine?: Pick<PgEngineOptions, 'onListenState' | 'onListenError'>;
}

/**
 * The engine the settings name: PostgreSQL when databaseUrl is set (shared mode), else the SQLite
 * file. SQLite opens (and migrates) at once; PostgreSQL connects in the background, its queries
 * waiting for it, so the gateway can be built synchronously and fail at start() instead.
 */
export function openEngine(settings: RegistrySettings, opts: PgEngineOptions = {}): { engine: SqlEngine; ready: Promise<void> } {
  if (!settings.databaseUrl) return { engine: SqliteEngine.open(settings.dbPath), ready: Promise.resolve() };
  const engine = new ConnectingEngine(PgEngine.open(settings.databaseUrl, opts));
  return { engine, ready: engine.connected.then(() => undefined) };
}

/** Open the registry database (migrating it) and its artifact store. */
export function openRegistry(settings: RegistrySettings, opts: OpenRegistryOptions = {}): RegistryHandle {
  const now = opts.now ?? (() => new Date());
  const session = opts.session ?? { providers: ['cpu'], intraOpThreads: 1 };
  const { engine, ready } = openEngine(settings, opts.engine);
  const store = new RegistryStore(engine);
  const artifacts = engine.kind === 'postgres' ? new PgArtifacts(engine) : new ArtifactStore(artifactsDirOf(settings));
  const audit = new AuditLog(engine, now);
  const tokens = new TokenStore(engine, opts.adminToken, now);
  const gate = new ValidationGate(settings.gate, session, now);
  const registry = new ModelRegistry({ store, artifacts, audit, gate, session, logger: opts.logger, now, hooks: opts.hooks });
  const rollbacks = new RollbackStore(engine, audit);
  return { engine, store, artifacts, audit, tokens, rollbacks, registry, ready, close: () => engine.close() };
}
