import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { ALL_DATATYPES, tempDir, writeIdentityModel } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';

/** Values each datatype can hold exactly, as JSON. */
const SAMPLES: Record<string, unknown[]> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 128, 255],
  UINT16: [0, 1, 40000, 65535],
  UINT32: [0, 1, 3000000000, 4294967295],
  UINT64: [0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -1, 0, 32767],
  INT32: [-2147483648, -1, 0, 2147483647],
  INT64: [-(2 ** 40), -1, 0, Number.MAX_SAFE_INTEGER],
  FP16: [0, 1.5, -2.25, 65504],
  FP32: [0, 1.5, -2.25, 2 ** 100],
  FP64: [0, 1.5, -2.25, 1e300],
  BYTES: ['a', '', 'ünïcödé', '{"json":1}'],
};

describe('OIP V2 infer: every datatype an ONNX tensor can hold', () => {
  let gw: Gateway;
  beforeAll(async () => {
    const dir = tempDir();
    writeIdentityModel(dir);
    gw = await startGateway(dir);
  });
  afterAll(() => gw.close());

  it('round-trips all 13 datatypes through a real onnxruntime session', async () => {
    const inputs = ALL_DATATYPES.map((d) => ({ name: `in_${d.toLowerCase()}`, datatype: d, shape: [2, 2], data: SAMPLES[d] }));
    const res = await gw.app.request('/v2/models/identity/infer', json({ id: 'r1', inputs }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_name: string; model_version: string; id: string; outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
    expect(body.model_name).toBe('identity');
    expect(body.model_version).toBe('1.0.0');
    expect(body.id).toBe('r1');
    expect(body.outputs).toHaveLength(ALL_DATATYPES.length);
    for (const d of ALL_DATATYPES) {
      const out = body.outputs.find((o) => o.name === `out_${d.toLowerCase()}`);
      expect(out, d).toBeDefined();
      expect(out?.datatype).toBe(d);
      expect(out?.shape).toEqual([2, 2]);
      expect(out?.data).toEqual(SAMPLES[d]);
    }
  });

  it('accepts nested (row-major) data and returns only the requested outputs', async () => {
    const inputs = ALL_DATATYPES.map((d) => {
      const s = SAMPLES[d] as unknown[];
      return { name: `in_${d.toLowerCase()}`, datatype: d, shape: [2, 2], data: [s.slice(0, 2), s.slice(2)] };
    });
    const res = await gw.app.request('/v2/models/identity/infer', json({ inputs, outputs: [{ name: 'out_fp32' }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { name: string; data: unknown[] }[] };
    expect(body.outputs.map((o) => o.name)).toEqual(['out_fp32']);
    expect(body.outputs[0]?.data).toEqual(SAMPLES.FP32);
  });

  it.each([
    ['INT8', [128, 0, 0, 0], 'integer in [-128, 127]'],
    ['UINT8', [-1, 0, 0, 0], 'integer in [0, 255]'],
    ['INT32', [1.5, 0, 0, 0], 'integer'],
    ['BOOL', ['yes', true, true, true], 'boolean'],
    ['BYTES', [1, 'a', 'b', 'c'], 'string'],
    ['FP32', [1e39, 0, 0, 0], 'overflows float32'],
  ])('refuses %s data it cannot hold exactly: %j', async (datatype, data, message) => {
    const inputs = ALL_DATATYPES.map((d) => ({
      name: `in_${d.toLowerCase()}`, datatype: d, shape: [2, 2], data: d === datatype ? data : SAMPLES[d],
    }));
    const res = await gw.app.request('/v2/models/identity/infer', json({ inputs }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toContain(`in_${datatype.toLowerCase()}`);
    expect(body.error).toContain(message);
  });
});
