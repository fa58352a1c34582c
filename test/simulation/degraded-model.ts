import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * A deliberately worse version: a copy of `from` whose graph multiplies its first output by
 * `factor` (an extra Mul node after the trees), registered as `version` with a valid manifest.
 * Same input contract, so routing splits traffic to it like any canary.
 */
export function writeDegradedVersion(modelsDir: string, model: string, from: string, version: string, factor: number): void {
  const src = join(modelsDir, model, from);
  const dst = join(modelsDir, model, version);
  cpSync(src, dst, { recursive: true });
  const proto = onnx.ModelProto.decode(readFileSync(join(src, 'model.onnx')));
  const graph = proto.graph as onnxProto.onnx.GraphProto;
  const out = graph.output[0] as onnxProto.onnx.ValueInfoProto;
  const raw = `${out.name}_undegraded`;
  for (const n of graph.node) n.output = (n.output ?? []).map((o) => (o === out.name ? raw : o));
  graph.initializer.push(onnx.TensorProto.create({ name: 'degrade_factor', dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [factor] }));
  graph.node.push(onnx.NodeProto.create({ name: 'degrade', opType: 'Mul', input: [raw, 'degrade_factor'], output: [out.name] }));
  const bytes = onnx.ModelProto.encode(proto).finish();
  writeFileSync(join(dst, 'model.onnx'), bytes);
  const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')) as Record<string, unknown> & { artifact: Record<string, unknown>; lineage?: Record<string, unknown> };
  manifest.version = version;
  manifest.description = `${from} with its output multiplied by ${factor}: a deliberately degraded canary (simulation)`;
  manifest.artifact = { ...manifest.artifact, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  manifest.lineage = { ...manifest.lineage, parentVersion: from };
  writeFileSync(join(dst, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
