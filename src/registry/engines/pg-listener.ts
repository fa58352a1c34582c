import pg from 'pg';

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** Connect timeout of each attempt (ms). */
  connectTimeoutMs: number;
  /** Called with every payload heard. */
  onPayload: (payload: string) => void;
  /** Called after a reconnect: notifications sent while the connection was down are lost, so re-read. */
  onResumed: () => void;
  /** Connected or not, on every change (a metric, /admin/status). */
  onState?: (connected: boolean) => void;
  /** A failed (re)connect attempt; counted and logged by the caller, never thrown. */
  onError?: (err: unknown) => void;
  /** First and last delay between reconnect attempts (ms); doubles in between. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * The one LISTEN connection of an engine. Once started it stays connected for as long as it is
 * open: a lost connection (PostgreSQL restarted, a network cut) is retried with exponential
 * backoff (250 ms up to 5 s) without ever giving up, and each recovery triggers a re-read, so a
 * change announced during the gap is picked up at once rather than at the next poll.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private stopped = false;
  private everConnected = false;
  /** Reconnects made after the first connection (a metric of flapping). */
  reconnects = 0;

  constructor(private readonly opts: PgListenerOptions) {
    this.delayMs = opts.minDelayMs ?? 250;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connect now (rejects when the first attempt fails; the caller decides whether to keep going). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Keep retrying in the background until connected (after a failed start). */
  retry(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.opts.url,
      application_name: 'modelgate-listen',
      connectionTimeoutMillis: this.opts.connectTimeoutMs,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (err) this.opts.onError?.(err);
      void client.end().catch(() => undefined);
      if (this.client !== client) return;
      this.client = undefined;
      this.opts.onState?.(false);
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => this.opts.onPayload(n.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.opts.channel}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delayMs = this.opts.minDelayMs ?? 250;
    this.opts.onState?.(true);
    if (this.everConnected) {
      this.reconnects++;
      this.opts.onResumed();
    }
    this.everConnected = true;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.opts.maxDelayMs ?? 5_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped || this.client) return;
      this.connect().catch((err: unknown) => {
        this.opts.onError?.(err);
        this.schedule();
      });
    }, delay);
    this.timer.unref();
  }
}
