import { modelNotFound, versionNotFound, GatewayError } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { unbatchableReason } from '../contracts/batch-axes.js';
import type { LoadedVersions } from '../contracts/loaded-version.js';
import type { LoadedVersion } from './loaded-version.js';
import { assertNames } from '../contracts/names.js';
import type { ModelSource } from './model-source.js';
import { compareSemver, highestVersion } from './semver.js';
import { LoadFailure, loadVersion, type LoadOptions } from './version-loader.js';

export type VersionState = 'LOADING' | 'READY' | 'UNAVAILABLE' | 'FAILED';

export interface IndexEntry {
  name: string;
  version: string;
  state: VersionState;
  reason: string;
}

export type RepositoryEvent = { type: 'loaded' | 'unloaded'; name: string; version: string };

export interface RepositoryOptions {
  source: ModelSource;
  load: (model: string) => LoadOptions;
  /** Versions to load per model (undefined: all on disk). */
  versionsFor?: (model: string) => string[] | undefined;
  logger: Logger;
  metrics: GatewayMetrics;
}

/**
 * The model repository (a ModelSource: models/ on disk or the registry) and what of it is serving. Loads build
 * and warm the new session before it takes traffic; a failed load keeps the old one serving.
 */
export class ModelRepository implements LoadedVersions {
  private readonly serving = new Map<string, Map<string, LoadedVersion>>();
  private readonly states = new Map<string, IndexEntry>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: ((e: RepositoryEvent) => void)[] = [];

  constructor(private readonly opts: RepositoryOptions) {}

  onChange(listener: (e: RepositoryEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Load every model found on disk; refused versions are logged and counted, the rest serve. */
  async loadAll(): Promise<void> {
    for (const name of await this.modelNames()) {
      await this.load(name).catch(() => undefined);
    }
  }

  /** Load one version, or every version on disk, of a model. Rejects when nothing loaded. */
  async load(name: string, version?: string): Promise<LoadedVersion[]> {
    assertSafeName(name, version);
    // Unknown names are refused before any load is tried: no state, no metric series for them.
    const available = await this.versionDirs(name);
    if (available.length === 0) throw new GatewayError('model_not_found', 404, `model '${name}' is not in the repository`);
    if (version && !available.includes(version)) throw new GatewayError('version_not_found', 404, `version '${version}' of model '${name}' is not in the repository`);
    const wanted = version ? [version] : (this.opts.versionsFor?.(name) ?? available);
    if (wanted.length === 0) throw modelNotFound(name);
    const loaded: LoadedVersion[] = [];
    let lastError: unknown;
    for (const v of wanted) {
      try {
        loaded.push(await this.withLock(`${name}@${v}`, () => this.loadOne(name, v)));
      } catch (err) {
        lastError = err;
      }
    }
    if (loaded.length === 0) throw lastError;
    return loaded;
  }

  /** Stop serving one version or all of a model; in-flight requests finish first. */
  async unload(name: string, version?: string): Promise<string[]> {
    assertSafeName(name, version);
    const versions = this.serving.get(name);
    if (!versions || versions.size === 0) throw modelNotFound(name);
    const targets = version ? [version] : [...versions.keys()];
    if (version && !versions.has(version)) throw versionNotFound(name, version);
    await Promise.all(
      targets.map((v) =>
        this.withLock(`${name}@${v}`, async () => {
          const lv = versions.get(v);
          if (!lv) return;
          versions.delete(v);
          this.setState(name, v, 'UNAVAILABLE', 'unloaded');
          this.opts.metrics.modelInfo.remove({ model: name, version: v, provider: lv.runner.provider, runner: lv.runner.mode });
          this.emit({ type: 'unloaded', name, version: v });
          await lv.retire();
        }),
      ),
    );
    if (versions.size === 0) this.serving.delete(name);
    return targets;
  }

  get(name: string, version: string): LoadedVersion | undefined {
    return this.serving.get(name)?.get(version);
  }

  has(name: string): boolean {
    return (this.serving.get(name)?.size ?? 0) > 0;
  }

  /** Loaded versions of a model, lowest semver first. */
  versions(name: string): LoadedVersion[] {
    return [...(this.serving.get(name)?.values() ?? [])].sort((a, b) => compareSemver(a.version, b.version));
  }

  models(): string[] {
    return [...this.serving.keys()].sort();
  }

  /** The configured default if it is loaded, else the highest loaded semver. */
  defaultVersion(name: string, configured?: string): LoadedVersion | undefined {
    const versions = this.serving.get(name);
    if (!versions) return undefined;
    if (configured && versions.has(configured)) return versions.get(configured);
    const top = highestVersion(versions.keys());
    return top ? versions.get(top) : undefined;
  }

  /** Triton's repository index: every version seen, with its state and why. */
  async index(): Promise<IndexEntry[]> {
    const entries = new Map(this.states);
    for (const name of await this.modelNames()) {
      for (const v of await this.versionDirs(name)) {
        const key = `${name}@${v}`;
        if (!entries.has(key)) entries.set(key, { name, version: v, state: 'UNAVAILABLE', reason: 'not loaded' });
      }
    }
    return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name) || compareSemver(a.version, b.version));
  }

