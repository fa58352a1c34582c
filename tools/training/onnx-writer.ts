import onnxProto from 'onnx-proto';

/**
 * Small builder over the onnx-proto (protobufjs) classes. onnx-proto is CommonJS, hence the
 * default import. Everything we emit is deterministic: protobufjs writes fields in schema order
 * and tensors are written as explicit little-endian raw bytes.
 */
const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const IR_VERSION = 8;
export const OPSET = 17;
export const ML_OPSET = 3;
export const ML_DOMAIN = 'ai.onnx.ml';
export const PRODUCER = 'modelgate-training';

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Attribute constructors, one per attribute kind we use. */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AT.INT, i }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AT.FLOAT, f }),
  string: (name: string, s: string): AttributeProto => ({ name, type: AT.STRING, s: utf8(s) }),
  ints: (name: string, ints: readonly number[]): AttributeProto => ({ name, type: AT.INTS, ints: [...ints] }),
  floats: (name: string, floats: readonly number[]): AttributeProto => ({ name, type: AT.FLOATS, floats: [...floats] }),
  strings: (name: string, strings: readonly string[]): AttributeProto => ({
    name, type: AT.STRINGS, strings: strings.map(utf8),
  }),
};

/** Little-endian float32 bytes, independent of the host's byte order. */
function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  return bytes;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

/** A float tensor input/output with a symbolic batch dimension wherever `-1` is given. */
export function floatValueInfo(name: string, shape: readonly number[], docString = ''): ValueInfoProto {
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType: DT.FLOAT,
        shape: { dim: shape.map((d) => (d < 0 ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}

export interface ModelOptions {
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  /** Adds the ai.onnx.ml opset import (tree ensembles). */
  usesMlDomain?: boolean;
  docString?: string;
  /** Producer name and version written into the file (default: modelgate-training 1.0.0). */
  producer?: { name: string; version: string };
}

/**
 * Accumulates nodes and initializers of one graph. Intermediate names are generated from a
 * counter, so the same build sequence always yields the same names (and bytes).
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Registers a float32 constant; returns its name. */
  floats(prefix: string, dims: readonly number[], values: ArrayLike<number>): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`${prefix}: ${values.length} values for dims [${dims.join(',')}]`);
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [...dims], dataType: DT.FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** Registers an int64 constant (indices, axes). */
  int64s(prefix: string, dims: readonly number[], values: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [...dims], dataType: DT.INT64, rawData: int64Bytes(values) });
    return name;
  }

  /**
   * Appends a node. `output` fixes the output name (graph outputs); otherwise a fresh name is
   * derived from the op type. `outputs` names every output of a node that has several (e.g.
   * TreeEnsembleClassifier's label and probabilities). Returns the (first) output name for chaining.
   */
  op(
    opType: string,
    inputs: readonly string[],
    opts: { attributes?: AttributeProto[]; output?: string; outputs?: readonly string[]; domain?: string } = {},
  ): string {
    const outputs = opts.outputs ? [...opts.outputs] : [opts.output ?? this.fresh(opType.toLowerCase())];
    this.nodes.push({
      name: this.fresh(`n_${opType}`),
      opType,
      domain: opts.domain ?? '',
      input: [...inputs],
      output: outputs,
      attribute: opts.attributes ?? [],
    });
    return outputs[0] ?? '';
  }

  /** Serialises the graph as a complete ModelProto (IR 8, opset 17, optional ai.onnx.ml 3). */
  encode(opts: ModelOptions): Uint8Array {
    const opsetImport = [{ domain: '', version: OPSET }];
    if (opts.usesMlDomain) opsetImport.push({ domain: ML_DOMAIN, version: ML_OPSET });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport,
      producerName: opts.producer?.name ?? PRODUCER,
      producerVersion: opts.producer?.version ?? '1.0.0',
      docString: opts.docString ?? '',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs,
        output: opts.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
