import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LoadFailure } from './load-failure.js';
import type { OipDatatype, TensorSpec } from '../contracts/manifest.js';

/** What modelgate takes from a Triton config.pbtxt, and a note for each setting it does not apply. */
export interface TritonConfig {
  maxBatchSize: number;
  tensors: { inputs?: TensorSpec[]; outputs?: TensorSpec[] };
  unsupported: string[];
}

type Value = string | number | Message;
interface Message {
  [key: string]: Value[];
}

const TYPES: Record<string, OipDatatype> = {
  TYPE_BOOL: 'BOOL', TYPE_UINT8: 'UINT8', TYPE_UINT16: 'UINT16', TYPE_UINT32: 'UINT32', TYPE_UINT64: 'UINT64',
  TYPE_INT8: 'INT8', TYPE_INT16: 'INT16', TYPE_INT32: 'INT32', TYPE_INT64: 'INT64',
  TYPE_FP16: 'FP16', TYPE_FP32: 'FP32', TYPE_FP64: 'FP64', TYPE_STRING: 'BYTES',
};
const TOP_LEVEL = new Set(['name', 'platform', 'backend', 'max_batch_size', 'input', 'output', 'default_model_filename']);
const TENSOR_FIELDS = new Set(['name', 'data_type', 'dims']);

/**
 * `<repo>/<model>/config.pbtxt` of a Triton model repository, if there is one. Inputs, outputs
 * (names, datatypes, dims) and max_batch_size are honoured: with max_batch_size > 0 Triton's
 * dims leave out the batch dim, which becomes a leading -1 (batch axis 0); with 0 the model
 * takes no batch dim and is served unbatched. Anything else is listed as not supported.
 */
export async function readTritonConfig(repoRoot: string, model: string): Promise<TritonConfig | undefined> {
  let text: string;
  try {
    text = await readFile(join(repoRoot, model, 'config.pbtxt'), 'utf8');
  } catch {
    return undefined;
  }
  return parseTritonConfig(text);
}

export function parseTritonConfig(text: string): TritonConfig {
  const root = parseTextProto(text);
  const unsupported: string[] = [];
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL.has(key)) unsupported.push(`'${key}' is not supported and is ignored (modelgate's own settings apply)`);
  }
  const platform = scalar(root, 'platform') ?? scalar(root, 'backend');
  if (platform !== undefined && !/onnx/i.test(String(platform))) {
    throw new LoadFailure('invalid_manifest', `config.pbtxt: platform '${platform}' is not ONNX; modelgate serves ONNX models only`);
  }
  const maxBatchSize = Number(scalar(root, 'max_batch_size') ?? 0);
  const tensors = (key: 'input' | 'output'): TensorSpec[] | undefined => {
    const list = root[key];
    if (!list || list.length === 0) return undefined;
    return list.map((v, i) => {
      if (typeof v !== 'object') throw new LoadFailure('invalid_manifest', `config.pbtxt: ${key} ${i} is not a message`);
      const name = String(scalar(v, 'name') ?? '');
      for (const f of Object.keys(v)) if (!TENSOR_FIELDS.has(f)) unsupported.push(`${key} '${name}': '${f}' is not supported and is ignored`);
      const type = String(scalar(v, 'data_type') ?? '');
      const datatype = TYPES[type];
      if (!name || !datatype) throw new LoadFailure('invalid_manifest', `config.pbtxt: ${key} '${name}' has data_type '${type}', which modelgate cannot serve`);
      const dims = (v.dims ?? []).map(Number);
      return maxBatchSize > 0 ? { name, datatype, shape: [-1, ...dims] } : { name, datatype, shape: dims, batchAxis: null };
    });
  };
  return { maxBatchSize, tensors: { inputs: tensors('input'), outputs: tensors('output') }, unsupported };
}

const scalar = (m: Message, key: string): string | number | undefined => {
  const v = m[key]?.[0];
  return typeof v === 'object' ? undefined : v;
};

/** A protobuf text-format reader, enough for config.pbtxt: fields, messages, lists, strings, numbers, enums. */
function parseTextProto(text: string): Message {
  const tokens = text.replace(/#[^\n]*/g, '').match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{}[\]:,;<>]|[^\s{}[\]:,;<>"']+/g) ?? [];
  let pos = 0;
  const fail = (why: string): never => {
    throw new LoadFailure('invalid_manifest', `config.pbtxt cannot be read: ${why} (token ${pos})`);
  };
  const value = (): Value => {
    const t = tokens[pos++] ?? fail('unexpected end');
    if (t === '{' || t === '<') return message(t === '{' ? '}' : '>');
    if (/^["']/.test(t)) return t.slice(1, -1);
    const n = Number(t);
    return Number.isFinite(n) ? n : t;
  };
  const message = (end: string | undefined): Message => {
    const out: Message = {};
    while (pos < tokens.length && tokens[pos] !== end) {
      const key = tokens[pos++] ?? fail('expected a field');
      if (tokens[pos] === ':') pos++;
      const values: Value[] = [];
      if (tokens[pos] === '[') {
        pos++;
        while (tokens[pos] !== ']') {
          if (pos >= tokens.length) fail(`unclosed list in '${key}'`);
          values.push(value());
          if (tokens[pos] === ',') pos++;
        }
        pos++;
      } else values.push(value());
      (out[key] ??= []).push(...values);
      if (tokens[pos] === ',' || tokens[pos] === ';') pos++;
    }
    if (end !== undefined) {
      if (tokens[pos] !== end) fail(`expected '${end}'`);
      pos++;
    }
    return out;
  };
  return message(undefined);
}
