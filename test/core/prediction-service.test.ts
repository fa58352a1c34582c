import { describe, expect, it } from 'vitest';
import { buildExecutor } from '../../src/build-executor.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { PredictAnswer, PredictCall, Protocol, RoutingContext } from '../../src/contracts/prediction.js';
import { PredictionService } from '../../src/core/prediction-service.js';
import { oipProtocol } from '../../src/http/protocols/oip.js';
import type { OipHead } from '../../src/http/protocols/oip-binary-output.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { LoadedVersion } from '../../src/contracts/loaded-version.js';
import type { ModelRepository } from '../../src/repository/model-repository.js';
import type { VersionResolver } from '../../src/routing/types.js';
import { fakeVersion } from '../support/fake-version.js';

const CONTEXT: RoutingContext = { properties: {} };

function setup(cache = true) {
  const { lv, runner } = fakeVersion('m', '1.0.0');
  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  const repository = { onChange: () => undefined } as unknown as ModelRepository;
  const config = parseConfig({ cache: { enabled: cache }, registry: { enabled: false } });
  const caching = buildExecutor(config, repository, metrics);
  const resolver: VersionResolver = { resolve: (_m, _p, _c) => ({ version: lv as LoadedVersion, route: 'fallback:no_flag', kind: 'fallback', reason: 'no_flag' }) };
  const service = new PredictionService({
    resolver,
    executor: caching,
    metrics,
    maxBatchInstances: 64,
    maxInFlight: 64,
    cacheEnabled: (m) => caching.enabledFor(m),
    countHit: (m) => caching.countHit(m),
  });
  // These JSON requests ask for no binary outputs, so their answers are text.
  const protocol = oipProtocol as Protocol<string, string, OipHead>;
  const call = (body: string, requestId = 'r1'): PredictCall<string, string, OipHead> => ({ model: 'm', protocol, body, pin: undefined, context: CONTEXT, requestId, noCache: false });
  return { service, runner, call, metrics, caching };
}

const body = (data: number[], extra = '') =>
  `{${extra}"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":${JSON.stringify(data)}}]}`;

async function answer(a: PredictAnswer | Promise<PredictAnswer>): Promise<PredictAnswer> {
  return a instanceof Promise ? a : a;
}

describe('PredictionService (the data plane)', () => {
  it('answers a body seen before synchronously from its cache entry, with this request’s own id', async () => {
    const { service, runner, call } = setup();
    const first = await answer(service.predict(call(body([1, 2]), 'a')));
    const second = service.predict(call(body([1, 2]), 'b'));
    expect(second).not.toBeInstanceOf(Promise);
    expect(runner.runs).toHaveLength(1);
    const a = JSON.parse(first.body) as { id: string; outputs: { name: string; data: number[] }[] };
    const b = JSON.parse((second as PredictAnswer).body) as typeof a;
    expect([first.cache, (second as PredictAnswer).cache]).toEqual(['miss', 'hit']);
    expect(b.outputs).toEqual(a.outputs);
    expect([a.id, b.id]).toEqual(['a', 'b']);
  });

  it('shares one entry between bodies that differ in bytes but not in float32 values', async () => {
    const { service, runner, call } = setup();
    await answer(service.predict(call(body([1, 2]))));
    const spaced = await answer(service.predict(call(`{ "inputs": [ {"data": [1.0000000001, 2.0], "shape": [1, 2], "datatype": "FP32", "name": "x"} ] }`)));
    expect(spaced.cache).toBe('hit');
    expect(runner.runs).toHaveLength(1);
  });

  it('refuses a bad body every time, and runs the model for every request when the cache is off', async () => {
    const { service, runner, call } = setup(false);
    for (let i = 0; i < 3; i++) expect((await answer(service.predict(call(body([1, 2]))))).cache).toBe('bypass');
    expect(runner.runs).toHaveLength(3);
    for (let i = 0; i < 2; i++) expect(() => service.predict(call(body([1]))) ).toThrow(/elements but shape/);
  });

  it('never answers from an entry the cache let go of (a reload or unload invalidated it)', async () => {
    const { service, runner, call, caching } = setup();
    expect((await answer(service.predict(call(body([3, 4]))))).cache).toBe('miss');
    expect((await answer(service.predict(call(body([3, 4]))))).cache).toBe('hit');
    await caching.invalidate('m', '1.0.0');
    expect((await answer(service.predict(call(body([3, 4]))))).cache).toBe('miss');
    expect(runner.runs).toHaveLength(2);
  });

  it('Cache-Control: no-cache runs the model even for a body seen before', async () => {
    const { service, runner, call } = setup();
    await answer(service.predict(call(body([5, 6]))));
    const again = await answer(service.predict({ ...call(body([5, 6])), noCache: true }));
    expect(again.cache).toBe('bypass');
    expect(runner.runs).toHaveLength(2);
  });
});
