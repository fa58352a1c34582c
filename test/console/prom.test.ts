import { describe, expect, it } from 'vitest';
import { loadStates, parseProm, windowStats, type Scrape } from '../../console/src/prom.js';

/** The console's reading of /metrics (what its charts and readout show), on hand-written exposition text. */
const scrape = (at: number, text: string): Scrape => ({ at, samples: parseProm(text) });

const BEFORE = `# HELP modelgate_inference_requests_total Predictions by model, version and outcome.
# TYPE modelgate_inference_requests_total counter
modelgate_inference_requests_total{model="m",version="1.0.0",status="success"} 100
modelgate_inference_requests_total{model="m",version="1.1.0",status="success"} 10
modelgate_inference_requests_total{model="m",version="1.1.0",status="error"} 0
modelgate_inference_duration_seconds_bucket{le="0.001",model="m",version="1.0.0"} 50
modelgate_inference_duration_seconds_bucket{le="0.01",model="m",version="1.0.0"} 100
modelgate_inference_duration_seconds_bucket{le="+Inf",model="m",version="1.0.0"} 100
modelgate_cache_requests_total{model="m",result="hit"} 10
modelgate_cache_requests_total{model="m",result="miss"} 90
modelgate_model_state{model="m",version="1.0.0",state="ready"} 1
modelgate_model_state{model="m",version="1.0.0",state="loading"} 0
modelgate_model_info{model="m",version="1.0.0",provider="cpu",runner="inline"} 1
other_metric{path="a \\"quoted\\" value"} 3
`;
const AFTER = `modelgate_inference_requests_total{model="m",version="1.0.0",status="success"} 300
modelgate_inference_requests_total{model="m",version="1.1.0",status="success"} 30
modelgate_inference_requests_total{model="m",version="1.1.0",status="error"} 20
modelgate_inference_duration_seconds_bucket{le="0.001",model="m",version="1.0.0"} 150
modelgate_inference_duration_seconds_bucket{le="0.01",model="m",version="1.0.0"} 300
modelgate_inference_duration_seconds_bucket{le="+Inf",model="m",version="1.0.0"} 300
modelgate_cache_requests_total{model="m",result="hit"} 60
modelgate_cache_requests_total{model="m",result="miss"} 140
modelgate_feature_drift_psi{model="m",version="1.1.0",feature="sqft"} 0.04
modelgate_feature_drift_psi{model="m",version="1.1.0",feature="bedrooms"} 0.31
modelgate_live_quality{model="m",version="1.1.0",metric="rmse"} 52000
modelgate_live_quality{model="m",version="1.1.0",metric="mae"} 41000.5
`;

describe('console: /metrics in the browser', () => {
  it('parses samples, labels (escaped quotes included) and +Inf', () => {
    const s = parseProm(BEFORE);
    expect(s.find((x) => x.name === 'other_metric')?.labels.path).toBe('a "quoted" value');
    expect(s.find((x) => x.labels.le === '+Inf')?.value).toBe(100);
    expect(parseProm(BEFORE, (n) => n === 'modelgate_cache_requests_total')).toHaveLength(2);
  });

  it('computes requests/s, error rate, quantiles and cache hit rate over the window', () => {
    const w = windowStats('m', scrape(0, BEFORE), scrape(2000, AFTER), ['1.0.0', '1.1.0', '2.0.0']);
    const [stable, canary, idle] = w.versions;
    expect(stable).toMatchObject({ version: '1.0.0', rps: 100, errorRate: 0 });
    // 200 observations: 100 under 1 ms, 100 in (1, 10] ms -> p50 = 1 ms, p99 = 1 + 9 * 98/100 ms.
    expect(stable?.p50Ms).toBeCloseTo(1, 6);
    expect(stable?.p99Ms).toBeCloseTo(9.82, 6);
    expect(canary).toMatchObject({ version: '1.1.0', rps: 20, errorRate: 0.5, p50Ms: null });
    expect(idle).toMatchObject({ rps: 0, errorRate: null });
    expect(w.cacheHitRate).toBeCloseTo(0.5, 6);
  });

  it('shows the largest feature drift and the live quality (MAE, else accuracy) where the gateway has them', () => {
    const w = windowStats('m', scrape(0, BEFORE), scrape(2000, AFTER), ['1.0.0', '1.1.0']);
    expect(w.versions[0]).toMatchObject({ driftPsi: null, quality: null });
    expect(w.versions[1]).toMatchObject({ driftPsi: 0.31, quality: { metric: 'mae', value: 41000.5 } });
  });

  it('treats a smaller counter as a restart, not a negative rate', () => {
    const w = windowStats('m', scrape(0, AFTER), scrape(1000, BEFORE), ['1.0.0']);
    expect(w.versions[0]?.rps).toBe(100);
  });

  it('reads load state, provider and runner per version', () => {
    expect(loadStates('m', parseProm(BEFORE)).get('1.0.0')).toEqual({ state: 'ready', provider: 'cpu', runner: 'inline' });
  });
});
