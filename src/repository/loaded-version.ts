import type { LoadedVersion as LoadedVersionView } from '../contracts/loaded-version.js';
import type { ModelRunner } from '../contracts/runner.js';
import type { Manifest } from '../contracts/manifest.js';

/**
 * A model version that is loaded and serving. Requests hold it (acquire/release) so that an
 * unload or a reload disposes the old session only once its in-flight requests are done.
 */
export class LoadedVersion implements LoadedVersionView {
  readonly name: string;
  readonly version: string;
  readonly loadedAt = new Date();
  private inFlight = 0;
  private retired = false;
  private drained: (() => void) | undefined;

  constructor(
    readonly manifest: Manifest,
    readonly runner: ModelRunner,
    /** Median warm-up latency in ms, as measured at load. */
    readonly warmupMs: number,
  ) {
    this.name = manifest.name;
    this.version = manifest.version;
  }

  get key(): string {
    return `${this.name}@${this.version}`;
  }

  acquire(): void {
    this.inFlight++;
  }

  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) this.drained?.();
  }

  /** Stop serving: wait for in-flight requests, then free the session. */
  async retire(): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.runner.dispose();
  }
}
