/**
 * Where failed trace writes and seals wait for their next try: one timer for all of them (a full
 * disk fails every write at once; they retry together, once per interval, not each on its own).
 */
export class RetryGate {
  private timer: NodeJS.Timeout | undefined;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly ms: number,
    /** Runs at each try, before the waiting writes resume (e.g. seal what waits to be sealed). */
    private readonly onTry: () => void,
  ) {}

  /** Resolves at the next try. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.onTry();
        this.wake();
      }, this.ms);
      // Never holds the process open; close() wakes every waiter for one last try.
      this.timer.unref();
    });
  }

  /** Resume every waiter now. */
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }
}
