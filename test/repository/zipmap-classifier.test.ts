import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { manifestFromGraph } from '../../src/repository/graph-manifest.js';
import { forestClassifier, INT_LABELS, STRING_LABELS, sequenceOutputClassifier } from '../../tools/training/forest-classifier.js';
import { tempDir } from '../support/fixtures.js';
import { forestReference, forestRows, writeForest, type LabelKind } from '../support/forest.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';

/**
 * Issue 19 part 4: scikit-learn's default export (skl2onnx ends a classifier with ZipMap, a
 * sequence of maps) is served as its FP32 [N, classes] probabilities, labels in the metadata,
 * and answers exactly what the same forest exported with {zipmap: False} answers.
 */
const models = tempDir('modelgate-zipmap-');
let gw: Gateway;
const files: Record<string, string> = {};
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  // int64 labels: a version folder with the manifest `modelgate import` writes (manifestFromGraph).
  files['forest-int'] = writeForest(models, 'forest-int', '1.0.0', 'int64');
  const manifest = await manifestFromGraph(new Uint8Array(readFileSync(files['forest-int'])), { name: 'forest-int', version: '1.0.0' });
  writeFileSync(join(models, 'forest-int', '1.0.0', 'manifest.json'), JSON.stringify(manifest));
  // A manifest whose recorded labels are not the graph's: refused at load.
  writeForest(models, 'forest-relabelled', '1.0.0', 'int64');
  const outputs = manifest.outputs.map((o) => (o.converted ? { ...o, converted: { ...o.converted, labels: [1, 2, 3] } } : o));
  writeFileSync(join(models, 'forest-relabelled', '1.0.0', 'manifest.json'), JSON.stringify({ ...manifest, name: 'forest-relabelled', outputs }));
  // string labels: a Triton-style folder, model.onnx only (the manifest is read from the graph at load), on a worker thread.
  files['forest-str'] = writeForest(models, 'forest-str', '1', 'string');
  // No label output (only the probabilities): v1's label is the most probable class.
  mkdirSync(join(models, 'forest-unlabelled', '1'), { recursive: true });
  writeFileSync(join(models, 'forest-unlabelled', '1', 'model.onnx'), forestClassifier({ labels: 'int64', zipmap: true, labelOutput: false }));
  // another non-tensor output: refused at load.
  mkdirSync(join(models, 'seq-out', '1'), { recursive: true });
  writeFileSync(join(models, 'seq-out', '1', 'model.onnx'), sequenceOutputClassifier());
  gw = await startGateway(models, { flags: { file: '/none.json' }, models: { 'forest-str': { runner: 'worker', batching: { enabled: true, maxQueueDelayMicros: 50_000 } } } });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  rmSync(models, { recursive: true, force: true });
});

const cases: { model: string; labels: LabelKind; classes: readonly (number | string)[]; runner: string }[] = [
  { model: 'forest-int', labels: 'int64', classes: INT_LABELS, runner: 'inline' },
  { model: 'forest-str', labels: 'string', classes: STRING_LABELS, runner: 'worker' },
];

