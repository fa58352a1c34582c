import type { LoadResult } from './load.js';

/** One load, run once or several times (its repetitions). */
export interface Scenario {
  id: string;
  label: string;
  connections: number;
  runs: LoadResult[];
  /** Why it did not run (e.g. flag routing not wired). */
  pending?: string;
}

/** A ratio between two loads of the same repetitions: a / b. */
export interface Pair {
  name: string;
  a: string;
  b: string;
  metric: 'rps' | 'p99';
  goal?: string;
  ok?: (x: number) => boolean;
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const med = (s: Scenario | undefined, pick: (r: LoadResult) => number | undefined) =>
  median((s?.runs ?? []).map(pick).filter((x): x is number => x !== undefined));

/** Ratios of a pair, one per repetition both loads ran in. */
export function pairRatios(p: Pair, scenarios: Map<string, Scenario>): number[] {
  const a = scenarios.get(p.a)?.runs ?? [];
  const b = scenarios.get(p.b)?.runs ?? [];
  if (b.length === 1 && a.length === 1) return [(a[0] as LoadResult)[p.metric] / (b[0] as LoadResult)[p.metric]];
  // Loads of different groups (e.g. canary vs uncached): compare medians.
  if (a.length !== b.length) {
    const x = med(scenarios.get(p.a), (r) => r[p.metric]);
    const y = med(scenarios.get(p.b), (r) => r[p.metric]);
    return x !== undefined && y ? [x / y] : [];
  }
  return a.map((r, i) => r[p.metric] / (b[i] as LoadResult)[p.metric]).filter(Number.isFinite);
}

/** Every load: medians over its repetitions (req/s, p50, p99, server CPU per request) and errors. */
export function scenarioTable(scenarios: Scenario[]): string {
  const rows = ['| scenario | conns | runs | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const s of scenarios) {
    const label = s.pending ? `${s.label} (pending: ${s.pending})` : s.label;
    const errors = s.runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
    rows.push(
      `| ${label} | ${s.connections} | ${s.runs.length} | ${fmt(med(s, (r) => r.rps))} | ${fmt(med(s, (r) => r.p50))} | ${fmt(med(s, (r) => r.p99))} | ${fmt(med(s, (r) => r.cpuUsPerReq))} | ${errors} |`,
    );
  }
  return rows.join('\n');
}

/** Each pair: the median ratio and its spread over the repetitions. */
export function pairTable(pairs: Pair[], scenarios: Map<string, Scenario>): string {
  const rows = ['| ratio | median | min - max | each run |', '|---|---:|---|---|'];
  for (const p of pairs) {
    const r = pairRatios(p, scenarios);
    if (r.length === 0) continue;
    rows.push(`| ${p.name} | ${fmt(median(r), 2)} | ${fmt(Math.min(...r), 2)} - ${fmt(Math.max(...r), 2)} | ${r.map((x) => x.toFixed(2)).join(', ')} |`);
  }
  return rows.join('\n');
}

/** The targets: median ratio against its goal. */
export function targetTable(pairs: Pair[], scenarios: Map<string, Scenario>): string {
  const rows = ['| target | median | goal | result |', '|---|---:|---|---|'];
  for (const p of pairs) {
    if (!p.goal || !p.ok) continue;
    const m = median(pairRatios(p, scenarios));
    rows.push(`| ${p.name} | ${fmt(m, 2)} | ${p.goal} | ${m === undefined ? 'pending' : p.ok(m) ? 'met' : 'MISSED'} |`);
  }
  return rows.join('\n');
}
