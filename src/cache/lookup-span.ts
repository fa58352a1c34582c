import type { TraceSpan } from '../contracts/tracing.js';

/** Which tier a traced cache lookup asked: this process's LRU, or the shared Redis tier. */
export type CacheTier = 'l1' | 'redis';

/** A cache lookup of one tier, as a span under the request's (ended by `lookupDone`). */
export function lookupSpan(span: TraceSpan, tier: CacheTier): TraceSpan {
  const s = span.child('modelgate.cache.lookup');
  s.set('modelgate.cache.tier', tier);
  return s;
}

export function lookupDone(s: TraceSpan, hit: boolean): void {
  s.set('modelgate.cache.hit', hit);
  s.end();
}
