import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePerfArgs } from '../../src/cli/perf-options.js';
import { parseDuration, parseSteps } from '../../src/perf/load-steps.js';
import { isStable } from '../../src/perf/measure-step.js';
import { planInputs, generateTensors, toInstances, type ModelMeta } from '../../src/perf/model-inputs.js';
import { percentile, summarize } from '../../src/perf/percentiles.js';
import { parsePrometheusText } from '../../src/perf/prometheus-text.js';
import { RequestSource } from '../../src/perf/request-source.js';
import { breakdown } from '../../src/perf/server-breakdown.js';
import type { WindowStats } from '../../src/perf/window-collector.js';

describe('load steps and durations', () => {
  it.each([
    ['1:64:x4', [1, 4, 16, 64]],
    ['1:64:x2', [1, 2, 4, 8, 16, 32, 64]],
    ['100:500:+200', [100, 300, 500]],
    ['1:10:x4', [1, 4, 10]],
    ['8', [8]],
  ])('%s -> %j', (spec, steps) => expect(parseSteps(spec)).toEqual(steps));

  it.each(['0:4', '4:1', '1:8:x1', '1:8:*2', 'a', '1:2:3:4'])('refuses %s', (spec) => expect(() => parseSteps(spec)).toThrow(/invalid range/));

  it('reads durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('2')).toBe(2000);
    expect(() => parseDuration('soon')).toThrow(/invalid duration/);
  });
});

describe('percentiles and stability', () => {
  it('nearest rank', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(summarize(Float64Array.from([3, 1, 2])).p50).toBe(2);
  });

  const w = (throughput: number, mean: number): WindowStats => ({
    durationMs: 1000, ok: 10, throughput, latency: { mean, p50: mean, p90: mean, p95: mean, p99: mean, max: mean }, errors: {}, versions: {}, cache: {},
  });
  it('needs N windows whose throughput and mean latency are within pct of their average', () => {
    expect(isStable([w(100, 1), w(105, 1.05), w(98, 1)], 3, 10)).toBe(true);
    expect(isStable([w(100, 1), w(140, 1)], 2, 10)).toBe(false);
    expect(isStable([w(100, 1), w(100, 2)], 2, 10)).toBe(false);
    expect(isStable([w(100, 1), w(100, 1)], 3, 10)).toBe(false);
  });
});

describe('inputs from metadata', () => {
  const meta: ModelMeta = {
    name: 'm',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 3] }],
    features: [
      { name: 'a', dtype: 'float', min: 10, max: 20 },
      { name: 'b', dtype: 'integer', min: 1, max: 3 },
      { name: 'c', dtype: 'category', min: 0, max: 4, categories: ['x', 'y', 'z', 'u', 'v'] },
    ],
  };

  it('draws each feature column from its range; -1 becomes the batch size', () => {
    const plans = planInputs(meta, new Map(), 4);
    expect(plans[0]?.shape).toEqual([4, 3]);
    const set = generateTensors(plans, 'random');
    const data = set.tensors[0]?.data as number[];
    expect(data).toHaveLength(12);
    for (let r = 0; r < 4; r++) {
      expect(data[r * 3]).toBeGreaterThanOrEqual(10);
      expect(data[r * 3]).toBeLessThanOrEqual(20);
      expect(Number.isInteger(data[r * 3 + 1])).toBe(true);
    }
    expect(toInstances(plans, set)).toHaveLength(4);
  });

  it('asks for --shape on a dynamic dimension after the first', () => {
    const m: ModelMeta = { name: 'vad', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, -1] }] };
    expect(() => planInputs(m, new Map(), 1)).toThrow(/--shape input:1,1/);
    expect(planInputs(m, new Map([['input', [1, 16000]]]), 1)[0]?.shape).toEqual([1, 16000]);
    expect(() => planInputs(m, new Map([['nope', [1]]]), 1)).toThrow(/no input 'nope'/);
  });

  it('sends the unique share as fresh requests, evenly', () => {
    let n = 0;
    const s = new RequestSource(['pooled'], () => `fresh-${n++}`, 0.25);
    const got = Array.from({ length: 8 }, () => s.next());
    expect(got.filter((g) => g.startsWith('fresh'))).toEqual(['fresh-0', 'fresh-1']);
  });
});

