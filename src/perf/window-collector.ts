import type { ResponseSink } from './load-driver.js';
import { summarize, type LatencySummary } from './percentiles.js';

/** What one measurement window saw at the client. */
export interface WindowStats {
  durationMs: number;
  /** Answered with a 2xx. */
  ok: number;
  /** 2xx answers a second. */
  throughput: number;
  /** Latency of the 2xx answers. */
  latency: LatencySummary;
  /** Everything but 2xx: HTTP status or gRPC/socket error code -> count. */
  errors: Record<string, number>;
  versions: Record<string, number>;
  /** x-cache verdicts (hit, miss, bypass) -> count. */
  cache: Record<string, number>;
}

/** Collects answers into the current window; `close()` ends it and starts the next. */
export class WindowCollector implements ResponseSink {
  private latencies: number[] = [];
  private errors: Record<string, number> = {};
  private versions: Record<string, number> = {};
  private cache: Record<string, number> = {};
  private started = performance.now();
  /** Raw 2xx latencies of every closed window, for percentiles over several windows. */
  readonly raw: Float64Array[] = [];
  /** Answers since the last `tick()`, for the progress line. */
  private sinceTick = 0;

  response(status: number, ms: number): void {
    this.sinceTick++;
    if (status >= 200 && status < 300) this.latencies.push(ms);
    else bump(this.errors, String(status));
  }

  tags(version: string | undefined, cache: string | undefined): void {
    if (version) bump(this.versions, version);
    if (cache) bump(this.cache, cache);
  }

  error(code: string): void {
    bump(this.errors, code);
  }

  /** Drop what was collected (the warm-up) and start a window now. */
  reset(): void {
    this.latencies = [];
    this.errors = {};
    this.versions = {};
    this.cache = {};
    this.started = performance.now();
  }

  /** Answers a second since the last call. */
  tick(elapsedMs: number): number {
    const n = this.sinceTick;
    this.sinceTick = 0;
    return elapsedMs > 0 ? (n * 1000) / elapsedMs : 0;
  }

  close(): WindowStats {
    const durationMs = performance.now() - this.started;
    const raw = Float64Array.from(this.latencies);
    const stats: WindowStats = {
      durationMs,
      ok: raw.length,
      throughput: durationMs > 0 ? (raw.length * 1000) / durationMs : 0,
      latency: summarize(raw.slice()),
      errors: this.errors,
      versions: this.versions,
      cache: this.cache,
    };
    this.raw.push(raw);
    this.reset();
    return stats;
  }
}

export function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
