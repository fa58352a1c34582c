import onnxProto from 'onnx-proto';
import { joinFields, messageField, protoFields, type ProtoField } from './proto-fields.js';

const { onnx } = onnxProto;
type TypeProto = onnxProto.onnx.ITypeProto;
type DimProto = onnxProto.onnx.TensorShapeProto.IDimension;

const ML_DOMAIN = 'ai.onnx.ml';
// Field numbers of onnx.proto.
const MODEL = { graph: 7, opsetImport: 8 } as const;
const GRAPH = { node: 1, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, domain: 7 } as const;

/** A node's names and op, read without its attributes (a tree ensemble's run to megabytes). */
interface NodeHead {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
}

function nodeHead(body: Uint8Array): NodeHead {
  const head: NodeHead = { input: [], output: [], name: '', opType: '', domain: '' };
  const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');
  for (const f of protoFields(body)) {
    if (f.no === NODE.input) head.input.push(text(f.body));
    else if (f.no === NODE.output) head.output.push(text(f.body));
    else if (f.no === NODE.name) head.name = text(f.body);
    else if (f.no === NODE.opType) head.opType = text(f.body);
    else if (f.no === NODE.domain) head.domain = text(f.body);
  }
  return head;
}

/** A graph output modelgate serves as a tensor in place of a non-tensor one. */
export interface OutputConversion {
  output: string;
  from: 'ZipMap';
  /** The class of each probability column, in order (ZipMap's classlabels_int64s / _strings). */
  labels: number[] | string[];
  /** The graph output holding the classifier's predicted label, when there is one. */
  labelOutput?: string;
}

export interface ServableGraph {
  /** The bytes to create the session from: the original file when nothing was converted. */
  model: Uint8Array;
  conversions: OutputConversion[];
}

/** A graph output modelgate cannot serve, with the output's name, its maker and the fix. */
export class UnservableOutputError extends Error {
  constructor(readonly output: string, message: string) {
    super(message);
  }
}

export const NON_TENSOR_FIX =
  "re-export so that every output is a tensor (scikit-learn: skl2onnx's options {'zipmap': False}; "
  + 'a sequence of tensors: end with ConcatFromSequence; an optional: OptionalGetElement)';

/**
 * The graph as modelgate serves it. skl2onnx ends a classifier with ZipMap (ai.onnx.ml), whose
 * output is a sequence of maps onnxruntime-node cannot return: that node becomes an Identity of
 * its input, so the output is the classifier's FP32 [N, classes] probabilities, and its class
 * labels are returned beside. Any other non-tensor output is refused (UnservableOutputError).
 * Only the graph's nodes and outputs are read; every other byte is kept as written.
 */
export function servableGraph(model: Uint8Array): ServableGraph {
  try {
    return convertOutputs(model);
  } catch (err) {
    if (err instanceof UnservableOutputError) throw err;
    return { model, conversions: [] }; // not a readable ModelProto: onnxruntime says what is wrong with it
  }
}

