import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedModel, decodeRecord, encodePayload, writeRecord } from '../../src/audit/trace-codec.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, startGoverned, type GovernedGateway } from '../support/governance.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { requireService } from '../support/services.js';

const feeds: TensorMap = { features: { type: 'float32', dims: [1, 2], data: new Float32Array([1.5, -2]) } };
const outputs: TensorMap = { price: { type: 'float32', dims: [1, 1], data: new Float32Array([42]) } };
const header = { requestId: 'r1', atMs: 1_700_000_000_000, latencyMs: 1, model: 'm', version: '1.0.0', stage: '', route: 'pinned', pin: '', cache: 'miss' as const };

function record(payload: Buffer): Buffer {
  const buf = Buffer.alloc(4096);
  return buf.subarray(0, writeRecord(buf, 0, header, payload));
}

describe('trace record with captured inputs (codec)', () => {
  it('a record without capture keeps the old layout and decodes with no input', () => {
    const plain = encodePayload(feeds, outputs, 2048);
    expect(plain[0]).toBe(4); // flags: the input digest is BLAKE3, nothing else
    const rec = decodeRecord(record(plain));
    expect(rec.input).toBeUndefined();
    expect(rec.output).toEqual({ price: { type: 'float32', shape: [1, 1], data: [42] } });
    expect(capturedModel(record(plain), 0)).toBeUndefined();
  });

  it('a record written before BLAKE3 (the flag clear) reads as the SHA-256 it holds', () => {
    const current = decodeRecord(record(encodePayload(feeds, outputs, 0)));
    const old = encodePayload(feeds, outputs, 0);
    old[0] = (old[0] as number) & ~(4 | 8);
    const rec = decodeRecord(record(old));
    expect(current.inputDigest).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(current.outputDigest).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(rec.inputDigest).toBe(current.inputDigest.replace('blake3:', 'sha256:'));
    expect(rec.outputDigest).toBe(current.outputDigest?.replace('blake3:', 'sha256:'));
  });

  it.each([['outputs stored', 2048], ['outputs as their digest', 0]])('a captured record decodes its inputs and its outputs (%s)', (_, maxOutputBytes) => {
    const plain = decodeRecord(record(encodePayload(feeds, outputs, maxOutputBytes)));
    const rec = decodeRecord(record(encodePayload(feeds, outputs, maxOutputBytes, true)));
    expect(rec.input).toEqual({ features: { type: 'float32', shape: [1, 2], data: [1.5, -2] } });
    expect(rec.inputDigest).toBe(plain.inputDigest);
    expect(rec.output).toEqual(plain.output);
    expect(rec.outputDigest).toEqual(plain.outputDigest);
    expect(capturedModel(record(encodePayload(feeds, outputs, maxOutputBytes, true)), 0)).toBe('m');
  });
});

const row = (i: number) => [1500 + i, 3, 2, 1990, 4000, 2, 3, 1];
const infer = (rows: number[][]) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
  body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [rows.length, 8], data: rows.flat() }] }),
});
interface Listed {
  model: string;
  predictions: { requestId: string; version: string; inputDigest: string; input: Record<string, { type: string; shape: number[]; data: number[] }>; output: unknown }[];
}

/** The captured-inputs listing on one trace backend. */
const capturedInputs = (backend: 'file' | 'postgres') => () => {
  let db: TestDatabase | undefined;
  let g: GovernedGateway;
  let viewer: string;
  beforeAll(async () => {
    db = backend === 'postgres' ? await createTestDatabase() : undefined;
    // 1 row of 8 FP32 features is 73 bytes as the trace lays it out, 4 rows 169: the cap keeps the first only.
    g = await startGoverned({ registry: { ...(db ? { databaseUrl: db.url } : {}), trace: { captureInputs: { enabled: true, maxBytes: 120 } } } });
    viewer = await createToken(g, 'vic', 'viewer');
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await db?.drop();
  });

  it('lists the newest captured inputs, newest first, with their outputs; too large inputs are counted, not kept', async () => {
    const ids: string[] = [];
    for (const i of [1, 2, 3]) {
      const res = await g.call('/v2/models/property-valuation/infer', infer([row(i)]));
      expect(res.status).toBe(200);
      ids.push(res.headers.get('x-request-id') as string);
    }
    const big = await g.call('/v2/models/property-valuation/infer', infer([row(7), row(8), row(9), row(10)]));
    expect(big.status).toBe(200);

    const res = await g.call('/admin/predictions?model=property-valuation&limit=2', { token: viewer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Listed;
    expect(body.predictions.map((p) => p.requestId)).toEqual([ids[2], ids[1]]);
    expect(body.predictions[0]?.input).toEqual({ features: { type: 'float32', shape: [1, 8], data: row(3) } });
    expect(body.predictions[0]?.output).toBeTruthy();
    const all = (await (await g.call('/admin/predictions?model=property-valuation&limit=100', { token: viewer })).json()) as Listed;
    expect(all.predictions).toHaveLength(3);
    const one = (await (await g.call(`/admin/predictions/${ids[0]}`, { token: viewer })).json()) as { input: unknown };
    expect(one.input).toEqual({ features: { type: 'float32', shape: [1, 8], data: row(1) } });

    const metrics = await (await g.call('/metrics')).text();
    expect(metrics).toMatch(/modelgate_trace_inputs_total\{result="captured"\} 3/);
    expect(metrics).toMatch(/modelgate_trace_inputs_total\{result="too_large"\} 1/);
  });

  it('needs a viewer token and a model name; another model has none', async () => {
    expect((await g.call('/admin/predictions?model=property-valuation')).status).toBe(401);
    expect((await g.call('/admin/predictions', { token: viewer })).status).toBe(400);
    const other = (await (await g.call('/admin/predictions?model=other&limit=5', { token: ADMIN_TOKEN })).json()) as Listed;
    expect(other.predictions).toEqual([]);
  });
};

describe('GET /admin/predictions?model= (captured inputs, file trace)', capturedInputs('file'));
// Skipped only without PostgreSQL, and never in CI (requireService fails there instead).
describe.skipIf(!requireService('postgres', await postgresAvailable()))('GET /admin/predictions?model= (captured inputs, postgres trace)', capturedInputs('postgres'));

describe('GET /admin/predictions?model= with input capture off', () => {
  let g: GovernedGateway;
  beforeAll(async () => {
    g = await startGoverned();
  }, 60_000);
  afterAll(async () => g?.close());

  it('refuses with the reason and the setting to turn on', async () => {
    expect((await g.call('/v2/models/property-valuation/infer', infer([row(1)]))).status).toBe(200);
    const res = await g.call('/admin/predictions?model=property-valuation&limit=5', { token: ADMIN_TOKEN });
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/keeps each input's digest, not the input: turn on registry.trace.captureInputs.enabled/);
  });
});