describe('/metrics breakdown', () => {
  const scrape = (runs: number, secs: number, queued: number, hits: number) =>
    parsePrometheusText(`# HELP x y
modelgate_inference_duration_seconds_sum{model="m",version="1"} ${secs}
modelgate_inference_duration_seconds_count{model="m",version="1"} ${runs}
modelgate_inference_duration_seconds_count{model="other",version="1"} 999
modelgate_queue_duration_seconds_sum{model="m",version="1"} ${queued}
modelgate_queue_duration_seconds_count{model="m",version="1"} ${runs * 4}
modelgate_batch_size_sum{model="m",version="1"} ${runs * 4}
modelgate_batch_size_count{model="m",version="1"} ${runs}
modelgate_cache_requests_total{model="m",result="hit"} ${hits}
modelgate_cache_requests_total{model="m",result="miss"} ${runs * 4}
modelgate_requests_shed_total{reason="in_flight"} 2
modelgate_http_request_duration_seconds_sum{method="POST",route="/v2/models/:model/infer",status="200"} ${secs * 2}
modelgate_http_request_duration_seconds_count{method="POST",route="/v2/models/:model/infer",status="200"} ${runs * 4}
modelgate_http_request_duration_seconds_sum{method="GET",route="/metrics",status="200"} 50
modelgate_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"} 1
`);

  it('means per run and per request over the deltas, for the model only', () => {
    const b = breakdown(scrape(10, 0.1, 0.2, 0), scrape(30, 0.5, 0.6, 80), 'm');
    expect(b.runs).toBe(20);
    expect(b.inferenceMs).toBeCloseTo(20); // 0.4 s over 20 runs
    expect(b.batchSize).toBeCloseTo(4);
    expect(b.queueMs).toBeCloseTo(5); // 0.4 s over 80 requests
    expect(b.serverMs).toBeCloseTo(10); // 0.8 s over 80 requests, /metrics itself left out
    expect(b.shed).toBe(0);
    expect(b.cacheHitRate).toBeCloseTo(0.5);
  });

  it('reads escaped label values', () => {
    const [s] = parsePrometheusText('m{a="x\\"y",b="z"} 3');
    expect(s).toEqual({ name: 'm', labels: { a: 'x"y', b: 'z' }, value: 3 });
  });
});

describe('the README examples', () => {
  const lines = readFileSync('README.md', 'utf8').split('\n').filter((l) => l.startsWith('modelgate perf '));
  it('has examples', () => expect(lines.length).toBeGreaterThanOrEqual(4));
  it.each(lines)('%s is a valid command line', (line) => {
    const args = line.replace(/\s+#.*$/, '').split(/\s+/).slice(2);
    expect(() => parsePerfArgs(args)).not.toThrow();
  });
});

describe('command line', () => {
  it.each([
    [['--model', 'm', '--replay-trace', '5', '--input-data', 'x.json'], /--input-data or --replay-trace, not both/],
    [['--model', 'm', '--replay-trace', '0'], /--replay-trace must be an integer >= 1/],
    [['--concurrency', '4'], /--model is required/],
    [['--model', 'm', '--protocol', 'soap'], /--protocol must be/],
    [['--model', 'm', '--concurrency', '4', '--rate', '100'], /not both/],
    [['--model', 'm', '--concurrency', '64:1'], /--concurrency: invalid range/],
    [['--model', 'm', '--unique-inputs', '2'], /share between 0 and 1/],
    [['--model', 'm', '--shape', 'x'], /--shape x: NAME:D1,D2/],
    [['--model', 'm', '--sweep-batching'], /needs --p99-budget/],
    [['--model', 'm', '--colour'], /Unknown option '--colour'/],
  ])('%j is refused', (args, message) => expect(() => parsePerfArgs(args)).toThrow(message));

  it('--cache off and --token become headers; rate steps cap connections; the gRPC address defaults to port 8081', () => {
    const cli = parsePerfArgs(['--model', 'm', '--url', 'http://gw.example:9000/', '--cache', 'off', '--token', 't', '--rate', '10:50:+40', '--p99-budget', '5']);
    expect(cli.run.target.headers).toEqual({ 'cache-control': 'no-cache', authorization: 'Bearer t' });
    expect(cli.run.target.url).toBe('http://gw.example:9000');
    expect(cli.run.target.grpcAddress).toBe('gw.example:8081');
    expect(cli.run.loads).toEqual([{ rate: 10, connections: 10 }, { rate: 50, connections: 50 }]);
  });
});
