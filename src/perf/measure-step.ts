import type { Load, ResponseSink, RunningLoad } from './load-driver.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';
import { breakdown, type ServerBreakdown } from './server-breakdown.js';
import { bump, WindowCollector, type WindowStats } from './window-collector.js';

export interface MeasureOptions {
  windowMs: number;
  warmupMs: number;
  /** Consecutive windows that must agree. */
  windows: number;
  /** Each of those windows' throughput and mean latency within this % of their average. */
  stabilityPct: number;
  maxWindows: number;
  model: string;
  /** Fetches /metrics (undefined: no server breakdown). */
  scrape?: () => Promise<string>;
  signal: AbortSignal;
  progress?: (window: number, rps: number) => void;
}

/** One step's figures, over its last `windows` windows (perf_analyzer's stable measurement). */
export interface StepResult {
  label: string;
  load: Load;
  stable: boolean;
  interrupted: boolean;
  /** The windows the figures come from (the last ones). */
  measuredWindows: number;
  windows: WindowStats[];
  throughput: number;
  latency: LatencySummary;
  ok: number;
  errors: Record<string, number>;
  /** Share of 2xx answers by version (0-1). */
  versionShares: Record<string, number>;
  /** Hits / (hits + misses) as the x-cache header said, or /metrics when the protocol has no header. */
  cacheHitRate: number | null;
  server: ServerBreakdown | null;
}

/** Drive `start`'s load until `windows` consecutive windows agree (or maxWindows, or Ctrl-C). */
export async function measureStep(label: string, load: Load, start: (sink: ResponseSink) => Promise<RunningLoad>, o: MeasureOptions): Promise<StepResult> {
  const collector = new WindowCollector();
  const running = await start(collector);
  const windows: WindowStats[] = [];
  const snapshots: (Sample[] | undefined)[] = [];
  let interrupted = false;
  const scrape = async () => (o.scrape ? parsePrometheusText(await o.scrape().catch(() => '')) : undefined);
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    o.progress?.(windows.length + 1, collector.tick(now - lastTick));
    lastTick = now;
  }, 1000);
  try {
    if (!(await sleep(o.warmupMs, o.signal))) interrupted = true;
    collector.reset();
    snapshots.push(await scrape());
    while (!interrupted && windows.length < o.maxWindows) {
      if (!(await sleep(o.windowMs, o.signal))) interrupted = true;
      windows.push(collector.close());
      snapshots.push(await scrape());
      if (isStable(windows.slice(-o.windows), o.windows, o.stabilityPct)) break;
    }
  } finally {
    clearInterval(ticker);
    await running.stop();
  }
  const n = Math.min(o.windows, windows.length);
  const last = windows.slice(-n);
  const raw = collector.raw.slice(-n);
  const all = new Float64Array(raw.reduce((a, r) => a + r.length, 0));
  raw.reduce((off, r) => (all.set(r, off), off + r.length), 0);
  const ms = last.reduce((a, w) => a + w.durationMs, 0);
  const sum = (pick: (w: WindowStats) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const w of last) for (const [k, v] of Object.entries(pick(w))) bump(out, k, v);
    return out;
  };
  const versions = sum((w) => w.versions);
  const versionTotal = Object.values(versions).reduce((a, b) => a + b, 0);
  const cache = sum((w) => w.cache);
  const before = snapshots[snapshots.length - 1 - n];
  const after = snapshots[snapshots.length - 1];
  const server = before && after && n > 0 ? breakdown(before, after, o.model) : null;
  const looked = (cache.hit ?? 0) + (cache.miss ?? 0);
  return {
    label,
    load,
    stable: !interrupted && isStable(last, o.windows, o.stabilityPct),
    interrupted,
    measuredWindows: n,
    windows,
    throughput: ms > 0 ? (all.length * 1000) / ms : 0,
    latency: summarize(all),
    ok: all.length,
    errors: sum((w) => w.errors),
    versionShares: Object.fromEntries(Object.entries(versions).map(([v, c]) => [v, c / versionTotal])),
    cacheHitRate: looked > 0 ? (cache.hit ?? 0) / looked : (server?.cacheHitRate ?? null),
    server,
  };
}

/** perf_analyzer's criterion: each window's throughput and mean latency within pct % of their average. */
export function isStable(ws: WindowStats[], need: number, pct: number): boolean {
  if (ws.length < need || ws.some((w) => w.ok === 0)) return false;
  const within = (values: number[]) => {
    const avg = values.reduce((a, b) => a + b, 0) / values.length;
    return values.every((v) => Math.abs(v - avg) <= (avg * pct) / 100);
  };
  return within(ws.map((w) => w.throughput)) && within(ws.map((w) => w.latency.mean));
}

/** Resolves true after ms, or false at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(false);
    const t = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}
