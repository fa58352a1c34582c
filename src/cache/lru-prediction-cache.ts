import { LRUCache } from 'lru-cache';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { CachedPrediction } from '../contracts/executor.js';
import type { HostTensor, TensorMap } from '../contracts/tensor.js';
import type { TraceSpan } from '../contracts/tracing.js';
import type { PredictionCacheKey } from './cache-key.js';
import { lookupDone, lookupSpan } from './lookup-span.js';
import type { PredictionCache, PredictionCacheStats } from './prediction-cache.js';

/** The bounds of one model's share of the cache (config `cache`, merged per model). */
export interface CacheLimits {
  maxEntries: number;
  maxBytes: number;
  /** 0: entries never expire by age. */
  ttlMs: number;
}

export interface LruPredictionCacheOptions {
  limitsFor: (model: string) => CacheLimits;
  metrics?: GatewayMetrics;
  /** Milliseconds clock for TTLs; tests inject a fake one. Default: performance. */
  clock?: { now(): number };
}

interface Entry {
  version: string;
  prediction: CachedPrediction;
  bytes: number;
}

/** Rough fixed costs of an entry and of a tensor in it (objects, dims, map slots). */
const ENTRY_OVERHEAD = 128;
const TENSOR_OVERHEAD = 64;

/**
 * The in-memory tier: one lru-cache per model, each bounded by entries AND bytes with the
 * model's TTL. Entries are immutable and shared, never copied: an entry that leaves the cache
 * (evicted, expired, invalidated, replaced) is marked, so a holder of it (the data plane's memo of
 * request bodies) knows it is gone.
 */
export class LruPredictionCache implements PredictionCache {
  private readonly partitions = new Map<string, LRUCache<string, Entry>>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly opts: LruPredictionCacheOptions) {}

  get(key: PredictionCacheKey, _feeds?: TensorMap, span?: TraceSpan): CachedPrediction | undefined {
    if (span === undefined) return this.lookup(key);
    const s = lookupSpan(span, 'l1');
    const found = this.lookup(key);
    lookupDone(s, found !== undefined);
    return found;
  }

  private lookup(key: PredictionCacheKey): CachedPrediction | undefined {
    const partition = this.partitions.get(key.model);
    const entry = partition?.get(key.id);
    if (!entry) {
      this.misses++;
      // A lookup may have dropped an expired entry.
      if (partition) this.publish();
      return undefined;
    }
    this.hits++;
    return entry.prediction;
  }

  set(key: PredictionCacheKey, outputs: TensorMap, feeds: TensorMap): CachedPrediction {
    const ttl = this.opts.limitsFor(key.model).ttlMs;
    const now = (this.opts.clock ?? performance).now();
    const prediction: CachedPrediction = { outputs, feeds, rendered: {}, expiresAt: ttl > 0 ? now + ttl : Number.POSITIVE_INFINITY, evicted: false };
    const bytes = sizeOf(key.id, outputs) + sizeOf('', feeds);
    this.partition(key.model).set(key.id, { version: key.version, prediction, bytes });
    this.publish();
    return prediction;
  }

  invalidate(model: string, version?: string): number {
    const partition = this.partitions.get(model);
    if (!partition) return 0;
    partition.purgeStale();
    let dropped = 0;
    if (version === undefined) {
      dropped = partition.size;
      partition.clear();
    } else {
      const doomed: string[] = [];
      for (const [id, entry] of partition.entries()) if (entry.version === version) doomed.push(id);
      for (const id of doomed) if (partition.delete(id)) dropped++;
    }
    this.publish();
    return dropped;
  }

  stats(): PredictionCacheStats {
    const { entries, bytes } = this.totals();
    return { entries, bytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  private partition(model: string): LRUCache<string, Entry> {
    let p = this.partitions.get(model);
    if (p) return p;
    const limits = this.opts.limitsFor(model);
    const clock = this.opts.clock;
    p = new LRUCache<string, Entry>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      sizeCalculation: (e) => e.bytes,
      ttl: limits.ttlMs > 0 ? limits.ttlMs : undefined,
      // Age counts from the write: a hot entry still expires, so a TTL bounds staleness.
      updateAgeOnGet: false,
      ...(clock ? { perf: clock, ttlResolution: 0 } : {}),
      dispose: (value, _key, reason) => {
        value.prediction.evicted = true;
        if (reason === 'evict' || reason === 'expire') {
          this.evictions++;
          this.opts.metrics?.cacheEvictions.inc({ model });
        }
      },
    });
    this.partitions.set(model, p);
    return p;
  }

  private totals(): { entries: number; bytes: number } {
    let entries = 0;
    let bytes = 0;
    for (const p of this.partitions.values()) {
      entries += p.size;
      bytes += p.calculatedSize;
    }
    return { entries, bytes };
  }

  private publish(): void {
    const m = this.opts.metrics;
    if (!m) return;
    const { entries, bytes } = this.totals();
    m.cacheEntries.set(entries);
    m.cacheBytes.set(bytes);
  }
}

function sizeOf(id: string, outputs: TensorMap): number {
  let bytes = ENTRY_OVERHEAD + id.length * 2;
  for (const name in outputs) {
    const t = outputs[name] as HostTensor;
    bytes += TENSOR_OVERHEAD + name.length * 2 + t.dims.length * 8;
    if (Array.isArray(t.data)) for (const s of t.data) bytes += 16 + s.length * 2;
    else bytes += t.data.byteLength;
  }
  return bytes;
}
