import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';
import { binaryRequest, tensorBytes } from '../support/binary-tensors.js';

describe('overload', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway(copyDemoModels(), {
      flags: { file: '/nonexistent/flags.json' },
      limits: { maxInFlight: 2 },
      cache: { enabled: false },
      models: { 'property-valuation': { defaultVersion: '1.0.0', runner: 'worker' } },
    });
  });
  afterAll(() => gw.close());

  it('sheds with 503 + Retry-After beyond maxInFlight, counts it, and serves again once calm', async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gw.app.request('/v2/models/property-valuation/infer', json({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values({ ...HOUSE_V1, sqft: 1000 + i }) }] })),
      ),
    );
    const shed = burst.filter((r) => r.status === 503);
    expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(shed.length).toBeGreaterThan(0);
    expect(burst.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(shed[0]?.headers.get('retry-after')).toBe('1');
    expect(await shed[0]?.json()).toEqual({ error: 'the gateway is at its limit of 2 concurrent predictions' });
    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toContain(`modelgate_requests_shed_total{reason="in_flight"} ${shed.length}`);
    const calm = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [HOUSE_V1] }));
    expect(calm.status).toBe(200);
  });

  it('sheds binary tensor requests the same way, in OIP’s error shape', async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const features = tensorBytes(Float32Array.from(Object.values({ ...HOUSE_V1, sqft: 2000 + i })));
        const { body, headerLength } = binaryRequest([{ name: 'features', datatype: 'FP32', shape: [1, 8], bytes: features }]);
        return gw.app.request('/v2/models/property-valuation/infer', { method: 'POST', body, headers: { 'inference-header-content-length': String(headerLength) } });
      }),
    );
    const shed = burst.filter((r) => r.status === 503);
    expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(shed.length).toBeGreaterThan(0);
    expect(burst.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(shed[0]?.headers.get('retry-after')).toBe('1');
    expect(await shed[0]?.json()).toEqual({ error: 'the gateway is at its limit of 2 concurrent predictions' });
  });
});
