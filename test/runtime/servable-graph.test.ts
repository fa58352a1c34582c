import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { servableGraph, UnservableOutputError } from '../../src/runtime/servable-graph.js';
import { FOREST_INPUT, forestClassifier } from '../../tools/training/forest-classifier.js';
import { forestReference, forestRows } from '../support/forest.js';

const { onnx } = onnxProto;

/** Run a model's bytes directly with onnxruntime. */
async function run(model: Uint8Array, rows: number[][]): Promise<Record<string, unknown[]>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ [FOREST_INPUT]: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as ArrayLike<unknown>)]));
  } finally {
    await session.release();
  }
}

describe('servableGraph', () => {
  it('leaves a graph whose outputs are all tensors, or bytes that are no model, as they are (for onnxruntime to judge)', () => {
    const plain = forestClassifier({ labels: 'int64', zipmap: false });
    expect(servableGraph(plain)).toEqual({ model: plain, conversions: [] });
    const notOnnx = new TextEncoder().encode('not a model at all');
    expect(servableGraph(notOnnx).model).toBe(notOnnx);
    const truncated = forestClassifier({ labels: 'int64', zipmap: true }).subarray(0, 1500);
    expect(servableGraph(truncated).model).toBe(truncated);
  });

  it('keeps every other part of the file: only the ZipMap node and its output change', () => {
    const original = onnx.ModelProto.decode(forestClassifier({ labels: 'int64', zipmap: true }));
    original.metadataProps = [onnx.StringStringEntryProto.create({ key: 'author', value: 'someone' })];
    original.docString = 'a forest';
    const bytes = onnx.ModelProto.encode(original).finish();
    const served = onnx.ModelProto.decode(servableGraph(bytes).model);
    expect(served.metadataProps).toEqual(original.metadataProps);
    expect(served.docString).toBe('a forest');
    expect(served.opsetImport).toEqual(original.opsetImport);
    expect(served.graph?.input).toEqual(original.graph?.input);
    expect(served.irVersion).toEqual(original.irVersion);
    expect([served.producerName, served.producerVersion]).toEqual(['skl2onnx', '1.16.0']);
    expect(served.graph?.node?.map((n) => `${n.domain}:${n.opType}`)).toEqual(['ai.onnx.ml:TreeEnsembleClassifier', ':Cast', ':Identity']);
    const bytesOf = (nodes: onnxProto.onnx.INodeProto[] = []) => nodes.map((n) => Buffer.from(onnx.NodeProto.encode(n).finish()).toString('hex'));
    expect(bytesOf(served.graph?.node?.slice(0, 2))).toEqual(bytesOf(original.graph?.node?.slice(0, 2)));
    expect(served.graph?.output?.[1]?.type?.tensorType?.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
  });

  it('adds the default opset a graph of ai.onnx.ml ops alone lacks (Identity is a default-domain op), and it runs', async () => {
    const model = onnx.ModelProto.decode(forestClassifier({ labels: 'string', zipmap: true }));
    model.opsetImport = model.opsetImport.filter((o) => o.domain === 'ai.onnx.ml');
    const served = servableGraph(onnx.ModelProto.encode(model).finish());
    expect(onnx.ModelProto.decode(served.model).opsetImport.map((o) => o.domain ?? '')).toEqual(['ai.onnx.ml', '']);
    const rows = forestRows(5);
    const ref = await forestReference('string', rows);
    expect(await run(served.model, rows)).toEqual({ output_label: ref.label, output_probability: ref.probabilities.flat() });
  });

  it('refuses an optional output, naming it, its type and its op', () => {
    const model = onnx.ModelProto.decode(forestClassifier({ labels: 'int64', zipmap: false }));
    const graph = model.graph as onnxProto.onnx.GraphProto;
    graph.node.push(onnx.NodeProto.create({ name: 'maybe', opType: 'Optional', input: ['output_probability'], output: ['maybe_probability'] }));
    graph.output.push(onnx.ValueInfoProto.create({ name: 'maybe_probability', type: { optionalType: { elemType: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } } } }));
    const bytes = onnx.ModelProto.encode(model).finish();
    expect(() => servableGraph(bytes)).toThrow(UnservableOutputError);
    expect(() => servableGraph(bytes)).toThrow(/^output 'maybe_probability' is a optional\(tensor\(float\)\) made by Optional \(node 'maybe'\), which modelgate cannot serve: .*OptionalGetElement/);
  });
});
