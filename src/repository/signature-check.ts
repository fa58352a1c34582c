import type { GraphTensor, GraphSignature } from '../contracts/runner.js';
import { ortToOip, type TensorType } from '../contracts/tensor.js';
import type { OipDatatype, TensorSpec } from '../contracts/manifest.js';

const ORT_TYPES = new Set<string>([
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'string',
]);

/** The OIP datatype of a graph tensor, or undefined for what modelgate cannot serve (bfloat16, fp8, sequences). */
export function oipDatatypeOf(t: GraphTensor): OipDatatype | undefined {
  return t.shape && ORT_TYPES.has(t.type) ? ortToOip(t.type as TensorType) : undefined;
}

/**
 * Every way the manifest disagrees with the graph onnxruntime loaded, one line each naming the
 * tensor and the field. The manifest is what requests are validated and metadata is served
 * from, so it may be narrower than the graph (a fixed dim where the graph is dynamic) but never
 * wider or different: a -1 where the graph is fixed would advertise shapes onnxruntime refuses.
 */
export function signatureMismatches(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], graph: GraphSignature): string[] {
  const problems: string[] = [];
  const graphInputs = new Map(graph.inputs.map((t) => [t.name, t]));
  const graphOutputs = new Map(graph.outputs.map((t) => [t.name, t]));
  for (const g of graph.inputs) {
    if (!inputs.some((i) => i.name === g.name)) problems.push(`input '${g.name}': in the graph but not in the manifest`);
  }
  for (const spec of inputs) compare('input', spec, graphInputs.get(spec.name), problems);
  for (const spec of outputs) compare('output', spec, graphOutputs.get(spec.name), problems);
  return problems;
}

function compare(kind: 'input' | 'output', spec: TensorSpec, g: GraphTensor | undefined, problems: string[]): void {
  const where = `${kind} '${spec.name}'`;
  if (!g) {
    problems.push(`${where}: in the manifest but not in the graph`);
    return;
  }
  const datatype = oipDatatypeOf(g);
  if (!datatype) {
    problems.push(`${where}: the graph's type ${g.type} cannot be served`);
    return;
  }
  if (datatype !== spec.datatype) problems.push(`${where}: datatype is ${spec.datatype} in the manifest, ${datatype} in the graph`);
  const shape = g.shape ?? [];
  // ORT reports unknown output ranks as the dims it could infer; an output with no static shape info is skipped.
  if (kind === 'output' && shape.length === 0 && spec.shape.length > 0) return;
  if (shape.length !== spec.shape.length) {
    problems.push(`${where}: rank is ${spec.shape.length} ([${spec.shape.join(', ')}]) in the manifest, ${shape.length} ([${shape.join(', ')}]) in the graph`);
    return;
  }
  shape.forEach((d, i) => {
    const m = spec.shape[i] as number;
    if (d >= 0 && m !== d) problems.push(`${where}: dim ${i} is ${m} in the manifest, fixed ${d} in the graph`);
  });
}
