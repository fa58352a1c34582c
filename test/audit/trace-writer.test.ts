import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TraceSettings } from '../../src/config/registry-schema.js';
import { InlineTraceSink, WorkerTraceSink, type TraceSink } from '../../src/audit/trace-sink.js';
import { openTraceDb, requestKey, TraceStore } from '../../src/audit/trace-store.js';
import { TraceWriter } from '../../src/audit/trace-writer.js';
import type { PredictRequest, PredictResult } from '../../src/core/prediction-service.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { LoadedVersion } from '../../src/repository/loaded-version.js';
import type { TensorMap } from '../../src/runtime/tensor.js';
import { tempDir } from '../support/fixtures.js';
import { json } from '../support/gateway.js';
import { HOUSE, createToken, demoFiles, eventually, promote, startGoverned, upload, type GovernedGateway } from '../support/governance.js';

const feeds: TensorMap = { features: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 2]) } };
const result = (out = new Float32Array([42])): PredictResult => ({
  model: 'm',
  version: { version: '1.0.0' } as LoadedVersion,
  route: 'fallback:no_flag',
  outputs: { price: { type: 'float32', dims: [out.length, 1], data: out } },
  cache: 'miss',
});
const request = (requestId: string): PredictRequest => ({ model: 'm', requestId, context: { properties: {} }, input: { kind: 'instances', instances: [] } });

