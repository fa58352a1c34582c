import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importCommand } from '../../src/cli/import-command.js';
import type { Gateway } from '../../src/gateway.js';
import { tempDir } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';
import {
  THIRD_PARTY, directRunAll, graphInputs, sileroV4Request, sileroV5Request, thirdPartyModel, wakeRequest, warmupFile, type OipTensor,
} from '../support/third-party-models.js';

/**
 * Issue 9: ONNX files exported elsewhere, imported with `modelgate import` and served as two
 * versions each (a breaking signature change between them), must answer exactly what
 * onnxruntime answers when run directly, with metadata that matches the graph.
 */
const models = tempDir('modelgate-byom-');
let gw: Gateway;

async function importModel(file: string, name: string, version: string, sample?: OipTensor[]): Promise<void> {
  const args = [thirdPartyModel(file), '--name', name, '--version', version, '--models-dir', models];
  if (sample) {
    const path = join(models, `${name}-${version}-warmup.json`);
    writeFileSync(path, warmupFile(sample));
    args.push('--warmup', path);
  }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await importCommand(args);
  } finally {
    out.mockRestore();
  }
}

interface InferBody {
  model_version: string;
  outputs: { name: string; shape: number[]; data: number[] }[];
  error?: string;
}

const infer = async (path: string, inputs: OipTensor[]) => {
  const res = await gw.app.request(path, json({ inputs }));
  return { status: res.status, headers: res.headers, body: (await res.json()) as InferBody };
};

/** Every output of the gateway equals the direct onnxruntime run (same float32 values, same shapes). */
async function expectSameAsDirect(file: string, body: InferBody, inputs: OipTensor[], digits = 6): Promise<void> {
  const direct = await directRunAll(thirdPartyModel(file), inputs);
  expect(body.outputs.map((o) => o.name).sort()).toEqual(Object.keys(direct).sort());
  for (const o of body.outputs) {
    const ref = direct[o.name];
    expect(o.shape, o.name).toEqual(ref?.dims);
    o.data.forEach((v, i) => expect(v, `${o.name}[${i}]`).toBeCloseTo(ref?.data[i] ?? NaN, digits));
  }
}

