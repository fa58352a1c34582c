import type { Manifest } from './manifest.js';
import type { ModelRunner } from './runner.js';

/**
 * A loaded, serving model version as every layer above the repository sees it (the repository's
 * class implements it). Requests hold it with acquire/release, so an unload disposes the session
 * only once they are done.
 */
export interface LoadedVersion {
  readonly name: string;
  readonly version: string;
  /** `name@version`. */
  readonly key: string;
  readonly loadedAt: Date;
  readonly manifest: Manifest;
  readonly runner: ModelRunner;
  /** Median warm-up latency in ms, as measured at load. */
  readonly warmupMs: number;
  acquire(): void;
  release(): void;
}

/** The loaded versions of each model, read-only: what routing and shadowing look up. */
export interface LoadedVersions {
  has(model: string): boolean;
  get(model: string, version: string): LoadedVersion | undefined;
  /** Loaded versions of `model`, lowest first. */
  versions(model: string): LoadedVersion[];
  /** The configured stable version when loaded, else the highest loaded one. */
  defaultVersion(model: string, configured?: string): LoadedVersion | undefined;
}
