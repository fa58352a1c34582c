import type { SqlEngine } from '../sql-engine.js';

/** An engine whose connection is still being made: every call waits for it (a resolved promise once made). */
export class ConnectingEngine implements SqlEngine {
  readonly kind: SqlEngine['kind'] = 'postgres';

  private engine: SqlEngine | undefined;

  constructor(readonly connected: Promise<SqlEngine>) {
    // Rejections are reported by whoever awaits `ready` (Governance.start, the CLI's first query).
    connected.then((e) => (this.engine = e), () => undefined);
  }

  get listening(): boolean | undefined {
    return this.engine?.listening;
  }

  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.connected).all<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return (await this.connected).get<T>(sql, params);
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    return (await this.connected).run(sql, params);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return (await this.connected).transaction(fn);
  }

  async changeToken(): Promise<string> {
    return (await this.connected).changeToken();
  }

  async announce(what: string): Promise<void> {
    return (await this.connected).announce(what);
  }

  async onAnnounce(fn: (what: string) => void): Promise<() => Promise<void>> {
    return (await this.connected).onAnnounce(fn);
  }

  async close(): Promise<void> {
    const engine = await this.connected.catch(() => undefined);
    await engine?.close();
  }
}
