import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PredictionTrace } from '../../src/audit/prediction-trace.js';
import { TraceLog } from '../../src/audit/trace-log.js';
import { requestKey } from '../../src/audit/trace-segment.js';
import { TraceSettings } from '../../src/config/registry-schema.js';
import type { CacheResult, ObservedPrediction } from '../../src/contracts/prediction.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { LoadedVersion } from '../../src/contracts/loaded-version.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { tempDir } from '../support/fixtures.js';
import { json } from '../support/gateway.js';
import { HOUSE, createToken, demoFiles, eventually, promote, startGoverned, upload, type GovernedGateway } from '../support/governance.js';

const feeds: TensorMap = { features: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 2]) } };
const outputs = (out = new Float32Array([42])): TensorMap => ({ price: { type: 'float32', dims: [out.length, 1], data: out } });
const DAY = 86_400_000;

function observed(requestId: string, o: Partial<ObservedPrediction> = {}): ObservedPrediction {
  return {
    requestId,
    atMs: Date.now(),
    model: 'm',
    version: { version: '1.0.0' } as LoadedVersion,
    route: 'fallback:no_flag',
    pin: undefined,
    cache: 'miss' as CacheResult,
    latencyMs: 1.5,
    feeds,
    outputs: outputs(),
    ...o,
  };
}

async function counter(metrics: GatewayMetrics, result: string): Promise<number> {
  const m = await metrics.traceRecords.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('prediction trace log', () => {
  let dir: string;
  let metrics: GatewayMetrics;
  beforeEach(() => {
    dir = tempDir('modelgate-trace-');
    metrics = new GatewayMetrics(undefined, { processMetrics: false });
  });
  const open = (s: Record<string, unknown> = {}, now?: () => number) =>
    new TraceLog({ dir, settings: TraceSettings.parse(s), records: metrics.traceRecords, ...(now ? { now } : {}) });

  it('finds a record by request id with everything the API shows, once written', async () => {
    const log = open({ flushIntervalMs: 5 });
    const trace = new PredictionTrace(log, 2048, () => 'production');
    trace.observe(observed('abc'));
    const [rec] = await log.find('abc');
    expect(rec).toMatchObject({ requestId: 'abc', model: 'm', version: '1.0.0', stage: 'production', route: 'fallback:no_flag', cache: 'miss', latencyMs: 1.5 });
    expect(rec?.inputDigest).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(rec?.output).toEqual({ price: { type: 'float32', shape: [1, 1], data: [42] } });
    expect(rec?.outputDigest).toBeNull();
    expect(await counter(metrics, 'written')).toBe(1);
    await log.close();
  });

  it('keeps only the digest of outputs larger than maxOutputBytes, and never the inputs', async () => {
    const log = open();
    new PredictionTrace(log, 64, undefined).observe(observed('big', { outputs: outputs(new Float32Array(100).fill(1)) }));
    const [rec] = await log.find('big');
    expect(rec?.output).toBeNull();
    expect(rec?.outputDigest).toMatch(/^blake3:[0-9a-f]{64}$/);
    await log.close();
    const bytes = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => statSync(join(dir, f)).size);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(200);
  });

  it('returns every prediction answered under a reused id, newest first, across sealed segments and restarts', async () => {
    const log = open({ maxSegmentBytes: 64 * 1024 });
    const trace = new PredictionTrace(log, 2048, undefined);
    for (let i = 0; i < 3000; i++) trace.observe(observed(i % 1000 === 0 ? 'reused' : `r-${i}`, { latencyMs: i }));
    await log.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx')).length).toBeGreaterThan(2);
    const again = open();
    const found = await again.find('reused');
    expect(found.map((r) => r.latencyMs)).toEqual([2000, 1000, 0]);
    expect((await again.find('r-2999'))[0]?.latencyMs).toBe(2999);
    expect(await again.find('r-3000')).toEqual([]);
    await again.close();
  });

  it('rebuilds the index of a segment a crash left without one, ignoring a torn last record', async () => {
    const log = open();
    const trace = new PredictionTrace(log, 2048, undefined);
    for (let i = 0; i < 10; i++) trace.observe(observed(`c-${i}`));
    await log.drain();
    const file = readdirSync(dir).find((f) => f.endsWith('.log')) as string;
    truncateSync(join(dir, file), statSync(join(dir, file)).size - 3);
    const after = open();
    expect(await after.find('c-8')).toHaveLength(1);
    expect(await after.find('c-9')).toEqual([]);
    await after.close();
  });

  it('drops and counts records, never blocking, when the disk is far behind', async () => {
    const log = open({ maxPendingBytes: 1 });
    const trace = new PredictionTrace(log, 2048, undefined);
    trace.observe(observed('first'));
    log.flush();
    for (let i = 0; i < 20; i++) trace.observe(observed(`late-${i}`));
    expect(await counter(metrics, 'dropped')).toBe(20);
    await log.close();
    expect(await counter(metrics, 'written')).toBe(1);
  });

  it('retains by age and by size, dropping whole sealed segments, oldest first', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const log = open({ maxSegmentBytes: 64 * 1024, retentionDays: 7, maxBytes: 0 }, () => now);
    const trace = new PredictionTrace(log, 2048, undefined);
    for (let i = 0; i < 1000; i++) trace.observe(observed(`old-${i}`, { atMs: now }));
    await log.drain();
    now += 8 * DAY;
    for (let i = 0; i < 1000; i++) trace.observe(observed(`new-${i}`, { atMs: now }));
    await log.drain();
    await new Promise((r) => setTimeout(r, 20));
    log.prune(); // also runs after each seal
    expect(await log.find('old-0')).toEqual([]);
    // old-999 may share its segment with the first new records: retention is by whole segment.
    expect(await log.find('new-999')).toHaveLength(1);
    await log.close();

    const sized = new TraceLog({ dir: tempDir('modelgate-trace-'), settings: TraceSettings.parse({ maxSegmentBytes: 64 * 1024, maxBytes: 200 * 1024 }), records: metrics.traceRecords });
    const t2 = new PredictionTrace(sized, 2048, undefined);
    for (let i = 0; i < 20_000; i++) t2.observe(observed(`s-${i}`));
    await sized.drain();
    await new Promise((r) => setTimeout(r, 50));
    sized.prune();
    expect(sized.bytes).toBeLessThanOrEqual(200 * 1024 + 64 * 1024 + 4096);
    expect(await sized.find('s-19999')).toHaveLength(1);
    expect(await sized.find('s-0')).toEqual([]);
    await sized.close();
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
