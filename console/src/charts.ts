import uPlot from 'uplot';
import { fmt, h } from './dom.js';
import { loadStates, parseProm, windowStats, type Sample, type Scrape, type VersionStats } from './prom.js';

const FAMILIES = new Set([
  'modelgate_inference_requests_total',
  'modelgate_inference_duration_seconds_bucket',
  'modelgate_cache_requests_total',
  'modelgate_model_state',
  'modelgate_model_info',
]);
const POINTS = 120;
/** Rates are taken over the last WINDOW scrapes (about 2 s): smooth enough, and a rollback shows within seconds. */
const WINDOW = 2;
const COLORS = ['#1f5fbf', '#b5480b', '#2e7d32', '#7b1fa2', '#00796b', '#5d4037'];

type Metric = 'rps' | 'errors' | 'p50' | 'p99' | 'cache';
const CHARTS: { key: Metric; title: string; unit: string }[] = [
  { key: 'rps', title: 'Requests/s', unit: 'req/s' },
  { key: 'errors', title: 'Error rate', unit: '%' },
  { key: 'p50', title: 'p50 latency (onnxruntime)', unit: 'ms' },
  { key: 'p99', title: 'p99 latency (onnxruntime)', unit: 'ms' },
  { key: 'cache', title: 'Cache hit rate (whole model)', unit: '%' },
];

/** The version's colour in the charts, as a key beside its row (the charts have no legend of their own). */
function swatch(i: number): HTMLElement {
  const el = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  el.style.background = COLORS[i % COLORS.length] ?? '#333'; // CSSOM: allowed by the CSP
  return el;
}

/** One model's live panel: a readout table (the numbers, readable by anyone) and the charts. */
class ModelPanel {
  readonly el: HTMLElement;
  private readonly readout: HTMLTableSectionElement;
  private readonly cacheLine: HTMLElement;
  private readonly charts: { key: Metric; plot: uPlot; box: HTMLElement; data: (number | null)[][] }[] = [];
  private readonly times: number[] = [];

  constructor(
    readonly model: string,
    readonly versions: string[],
  ) {
    this.readout = h('tbody');
    this.cacheLine = h('p', { class: 'cache-line' }, 'Cache hit rate: –');
    const grid = h('div', { class: 'charts' });
    this.el = h(
      'section',
      { class: 'panel', 'data-live': model, 'aria-labelledby': `live-${model}` },
      h('h3', { id: `live-${model}` }, `${model}: live, per version`),
      h(
        'div',
        { class: 'scroll', role: 'region', 'aria-label': `${model} live numbers`, tabindex: 0 },
        h(
          'table',
          {},
          h('caption', { class: 'sr-only' }, `${model}: predictions per version over the last seconds`),
          h('thead', {}, h('tr', {}, ...['Version', 'Requests/s', 'Share', 'Errors', 'p50 ms', 'p99 ms', 'Drift (max PSI)', 'Live quality'].map((t) => h('th', { scope: 'col' }, t)))),
          this.readout,
        ),
      ),
      this.cacheLine,
      grid,
    );
    for (const c of CHARTS) {
      const box = h('figure', { class: 'chart', 'aria-label': `${model} ${c.title}` }, h('figcaption', {}, `${c.title} (${c.unit})`));
      grid.append(box);
      const series = c.key === 'cache' ? [model] : versions;
      const data: (number | null)[][] = series.map(() => []);
      const plot = new uPlot(
        {
          width: 320,
          height: 150,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true } },
          series: [{}, ...series.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length] ?? '#333', width: 2, spanGaps: true }))],
        },
        [this.times, ...data] as uPlot.AlignedData,
        box,
      );
      this.charts.push({ key: c.key, plot, box, data });
    }
  }

  /** Each chart takes its grid cell's width (one column on a narrow screen). */
  resize(): void {
    for (const c of this.charts) c.plot.setSize({ width: Math.max(200, c.box.clientWidth), height: 150 });
  }

  push(at: number, stats: VersionStats[], cacheHitRate: number | null): void {
    this.times.push(at / 1000);
    const total = stats.reduce((a, s) => a + s.rps, 0);
    for (const c of this.charts) {
      if (c.key === 'cache') c.data[0]?.push(cacheHitRate === null ? null : cacheHitRate * 100);
      else
        stats.forEach((s, i) => {
          const v = c.key === 'rps' ? s.rps : c.key === 'errors' ? (s.errorRate === null ? null : s.errorRate * 100) : c.key === 'p50' ? s.p50Ms : s.p99Ms;
          c.data[i]?.push(v);
        });
      if (this.times.length > POINTS) for (const d of c.data) d.shift();
    }
    if (this.times.length > POINTS) this.times.shift();
    for (const c of this.charts) c.plot.setData([this.times, ...c.data] as uPlot.AlignedData);
    this.readout.replaceChildren(
      ...stats.map((s) =>
        h(
          'tr',
          { 'data-version': s.version },
          h('th', { scope: 'row' }, swatch(this.versions.indexOf(s.version)), s.version),
          h('td', { class: 'rps' }, fmt(s.rps, 1)),
          h('td', { class: 'share' }, total > 0 ? `${fmt((100 * s.rps) / total, 0)} %` : '–'),
          h('td', { class: 'errors' }, s.errorRate === null ? '–' : `${fmt(s.errorRate * 100, 1)} %`),
          h('td', {}, fmt(s.p50Ms, 2)),
          h('td', {}, fmt(s.p99Ms, 2)),
          h('td', { class: 'drift' }, s.driftPsi === null ? '–' : fmt(s.driftPsi, 3)),
          h('td', { class: 'quality' }, s.quality === null ? '–' : `${s.quality.metric} ${fmt(s.quality.value, 3)}`),
        ),
      ),
    );
    this.cacheLine.textContent = `Cache hit rate (whole model): ${cacheHitRate === null ? '–' : `${fmt(cacheHitRate * 100, 0)} %`}`;
  }
}

