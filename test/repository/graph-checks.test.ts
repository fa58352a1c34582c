import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importCommand } from '../../src/cli/import-command.js';
import type { Gateway } from '../../src/gateway.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';
import { THIRD_PARTY, directRunAll, sileroV4Request, thirdPartyModel, wakeRequest, warmupFile } from '../support/third-party-models.js';

const { onnx } = onnxProto;

/**
 * Issue 9: a version is checked against its graph at load (manifest, config.pbtxt, warm-up),
 * a refusal is visible and names what is wrong, and a repaired version loads on retry.
 */
const models = tempDir('modelgate-graph-checks-');
let gw: Gateway;

async function importModel(file: string, name: string, version: string, ...extra: string[]): Promise<string> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await importCommand([thirdPartyModel(file), '--name', name, '--version', version, '--models-dir', models, ...extra]);
  } finally {
    out.mockRestore();
  }
  return join(models, name, version);
}

function editManifest(dir: string, edit: (m: Record<string, unknown> & { inputs: { shape: number[]; datatype: string }[] }) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as Parameters<typeof edit>[0];
  edit(m);
  writeFileSync(path, JSON.stringify(m));
}

/** models/<name>/1/model.onnx only (no manifest): y = op(x), x [N, 2] of ONNX element type `elemType`. */
function writeOneOpGraph(name: string, op: string, elemType: number): void {
  const vi2 = (n: string) => ({ name: n, type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'N' }, { dimValue: 2 }] } } } });
  const graph = onnx.GraphProto.create({
    name,
    node: [onnx.NodeProto.create({ opType: op, input: ['x'], output: ['y'] })],
    input: [vi2('x')],
    output: [vi2('y')],
  });
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish();
  mkdirSync(join(models, name, '1'), { recursive: true });
  writeFileSync(join(models, name, '1', 'model.onnx'), bytes);
}

