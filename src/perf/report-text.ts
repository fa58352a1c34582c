import type { StepResult } from './measure-step.js';

const f1 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
const errors = (e: Record<string, number>) => Object.entries(e).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
const versions = (s: Record<string, number>) => Object.entries(s).sort(([a], [b]) => a.localeCompare(b)).map(([v, x]) => `${v} ${pct(x)}`).join(', ') || '-';

const COLUMNS: [string, (r: StepResult) => string][] = [
  ['step', (r) => r.label],
  ['req/s', (r) => f1(r.throughput)],
  ['p50 ms', (r) => f1(r.latency.p50)],
  ['p90', (r) => f1(r.latency.p90)],
  ['p95', (r) => f1(r.latency.p95)],
  ['p99', (r) => f1(r.latency.p99)],
  ['errors', (r) => errors(r.errors)],
  ['versions', (r) => versions(r.versionShares)],
  ['cache hit', (r) => pct(r.cacheHitRate)],
  ['server ms', (r) => f1(r.server?.serverMs)],
  ['queue ms', (r) => f1(r.server?.queueMs)],
  ['ort ms', (r) => f1(r.server?.inferenceMs)],
  ['batch', (r) => f1(r.server?.batchSize)],
  ['shed', (r) => (r.server ? String(r.server.shed) : '-')],
  ['windows', (r) => `${r.measuredWindows}/${r.windows.length}${r.stable ? ' stable' : r.interrupted ? ' interrupted' : ' UNSTABLE'}`],
];

/** The aligned table: one row per step (numbers right-aligned). */
export function renderTable(results: StepResult[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...results.map((r) => COLUMNS.map(([, get]) => get(r)))];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const left = new Set([0, 6, 7, 14]);
  return rows.map((row) => row.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

const CSV_HEAD = [
  'step', 'concurrency', 'rate', 'throughput', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'mean_ms', 'ok', 'errors', 'versions',
  'cache_hit_rate', 'server_ms', 'queue_ms', 'inference_ms', 'batch_size', 'shed', 'windows', 'stable',
];

/** CSV, one line per step (perf_analyzer's -f): numbers raw, maps as `key:value` lists. */
export function renderCsv(results: StepResult[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(Number(v.toFixed(4))) : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = results.map((r) =>
    [
      r.label, 'concurrency' in r.load ? r.load.concurrency : '', 'rate' in r.load ? r.load.rate : '', r.throughput,
      r.latency.p50, r.latency.p90, r.latency.p95, r.latency.p99, r.latency.mean, r.ok,
      Object.entries(r.errors).map(([k, v]) => `${k}:${v}`).join(' '),
      Object.entries(r.versionShares).map(([k, v]) => `${k}:${v.toFixed(4)}`).join(' '),
      r.cacheHitRate, r.server?.serverMs, r.server?.queueMs, r.server?.inferenceMs, r.server?.batchSize, r.server?.shed,
      r.measuredWindows, r.stable,
    ].map(cell).join(','),
  );
  return `${[CSV_HEAD.join(','), ...lines].join('\n')}\n`;
}
