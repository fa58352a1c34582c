/**
 * Background work's failure port (implemented by logging/BackgroundTasks, one per gateway): what
 * a timer, listener or stream in any layer reports to instead of raising. Task names are a
 * bounded set chosen in code ('drift-roll', 'trace-write', ...): they are metric labels.
 */
export interface BackgroundWork {
  /** A repeating timer (unref'd) whose tick, sync or async, can fail without consequence. */
  every(task: string, ms: number, tick: () => unknown): NodeJS.Timeout;
  /** A callback (listener, timer) that reports its throw or rejection instead of raising it. */
  guard<A extends unknown[]>(task: string, fn: (...args: A) => unknown): (...args: A) => void;
  /** Run `fn` now; a throw or a rejected promise is reported. */
  run(task: string, fn: () => unknown): void;
  /** Count one failure of `task` (logged once per task and interval). */
  failed(task: string, err: unknown): void;
}
