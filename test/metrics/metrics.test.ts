import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const USER = 'user-sentinel-5f1c9e';
const REQUEST = 'req-sentinel-a83b2d';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = requireService('prometheus-tools', promtool.status === 0);

/** Every sample line of a family: `name{labels} value`, labels parsed. */
function samples(text: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] as string] = m[2] as string;
    out.push(labels);
  }
  return out;
}

describe('GET /metrics', () => {
  let gw: Gateway;
  let text: string;
  beforeAll(async () => {
    gw = await startGateway(
      copyDemoModels(),
      {
        flags: { file: join(process.cwd(), 'bench/flags-canary.json') },
        models: { [MODEL]: { defaultVersion: '1.0.0', batching: { enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 1_000 } } },
      },
      { metrics: new GatewayMetrics() },
    );
    const headers = { 'x-user-id': USER, 'x-request-id': REQUEST };
    const post = async (path: string, body: unknown, h: Record<string, string> = headers) => gw.app.request(path, json(body, h));
    const statuses = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => post(`/v1/models/${MODEL}/predict`, { instances: [{ ...HOUSE_V1, sqft: 1000 + i }] }, { ...headers, 'x-user-id': `${USER}-${i}` })),
      post(`/v1/models/${MODEL}/predict`, { instances: [HOUSE_V1] }).then(() => post(`/v1/models/${MODEL}/predict`, { instances: [HOUSE_V1] })),
      post(`/v1/models/${MODEL}/predict`, { instances: [HOUSE_V1] }),
      post(`/v1/models/${MODEL}/versions/1.1.0/predict`, { instances: [HOUSE_V1] }),
      post(`/v1/models/${MODEL}/predict`, { instances: [{ ...HOUSE_V1, sqft: -5 }] }),
      post(`/v1/models/no-such-model/predict`, { instances: [HOUSE_V1] }),
      post(`/v2/models/${MODEL}/infer`, { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values(HOUSE_V1) }] }),
      Promise.resolve(gw.app.request(`/nowhere/${REQUEST}`)),
    ]).then((rs) => rs.map((r) => r.status));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 404, 200, 404]);
    const res = await gw.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
  });
  afterAll(() => gw.close());

  it('counts requests by route template, method and status', () => {
    const http = samples(text, 'modelgate_http_requests_total');
    expect(http).toContainEqual({ method: 'POST', route: '/v1/models/:model/predict', status: '200' });
    expect(http).toContainEqual({ method: 'POST', route: '/v1/models/:model/versions/:version/predict', status: '200' });
    expect(http).toContainEqual({ method: 'POST', route: '/v1/models/:model/predict', status: '400' });
    expect(http).toContainEqual({ method: 'POST', route: '/v2/models/:model/infer', status: '200' });
    expect(samples(text, 'modelgate_http_request_duration_seconds_bucket').length).toBeGreaterThan(0);
  });

  it('has the data plane families with bounded labels', () => {
    const inferences = samples(text, 'modelgate_inference_requests_total');
    // One series per protocol the predictions came in by.
    expect(inferences).toContainEqual({ model: MODEL, version: '1.0.0', protocol: 'v1', status: 'success' });
    expect(inferences.filter((l) => l.protocol === 'oip').length).toBeGreaterThan(0);
    for (const family of ['modelgate_inference_duration_seconds_count', 'modelgate_queue_duration_seconds_count', 'modelgate_batch_size_count']) {
      expect(samples(text, family), family).toContainEqual({ model: MODEL, version: '1.0.0' });
    }
    const cache = samples(text, 'modelgate_cache_requests_total');
    expect(cache).toContainEqual({ model: MODEL, result: 'hit' });
    expect(cache).toContainEqual({ model: MODEL, result: 'miss' });
    expect(text).toMatch(/^# TYPE modelgate_cache_evictions_total counter$/m);
    expect(text).toMatch(/^modelgate_cache_entries [1-9]\d*$/m);
    expect(text).toMatch(/^modelgate_cache_bytes [1-9]\d*$/m);
    const routes = samples(text, 'modelgate_routing_decisions_total');
    expect(routes.some((r) => r.model === MODEL && r.route === 'flag')).toBe(true);
    expect(routes).toContainEqual({ model: MODEL, version: '1.1.0', route: 'pinned', reason: 'path' });
  });

  it('reports load state and execution provider per version, process metrics under their stock names, build info', () => {
    expect(samples(text, 'modelgate_model_state')).toContainEqual({ model: MODEL, version: '1.1.0', state: 'ready' });
    const info = samples(text, 'modelgate_model_info');
    expect(info.map((i) => i.version).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    for (const i of info) expect(i.provider).toBe('cpu');
    for (const stock of ['process_cpu_seconds_total', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${stock} `, 'm'));
    }
    expect(text).not.toMatch(/^modelgate_(process|nodejs)_/m);
    const [build] = samples(text, 'modelgate_build_info');
    expect(build).toEqual({ version: '0.1.0', node: process.versions.node, onnxruntime: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(text).toMatch(/^modelgate_build_info\{[^}]*\} 1$/m);
  });

  it('never holds a user id, request id or raw URL', () => {
    expect(text).not.toContain('sentinel');
    expect(text).not.toContain('/nowhere');
    expect(text).not.toContain('no-such-model');
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