async function counter(metrics: GatewayMetrics, result: string): Promise<number> {
  const m = await metrics.traceRecords.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

/** A sink that holds every write until released: the writer thread stuck on a slow disk. */
class StuckSink implements TraceSink {
  private release: (() => void) | undefined;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  batches = 0;
  async write(rows: unknown[]) {
    this.batches++;
    await this.gate;
    return { written: rows.length, failed: 0 };
  }
  async prune() {
    return 0;
  }
  async close() {}
  unblock() {
    this.release?.();
  }
}

describe('trace writer', () => {
  let path: string;
  let reader: Database.Database;
  let metrics: GatewayMetrics;
  beforeEach(() => {
    path = join(tempDir('modelgate-trace-'), 'trace.db');
    reader = openTraceDb(path);
    metrics = new GatewayMetrics(undefined, { processMetrics: false });
  });
  afterEach(() => reader.close());
  const settings = (s: Record<string, unknown> = {}) => TraceSettings.parse(s);

  it('drops and counts records beyond the queue instead of blocking, and writes the rest', async () => {
    const w = new TraceWriter({ sink: new InlineTraceSink(path, 2048), metrics, settings: settings({ queueSize: 5, batchSize: 1000, flushIntervalMs: 60_000 }) });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) w.observe(request(`r${i}`), feeds, result(), 1);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(w.pending).toBe(5);
    expect(await counter(metrics, 'dropped')).toBe(15);
    await w.close();
    expect(await counter(metrics, 'written')).toBe(5);
    expect(new TraceStore(reader).count()).toBe(5);
  });

  it('counts records the sink has not acknowledged against the queue: a stuck writer never backs up into requests', async () => {
    const sink = new StuckSink();
    const w = new TraceWriter({ sink, metrics, settings: settings({ queueSize: 100, batchSize: 10 }) });
    for (let i = 0; i < 1000; i++) w.observe(request(`s${i}`), feeds, result(), 1);
    expect(sink.batches).toBe(10); // 100 records handed over in batches of 10, then nothing more
    expect(w.pending).toBe(100);
    expect(await counter(metrics, 'dropped')).toBe(900);
    sink.unblock();
    await w.drain();
    expect(await counter(metrics, 'written')).toBe(100);
    w.observe(request('after'), feeds, result(), 1);
    expect(w.pending).toBe(1);
    await w.close();
  });

  it('flushes by itself after the interval, through the writer thread', async () => {
    const w = new TraceWriter({ sink: WorkerTraceSink.create(path, 2048), metrics, settings: settings({ flushIntervalMs: 5 }), stageOf: () => 'production' });
    w.observe(request('abc'), feeds, result(), 1.5);
    const store = new TraceStore(reader);
    expect(store.find('abc')).toEqual([]);
    const [rec] = await eventually(async () => {
      const found = store.find('abc');
      return found.length ? found : undefined;
    });
    expect(rec).toMatchObject({ requestId: 'abc', model: 'm', version: '1.0.0', stage: 'production', route: 'fallback:no_flag', cache: 'miss', latencyMs: 1.5 });
    expect(rec?.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec?.output).toEqual({ price: { type: 'float32', shape: [1, 1], data: [42] } });
    expect(rec?.outputSha256).toBeNull();
    expect(await counter(metrics, 'written')).toBe(1);
    await w.close();
  });

  it('keeps only the digest of outputs longer than maxOutputBytes', async () => {
    const w = new TraceWriter({ sink: new InlineTraceSink(path, 64), metrics, settings: settings() });
    w.observe(request('big'), feeds, result(new Float32Array(100).fill(1)), 1);
    await w.close();
    const [rec] = new TraceStore(reader).find('big');
    expect(rec?.output).toBeNull();
    expect(rec?.outputSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prunes records older than the retention period', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const w = new TraceWriter({ sink: new InlineTraceSink(path, 2048), metrics, settings: settings({ retentionDays: 7 }), now: () => now });
    for (let i = 0; i < 3; i++) w.observe(request(`old${i}`), feeds, result(), 1);
    await w.drain();
    now += 8 * 86_400_000;
    w.observe(request('new'), feeds, result(), 1);
    await w.drain();
    expect(await w.prune()).toBe(3);
    const store = new TraceStore(reader);
    expect(store.find('old0')).toEqual([]);
    expect(store.find('new')).toHaveLength(1);
    await w.close();
  });

  it('indexes request ids by a 52-bit key and tells colliding keys apart by the id itself', () => {
    const keys = new Set(Array.from({ length: 10_000 }, (_, i) => requestKey(`req-${i}`)));
    expect(keys.size).toBe(10_000);
    expect(Number.isSafeInteger(requestKey('x'.repeat(128)))).toBe(true);
  });
});

describe('prediction lookup through the gateway', () => {
  let g: GovernedGateway;
  afterAll(async () => g?.close());

  it('answers which version produced a prediction, why, and who put it in production after which gate', async () => {
    g = await startGoverned({ versions: ['1.0.0'] });
    const alice = await createToken(g, 'alice', 'deployer');
    const bob = await createToken(g, 'bob', 'approver');
    await upload(g, alice, demoFiles('1.1.0'));
    await promote(g, alice, '1.1.0', 'staging');
    expect((await promote(g, bob, '1.1.0', 'production', { reason: 'Q3 market shift' })).status).toBe(200);

    const res = await g.call('/v1/models/property-valuation/predict', json(HOUSE, { 'x-request-id': 'trace-me-1' }));
    expect(res.status).toBe(200);
    const pinned = await g.call('/v1/models/property-valuation/predict', json(HOUSE, { 'x-request-id': 'trace-me-2', 'x-model-version': 'production' }));
    expect(pinned.headers.get('x-model-version')).toBe('1.1.0');

    const body = await eventually(async () => {
      const r = await g.call('/admin/predictions/trace-me-1', { token: alice });
      return r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined;
    });
    expect(body).toMatchObject({
      requestId: 'trace-me-1',
      model: 'property-valuation',
      version: '1.1.0',
      stage: 'production',
      route: 'fallback:no_flag',
      why: expect.stringMatching(/stable version answered, the registry production version/),
      lineage: { dataVersion: '2026.06', parentVersion: '1.0.0', registeredBy: 'alice' },
      promotion: {
        stage: 'production',
        by: 'bob',
        reason: 'Q3 market shift',
        overrides: [],
        gate: { passed: true, baseline: '1.0.0', comparison: 'same_holdout', ranBy: 'bob' },
      },
    });
    const second = await eventually(async () => {
      const r = await g.call('/admin/predictions/trace-me-2', { token: alice });
      return r.status === 200 ? ((await r.json()) as { route: string; pin: string; why: string }) : undefined;
    });
    expect(second).toMatchObject({ route: 'pinned', pin: 'header:production', why: 'the request pinned the version (header:production)' });
    expect((await g.call('/admin/predictions/never-seen', { token: alice })).status).toBe(404);
    expect((await g.call('/admin/predictions/trace-me-1')).status).toBe(401);
    const metrics = await (await g.call('/metrics')).text();
    expect(metrics).toMatch(/modelgate_trace_records_total\{result="written"\} [1-9]/);
  });
});
