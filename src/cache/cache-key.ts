import type { HostTensor, TensorMap } from '../contracts/tensor.js';
import { tensorsDigest } from '../contracts/tensor-bytes.js';

/**
 * Identity of one cacheable prediction. `id` is canonical: the same model, version, input
 * bytes and output selection give the same id, whatever order the caller listed them in.
 */
export interface PredictionCacheKey {
  readonly model: string;
  readonly version: string;
  readonly id: string;
}

/** Inputs up to this many bytes are kept verbatim in the key (no hash, no collision). */
const INLINE_BYTES = 256;

/**
 * The canonical key of a prediction: model, resolved version, output selection (sorted), and
 * every input (sorted by name) as type + dims + the raw bytes the model sees. v1 features are
 * float32 tensors by then, so JSON key order and values equal as float32 (0.1 vs 0.1000000001)
 * already give the same bytes. Small inputs are inlined byte for byte; larger ones are their
 * digest (`tensorsDigest`, shared with the trace record of the same request), marked with its
 * algorithm: replicas that hash differently share no keys, so they miss instead of mixing.
 */
export function predictionCacheKey(
  model: string,
  version: string,
  feeds: TensorMap,
  outputNames: readonly string[] | undefined,
): PredictionCacheKey {
  const names = Object.keys(feeds);
  if (names.length > 1) names.sort();
  let total = 0;
  for (const name of names) total += byteLength(feeds[name] as HostTensor);
  let body: string;
  if (total <= INLINE_BYTES) {
    // The common case (a few features): the bytes themselves, one char per byte, no hashing.
    body = 'r';
    for (const name of names) {
      const t = feeds[name] as HostTensor;
      body += `${name}\u0001${t.type}\u0001${t.dims.join(',')}\u0001${inlineBytes(t)}\u0002`;
    }
  } else {
    // The digest the prediction trace records for this input too: computed once per request.
    const d = tensorsDigest(feeds);
    body = `${d.algorithm === 'blake3' ? 'b' : 'h'}${d.base64}`;
  }
  return { model, version, id: `${model}\u0000${version}\u0000${outputSelection(outputNames)}\u0000${body}` };
}

/** The requested outputs as a canonical string: '*' for all, else sorted and de-duplicated. */
function outputSelection(names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return '*';
  if (names.length === 1) return names[0] as string;
  return [...new Set(names)].sort().join(',');
}

/** The bytes a tensor holds, without copying (strings: their JSON, which is unambiguous). */
function rawBytes(t: HostTensor): Uint8Array {
  const d = t.data;
  if (Array.isArray(d)) return Buffer.from(JSON.stringify(d), 'utf8');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function byteLength(t: HostTensor): number {
  const d = t.data;
  return Array.isArray(d) ? Buffer.byteLength(JSON.stringify(d), 'utf8') : d.byteLength;
}

/** Small inputs as a string of one char per byte (a Map key; a shared tier would re-encode it). */
function inlineBytes(t: HostTensor): string {
  const bytes = rawBytes(t);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}
