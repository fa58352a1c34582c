/**
 * Coalesces concurrent work on the same key: the first caller runs it, callers that arrive while
 * it runs share its promise. The key is forgotten once the work settles (errors are not kept).
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  /** Run `work` for `key`, or join the run already in flight; `leader` says which happened. */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; leader: boolean } {
    const current = this.flights.get(key);
    if (current) return { promise: current, leader: false };
    const promise = work().finally(() => this.flights.delete(key));
    this.flights.set(key, promise);
    return { promise, leader: true };
  }

  get size(): number {
    return this.flights.size;
  }
}
