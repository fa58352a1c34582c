import { Gauge } from 'prom-client';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { SlotCounter } from '../metrics/slots.js';

/** Metrics of a shared cache tier, registered once per gateway registry. */
export interface TierMetrics {
  /** Failed or timed-out calls by tier and operation (get, set, invalidate, generation). */
  errors: SlotCounter<'tier' | 'op'>;
  /** Lookups that reached the tier by result (hit, miss), and those its open circuit skipped. */
  lookups: SlotCounter<'tier' | 'result'>;
  /** Read at scrape time: 1 while the tier's circuit is closed. */
  up: Gauge<'tier'>;
  /** Tier name -> is it up; filled by the tiers. */
  sources: Map<string, () => boolean>;
}

const made = new WeakMap<GatewayMetrics, TierMetrics>();

export function tierMetrics(metrics: GatewayMetrics): TierMetrics {
  let m = made.get(metrics);
  if (m) return m;
  const registers = [metrics.registry];
  const sources = new Map<string, () => boolean>();
  m = {
    errors: new SlotCounter({
      name: 'modelgate_cache_tier_errors_total', help: 'Shared cache tier calls that failed or timed out (the request went on with L1 only).',
      labelNames: ['tier', 'op'], registers,
    }),
    lookups: new SlotCounter({
      name: 'modelgate_cache_tier_lookups_total', help: 'Shared cache tier lookups after an L1 miss, by result (hit, miss, skipped: circuit open).',
      labelNames: ['tier', 'result'], registers,
    }),
    up: new Gauge({
      name: 'modelgate_cache_tier_up', help: '1 while the shared cache tier is in use, 0 while its circuit breaker is open.',
      labelNames: ['tier'], registers, aggregator: 'min',
      collect() {
        for (const [tier, up] of sources) this.set({ tier }, up() ? 1 : 0);
      },
    }),
    sources,
  };
  made.set(metrics, m);
  return m;
}
