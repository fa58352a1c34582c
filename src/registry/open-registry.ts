import { AuditLog } from '../audit/audit-log.js';
import { artifactsDirOf, type RegistrySettings } from '../config/registry-schema.js';
import { ConfigError } from '../config/config-error.js';
import type { Logger } from '../logger.js';
import type { RunnerFactory, SessionOptions } from '../contracts/runner.js';
import { ArtifactStore, type Artifacts } from './artifact-store.js';
import { PgArtifacts } from './engines/pg-artifacts.js';
import { PgEngine, type PgEngineOptions } from './engines/pg-engine.js';
import { SqliteEngine } from './engines/sqlite-engine.js';
import { ModelRegistry } from './lifecycle.js';
import { type LifecycleHooks } from './lifecycle-types.js';
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
  /** Opens the validation gate's sessions (the composition root's `servableRunners(session)`). */
  openRunner: RunnerFactory;
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
  const url = settings.databaseUrl;
  const timeouts = { connectTimeoutMs: settings.connectTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs };
  const engine = new ConnectingEngine(PgEngine.open(url, { ...timeouts, ...opts }));
  const ready = engine.connected.then(
    () => undefined,
    (err: unknown) => {
      throw openFailure(url, err);
    },
  );
  // Awaited later (start); until then a rejection must not count as unhandled (it exits the process).
  ready.catch(() => undefined);
  return { engine, ready };
}

/** Why the shared database could not be opened, in one line; a host that does not resolve is a configuration error. */
function openFailure(url: string, err: unknown): Error {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  let where = 'MODELGATE_DATABASE_URL';
  try {
    const u = new URL(url);
    where = `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    // The schema checked the URL; keep the variable's name.
  }
  const text = `cannot open the registry database (${where}): ${message.split('\n')[0]}`;
  const code = (cause as { code?: unknown }).code;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? new ConfigError(text) : new Error(text, { cause });
}

/** Open the registry database (migrating it) and its artifact store. */
export function openRegistry(settings: RegistrySettings, opts: OpenRegistryOptions): RegistryHandle {
  const now = opts.now ?? (() => new Date());
  const session = opts.session ?? { providers: ['cpu'], intraOpThreads: 1 };
  const { engine, ready } = openEngine(settings, opts.engine);
  const store = new RegistryStore(engine);
  const artifacts = engine.kind === 'postgres' ? new PgArtifacts(engine) : new ArtifactStore(artifactsDirOf(settings));
  const audit = new AuditLog(engine, now);
  const tokens = new TokenStore(engine, opts.adminToken, now);
  const gate = new ValidationGate(settings.gate, opts.openRunner, now);
  const registry = new ModelRegistry({ store, artifacts, audit, gate, session, logger: opts.logger, now, hooks: opts.hooks });
  const rollbacks = new RollbackStore(engine, audit);
  return { engine, store, artifacts, audit, tokens, rollbacks, registry, ready, close: () => engine.close() };
}
