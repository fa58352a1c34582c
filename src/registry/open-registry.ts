import { AuditLog } from '../audit/audit-log.js';
import { artifactsDirOf, type RegistrySettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SessionOptions } from '../runtime/runner.js';
import { ArtifactStore } from './artifact-store.js';
import { openDatabase, type Db } from './db.js';
import { ModelRegistry, type LifecycleHooks } from './lifecycle.js';
import { RegistryStore } from './registry-store.js';
import { TokenStore } from './tokens.js';
import { ValidationGate } from './validation-gate.js';

/** The registry's stores and rules over one database: what the gateway and the CLI share. */
export interface RegistryHandle {
  db: Db;
  store: RegistryStore;
  artifacts: ArtifactStore;
  audit: AuditLog;
  tokens: TokenStore;
  registry: ModelRegistry;
  close(): void;
}

export interface OpenRegistryOptions {
  /** MODELGATE_ADMIN_TOKEN: authenticates as the bootstrap admin. */
  adminToken?: string;
  session?: SessionOptions;
  logger?: Logger;
  now?: () => Date;
  /** What the registry tells the serving side (the gateway loads before a stage move); none for the CLI. */
  hooks?: LifecycleHooks;
}

/** Open the registry database (migrating it) and its artifact store. */
export function openRegistry(settings: RegistrySettings, opts: OpenRegistryOptions = {}): RegistryHandle {
  const now = opts.now ?? (() => new Date());
  const session = opts.session ?? { providers: ['cpu'], intraOpThreads: 1 };
  const db = openDatabase(settings.dbPath);
  const store = new RegistryStore(db);
  const artifacts = new ArtifactStore(artifactsDirOf(settings));
  const audit = new AuditLog(db, now);
  const tokens = new TokenStore(db, opts.adminToken, now);
  const gate = new ValidationGate(settings.gate, session, now);
  const registry = new ModelRegistry({ store, artifacts, audit, gate, session, logger: opts.logger, now, hooks: opts.hooks });
  return { db, store, artifacts, audit, tokens, registry, close: () => db.close() };
}
