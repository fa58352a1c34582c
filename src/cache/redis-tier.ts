import type { BackgroundWork } from '../contracts/background.js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TensorMap } from '../contracts/tensor.js';
import type { PredictionCacheKey } from './cache-key.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { SharedTier } from './shared-tier.js';
import { decodeTensors, encodeTensors } from './tensor-codec.js';
import type { TierMetrics } from './tier-metrics.js';

export interface RedisTierOptions {
  url: string;
  keyPrefix: string;
  /** Lifetime of an entry in Redis (ms). */
  ttlMs: number;
  /** Bound on one command: a slow Redis is a miss, not a slow prediction. */
  timeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  metrics: TierMetrics;
  /** Where connection errors are counted and logged (task 'redis-tier'), folded per interval. */
  background?: BackgroundWork;
}

const TIER = 'redis';
const WHOLE_MODEL = '*';

/**
 * The Redis tier. Invalidation never scans: each model keeps a hash of generations (one field per
 * version, '*' for the whole model) that is part of every data key, so bumping a generation
 * orphans the old entries (they expire by TTL) and a PUBLISH tells the other processes to drop
 * their L1 entries and re-read the generations. Known generations are kept in process, so a
 * lookup is one GET. Commands fail fast when disconnected (no offline queue) and time out after
 * `timeoutMs`; a circuit breaker stops asking a Redis that keeps failing.
 */
export class RedisTier implements SharedTier {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly breaker: CircuitBreaker;
  private readonly origin = randomUUID();
  private readonly channel: string;
  /** model -> generation field ('*' or a version) -> value, as last read or published. */
  private readonly generations = new Map<string, Map<string, number>>();
  private readonly listeners: ((model: string, version: string | undefined) => void)[] = [];
  private readonly count;

  constructor(private readonly opts: RedisTierOptions) {
    const m = opts.metrics;
    this.count = {
      hit: m.lookups.labels({ tier: TIER, result: 'hit' }),
      miss: m.lookups.labels({ tier: TIER, result: 'miss' }),
      skipped: m.lookups.labels({ tier: TIER, result: 'skipped' }),
    };
    this.breaker = new CircuitBreaker({ failures: opts.breakerFailures, cooldownMs: opts.breakerCooldownMs });
    this.channel = `${opts.keyPrefix}invalidate`;
    this.client = new Redis(opts.url, {
      commandTimeout: opts.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    // Calls fail fast while disconnected (counted per call); the client keeps reconnecting by
    // itself. The connection's own errors are background failures: counted, one line per interval.
    const bg = opts.background;
    const connectionError = (err: Error) => bg?.failed('redis-tier', err);
    this.client.on('error', connectionError);
    this.subscriber = this.client.duplicate({ commandTimeout: undefined, enableOfflineQueue: true });
    this.subscriber.on('error', connectionError);
    // After a reconnect, invalidations may have been missed: re-read every generation.
    this.subscriber.on('ready', () => this.generations.clear());
    const received = (_channel: string, message: string) => this.received(message);
    this.subscriber.on('message', bg ? bg.guard('redis-invalidate', received) : received);
    this.subscriber.subscribe(this.channel).catch(connectionError);
    m.sources.set(TIER, () => this.client.status === 'ready' && !this.breaker.open);
  }

  get(key: PredictionCacheKey): Promise<TensorMap | undefined> | undefined {
    if (!this.usable()) {
      this.count.skipped.inc();
      return undefined;
    }
    return this.fetch(key);
  }

  set(key: PredictionCacheKey, outputs: TensorMap): void {
    if (!this.usable()) return;
    void this.store(key, outputs);
  }

  invalidate(model: string, version?: string): void {
    this.generations.delete(model);
    const message = JSON.stringify({ origin: this.origin, model, version: version ?? null });
    this.client
      .multi()
      .hincrby(this.genKey(model), version ?? WHOLE_MODEL, 1)
      .publish(this.channel, message)
      .exec()
      .then(() => this.breaker.success(), () => this.failed('invalidate'));
  }

  onInvalidate(listener: (model: string, version: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.opts.metrics.sources.delete(TIER);
    this.subscriber.disconnect();
    this.client.disconnect();
  }

  private usable(): boolean {
    return this.client.status === 'ready' && this.breaker.allow();
  }

  private async fetch(key: PredictionCacheKey): Promise<TensorMap | undefined> {
    try {
      const dataKey = await this.dataKey(key);
      const value = await this.client.getBuffer(dataKey);
      this.breaker.success();
      if (!value) {
        this.count.miss.inc();
        return undefined;
      }
      this.count.hit.inc();
      return decodeTensors(value);
    } catch {
      this.failed('get');
      return undefined;
    }
  }

  private async store(key: PredictionCacheKey, outputs: TensorMap): Promise<void> {
    try {
      await this.client.set(await this.dataKey(key), encodeTensors(outputs), 'PX', this.opts.ttlMs);
      this.breaker.success();
    } catch {
      this.failed('set');
    }
  }

  private failed(op: string): void {
    this.breaker.failure();
    this.opts.metrics.errors.inc({ tier: TIER, op });
  }

  /** The data key under the version's current generations (read from Redis once, then kept). */
  private async dataKey(key: PredictionCacheKey): Promise<string> {
    let gens = this.generations.get(key.model);
    if (!gens?.has(key.version)) {
      const [all, own] = await this.client.hmget(this.genKey(key.model), WHOLE_MODEL, key.version);
      if (!gens) this.generations.set(key.model, (gens = new Map()));
      gens.set(WHOLE_MODEL, Number(all ?? 0));
      gens.set(key.version, Number(own ?? 0));
    }
    return `${this.opts.keyPrefix}p:${gens.get(WHOLE_MODEL)}.${gens.get(key.version)}:${key.id}`;
  }

  private genKey(model: string): string {
    return `${this.opts.keyPrefix}gen:${model}`;
  }

  private received(message: string): void {
    let m: { origin?: unknown; model?: unknown; version?: unknown };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.origin === this.origin || typeof m.model !== 'string') return;
    this.generations.delete(m.model);
    const version = typeof m.version === 'string' ? m.version : undefined;
    for (const l of this.listeners) l(m.model, version);
  }
}
