// OpenTelemetry tracing end to end: the built gateway as its own process, exporting OTLP/HTTP to
// a receiver this test starts, with PostgreSQL (registry, prediction trace), a private Redis (L2
// cache), dynamic batching and a shadow version. Needs `npx tsc -p tsconfig.json` (dist/) first.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { DEMO, HOUSE, eventually } from '../support/governance.js';
import { GrpcTestClient } from '../support/grpc-client.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { redisServerInstalled, startRedis, type RedisServer } from '../support/redis.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparent = (traceId: string, spanId = hex(8)) => `00-${traceId}-${spanId}-01`;
const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
/** A body no cache has seen: a miss in L1 and Redis, so it is queued, batched and run. */
const house = () => ({ instances: [{ ...HOUSE.instances[0], sqft: 400 + Math.random() * 7000 }] });

/** Logs every @opentelemetry module the process resolves (an ESM resolve hook), into OTEL_WATCH_FILE. */
function moduleWatch(dir: string): string {
  const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('@opentelemetry')) appendFileSync(process.env.OTEL_WATCH_FILE, r.url + '\\n');
  return r;
}`;
  writeFileSync(join(dir, 'watch-hook.mjs'), hook);
  const register = join(dir, 'watch-register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'watch-hook.mjs')}`)});\n`);
  return register;
}

const watched = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

const services = requireService('postgres', await postgresAvailable()) && requireService('redis-server', redisServerInstalled());

describe.skipIf(!services)('OpenTelemetry tracing (OTLP/HTTP to a receiver started here)', () => {
  let receiver: OtlpReceiver;
  let db: TestDatabase;
  let redis: RedisServer;
  let traced: ServerProcess;
  let root: string;
  let register: string;

  const env = () => {
    const models = join(root, 'models');
    const config = join(root, 'gateway.json');
    const flags = join(root, 'flags.json');
    // Every user on the flag's one variant, 1.0.0; 1.1.0 runs as its shadow.
    writeFileSync(
      flags,
      JSON.stringify({
        version: 2,
        features: [
          {
            name: 'valuation-rollout',
            enabled: true,
            strategies: [
              {
                name: 'flexibleRollout',
                parameters: { rollout: '100', stickiness: 'default', groupId: 'valuation-rollout' },
                variants: [{ name: 'stable', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: '1.0.0' } }],
              },
            ],
          },
        ],
      }),
    );
    writeFileSync(
      config,
      JSON.stringify({
        modelsDir: models,
        runtime: { executionProviders: ['cpu'], intraOpThreads: 1 },
        flags: { source: 'file', file: flags },
        cache: { enabled: true, redis: { timeoutMs: 500 } },
        models: {
          [MODEL]: {
            defaultVersion: '1.0.0',
            flag: 'valuation-rollout',
            cache: { enabled: true },
            batching: { enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 1000 },
            shadow: { version: '1.1.0', percent: 100 },
          },
        },
      }),
    );
    return {
      MODELGATE_CONFIG: config,
      MODELGATE_DATABASE_URL: db.url,
      MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      MODELGATE_REDIS_URL: redis.url,
      NODE_OPTIONS: `--import ${register}`,
    };
  };

  beforeAll(async () => {
    root = tempDir('modelgate-otel-');
    for (const v of ['1.0.0', '1.1.0']) cpSync(join(DEMO, v), join(root, 'models', MODEL, v), { recursive: true });
    mkdirSync(join(root, 'watch'));
    register = moduleWatch(join(root, 'watch'));
    [receiver, db, redis] = await Promise.all([startOtlpReceiver(), createTestDatabase(), startRedis()]);
    traced = await startServerProcess({
      ...env(),
      OTEL_WATCH_FILE: join(root, 'watch', 'traced.txt'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'modelgate-under-test',
      // Root requests (no traceparent) are never sampled: only the caller's sampled flag turns a trace on.
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    // The L2 tier connects after the listener: wait for it, or the first lookup skips Redis.
    await eventually(async () => ((await (await fetch(`${traced.url}/metrics`)).text()).includes('modelgate_cache_tier_up{tier="redis"} 1') ? true : undefined), 15_000);
  }, 180_000);

  afterAll(async () => {
    await traced?.stop();
    await Promise.all([receiver?.close(), redis?.stop(), db?.drop()]);
  });

  it('a prediction carrying traceparent yields its request, routing, cache, queue, onnxruntime and shadow spans in that trace', async () => {
    const traceId = hex(16);
    const parent = hex(8);
    const res = await fetch(`${traced.url}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: traceparent(traceId, parent), tracestate: 'vendor=x' },
      body: JSON.stringify(house()),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('miss');
    const requestId = res.headers.get('x-request-id') as string;
    const spans = await receiver.trace(traceId, (s) => ['onnxruntime.run', 'modelgate.shadow'].every((n) => named(s, n).length > 0));

    const [request] = named(spans, 'POST /v1/models/:model/predict');
    expect(request).toMatchObject({
      kind: 2,
      parentSpanId: parent,
      service: 'modelgate-under-test',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/v1/models/:model/predict',
        'http.response.status_code': 200,
        'modelgate.request_id': requestId,
        'modelgate.model.version': '1.0.0',
      },
    });
    const children = spans.filter((s) => s.parentSpanId === request?.spanId);
    const [routing] = named(children, 'modelgate.routing');
    expect(routing?.attributes).toMatchObject({
      'feature_flag.key': 'valuation-rollout',
      'feature_flag.result.variant': 'stable',
      'modelgate.route': 'flag:stable',
      'modelgate.model.version': '1.0.0',
    });
    const lookups = named(children, 'modelgate.cache.lookup').map((s) => [s.attributes['modelgate.cache.tier'], s.attributes['modelgate.cache.hit']]);
    expect(lookups).toEqual(expect.arrayContaining([['l1', false], ['redis', false]]));
    // The Redis read itself, by the ioredis instrumentation, under the Redis tier's lookup span.
    const redisLookup = named(children, 'modelgate.cache.lookup').find((s) => s.attributes['modelgate.cache.tier'] === 'redis');
    const redisCalls = spans.filter((s) => s.parentSpanId === redisLookup?.spanId && (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis');
    expect(redisCalls.map((s) => s.name)).toContain('get');
    // Cache keys hold the request's features: only the command's name goes into a trace.
    expect(redisCalls.map((s) => s.attributes['db.query.text'] ?? s.attributes['db.statement'])).not.toContain(expect.stringContaining('modelgate:'));
    expect(named(children, 'modelgate.batch.queue')[0]?.attributes['modelgate.batch.size']).toBeGreaterThanOrEqual(1);
    expect(named(children, 'onnxruntime.run')).toHaveLength(1);
    expect(named(children, 'modelgate.shadow')[0]?.attributes).toMatchObject({ 'modelgate.model.version': '1.1.0', 'modelgate.shadow.agree': expect.any(Boolean) });

    // The prediction trace record carries the trace id; looking it up (itself traced) reads PostgreSQL under its own span.
    const lookupTrace = hex(16);
    const record = await eventually(async () => {
      const r = await fetch(`${traced.url}/admin/predictions/${requestId}`, { headers: { ...admin, traceparent: traceparent(lookupTrace) } });
      return r.status === 200 ? ((await r.json()) as { traceId: string | null; requestId: string }) : undefined;
    }, 10_000);
    expect(record).toMatchObject({ requestId, traceId });
    const lookup = await receiver.trace(lookupTrace, (s) => s.some((x) => (x.attributes['db.system.name'] ?? x.attributes['db.system']) === 'postgresql'));
    expect(named(lookup, 'GET /admin/predictions/:requestId')).toHaveLength(1);
  }, 60_000);

  it('a gRPC ModelInfer call continues the traceparent it carries as metadata', async () => {
    const traceId = hex(16);
    const client = new GrpcTestClient(traced.grpcTarget);
    const r = await client.infer(
      { model_name: MODEL, inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: [1800, 3, 2, 1995, Math.random() * 1e5, 1, 4, 2] } }] },
      { traceparent: traceparent(traceId) },
    );
    client.close();
    expect(r.error).toBeUndefined();
    const spans = await receiver.trace(traceId, (s) => named(s, 'onnxruntime.run').length > 0);
    expect(named(spans, 'inference.GRPCInferenceService/ModelInfer')[0]).toMatchObject({
      kind: 2,
      attributes: { 'rpc.system': 'grpc', 'rpc.method': 'ModelInfer', 'rpc.grpc.status_code': 0 },
    });
    expect(named(spans, 'modelgate.routing')).toHaveLength(1);
  }, 30_000);

  it('an unsampled request (no traceparent, ratio 0) makes no spans; a traced admin request logs its trace id', async () => {
    const before = receiver.spans.length;
    const res = await fetch(`${traced.url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(house()) });
    expect(res.status).toBe(200);
    const traceId = hex(16);
    // A rollback logs a line inside its (traced) request.
    const rb = await fetch(`${traced.url}/admin/models/${MODEL}/rollback`, { method: 'POST', headers: { ...admin, traceparent: traceparent(traceId) } });
    expect(rb.status).toBeLessThan(300);
    await fetch(`${traced.url}/admin/models/${MODEL}/rollback`, { method: 'DELETE', headers: admin });
    await receiver.trace(traceId, (s) => s.length > 0);
    const mine = receiver.spans.slice(before).filter((s) => s.traceId !== traceId);
    expect(mine.filter((s) => s.name.startsWith('POST /v1/'))).toEqual([]);
    const line = traced.logs().split('\n').find((l) => l.includes('rollback') && l.includes(traceId));
    expect(line, traced.logs().slice(-2000)).toBeDefined();
    // With tracing on, the OTel SDK was loaded (the module watch sees it)...
    expect(watched(join(root, 'watch', 'traced.txt')).length).toBeGreaterThan(0);
  }, 30_000);

  it('exports OTLP protobuf by default, and JSON when OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    // Everything above came from the default exporter.
    expect([...receiver.encodings]).toEqual(['protobuf']);
    const json = await startServerProcess({ ...env(), OTEL_WATCH_FILE: join(root, 'watch', 'json.txt'), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'modelgate-json', OTEL_BSP_SCHEDULE_DELAY: '100' });
    try {
      const traceId = hex(16);
      const res = await fetch(`${json.url}/v1/models/${MODEL}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: traceparent(traceId) },
        body: JSON.stringify(house()),
      });
      expect(res.status).toBe(200);
      const spans = await receiver.trace(traceId, (found) => found.some((x) => x.name === 'onnxruntime.run'));
      expect(spans.every((x) => x.service === 'modelgate-json')).toBe(true);
      expect(receiver.encodings.has('json')).toBe(true);
    } finally {
      await json.stop();
    }
  }, 180_000);

  it('off by default: with no exporter or endpoint variable, no OpenTelemetry module is even loaded', async () => {
    const file = join(root, 'watch', 'off.txt');
    const traceId = hex(16);
    // Sampler and service name alone do not turn tracing on.
    const off = await startServerProcess({ ...env(), OTEL_WATCH_FILE: file, OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'modelgate-off' });
    try {
      const res = await fetch(`${off.url}/v1/models/${MODEL}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: traceparent(traceId) },
        body: JSON.stringify(house()),
      });
      expect(res.status).toBe(200);
      const requestId = res.headers.get('x-request-id') as string;
      // Its trace record has no trace id; the logs none either.
      const record = await eventually(async () => {
        const r = await fetch(`${off.url}/admin/predictions/${requestId}`, { headers: admin });
        return r.status === 200 ? ((await r.json()) as { traceId: string | null }) : undefined;
      }, 10_000);
      expect(record.traceId).toBeNull();
      expect(off.logs()).not.toContain('trace_id');
    } finally {
      await off.stop();
    }
    expect(watched(file)).toEqual([]);
    expect(receiver.spans.filter((s) => s.traceId === traceId || s.service === 'modelgate-off')).toEqual([]);
    // A second server process: on a loaded 2-core machine its start and drain alone can take a minute.
  }, 180_000);
});