  /**
   * A version refused before it reached this repository (e.g. by the registry's import): shown
   * like a failed load, in the log, `modelgate_model_load_failures_total` and the index.
   */
  recordFailure(name: string, version: string, reason: string, message: string): void {
    this.opts.metrics.modelLoadFailures.inc({ model: name, reason });
    this.opts.logger.error({ model: name, version, reason, err: message }, `refused to load ${name}@${version}: ${message}`);
    if (!this.get(name, version)) this.setState(name, version, 'FAILED', message);
  }

  state(name: string, version: string): IndexEntry | undefined {
    return this.states.get(`${name}@${version}`);
  }

  /** Dispose every session (graceful shutdown). */
  async close(): Promise<void> {
    const all = [...this.serving.values()].flatMap((m) => [...m.values()]);
    this.serving.clear();
    await Promise.all(all.map((lv) => lv.retire()));
  }

  private async loadOne(name: string, version: string): Promise<LoadedVersion> {
    const { logger, metrics } = this.opts;
    const previous = this.get(name, version);
    if (!previous) this.setState(name, version, 'LOADING', '');
    const started = performance.now();
    try {
      const { manifest, artifact, notes } = await this.opts.source.read(name, version);
      for (const note of notes ?? []) logger.warn({ model: name, version }, `${name}@${version}: ${note}`);
      const lv = await loadVersion(manifest, artifact, this.opts.load(name));
      let versions = this.serving.get(name);
      if (!versions) this.serving.set(name, (versions = new Map()));
      versions.set(version, lv);
      this.setState(name, version, 'READY', '');
      if (previous) metrics.modelInfo.remove({ model: name, version, provider: previous.runner.provider, runner: previous.runner.mode });
      metrics.modelInfo.set({ model: name, version, provider: lv.runner.provider, runner: lv.runner.mode }, 1);
      metrics.modelLoadDuration.observe({ model: name }, (performance.now() - started) / 1000);
      for (const f of lv.runner.fallbacks) {
        logger.warn({ model: name, version, provider: f.provider, err: f.error }, `execution provider ${f.provider} unavailable for ${name}@${version}; fell back`);
      }
      logger.info(
        { model: name, version, provider: lv.runner.provider, runner: lv.runner.mode, warmupMs: round(lv.warmupMs) },
        previous ? 'model version reloaded' : 'model version loaded',
      );
      const unbatchable = unbatchableReason(lv.manifest);
      if (unbatchable) logger.info({ model: name, version, reason: unbatchable }, `${name}@${version} is served without dynamic batching: ${unbatchable}`);
      this.emit({ type: 'loaded', name, version });
      if (previous) await previous.retire();
      return lv;
    } catch (err) {
      const reason = err instanceof LoadFailure ? err.reason : 'session_failed';
      const message = err instanceof Error ? err.message : String(err);
      metrics.modelLoadFailures.inc({ model: name, reason });
      logger.error({ model: name, version, reason, err: message }, `refused to load ${name}@${version}: ${message}`);
      // A failed reload keeps the previous session serving.
      if (!previous) this.setState(name, version, 'FAILED', message);
      throw err instanceof GatewayError ? err : new LoadFailure('session_failed', message);
    }
  }

  private setState(name: string, version: string, state: VersionState, reason: string): void {
    const key = `${name}@${version}`;
    const old = this.states.get(key);
    if (old) this.opts.metrics.modelState.remove({ model: name, version, state: old.state.toLowerCase() });
    this.states.set(key, { name, version, state, reason });
    this.opts.metrics.modelState.set({ model: name, version, state: state.toLowerCase() }, 1);
  }

  private emit(e: RepositoryEvent): void {
    for (const l of this.listeners) l(e);
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  private modelNames(): Promise<string[]> {
    return this.opts.source.names();
  }

  private versionDirs(name: string): Promise<string[]> {
    return this.opts.source.versions(name);
  }
}

/** Names reach the filesystem: only [a-zA-Z0-9_-] names and semver/integer versions pass. */
const assertSafeName = assertNames;

const round = (x: number) => Math.round(x * 1000) / 1000;
