import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { waitFor } from '../support/flags.js';
import { json, startGateway } from '../support/gateway.js';
import { redisServerInstalled, startRedis, type RedisServer } from '../support/redis.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const PATH = `/v1/models/${MODEL}/predict`;

async function predict(gw: Gateway, sqft = HOUSE_V1.sqft): Promise<{ status: number; cache: string | null; prediction?: number }> {
  const res = await gw.app.request(PATH, json({ instances: [{ ...HOUSE_V1, sqft }] }));
  if (res.status !== 200) return { status: res.status, cache: null };
  const body = (await res.json()) as { predictions: number[] };
  return { status: res.status, cache: res.headers.get('x-cache'), prediction: body.predictions[0] };
}

/** A metric's value for one label set, as /metrics exposes it. */
async function metric(gw: Gateway, name: string, labels: Record<string, string>): Promise<number> {
  const m = await gw.metrics.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, want]) => String(x.labels[k]) === want));
  return v?.value ?? 0;
}

const replica = (modelsDir: string, redisUrl: string) =>
  startGateway(modelsDir, {
    flags: { file: '/nonexistent/flags.json' },
    cache: { redis: { url: redisUrl, timeoutMs: 200 } },
    models: { [MODEL]: { defaultVersion: '1.0.0', versions: ['1.0.0'] } },
  });

describe.skipIf(!requireService('redis', redisServerInstalled()))('Redis L2 prediction cache (real redis-server)', () => {
  let redis: RedisServer;
  let modelsDir: string;
  let a: Gateway;
  let b: Gateway;
  /** Bodies not seen before (L1 misses), so each asks Redis. */
  let fresh = 3000;
  beforeAll(async () => {
    redis = await startRedis();
    modelsDir = copyDemoModels();
    a = await replica(modelsDir, redis.url);
    b = await replica(modelsDir, redis.url);
    await waitFor(async () => (await metric(a, 'modelgate_cache_tier_up', { tier: 'redis' })) === 1, 10_000);
    await waitFor(async () => (await metric(b, 'modelgate_cache_tier_up', { tier: 'redis' })) === 1, 10_000);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('a prediction made by one replica is a hit on another, with the same numbers', async () => {
    const first = await predict(a, 1801);
    expect(first.cache).toBe('miss');
    // The write to Redis is in the background: B finds it once it has landed.
    await waitFor(async () => (await predict(b, 1801)).cache === 'hit');
    expect((await predict(b, 1801)).prediction).toBe(first.prediction);
    expect(await metric(b, 'modelgate_cache_tier_lookups_total', { tier: 'redis', result: 'hit' })).toBeGreaterThanOrEqual(1);
  });

  it('an L1 hit never asks Redis', async () => {
    await predict(a, 1804);
    const asked = async () => (await metric(a, 'modelgate_cache_tier_lookups_total', { tier: 'redis', result: 'hit' }))
      + (await metric(a, 'modelgate_cache_tier_lookups_total', { tier: 'redis', result: 'miss' }));
    const before = await asked();
    for (let i = 0; i < 5; i++) expect((await predict(a, 1804)).cache).toBe('hit');
    expect(await asked()).toBe(before);
  });

  it('a version reloaded on one replica is invalidated on the other (its L1 and Redis)', async () => {
    await predict(a, 1802);
    await waitFor(async () => (await predict(b, 1802)).cache === 'hit');
    await a.repository.load(MODEL, '1.0.0');
    // B drops its own L1 entry when the invalidation arrives, and the old entry in Redis is unreachable.
    await waitFor(async () => (await predict(b, 1802)).cache === 'miss');
    // B's fresh answer went to Redis under the new generation: A (its own L1 dropped too) finds it there.
    await waitFor(async () => (await predict(a, 1802)).cache === 'hit');
  });

  it('Redis slow (blocked): predictions answer 200 from L1 and the model, the timeouts are counted', async () => {
    const before = await metric(a, 'modelgate_cache_tier_errors_total', { tier: 'redis', op: 'get' });
    await redis.stall(2);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => predict(a, 2500 + i)));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await metric(a, 'modelgate_cache_tier_errors_total', { tier: 'redis', op: 'get' })).toBeGreaterThan(before);
    // Wait out the stall so the next test starts from a responsive server.
    await waitFor(async () => (await predict(a, fresh++)).status === 200 && (await metric(a, 'modelgate_cache_tier_up', { tier: 'redis' })) === 1, 10_000);
  });

  it('Redis killed mid-traffic: every request answers 200, errors are counted, then Redis is used again', async () => {
    const losses = async () => (await metric(a, 'modelgate_cache_tier_errors_total', { tier: 'redis', op: 'get' }))
      + (await metric(a, 'modelgate_cache_tier_errors_total', { tier: 'redis', op: 'set' }))
      + (await metric(a, 'modelgate_cache_tier_lookups_total', { tier: 'redis', result: 'skipped' }));
    const lostBefore = await losses();
    const statuses: number[] = [];
    let killed = false;
    for (let round = 0; round < 40; round++) {
      if (round === 10) {
        await redis.kill();
        killed = true;
      }
      // Ten concurrent requests a round: repeated bodies (hits) and new ones (misses, written to L2).
      const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => predict(i % 2 ? a : b, 2000 + round * 5 + (i % 5))));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(killed).toBe(true);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const lost = (await losses()) - lostBefore;
    expect(lost).toBeGreaterThan(0);
    expect(await metric(a, 'modelgate_cache_tier_up', { tier: 'redis' })).toBe(0);
    console.info(`redis killed mid-traffic: ${statuses.length} requests, 0 errors; replica A counted ${lost} skipped or failed L2 calls (of ${statuses.length / 2} it served)`);

    await redis.restart();
    // The circuit closes on the first probe that succeeds once the client has reconnected: traffic drives it.
    await waitFor(async () => (await predict(a, fresh++)).status === 200 && (await metric(a, 'modelgate_cache_tier_up', { tier: 'redis' })) === 1, 10_000);
    await waitFor(async () => (await predict(b, 1803)).cache === 'hit', 5_000);
  });
});
