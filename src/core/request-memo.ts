import { LRUCache } from 'lru-cache';
import type { CachedPrediction } from '../contracts/executor.js';
import type { ParsedRequest, ProtocolName } from '../contracts/prediction.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';

/** A body seen before: its parsed form and, per version that answered it, the cache entry. */
export interface MemoEntry {
  readonly parsed: ParsedRequest;
  readonly answers: WeakMap<LoadedVersion, CachedPrediction>;
}

/** Bodies longer than this are not memoised (their parse is not what dominates). */
export const MEMO_MAX_BODY = 16 * 1024;

/**
 * Request bodies already seen, by their exact bytes: a repeated body skips JSON parsing, schema
 * checks, validation against the manifest, tensor encoding and the canonical cache key, and
 * reaches its cache entry with one lookup. Only for models whose predictions are cached; entries
 * are the cache's own (evicted or expired ones are ignored), so the memo never answers what the
 * cache would not. Bounded by entries and by the bytes of the bodies it keeps.
 */
export class RequestMemo {
  private readonly partitions = new Map<ProtocolName, Map<string, LRUCache<string, MemoEntry>>>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get(protocol: ProtocolName, model: string, body: string): MemoEntry | undefined {
    return this.partitions.get(protocol)?.get(model)?.get(body);
  }

  add(protocol: ProtocolName, model: string, body: string, parsed: ParsedRequest): MemoEntry {
    const entry: MemoEntry = { parsed, answers: new WeakMap() };
    this.partition(protocol, model).set(body, entry);
    return entry;
  }

  private partition(protocol: ProtocolName, model: string): LRUCache<string, MemoEntry> {
    let byModel = this.partitions.get(protocol);
    if (!byModel) this.partitions.set(protocol, (byModel = new Map()));
    let lru = byModel.get(model);
    if (!lru) {
      lru = new LRUCache<string, MemoEntry>({ max: this.maxEntries, maxSize: this.maxBytes, sizeCalculation: (_v, k) => k.length * 2 + 256 });
      byModel.set(model, lru);
    }
    return lru;
  }
}
