import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forestClassifier, sequenceOutputClassifier } from '../../tools/training/forest-classifier.js';
import { sha256 } from '../support/fixtures.js';
import { forestReference, forestRows } from '../support/forest.js';
import { ADMIN_TOKEN, json } from '../support/gateway.js';
import { startGoverned, type GovernedGateway } from '../support/governance.js';

const { onnx } = onnxProto;

/** Issue 19 part 4: the registry's upload of a bare file takes scikit-learn's default export (ZipMap). */
describe('POST /admin/models/{m}/versions with a ZipMap classifier', () => {
  let g: GovernedGateway;
  beforeAll(async () => {
    g = await startGoverned();
  });
  afterAll(async () => {
    await g?.close();
  });

  const register = (model: string, bytes: Uint8Array, version: string) => {
    const form = new FormData();
    form.append('model', new Blob([bytes]), 'model.onnx');
    form.append('version', version);
    return g.call(`/admin/models/${model}/versions`, { method: 'POST', token: ADMIN_TOKEN, body: form });
  };

  it('registers it with the labels and the change in the manifest, the file\'s sha256, and serves its probabilities', async () => {
    const bytes = forestClassifier({ labels: 'int64', zipmap: true });
    const res = await register('iris', bytes, '1');
    expect(res.status).toBe(201);
    const detail = (await (await g.call('/admin/models/iris/versions/1', { token: ADMIN_TOKEN })).json()) as { artifact_sha256: string; manifest: { artifact: { sha256: string }; outputs: unknown[] } };
    expect(detail.manifest.artifact.sha256).toBe(sha256(bytes));
    expect(detail.manifest.outputs).toContainEqual({
      name: 'output_probability', datatype: 'FP32', shape: [-1, 3], converted: { from: 'ZipMap', labels: [10, 20, 30], labelOutput: 'output_label' },
    });

    const rows = forestRows(6, 11);
    const ref = await forestReference('int64', rows);
    const infer = await g.call('/v2/models/iris/versions/1/infer', json({ inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] }));
    expect(infer.status).toBe(200);
    const body = (await infer.json()) as { outputs: { name: string; data: unknown[] }[] };
    expect(body.outputs.find((o) => o.name === 'output_probability')?.data).toEqual(ref.probabilities.flat());
    expect(body.outputs.find((o) => o.name === 'output_label')?.data).toEqual(ref.label);
  });

  it('counts other class labels as a changed output schema: a major version, not a minor one', async () => {
    // The same forest with its classes in another order (both the classifier's and ZipMap's labels).
    const model = onnx.ModelProto.decode(forestClassifier({ labels: 'int64', zipmap: true }));
    for (const node of model.graph?.node ?? []) {
      for (const a of node.attribute ?? []) if (a.name === 'classlabels_int64s') a.ints = [30, 20, 10];
    }
    const relabelled = onnx.ModelProto.encode(model).finish();
    const minor = await register('iris', relabelled, '1.1.0');
    expect(minor.status).toBe(409);
    expect(((await minor.json()) as { error: string }).error).toMatch(/changes the outputs schema of 1: a breaking change needs a major version \(2\.0\.0\)/);
    expect((await register('iris', relabelled, '2')).status).toBe(201);
  });

  it('refuses a graph with another non-tensor output, naming it', async () => {
    const res = await register('seq', sequenceOutputClassifier(), '1');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/output 'probability_rows' is a seq\(tensor\(float\)\) made by SplitToSequence .*skl2onnx's options \{'zipmap': False\}/);
  });
});
