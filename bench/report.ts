import type { LoadResult } from './load.js';

export interface ScenarioResult {
  id: string;
  label: string;
  connections: number;
  /** Scenario id whose req/s this one is compared with. */
  baseline?: string;
  result?: LoadResult;
  /** Why it did not run (e.g. flag routing not wired). */
  pending?: string;
}

export interface TargetCheck {
  name: string;
  measured: number | undefined;
  goal: string;
  pass: boolean | undefined;
  note?: string;
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function ratio(results: ScenarioResult[], id: string, baseline: string, metric: 'rps' | 'p99' = 'rps'): number | undefined {
  const a = results.find((r) => r.id === id)?.result?.[metric];
  const b = results.find((r) => r.id === baseline)?.result?.[metric];
  return a !== undefined && b ? a / b : undefined;
}

/** The scenario table: req/s, p50, p99 and the ratio to each scenario's baseline. */
export function scenarioTable(results: ScenarioResult[]): string {
  const rows = [
    '| scenario | conns | req/s | p50 ms | p99 ms | server CPU us/req | non-2xx | baseline | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const s of results) {
    const r = s.result;
    const base = s.baseline ? results.find((b) => b.id === s.baseline) : undefined;
    const label = s.pending ? `${s.label} (pending: ${s.pending})` : s.label;
    rows.push(
      `| ${label} | ${s.connections} | ${fmt(r?.rps)} | ${fmt(r?.p50)} | ${fmt(r?.p99)} | ${fmt(r?.cpuUsPerReq)} | ${r ? r.non2xx + r.errors : '-'} | ${base?.label ?? '-'} | ${s.baseline ? fmt(ratio(results, s.id, s.baseline), 2) : '-'} |`,
    );
  }
  return rows.join('\n');
}

export function targetTable(checks: TargetCheck[]): string {
  const rows = ['| target | measured | goal | result |', '|---|---:|---|---|'];
  for (const c of checks) {
    const result = c.pass === undefined ? 'pending' : c.pass ? 'pass' : 'MISS';
    rows.push(`| ${c.name} | ${fmt(c.measured, 2)} | ${c.goal} | ${result}${c.note ? ` (${c.note})` : ''} |`);
  }
  return rows.join('\n');
}
