import type { ParsedRequest } from '../../contracts/prediction.js';
import type { LoadedVersion } from '../../contracts/loaded-version.js';
import { decodeTensorData, ortToOip, tensorDataJson, type HostTensor, type TensorMap } from '../../contracts/tensor.js';
import { isObject } from './shape.js';

/**
 * Binary outputs of OIP's binary tensor extension (Triton, KServe): an output asked for with
 * `parameters.binary_data: true` (or every output, with the request's
 * `parameters.binary_data_output: true`) is answered in the JSON header with
 * `parameters.binary_data_size` and no `data`, its little-endian bytes following the header in
 * output order; the response's `Inference-Header-Content-Length` says where the header ends.
 */

/** A response with binary outputs: the JSON header, then the outputs' bytes. */
export interface BinaryAnswer {
  body: Buffer;
  /** Bytes of the JSON header at the start of `body` (the Inference-Header-Content-Length header). */
  headerLength: number;
}

/** The cacheable part of a binary answer: the header up to its per-request fields, and the bytes. */
export interface BinaryHead {
  json: string;
  tail: Buffer;
}

/** OIP's answers: JSON text, or a JSON header with binary outputs after it. */
export type OipAnswer = string | BinaryAnswer;
export type OipHead = string | BinaryHead;

/**
 * Which outputs a request wants binary, as `ParsedRequest.rendering` (part of the key its head is
 * cached under): undefined when none. `*` = binary_data_output; then each output whose own
 * `binary_data` says otherwise, as `+name` or `-name`.
 */
export function binaryRendering(parameters: unknown, outputs: unknown): string | undefined {
  const all = isObject(parameters) && parameters.binary_data_output === true;
  let rendering = all ? '*' : '';
  let any = all;
  if (Array.isArray(outputs)) {
    for (const o of outputs as { name: string; parameters?: Record<string, unknown> }[]) {
      const b = o.parameters?.binary_data;
      if (typeof b !== 'boolean' || b === all) continue;
      rendering += `${b ? '+' : '-'}${o.name}\u0000`;
      any ||= b;
    }
  }
  return any ? rendering : undefined;
}

/** Whether an output is binary under a rendering made by `binaryRendering`. */
function isBinary(rendering: string, name: string): boolean {
  if (rendering.includes(`+${name}\u0000`)) return true;
  if (rendering.includes(`-${name}\u0000`)) return false;
  return rendering.startsWith('*');
}

/** An output's bytes as the extension lays them out: little-endian elements; BYTES as uint32 length + bytes. */
export function tensorBytes(t: HostTensor): Buffer {
  const d = t.data;
  if (!Array.isArray(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const parts = d.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    at = out.writeUInt32LE(p.length, at);
    at += p.copy(out, at);
  }
  return out;
}

const jsonOf = (s: string) => JSON.stringify(s);

/** The head of an answer with binary outputs (the JSON ones keep their `data`). */
export function renderBinaryHead(lv: LoadedVersion, order: readonly string[], outputs: TensorMap, request: ParsedRequest): BinaryHead {
  const rendering = request.rendering ?? '';
  const tails: Buffer[] = [];
  const out = order.map((name) => {
    const t = outputs[name] as HostTensor;
    const datatype = ortToOip(t.type);
    const head = `{"name":${jsonOf(name)},"shape":${JSON.stringify(t.dims)},"datatype":"${datatype}"`;
    if (isBinary(rendering, name)) {
      const bytes = tensorBytes(t);
      tails.push(bytes);
      return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
    }
    return `${head},"data":${tensorDataJson(t) ?? JSON.stringify(decodeTensorData(t))}}`;
  });
  const json = `{"model_name":${jsonOf(lv.name)},"model_version":${jsonOf(lv.version)},"outputs":[${out.join(',')}]`;
  // One buffer for the cached bytes: copied once here, once per answer into its body.
  return { json, tail: tails.length === 1 ? (tails[0] as Buffer) : Buffer.concat(tails) };
}

/** The whole answer: the header closed with this request's fields, then the outputs' bytes. */
export function finishBinary(head: BinaryHead, closing: string): BinaryAnswer {
  const json = head.json + closing;
  const headerLength = Buffer.byteLength(json, 'utf8');
  const body = Buffer.allocUnsafe(headerLength + head.tail.length);
  body.write(json, 0, 'utf8');
  head.tail.copy(body, headerLength);
  return { body, headerLength };
}
