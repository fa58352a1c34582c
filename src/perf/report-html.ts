import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { StepResult } from './measure-step.js';
import type { PerfReport } from './run-perf.js';
import { renderTable } from './report-text.js';

/**
 * The `--html` report: one self-contained file, the console's chart library (uPlot) inlined from
 * node_modules, no CDN. Charts: latency against throughput (p50/p90/p99, one point per step) and
 * the server's breakdown per step; then the table.
 */
export function renderHtml(report: PerfReport): string {
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const title = `modelgate perf: ${report.model}${report.version ? `@${report.version}` : ''}`;
  const data = JSON.stringify({ steps: report.steps.map(chartPoint) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${uplotCss}
body{font:14px system-ui,sans-serif;margin:24px;color:#1a1a1a;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}p.meta{color:#555;margin:0 0 16px}
.charts{display:flex;gap:24px;flex-wrap:wrap}.chart{flex:1 1 540px}
h2{font-size:15px;margin:16px 0 4px}pre{font-size:12px;background:#f6f6f6;padding:12px;overflow-x:auto}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">${esc(report.url)} · ${esc(report.protocol)} · inputs ${esc(report.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(',')}]`).join(', '))} · ${esc(report.startedAt)}${report.interrupted ? ' · interrupted (Ctrl-C)' : ''}</p>
${report.notes.map((n) => `<p class="meta">note: ${esc(n)}</p>`).join('')}
<div class="charts">
<div class="chart"><h2>Latency vs throughput</h2><div id="curve"></div></div>
<div class="chart"><h2>Server breakdown per step (ms)</h2><div id="breakdown"></div></div>
</div>
<h2>Steps</h2><pre>${esc(renderTable(report.steps))}</pre>
<script>${uplotJs}</script>
<script id="data" type="application/json">${data}</script>
<script>
const steps = JSON.parse(document.getElementById('data').textContent).steps;
const width = Math.max(480, Math.min(560, window.innerWidth - 80));
const byRps = [...steps].sort((a, b) => a.rps - b.rps);
new uPlot({
  width, height: 320,
  scales: { x: { time: false, range: (u, min, max) => { const p = (max - min) * 0.06 || 1; return [min - p, max + p]; } } },
  axes: [{ label: 'requests / s' }, { label: 'latency (ms)' }],
  series: [{ label: 'req/s' },
    { label: 'p50', stroke: '#2b7bb9', width: 2, points: { size: 7 } },
    { label: 'p90', stroke: '#e8a33d', width: 2, points: { size: 7 } },
    { label: 'p99', stroke: '#c0392b', width: 2, points: { size: 7 } }],
}, [byRps.map((s) => s.rps), byRps.map((s) => s.p50), byRps.map((s) => s.p90), byRps.map((s) => s.p99)], document.getElementById('curve'));
new uPlot({
  width, height: 320,
  scales: { x: { time: false, range: (u, min, max) => [min - 0.3, max + 0.3] } },
  axes: [{ label: steps[0] && steps[0].short.endsWith('/s') ? 'request rate' : 'concurrency', incrs: [1], values: (u, vals) => vals.map((v) => (Number.isInteger(v) && steps[v] ? steps[v].short : '')) }, { label: 'ms' }],
  series: [{ label: 'step' },
    { label: 'client p50', stroke: '#2b7bb9', width: 2, points: { size: 7 } },
    { label: 'in gateway', stroke: '#7f8c8d', width: 2, points: { size: 7 } },
    { label: 'queue wait', stroke: '#e8a33d', width: 2, points: { size: 7 } },
    { label: 'onnxruntime / run', stroke: '#27ae60', width: 2, points: { size: 7 } }],
}, [steps.map((_, i) => i), steps.map((s) => s.p50), steps.map((s) => s.server), steps.map((s) => s.queue), steps.map((s) => s.ort)], document.getElementById('breakdown'));
</script>
</body></html>
`;
}

function chartPoint(s: StepResult) {
  return {
    label: s.label,
    short: 'concurrency' in s.load ? String(s.load.concurrency) : `${s.load.rate}/s`,
    rps: s.throughput,
    p50: s.latency.p50,
    p90: s.latency.p90,
    p99: s.latency.p99,
    server: s.server?.serverMs ?? null,
    queue: s.server?.queueMs ?? null,
    ort: s.server?.inferenceMs ?? null,
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
