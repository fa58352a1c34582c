import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';
import { directRun } from '../support/ort-reference.js';

const MODEL = 'property-valuation';
const row = Object.values(HOUSE_V1);

interface Answer {
  version: string | null;
  cache: string | null;
  route: string | null;
  prediction: number | undefined;
}

async function predict(gw: Gateway, headers: Record<string, string> = {}, path = `/v1/models/${MODEL}/predict`): Promise<Answer> {
  const res = await gw.app.request(path, json({ instances: [HOUSE_V1] }, headers));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { predictions: number[] };
  return {
    version: res.headers.get('x-model-version'),
    cache: res.headers.get('x-cache'),
    route: res.headers.get('x-model-route'),
    prediction: body.predictions[0],
  };
}

const gauge = async (gw: Gateway, name: string) => (await gw.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;

describe('prediction cache in the gateway: x-cache and invalidation through the repository', () => {
  let gw: Gateway;
  let modelsDir: string;
  beforeAll(async () => {
    modelsDir = copyDemoModels();
    gw = await startGateway(modelsDir, {
      flags: { file: '/nonexistent/flags.json' },
      models: { [MODEL]: { defaultVersion: '1.0.0', versions: ['1.0.0', '1.1.0'] } },
    });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('answers miss, then hit with the same numbers; no-cache skips the read', async () => {
    const [ref] = await directRun(MODEL, '1.0.0', [row]);
    const first = await predict(gw);
    const second = await predict(gw);
    const fresh = await predict(gw, { 'cache-control': 'no-cache' });
    expect([first.cache, second.cache, fresh.cache]).toEqual(['miss', 'hit', 'bypass']);
    for (const a of [first, second, fresh]) expect(a.prediction).toBe(ref);
  });

  it('drops a version on reload: the reloaded artifact answers, never the old entry', async () => {
    await predict(gw, { 'x-model-version': '1.1.0' });
    expect((await predict(gw, { 'x-model-version': '1.0.0' })).cache).toBe('hit');
    expect(await gauge(gw, 'modelgate_cache_entries')).toBe(2);

    // Put 1.1.0's artifact behind 1.0.0 and reload it: 1.0.0's cached prediction must go.
    const dir = join(modelsDir, MODEL, '1.0.0');
    rmSync(dir, { recursive: true });
    cpSync(join(modelsDir, MODEL, '1.1.0'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version: '1.0.0' }));
    await gw.repository.load(MODEL, '1.0.0');

    expect(await gauge(gw, 'modelgate_cache_entries')).toBe(1);
    const after = await predict(gw, { 'x-model-version': '1.0.0' });
    expect(after.cache).toBe('miss');
    expect(after.prediction).toBe((await directRun(MODEL, '1.1.0', [row]))[0]);
    expect(after.prediction).not.toBe((await directRun(MODEL, '1.0.0', [row]))[0]);
  });

  it('drops a version on unload', async () => {
    expect((await predict(gw, { 'x-model-version': '1.1.0' })).cache).toBe('hit');
    const before = (await gauge(gw, 'modelgate_cache_entries')) ?? 0;
    await gw.repository.unload(MODEL, '1.1.0');
    expect(await gauge(gw, 'modelgate_cache_entries')).toBe(before - 1);
    await gw.repository.load(MODEL, '1.1.0');
    expect((await predict(gw, { 'x-model-version': '1.1.0' })).cache).toBe('miss');
  });
});

describe('prediction cache versus routing: a 90/10 canary split through flags', () => {
  let gw: Gateway;
  let modelsDir: string;
  beforeAll(async () => {
    modelsDir = copyDemoModels();
    gw = await startGateway(modelsDir, {
      flags: { file: join(process.cwd(), 'bench/flags-canary.json') },
      models: { [MODEL]: { defaultVersion: '1.0.0', versions: ['1.0.0', '1.1.0'] } },
    });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('serves every user the prediction of the version routing chose, from the cache or not', async () => {
    const ref: Record<string, number | undefined> = {
      '1.0.0': (await directRun(MODEL, '1.0.0', [row]))[0],
      '1.1.0': (await directRun(MODEL, '1.1.0', [row]))[0],
    };
    expect(ref['1.0.0']).not.toBe(ref['1.1.0']);
    const users = Array.from({ length: 300 }, (_, i) => `user-${i}`);
    const chosen = new Map<string, string | null>();
    const caches: string[] = [];
    for (const round of [0, 1]) {
      for (const user of users) {
        const a = await predict(gw, { 'x-user-id': user });
        expect(a.route?.startsWith('flag:'), a.route ?? '').toBe(true);
        expect(a.prediction, `${user} on ${a.version} (${a.cache})`).toBe(ref[a.version ?? '']);
        if (round === 0) chosen.set(user, a.version);
        else expect(a.version).toBe(chosen.get(user));
        caches.push(a.cache ?? '');
      }
    }
    const canary = [...chosen.values()].filter((v) => v === '1.1.0').length;
    expect(canary).toBeGreaterThan(300 * 0.03);
    expect(canary).toBeLessThan(300 * 0.2);
    // Same house for everyone: exactly one miss per version, every other answer a hit.
    expect(caches.filter((c) => c === 'miss')).toHaveLength(2);
    expect(caches.filter((c) => c === 'hit')).toHaveLength(598);
  });
});
