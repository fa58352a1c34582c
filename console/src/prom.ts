/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse /metrics (text format 0.0.4); `wanted` keeps only the families the console charts. */
export function parseProm(text: string, wanted: (name: string) => boolean = () => true): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m?.[1] || m[3] === undefined || !wanted(m[1])) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) {
      if (l[1] !== undefined && l[2] !== undefined) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

/** A scrape: the samples and when they were taken (ms). */
export interface Scrape {
  at: number;
  samples: Sample[];
}

export interface VersionStats {
  version: string;
  rps: number;
  /** Errors / all predictions in the window, or null without traffic. */
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The largest feature PSI of the version's drift window (modelgate_feature_drift_psi), when known. */
  driftPsi: number | null;
  /** Live quality from ground-truth feedback: MAE (regression) or accuracy (classification), when known. */
  quality: { metric: string; value: number } | null;
}

const sum = (s: Sample[], name: string, match: (l: Record<string, string>) => boolean): number =>
  s.reduce((a, x) => (x.name === name && match(x.labels) ? a + x.value : a), 0);

/** A counter's increase; a smaller value means the gateway restarted (counters reset). */
const increase = (now: number, before: number): number => (now >= before ? now - before : now);

/** histogram_quantile over the window's bucket increases (linear within a bucket, as Prometheus does). */
function quantile(q: number, buckets: { le: number; count: number }[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket > 0 ? prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket : b.le;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * Per-version rates between two scrapes of the gateway's own metrics: predictions/s, error share,
 * p50/p99 of the time in onnxruntime, and the model's cache hit share (the cache counts per model).
 */
export function windowStats(model: string, from: Scrape, to: Scrape, versions: string[]): { versions: VersionStats[]; cacheHitRate: number | null } {
  const dt = Math.max((to.at - from.at) / 1000, 0.001);
  const stats = versions.map((version): VersionStats => {
    const of = (status?: string) => (l: Record<string, string>) => l.model === model && l.version === version && (!status || l.status === status);
    const all = increase(sum(to.samples, 'modelgate_inference_requests_total', of()), sum(from.samples, 'modelgate_inference_requests_total', of()));
    const errors = increase(
      sum(to.samples, 'modelgate_inference_requests_total', of('error')),
      sum(from.samples, 'modelgate_inference_requests_total', of('error')),
    );
    const les = new Set(to.samples.filter((s) => s.name === 'modelgate_inference_duration_seconds_bucket' && of()(s.labels)).map((s) => s.labels.le ?? ''));
    const buckets = [...les].map((le) => {
      const at = (x: Scrape) => sum(x.samples, 'modelgate_inference_duration_seconds_bucket', (l) => of()(l) && l.le === le);
      return { le: le === '+Inf' ? Infinity : Number(le), count: increase(at(to), at(from)) };
    });
    const ms = (s: number | null) => (s === null ? null : s * 1000);
    const psi = to.samples.filter((s) => s.name === 'modelgate_feature_drift_psi' && of()(s.labels) && Number.isFinite(s.value)).map((s) => s.value);
    const q = (metric: string) => to.samples.find((s) => s.name === 'modelgate_live_quality' && of()(s.labels) && s.labels.metric === metric);
    const live = q('mae') ?? q('accuracy');
    return {
      version,
      rps: all / dt,
      errorRate: all > 0 ? errors / all : null,
      p50Ms: ms(quantile(0.5, buckets)),
      p99Ms: ms(quantile(0.99, buckets)),
      driftPsi: psi.length > 0 ? Math.max(...psi) : null,
      quality: live && Number.isFinite(live.value) ? { metric: live.labels.metric ?? '', value: live.value } : null,
    };
  });
  const cache = (result: string) => (x: Scrape) => sum(x.samples, 'modelgate_cache_requests_total', (l) => l.model === model && l.result === result);
  const hits = increase(cache('hit')(to), cache('hit')(from));
  const misses = increase(cache('miss')(to), cache('miss')(from));
  return { versions: stats, cacheHitRate: hits + misses > 0 ? hits / (hits + misses) : null };
}

/** Load state, provider and runner of each version, from modelgate_model_state / modelgate_model_info. */
export function loadStates(model: string, samples: Sample[]): Map<string, { state: string; provider?: string; runner?: string }> {
  const out = new Map<string, { state: string; provider?: string; runner?: string }>();
  for (const s of samples) {
    if (s.labels.model !== model || s.value !== 1 || !s.labels.version) continue;
    const prev = out.get(s.labels.version) ?? { state: 'unknown' };
    if (s.name === 'modelgate_model_state' && s.labels.state) out.set(s.labels.version, { ...prev, state: s.labels.state });
    if (s.name === 'modelgate_model_info') out.set(s.labels.version, { ...prev, provider: s.labels.provider, runner: s.labels.runner });
  }
  return out;
}
