import onnxProto from 'onnx-proto';
import type ort from 'onnxruntime-node';
import type { GraphSignature, GraphTensor } from '../contracts/runner.js';

const { onnx } = onnxProto;


/** What the file says about its making: nothing here is guessed. */
export interface GraphProvenance {
  irVersion?: number;
  /** domain ('' = ai.onnx) -> opset version */
  opsets: Record<string, number>;
  producer?: string;
}

type ValueMetadata = ort.InferenceSession.ValueMetadata;

function tensorOf(m: ValueMetadata): GraphTensor {
  if (!m.isTensor) return { name: m.name, type: 'non-tensor', shape: undefined, symbols: [] };
  const dims = m.shape as readonly (number | string)[];
  return {
    name: m.name,
    type: m.type,
    shape: dims.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
    symbols: dims.map((d) => (typeof d === 'string' ? d : '')),
  };
}

/** The graph's signature from a live session (what onnxruntime will actually accept). */
export function graphSignature(session: ort.InferenceSession): GraphSignature {
  return { inputs: session.inputMetadata.map(tensorOf), outputs: session.outputMetadata.map(tensorOf) };
}

/** IR version, opset imports and producer from the ModelProto header. */
export function graphProvenance(model: Uint8Array): GraphProvenance {
  const m = onnx.ModelProto.decode(model);
  const opsets: Record<string, number> = {};
  for (const o of m.opsetImport) opsets[o.domain ?? ''] = Number(o.version ?? 0);
  const producer = [m.producerName, m.producerVersion].filter((s) => s).join(' ');
  const ir = Number(m.irVersion ?? 0);
  return { ...(ir > 0 ? { irVersion: ir } : {}), opsets, ...(producer ? { producer } : {}) };
}