/** A Triton repository entry: <name>/config.pbtxt + <name>/1/model.onnx, no manifest. */
function writeTriton(name: string, frames: number): void {
  mkdirSync(join(models, name, '1'), { recursive: true });
  copyFileSync(thirdPartyModel(THIRD_PARTY.wakeOld), join(models, name, '1', 'model.onnx'));
  writeFileSync(
    join(models, name, 'config.pbtxt'),
    `name: "${name}"
platform: "onnxruntime_onnx"
max_batch_size: 0
input [ { name: "onnx::Flatten_0", data_type: TYPE_FP32, dims: [ 1, ${frames}, 96 ] } ]
output [ { name: "39" data_type: TYPE_FP32 dims: [ 1, 1 ] } ]
instance_group [ { count: 1, kind: KIND_CPU } ]
`,
  );
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const index = async () =>
  (await (await gw.app.request('/v2/repository/index', { method: 'POST', headers: admin })).json()) as { name: string; version: string; state: string; reason: string }[];
const entry = async (name: string) => (await index()).find((e) => e.name === name);

beforeAll(async () => {
  const mismatch = await importModel(THIRD_PARTY.wakeNew, 'wake-mismatch', '1.0.0');
  editManifest(mismatch, (m) => {
    (m.inputs[0] as { shape: number[] }).shape = [1, 24, 96];
  });
  const wrongType = await importModel(THIRD_PARTY.wakeNew, 'wake-wrong-type', '1.0.0');
  editManifest(wrongType, (m) => {
    (m.inputs[0] as { datatype: string }).datatype = 'FP64';
  });
  const noWarm = await importModel(THIRD_PARTY.sileroV4, 'vad-nowarm', '1', '--no-warmup');
  editManifest(noWarm, (m) => delete m.warmup);
  await importModel(THIRD_PARTY.sileroV4, 'vad-optout', '1', '--no-warmup');
  writeTriton('wake-triton', 24);
  writeTriton('wake-triton-bad', 30);
  writeOneOpGraph('log-graph', 'Log', onnx.TensorProto.DataType.FLOAT);
  writeOneOpGraph('fp16-identity', 'Identity', onnx.TensorProto.DataType.FLOAT16);
  gw = await startGateway(models, { flags: { file: '/none.json' } });
}, 120_000);

afterAll(async () => {
  await gw?.close();
  rmSync(models, { recursive: true, force: true });
});

describe('the load checks a version against its graph', () => {
  it('refuses a manifest whose fixed dim or datatype differs from the graph, naming tensor and field', async () => {
    expect(await entry('wake-mismatch')).toMatchObject({ state: 'FAILED', reason: expect.stringContaining("input 'onnx::Flatten_0': dim 1 is 24 in the manifest, fixed 25 in the graph") });
    expect(await entry('wake-wrong-type')).toMatchObject({ state: 'FAILED', reason: expect.stringContaining("input 'onnx::Flatten_0': datatype is FP64 in the manifest, FP32 in the graph") });
    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toMatch(/modelgate_model_load_failures_total\{model="wake-mismatch",reason="signature_mismatch"\} 1/);
  });

  it('says which warm-up failed, what onnxruntime said and how to give a sample; loads once a sample is beside the model', async () => {
    const failed = await entry('vad-nowarm');
    expect(failed?.state).toBe('FAILED');
    expect(failed?.reason).toMatch(/warm-up with a generated request \(input: \[1, 1\] float32, sr: \[\] int64/);
    expect(failed?.reason).toMatch(/onnxruntime said: .*Pad reflect/);
    expect(failed?.reason).toMatch(/give a warm-up sample: .*warmup\.json.*"enabled": false/);
    expect((await gw.app.request('/v2/models/vad-nowarm/ready')).status).toBe(404);

    writeFileSync(join(models, 'vad-nowarm', '1', 'warmup.json'), warmupFile(sileroV4Request(1, 3)));
    const retry = await gw.app.request('/v2/repository/models/vad-nowarm/load', { method: 'POST', headers: admin });
    expect(retry.status).toBe(200);
    expect(await entry('vad-nowarm')).toMatchObject({ state: 'READY' });
  });

  it('serves a version that opted out of warm-up', async () => {
    expect(await entry('vad-optout')).toMatchObject({ state: 'READY' });
    const res = await gw.app.request('/v2/models/vad-optout/infer', json({ inputs: sileroV4Request(1, 9) }));
    expect(res.status).toBe(200);
  });

  it('serves a Triton folder (config.pbtxt + 1/model.onnx) as its config says, and refuses a config that contradicts the graph', async () => {
    expect(await entry('wake-triton')).toMatchObject({ version: '1', state: 'READY' });
    const meta = (await (await gw.app.request('/v2/models/wake-triton')).json()) as { inputs: { shape: number[] }[]; parameters: Record<string, unknown> };
    expect(meta.inputs[0]?.shape).toEqual([1, 24, 96]);
    expect(meta.parameters).toMatchObject({ batchable: false, unbatchable_reason: 'no input has a batch axis' });
    const inputs = wakeRequest(24, 77);
    const body = (await (await gw.app.request('/v2/models/wake-triton/versions/1/infer', json({ inputs }))).json()) as { outputs: { name: string; data: number[] }[] };
    const direct = await directRunAll(thirdPartyModel(THIRD_PARTY.wakeOld), inputs);
    expect(body.outputs[0]?.data[0]).toBeCloseTo(direct['39']?.data[0] ?? NaN, 6);
    expect(await entry('wake-triton-bad')).toMatchObject({ state: 'FAILED', reason: expect.stringContaining("input 'onnx::Flatten_0': dim 1 is 30 in the manifest, fixed 24 in the graph") });
  });
});

describe('tensor checks and non-finite outputs', () => {
  const infer = (model: string, datatype: string, shape: number[], data: unknown[]) =>
    gw.app.request(`/v2/models/${model}/infer`, json({ inputs: [{ name: 'x', datatype, shape, data }] }));

  it('refuses FP16 values that would overflow to Infinity, like FP32', async () => {
    const res = await infer('fp16-identity', 'FP16', [1, 2], [1, 70000]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/input 'x' \(FP16\): element 1 overflows float16/);
    const ok = await infer('fp16-identity', 'FP16', [1, 2], [1, 65504]);
    expect(((await ok.json()) as { outputs: { data: unknown[] }[] }).outputs[0]?.data).toEqual([1, 65504]);
  });

  it('refuses nested data that contradicts the declared shape', async () => {
    const res = await infer('log-graph', 'FP32', [2, 2], [[1, 2, 3], [4]]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/input 'x': data\[0\] has 3 elements where shape \[2, 2\] says 2/);
    expect((await infer('log-graph', 'FP32', [2, 2], [[1, 2, 3, 4]])).status).toBe(400);
    expect((await infer('log-graph', 'FP32', [2, 2], [[1, 2], [3, 4]])).status).toBe(200);
  });

  it('renders non-finite outputs as "NaN", "Infinity" and "-Infinity", never null (graph-only folder, manifest read from the graph)', async () => {
    const res = await gw.app.request('/v2/models/log-graph/infer', json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data: [0, -1, 1, 1e38] }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { data: unknown[] }[] };
    expect(body.outputs[0]?.data.slice(0, 3)).toEqual(['-Infinity', 'NaN', 0]);
    expect(body.outputs[0]?.data[3]).toBeCloseTo(Math.log(1e38), 4);
  });
});