beforeAll(async () => {
  await importModel(THIRD_PARTY.sileroV4, 'silero-vad', '1', sileroV4Request(1, 11));
  await importModel(THIRD_PARTY.sileroV4, 'silero-batch', '1', sileroV4Request(1, 11));
  await importModel(THIRD_PARTY.sileroV5, 'silero-vad', '2', sileroV5Request(1, 12));
  await importModel(THIRD_PARTY.wakeOld, 'hello-deepa', '1.0.0');
  await importModel(THIRD_PARTY.wakeNew, 'hello-deepa', '2.0.0');
  // Integer versions order numerically: 10 is newer than 2.
  cpSync(join(models, 'silero-vad', '2'), join(models, 'silero-vad', '10'), { recursive: true });
  const m10 = join(models, 'silero-vad', '10', 'manifest.json');
  writeFileSync(m10, readFileSync(m10, 'utf8').replace('"version": "2"', '"version": "10"'));
  gw = await startGateway(models, {
    flags: { file: '/none.json' },
    // silero-batch flushes only when full (4 rows, the hour-long delay never fires): no timing in the test.
    models: { 'silero-batch': { batching: { enabled: true, maxBatchSize: 4, maxQueueDelayMicros: 3_600_000_000 } } },
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

describe('third-party ONNX models, imported from the graph', () => {
  it('writes the manifest from the graph: OIP datatypes, -1 dynamic, [] scalar, batch axes, provenance; unknown training facts absent', () => {
    const m = JSON.parse(readFileSync(join(models, 'silero-vad', '1', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(m.inputs).toEqual([
      { name: 'input', datatype: 'FP32', shape: [-1, -1] },
      { name: 'sr', datatype: 'INT64', shape: [], batchAxis: null },
      { name: 'h', datatype: 'FP32', shape: [2, -1, 64], batchAxis: 1 },
      { name: 'c', datatype: 'FP32', shape: [2, -1, 64], batchAxis: 1 },
    ]);
    expect(m.framework).toMatchObject({ irVersion: 8, opset: 16, producer: 'pytorch 1.12.0' });
    expect(m.artifact).toMatchObject({ sha256: 'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28' });
    for (const unknown of ['dataVersion', 'trainingDataHash', 'createdAt']) expect(m).not.toHaveProperty(unknown);
  });

  it('serves metadata that matches what onnxruntime reports for the graph, unknowns as null', async () => {
    for (const [version, file] of [['1', THIRD_PARTY.sileroV4], ['2', THIRD_PARTY.sileroV5]] as const) {
      const meta = (await (await gw.app.request(`/v2/models/silero-vad/versions/${version}`)).json()) as {
        inputs: { name: string; datatype: string; shape: number[] }[];
        parameters: Record<string, unknown>;
      };
      const graph = await graphInputs(thirdPartyModel(file));
      expect(meta.inputs.map((i) => i.name)).toEqual(graph.map((g) => g.name));
      meta.inputs.forEach((i, k) => {
        expect(i.shape).toEqual(graph[k]?.shape.map((d) => (typeof d === 'number' ? d : -1)));
        expect(i.datatype.toLowerCase()).toBe(graph[k]?.type === 'float32' ? 'fp32' : 'int64');
      });
      expect(meta.parameters.data_version).toBeNull();
    }
  });

  it('orders integer versions numerically: 10 is the stable (highest) version', async () => {
    const meta = (await (await gw.app.request('/v2/models/silero-vad')).json()) as { versions: string[]; parameters: { version: string } };
    expect(meta.versions).toEqual(['1', '2', '10']);
    expect(meta.parameters.version).toBe('10');
  });

  it('answers every version exactly as a direct onnxruntime run, by integer version URL and by semver', async () => {
    const cases: [string, string, OipTensor[]][] = [
      ['/v2/models/silero-vad/versions/1/infer', THIRD_PARTY.sileroV4, sileroV4Request(1, 21)],
      ['/v2/models/silero-vad/versions/2/infer', THIRD_PARTY.sileroV5, sileroV5Request(1, 22)],
      ['/v2/models/hello-deepa/versions/1.0.0/infer', THIRD_PARTY.wakeOld, wakeRequest(24, 23)],
      ['/v2/models/hello-deepa/versions/2.0.0/infer', THIRD_PARTY.wakeNew, wakeRequest(25, 24)],
    ];
    for (const [path, file, inputs] of cases) {
      const r = await infer(path, inputs);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('x-model-version')).toBe(r.body.model_version);
      await expectSameAsDirect(file, r.body, inputs);
    }
  });

  it('batches concurrent Silero requests along the state tensors\' batch axis 1 and still matches direct runs', async () => {
    const requests = [1, 2, 1].map((rows, i) => sileroV4Request(rows, 40 + i));
    const results = await Promise.all(requests.map((inputs) => infer('/v2/models/silero-batch/infer', inputs)));
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe(200);
      // A batch of 4 rows takes other GEMM kernels than a single row: float32 rounding differs by ~1e-6.
      await expectSameAsDirect(THIRD_PARTY.sileroV4, r.body, requests[i] as OipTensor[], 5);
    }
    const metrics = await (await gw.app.request('/metrics')).text();
    // One batch of the three requests (1 + 2 + 1 rows).
    expect(metrics).toMatch(/modelgate_batch_size_count\{model="silero-batch",version="1"\} 1\n/);
    expect(metrics).toMatch(/modelgate_batch_size_sum\{model="silero-batch",version="1"\} 3\n/);
  });

  it('refuses the old signature on the new version with a 400 naming the input', async () => {
    const r = await infer('/v2/models/silero-vad/versions/2/infer', sileroV4Request(1, 5));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/unexpected input 'h'/);
    const w = await infer('/v2/models/hello-deepa/versions/2.0.0/infer', wakeRequest(24, 5));
    expect(w.status).toBe(400);
    expect(w.body.error).toMatch(/input 'onnx::Flatten_0' must have shape \[1, 25, 96\]/);
  });

  it('answers 400 with onnxruntime\'s words (no paths) when the graph refuses a request the manifest allows', async () => {
    const tooShort = sileroV4Request(1, 7).map((t) => (t.name === 'input' ? { ...t, shape: [1, 1], data: [0.1] } : t));
    const r = await infer('/v2/models/silero-vad/versions/1/infer', tooShort);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/silero-vad@1 refused the input: .*Pad/);
    expect(r.body.error).not.toMatch(/\/[a-z]+\/.*\.(cc|h|so)\b/);
  });

  it('says why a model is not batchable: a fixed batch of 1', async () => {
    const meta = (await (await gw.app.request('/v2/models/hello-deepa')).json()) as { parameters: Record<string, unknown> };
    expect(meta.parameters).toMatchObject({ batchable: false, unbatchable_reason: "input 'onnx::Flatten_0' has a fixed batch of 1 on axis 0" });
    const vad = (await (await gw.app.request('/v2/models/silero-vad/versions/1')).json()) as { parameters: Record<string, unknown> };
    expect(vad.parameters).toMatchObject({ batchable: true });
  });

  it('takes a multi-input model over the v1 JSON API: inputs by name, each instance one row, and answers as onnxruntime', async () => {
    const rows = [sileroV4Request(1, 61), sileroV4Request(1, 62)];
    const value = (req: OipTensor[], name: string) => req.find((t) => t.name === name)?.data ?? [];
    const chunk = (xs: number[], n: number) => Array.from({ length: xs.length / n }, (_, i) => xs.slice(i * n, (i + 1) * n));
    const instances = rows.map((req) => ({ input: value(req, 'input'), sr: 16000, h: chunk(value(req, 'h'), 64), c: chunk(value(req, 'c'), 64) }));
    const res = await gw.app.request('/v1/models/silero-vad/versions/1/predict', json({ instances }));
    expect(res.status).toBe(200);
    const { predictions } = (await res.json()) as { predictions: { output: number; hn: number[] }[] };
    for (const [i, req] of rows.entries()) {
      const direct = await directRunAll(thirdPartyModel(THIRD_PARTY.sileroV4), req);
      expect(predictions[i]?.output).toBeCloseTo(direct.output?.data[0] ?? NaN, 5);
      predictions[i]?.hn.forEach((v, k) => expect(v).toBeCloseTo(direct.hn?.data[k] ?? NaN, 5));
    }
    const bad = async (body: unknown, error: RegExp) => {
      const r = await gw.app.request('/v1/models/silero-vad/versions/1/predict', json(body));
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(error);
    };
    await bad({ instances: [{ ...instances[0], sr: undefined }] }, /instances\[0\]\.sr is missing \(input 'sr', INT64 \[\]\)/);
    await bad({ instances: [instances[0], { ...instances[1], sr: 8000 }] }, /instances\[1\]\.sr must equal instances\[0\]\.sr/);
    await bad({ instances: [{ ...instances[0], sr: 16000.5 }] }, /input 'sr' \(INT64\): element 0 must be an integer/);
    await bad({ instances: [{ ...instances[0], h: [[1, 2]] }] }, /instances\[0\]\.h must be nested as \[2, 64\]/);
  });
});
