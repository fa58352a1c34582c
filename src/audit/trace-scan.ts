import { capturedModel, decodeRecord, recordLength, type TraceRecord } from './trace-codec.js';
import type { TraceFiles } from './trace-files.js';

/** At most this many bytes of trace records are read for one query (the newest first). */
export const MAX_SCAN_BYTES = 64 * 1024 * 1024;
/** ...and at most this many bytes of matching records returned (a JSON answer several times that). */
export const MAX_FOUND_BYTES = 16 * 1024 * 1024;

/**
 * The newest records of `model` that carry captured inputs, newest first. The index is by request
 * id, so this reads whole segment logs, newest segment first, until `limit` are found,
 * MAX_SCAN_BYTES were read or MAX_FOUND_BYTES found: an operator's query (`--replay-trace`), never
 * the request path.
 */
export function newestCaptured(segments: readonly { logPath: string; bytes: number }[], files: TraceFiles, model: string, limit: number): TraceRecord[] {
  const found: TraceRecord[] = [];
  let budget = MAX_SCAN_BYTES;
  let foundBytes = 0;
  for (let i = segments.length - 1; i >= 0 && found.length < limit && budget > 0 && foundBytes < MAX_FOUND_BYTES; i--) {
    const seg = segments[i] as { logPath: string; bytes: number };
    const buf = readLog(files, seg.logPath, Math.min(seg.bytes, budget));
    budget -= buf.length;
    const hits: number[] = [];
    for (let at = 0, n = recordLength(buf, 0); n > 0; at += n, n = recordLength(buf, at)) if (capturedModel(buf, at) === model) hits.push(at);
    for (let h = hits.length - 1; h >= 0 && found.length < limit && foundBytes < MAX_FOUND_BYTES; h--) {
      const at = hits[h] as number;
      const n = recordLength(buf, at);
      foundBytes += n;
      found.push(decodeRecord(buf.subarray(at, at + n)));
    }
  }
  return found;
}

function readLog(files: TraceFiles, path: string, bytes: number): Buffer {
  let fd: number;
  try {
    fd = files.open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, files.read(fd, buf, 0, bytes, 0));
  } finally {
    files.close(fd);
  }
}
