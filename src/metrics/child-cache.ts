/**
 * Memoises prom-client label children by a string key: `metric.labels({...})` hashes its labels
 * on every call, several times per request. Keys come from bounded label values only.
 */
export class ChildCache<T> {
  private readonly children = new Map<string, T>();

  constructor(private readonly make: (key: string) => T) {}

  get(key: string): T {
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.make(key);
      this.children.set(key, child);
    }
    return child;
  }

  /** Forget children (e.g. of an unloaded version) so that a later use re-binds them. */
  clear(): void {
    this.children.clear();
  }
}
