export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long an open circuit refuses calls before one probe is let through (ms). */
  cooldownMs: number;
  clock?: { now(): number };
}

/**
 * Stops calling a dependency that keeps failing: after `failures` consecutive failures every call
 * is refused for `cooldownMs`, then a single probe decides (success closes, failure re-opens).
 * A refused call costs a comparison, so a dead Redis adds nothing to a request.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private openUntil = 0;
  private probing = false;

  constructor(private readonly opts: CircuitBreakerOptions) {}

  /** Whether a call may go out now. */
  allow(): boolean {
    if (this.consecutive < this.opts.failures) return true;
    if (this.probing || this.now() < this.openUntil) return false;
    this.probing = true;
    return true;
  }

  get open(): boolean {
    return this.consecutive >= this.opts.failures;
  }

  success(): void {
    this.consecutive = 0;
    this.probing = false;
  }

  failure(): void {
    this.consecutive++;
    this.probing = false;
    if (this.consecutive >= this.opts.failures) this.openUntil = this.now() + this.opts.cooldownMs;
  }

  private now(): number {
    return (this.opts.clock ?? performance).now();
  }
}
