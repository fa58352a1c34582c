import type { Counter, Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string | number>>;

/** One label set of a counter: `inc()` is an addition, nothing is hashed or validated per call. */
export class CounterSlot {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/** One label set of a histogram: cumulative bucket counts are built at scrape time, not per observation. */
export class HistogramSlot {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > (b[i] as number)) i++;
    if (i < b.length) (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
  }
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/**
 * Label sets as preallocated slots, exported through prom-client at scrape time. prom-client's
 * own `labels().inc()` validates and hashes its labels on every call (measured: 10-13 µs a
 * request over the hot path's metrics); a slot is found once per label set and then only adds.
 * Registered with prom-client's Registry as a metric (name, help, type, get()), so the text
 * exposition, promtool's checks and registry aggregation are prom-client's.
 */
abstract class SlotMetric<L extends string, S> {
  readonly aggregator = 'sum' as const;
  protected readonly slots = new Map<string, { labels: Labels<L>; slot: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    registers: Registry[],
  ) {
    for (const r of registers) r.registerMetric(this as unknown as Counter);
  }

  /** The slot of a label set (made on first use). Callers keep it: later uses cost nothing. */
  labels(labels: Labels<L>): S {
    const key = this.key(labels);
    let found = this.slots.get(key);
    if (!found) this.slots.set(key, (found = { labels: { ...labels }, slot: this.make() }));
    return found.slot;
  }

  /** Forget a label set (an unloaded version), so its series leaves the exposition. */
  remove(labels: Labels<L>): void {
    this.slots.delete(this.key(labels));
  }

  reset(): void {
    this.slots.clear();
  }

  protected abstract make(): S;

  private key(labels: Labels<L>): string {
    let k = '';
    for (const n of this.labelNames) k += `${labels[n] ?? ''}\u0000`;
    return k;
  }
}

export class SlotCounter<L extends string = string> extends SlotMetric<L, CounterSlot> {
  readonly type = 'counter' as const;

  constructor(cfg: { name: string; help: string; labelNames?: readonly L[]; registers: Registry[] }) {
    super(cfg.name, cfg.help, cfg.labelNames ?? [], cfg.registers);
  }

  inc(labels: Labels<L> = {}, by = 1): void {
    this.labels(labels).inc(by);
  }

  /** Current value of a label set (tests, the console). */
  current(labels: Labels<L> = {}): number {
    return this.labels(labels).value;
  }

  /** The sum over every label set that has these labels, whatever its others (e.g. every protocol). */
  sum(labels: Labels<L>): number {
    let total = 0;
    outer: for (const { labels: have, slot } of this.slots.values()) {
      for (const n in labels) if ((have as Labels<L>)[n] !== labels[n]) continue outer;
      total += slot.value;
    }
    return total;
  }

  async get(): Promise<{ name: string; help: string; type: 'counter'; aggregator: 'sum'; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, slot } of this.slots.values()) values.push({ labels: labels as Record<string, string>, value: slot.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected make(): CounterSlot {
    return new CounterSlot();
  }
}

export class SlotHistogram<L extends string = string> extends SlotMetric<L, HistogramSlot> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(cfg: { name: string; help: string; labelNames?: readonly L[]; buckets: readonly number[]; registers: Registry[] }) {
    super(cfg.name, cfg.help, cfg.labelNames ?? [], cfg.registers);
    this.bounds = [...cfg.buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L>, value: number): void {
    this.labels(labels).observe(value);
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, slot } of this.slots.values()) {
      const base = labels as Record<string, string>;
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += slot.counts[i] as number;
        values.push({ labels: { ...base, le }, value: acc, metricName: bucket });
      });
      values.push({ labels: { ...base, le: '+Inf' }, value: slot.count, metricName: bucket });
      values.push({ labels: base, value: slot.sum, metricName: `${this.name}_sum` });
      values.push({ labels: base, value: slot.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected make(): HistogramSlot {
    return new HistogramSlot(this.bounds);
  }
}
