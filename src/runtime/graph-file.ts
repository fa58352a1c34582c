import protobuf from 'protobufjs/minimal.js';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { joinFields, messageField } from './proto-fields.js';
import { servableGraph, type OutputConversion } from './servable-graph.js';
import type { ModelFile } from '../contracts/model-file.js';

const MODEL_GRAPH = 7;
// GraphProto's weights: initializer and sparse_initializer, the bulk of a large model.
const GRAPH_WEIGHTS = new Set([5, 15]);

interface FieldAt {
  no: number;
  start: number;
  bodyStart: number;
  end: number;
}

/** The fields of the message between `from` and `to` of the file, from their headers only. */
async function fieldsAt(fh: FileHandle, from: number, to: number): Promise<FieldAt[]> {
  const fields: FieldAt[] = [];
  const head = Buffer.alloc(20);
  for (let pos = from; pos < to; ) {
    const { bytesRead } = await fh.read(head, 0, Math.min(head.length, to - pos), pos);
    const reader = protobuf.Reader.create(head.subarray(0, bytesRead));
    const tag = reader.uint32();
    const wire = tag & 7;
    let end: number;
    if (wire === 2) {
      const length = reader.uint32();
      end = pos + reader.pos + length;
    } else {
      reader.skipType(wire);
      end = pos + reader.pos;
    }
    if (end > to) throw new Error('a field runs past the end of its message');
    fields.push({ no: tag >>> 3, start: pos, bodyStart: pos + reader.pos, end });
    pos = end;
  }
  return fields;
}

async function readRange(fh: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(end - start);
  await fh.read(buf, 0, buf.length, start);
  return buf;
}

/**
 * The ModelProto without its graph's initializers: what the header checks (provenance, outputs,
 * ZipMap) read, without holding the weights in memory. Throws when the file is not a readable message.
 */
export async function graphSkeleton(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const parts: Uint8Array[] = [];
    for (const f of await fieldsAt(fh, 0, (await fh.stat()).size)) {
      if (f.no !== MODEL_GRAPH) {
        parts.push(await readRange(fh, f.start, f.end));
        continue;
      }
      const graph: Uint8Array[] = [];
      for (const g of await fieldsAt(fh, f.bodyStart, f.end)) if (!GRAPH_WEIGHTS.has(g.no)) graph.push(await readRange(fh, g.start, g.end));
      parts.push(messageField(MODEL_GRAPH, joinFields(graph)));
    }
    return joinFields(parts);
  } finally {
    await fh.close();
  }
}

/**
 * servableGraph for a file: the session is made from the path when no output needs converting
 * (the file is never read whole here); a graph ending in ZipMap is rewritten in memory as before.
 */
export async function servableFile(file: ModelFile): Promise<{ model: Uint8Array | string; conversions: OutputConversion[] }> {
  let skeleton: Uint8Array;
  try {
    skeleton = await graphSkeleton(file.path);
  } catch {
    return { model: file.path, conversions: [] }; // not a readable ModelProto: onnxruntime says what is wrong with it
  }
  if (servableGraph(skeleton).conversions.length === 0) return { model: file.path, conversions: [] };
  return servableGraph(new Uint8Array(await readFile(file.path)));
}

/** An onnxruntime message about a file, with the (temp) path replaced by the file's public name. */
export const withoutPath = (message: string, model: Uint8Array | string): string =>
  typeof model === 'string' ? message.split(model).join('model.onnx') : message;
