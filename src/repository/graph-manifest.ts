import { createHash } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import { graphSkeleton, servableFile, withoutPath } from '../runtime/graph-file.js';
import { isModelFile, type ModelFile } from '../contracts/model-file.js';
import type { GraphTensor } from '../contracts/runner.js';
import { graphProvenance, graphSignature } from '../runtime/graph-info.js';
import { NON_TENSOR_FIX, servableGraph, UnservableOutputError } from '../runtime/servable-graph.js';
import { createSession } from '../runtime/session-factory.js';
import { LoadFailure } from './load-failure.js';
import { Manifest, type TensorSpec, type WarmupSpec } from '../contracts/manifest.js';
import { assertNames } from '../contracts/names.js';
import { withConversions } from './output-conversions.js';
import { oipDatatypeOf } from './signature-check.js';

export interface ImportOptions {
  name: string;
  version: string;
  dataVersion?: string;
  description?: string;
  warmup?: WarmupSpec;
  /** Overrides read from a Triton config.pbtxt (names, datatypes, dims, max_batch_size). */
  tensors?: { inputs?: TensorSpec[]; outputs?: TensorSpec[] };
  maxBatchSize?: number;
  now?: () => Date;
}

/**
 * `modelgate import`: the manifest of an ONNX file, read from its graph. Inputs and outputs
 * (OIP datatypes, -1 for dynamic dims, [] for scalars), IR version, opsets, producer and sha256
 * come from the file; training facts it does not hold (data hash, metrics) stay absent. The sha256
 * is the file's own, also when an output is served converted (ZipMap: see servableGraph).
 */
export async function manifestFromGraph(model: Uint8Array | ModelFile, opts: ImportOptions): Promise<Manifest> {
  assertNames(opts.name, opts.version);
  let provenance;
  try {
    // A file (an upload) is read without its weights: only the header is needed here.
    provenance = graphProvenance(isModelFile(model) ? await graphSkeleton(model.path) : model);
  } catch (err) {
    throw new GatewayError('bad_request', 400, `not an ONNX model: ${(err as Error).message}`);
  }
  // A ZipMap output (skl2onnx's default) is read as the tensor served in its place; other non-tensors are refused.
  let servable;
  try {
    servable = isModelFile(model) ? await servableFile(model) : servableGraph(model);
  } catch (err) {
    // The same refusal (reason and words) as a load's: the file is valid, modelgate cannot serve it.
    if (err instanceof UnservableOutputError) throw new LoadFailure('unservable_output', err.message);
    throw err;
  }
  let signature;
  try {
    const { session } = await createSession(servable.model, { providers: ['cpu'], intraOpThreads: 1 });
    signature = graphSignature(session);
    await session.release();
  } catch (err) {
    throw new GatewayError('bad_request', 400, `onnxruntime cannot load this model: ${withoutPath((err as Error).message, servable.model)}`);
  }
  const batchSymbol = signature.inputs.find((t) => (t.shape?.length ?? 0) > 0)?.symbols[0] ?? '';
  const spec = (kind: 'input' | 'output') => (t: GraphTensor): TensorSpec => {
    const datatype = oipDatatypeOf(t);
    if (!datatype) {
      const fix = t.type === 'non-tensor' && kind === 'output' ? `: ${NON_TENSOR_FIX}` : '';
      throw new GatewayError('bad_request', 400, `${kind} '${t.name}' has type ${t.type}, which modelgate cannot serve${fix}`);
    }
    const shape = t.shape ?? [];
    // The batch axis follows the first input's named batch dim (e.g. 'batch' at dim 1 of a stacked state).
    const axis = batchSymbol ? t.symbols.indexOf(batchSymbol) : -1;
    return { name: t.name, datatype, shape, ...(shape.length === 0 ? { batchAxis: null } : axis > 0 ? { batchAxis: axis } : {}) };
  };
  const { opsets } = provenance;
  const manifest = {
    name: opts.name,
    version: opts.version,
    description: opts.description ?? '',
    ...(opts.dataVersion ? { dataVersion: opts.dataVersion } : {}),
    artifact: isModelFile(model)
      ? { path: 'model.onnx', sha256: model.sha256, bytes: model.bytes }
      : { path: 'model.onnx', sha256: createHash('sha256').update(model).digest('hex'), bytes: model.byteLength },
    inputs: opts.tensors?.inputs ?? signature.inputs.map(spec('input')),
    outputs: withConversions(opts.tensors?.outputs ?? signature.outputs.map(spec('output')), servable.conversions),
    framework: {
      ...(provenance.irVersion ? { irVersion: provenance.irVersion } : {}),
      ...(opsets[''] ? { opset: opsets[''] } : {}),
      opsets,
      ...(provenance.producer ? { producer: provenance.producer } : {}),
    },
    ...(opts.maxBatchSize ? { maxBatchSize: opts.maxBatchSize } : {}),
    importedAt: (opts.now?.() ?? new Date()).toISOString(),
    ...(opts.warmup ? { warmup: opts.warmup } : {}),
  };
  return Manifest.parse(manifest);
}