function convertOutputs(model: Uint8Array): ServableGraph {
  const plain = { model, conversions: [] };
  const modelFields = protoFields(model);
  const graphBytes = modelFields.find((f) => f.no === MODEL.graph)?.body;
  if (!graphBytes) return plain;
  const graphFields = protoFields(graphBytes);
  const outputFields = graphFields.filter((f) => f.no === GRAPH.output);
  const outputs = outputFields.map((f) => onnx.ValueInfoProto.decode(f.body ?? new Uint8Array()));
  if (outputs.every((o) => o.type?.tensorType)) return plain;

  const nodes = graphFields.filter((f) => f.no === GRAPH.node).map((field) => ({ field, node: nodeHead(field.body ?? new Uint8Array()) }));
  const producer = (name: string) => nodes.find((n) => n.node.output.includes(name));
  const outputNames = new Set(outputs.map((o) => o.name));
  const replaced = new Map<ProtoField, Uint8Array>();
  const conversions: OutputConversion[] = [];

  outputs.forEach((out, i) => {
    if (out.type?.tensorType) return;
    const made = producer(out.name);
    if (made && made.node.opType === 'ZipMap' && made.node.domain === ML_DOMAIN) {
      if (nodes.some((n) => n.node.input.includes(out.name))) {
        throw new UnservableOutputError(out.name, `output '${out.name}' is made by ZipMap and also used inside the graph, which modelgate cannot serve: ${NON_TENSOR_FIX}`);
      }
      const probabilities = made.node.input[0] ?? '';
      const labels = zipMapLabels(onnx.NodeProto.decode(made.field.body ?? new Uint8Array()));
      const identity = onnx.NodeProto.encode({ name: made.node.name, opType: 'Identity', domain: '', input: [probabilities], output: [out.name] }).finish();
      replaced.set(made.field, messageField(GRAPH.node, identity));
      const dims: DimProto[] = [batchDim(graphFields, probabilities), { dimValue: labels.length }];
      const info = onnx.ValueInfoProto.encode({ name: out.name, docString: out.docString, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } } }).finish();
      const field = outputFields[i];
      if (field) replaced.set(field, messageField(GRAPH.output, info));
      const labelOutput = traceLabel(nodes.map((n) => n.node), producer(probabilities)?.node, outputNames);
      conversions.push({ output: out.name, from: 'ZipMap', labels, ...(labelOutput ? { labelOutput } : {}) });
      return;
    }
    // An output without a type is left to onnxruntime, which reports what it infers.
    if (out.type) {
      const maker = made ? `${made.node.domain ? `${made.node.domain}.` : ''}${made.node.opType} (node '${made.node.name}')` : 'no node (a graph input)';
      throw new UnservableOutputError(out.name, `output '${out.name}' is a ${typeName(out.type)} made by ${maker}, which modelgate cannot serve: ${NON_TENSOR_FIX}`);
    }
  });
  if (conversions.length === 0) return plain;

  const graph = joinFields(graphFields.map((f) => replaced.get(f) ?? f.raw));
  const parts = modelFields.map((f) => (f.no === MODEL.graph ? messageField(MODEL.graph, graph) : f.raw));
  // Identity is a default-domain op: a graph importing only ai.onnx.ml gets the default opset too
  // (7: the oldest onnxruntime guarantees, valid from IR 3; Identity is unchanged since opset 1).
  const opsets = modelFields.filter((f) => f.no === MODEL.opsetImport).map((f) => onnx.OperatorSetIdProto.decode(f.body ?? new Uint8Array()));
  if (!opsets.some((o) => !o.domain || o.domain === 'ai.onnx')) parts.push(messageField(MODEL.opsetImport, onnx.OperatorSetIdProto.encode({ domain: '', version: 7 }).finish()));
  return { model: joinFields(parts), conversions };
}

/** ZipMap's labels; int64 ones as numbers (as decimal strings past 2^53, where numbers lose digits). */
function zipMapLabels(node: onnxProto.onnx.NodeProto): number[] | string[] {
  const strings = node.attribute.find((a) => a.name === 'classlabels_strings')?.strings;
  if (strings && strings.length > 0) return strings.map((s) => Buffer.from(s).toString('utf8'));
  const ints = (node.attribute.find((a) => a.name === 'classlabels_int64s')?.ints ?? []).map((v) => (typeof v === 'number' ? String(v) : v.toString()));
  return ints.every((s) => Number.isSafeInteger(Number(s))) ? ints.map(Number) : ints;
}

/** The batch dim of the probabilities (from value_info), else of the first graph input, else unnamed. */
function batchDim(graphFields: ProtoField[], tensor: string): DimProto {
  const infos = graphFields.filter((f) => f.no === GRAPH.valueInfo || f.no === GRAPH.input).map((f) => onnx.ValueInfoProto.decode(f.body ?? new Uint8Array()));
  const known = infos.find((v) => v.name === tensor)?.type?.tensorType?.shape?.dim?.[0];
  const first = infos.find((v) => (v.type?.tensorType?.shape?.dim?.length ?? 0) > 0)?.type?.tensorType?.shape?.dim?.[0];
  const dim = known ?? first;
  if (dim?.dimParam) return { dimParam: dim.dimParam };
  if (dim?.dimValue) return { dimValue: dim.dimValue };
  return {};
}

/** The graph output holding the classifier's label (its first output), through Identity/Cast. */
function traceLabel(nodes: NodeHead[], classifier: NodeHead | undefined, outputs: Set<string>): string | undefined {
  let name = classifier?.output[0];
  for (let hops = 0; name && hops < 8; hops++) {
    if (outputs.has(name)) return name;
    const current = name;
    name = nodes.find((n) => (n.opType === 'Identity' || n.opType === 'Cast') && n.input[0] === current)?.output[0];
  }
  return undefined;
}

const elemName = (t: number | null | undefined) => (onnx.TensorProto.DataType[t ?? 0] ?? 'unknown').toLowerCase();

/** ONNX's own spelling of a type, e.g. seq(map(int64,tensor(float))). */
function typeName(t: TypeProto | null | undefined): string {
  if (t?.tensorType) return `tensor(${elemName(t.tensorType.elemType)})`;
  if (t?.sequenceType) return `seq(${typeName(t.sequenceType.elemType)})`;
  if (t?.mapType) return `map(${elemName(t.mapType.keyType)},${typeName(t.mapType.valueType)})`;
  if (t?.optionalType) return `optional(${typeName(t.optionalType.elemType)})`;
  if (t?.sparseTensorType) return `sparse_tensor(${elemName(t.sparseTensorType.elemType)})`;
  return 'value of unknown type';
}