/**
 * Scrapes the gateway's own /metrics once a second and charts it per model and version.
 * The Prometheus text is parsed here, so the gateway serves nothing new for the charts.
 */
export class LiveCharts {
  readonly el = h('div', { class: 'live' });
  private readonly panels = new Map<string, ModelPanel>();
  private readonly scrapes: Scrape[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The latest samples, for the models view's load state. */
  latest: Sample[] = [];
  onScrape: (() => void) | undefined;

  constructor(private readonly intervalMs = 1000) {
    window.addEventListener('resize', () => this.resize());
  }

  /** Show these models (name -> versions); panels whose versions changed are rebuilt. */
  setModels(models: Map<string, string[]>): void {
    for (const [name, versions] of models) {
      const prev = this.panels.get(name);
      if (prev && prev.versions.join() === versions.join()) continue;
      const panel = new ModelPanel(name, versions);
      if (prev) prev.el.replaceWith(panel.el);
      else this.el.append(panel.el);
      this.panels.set(name, panel);
    }
    this.resize();
  }

  start(): void {
    if (this.timer) return;
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  states(model: string) {
    return loadStates(model, this.latest);
  }

  private resize(): void {
    for (const p of this.panels.values()) p.resize();
  }

  private async scrape(): Promise<void> {
    let text: string;
    try {
      const res = await fetch('/metrics', { cache: 'no-store' });
      if (!res.ok) return;
      text = await res.text();
    } catch {
      return; // the gateway restarts or the network blips: the next tick tries again
    }
    const now: Scrape = { at: Date.now(), samples: parseProm(text, (n) => FAMILIES.has(n)) };
    this.latest = now.samples;
    this.scrapes.push(now);
    if (this.scrapes.length > WINDOW + 1) this.scrapes.shift();
    const from = this.scrapes[0];
    if (from && from !== now) {
      for (const p of this.panels.values()) {
        const w = windowStats(p.model, from, now, p.versions);
        p.push(now.at, w.versions, w.cacheHitRate);
      }
    }
    this.onScrape?.();
  }
}
