import type { BackgroundWork } from '../contracts/background.js';
import type { Logger } from '../logger.js';

/** How often at most one line per failing task is written. */
export const BACKGROUND_LOG_INTERVAL_MS = 10_000;

/** The metric a failure is counted in (`modelgate_background_errors_total{task}`). */
export interface BackgroundErrorCounter {
  inc(labels: { task: string }): void;
}

/**
 * Background work (timers, listeners, streams, fire-and-forget promises) whose failure must never
 * reach the process: an uncaught throw in a `setInterval` or an unhandled rejection kills every
 * replica at once (PostgreSQL down across the audit check did exactly that). Each failure is
 * counted per task, and logged once per task and interval with how many were folded into it.
 * Task names are a bounded set chosen in code ('audit-verify', 'registry-listen', ...).
 */
export class BackgroundTasks implements BackgroundWork {
  private readonly tasks = new Map<string, { last: number; folded: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly errors: BackgroundErrorCounter,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = BACKGROUND_LOG_INTERVAL_MS,
  ) {}

  /** A repeating timer (unref'd) whose tick, sync or async, can fail without consequence. */
  every(task: string, ms: number, tick: () => unknown): NodeJS.Timeout {
    const timer = setInterval(this.guard(task, tick), ms);
    timer.unref();
    return timer;
  }

  /** A callback (listener, timer, `.then`) that reports its throw or rejection instead of raising it. */
  guard<A extends unknown[]>(task: string, fn: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => this.run(task, () => fn(...args));
  }

  /** Run `fn` now; a throw or a rejected promise is reported. */
  run(task: string, fn: () => unknown): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.failed(task, err));
    } catch (err) {
      this.failed(task, err);
    }
  }

  /** Count one failure of `task`, and log it unless a line for the task was written within the interval. */
  failed(task: string, err: unknown): void {
    try {
      this.errors.inc({ task });
      const now = this.now();
      let s = this.tasks.get(task);
      if (!s) this.tasks.set(task, (s = { last: -Infinity, folded: 0 }));
      if (now - s.last < this.intervalMs) {
        s.folded++;
        return;
      }
      const folded = s.folded;
      s.last = now;
      s.folded = 0;
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error({ task, err: message, ...(folded > 0 ? { foldedSinceLastLine: folded } : {}) }, `background task '${task}' failed: ${message}`);
    } catch {
      // Reporting must not fail in turn (a closed log stream at shutdown).
    }
  }
}