describe.each(cases)('$model: a ZipMap classifier ($labels labels, $runner runner)', ({ model, labels, classes, runner }) => {
  const rows = forestRows(12);

  it('shows output_probability as FP32 [-1, classes] with its labels, and the file\'s own sha256', async () => {
    const res = await gw.app.request(`/v2/models/${model}`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as { outputs: unknown[]; parameters: { artifact_sha256: string; runner: string } };
    expect(meta.parameters.runner).toBe(runner);
    expect(meta.outputs).toEqual([
      { name: 'output_label', datatype: labels === 'int64' ? 'INT64' : 'BYTES', shape: [-1] },
      { name: 'output_probability', datatype: 'FP32', shape: [-1, 3], parameters: { converted_from: 'ZipMap', labels: classes, label_output: 'output_label' } },
    ]);
    expect(meta.parameters.artifact_sha256).toBe(sha(files[model] as string));
  });

  it('answers OIP with the FP32 [N, classes] tensor and the labels of the {zipmap: False} export, run directly', async () => {
    const ref = await forestReference(labels, rows);
    const res = await gw.app.request(`/v2/models/${model}/infer`, json({ inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[] };
    expect(body.outputs).toEqual([
      { name: 'output_label', shape: [rows.length], datatype: labels === 'int64' ? 'INT64' : 'BYTES', data: ref.label },
      { name: 'output_probability', shape: [rows.length, 3], datatype: 'FP32', data: ref.probabilities.flat() },
    ]);
    expect(new Set(ref.label).size).toBeGreaterThan(1); // the rows reach more than one class
  });

  it('answers v1 with {label, probabilities: {class: p}} per instance, equal to the {zipmap: False} export', async () => {
    const ref = await forestReference(labels, rows);
    const res = await gw.app.request(`/v1/models/${model}/predict`, json({ instances: rows.map((r) => ({ float_input: r })) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: unknown[] };
    expect(body.predictions).toEqual(rows.map((_, i) => ({
      label: ref.label[i],
      probabilities: Object.fromEntries(classes.map((c, j) => [String(c), ref.probabilities[i]?.[j]])),
    })));
  });
});

describe('forest-str with dynamic batching', () => {
  it('answers concurrent one-row requests, joined in batches, each with its own row', async () => {
    const rows = forestRows(8, 9);
    const ref = await forestReference('string', rows);
    const answers = await Promise.all(rows.map((r) => gw.app.request('/v1/models/forest-str/predict', json({ instances: [{ float_input: r }] }))));
    const predictions = await Promise.all(answers.map(async (a) => ((await a.json()) as { predictions: unknown[] }).predictions[0]));
    expect(predictions).toEqual(rows.map((_, i) => ({ label: ref.label[i], probabilities: Object.fromEntries(STRING_LABELS.map((c, j) => [c, ref.probabilities[i]?.[j]])) })));
    const metrics = await (await gw.app.request('/metrics')).text();
    const batches = Number(/modelgate_batch_size_count\{model="forest-str",version="1"\} (\d+)/.exec(metrics)?.[1]);
    const requests = Number(/modelgate_batch_size_sum\{model="forest-str",version="1"\} (\d+)/.exec(metrics)?.[1]);
    expect(requests).toBeGreaterThan(batches); // some requests shared a run
  });
});

describe('a ZipMap classifier without a label output', () => {
  it('answers v1 with the most probable class as the label', async () => {
    const rows = forestRows(8, 5);
    const ref = await forestReference('int64', rows);
    const res = await gw.app.request('/v1/models/forest-unlabelled/predict', json({ instances: rows.map((r) => ({ float_input: r })) }));
    expect(res.status).toBe(200);
    const { predictions } = (await res.json()) as { predictions: { label: number; probabilities: Record<string, number> }[] };
    expect(predictions.map((p) => p.probabilities)).toEqual(ref.probabilities.map((p) => Object.fromEntries(INT_LABELS.map((c, j) => [String(c), p[j]]))));
    // The forest's own label is its argmax too (no ties in these rows).
    expect(predictions.map((p) => p.label)).toEqual(ref.label);
  });
});

describe('the manifest\'s record of the change', () => {
  it('is checked against the graph at load: other labels are refused, naming the output and both label lists', async () => {
    const index = (await (await gw.app.request('/v2/repository/index', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { name: string; state: string; reason: string }[];
    expect(index.find((e) => e.name === 'forest-relabelled')).toMatchObject({
      state: 'FAILED',
      reason: expect.stringContaining("output 'output_probability': labels [1,2,3] in the manifest, [10,20,30] in the graph's ZipMap"),
    });
  });
});

describe('other non-tensor outputs', () => {
  it('refuses a sequence output at load, naming the output, the op that made it and the fix', async () => {
    const index = (await (await gw.app.request('/v2/repository/index', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { name: string; state: string; reason: string }[];
    const entry = index.find((e) => e.name === 'seq-out');
    expect(entry?.state).toBe('FAILED');
    expect(entry?.reason).toMatch(/output 'probability_rows' is a seq\(tensor\(float\)\) made by SplitToSequence .*which modelgate cannot serve: re-export so that every output is a tensor \(scikit-learn: skl2onnx's options \{'zipmap': False\}/);
    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toMatch(/modelgate_model_load_failures_total\{model="seq-out",reason="unservable_output"\} 1/);
  });
});
