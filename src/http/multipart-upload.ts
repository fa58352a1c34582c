import busboy from 'busboy';
import { createHash } from 'node:crypto';
import { once as nextEvent } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GatewayError, badRequest } from '../errors/index.js';

export interface MultipartLimits {
  /** The whole body, and so the streamed part. */
  maxBytes: number;
  /** Each part held in memory (manifest, holdout, fields): the JSON body limit. */
  maxPartBytes: number;
}

/** A multipart body read: the streamed part as a file on disk, the others in memory; `dispose()` removes the file. */
export interface MultipartUpload {
  parts: Map<string, Uint8Array>;
  /** The streamed part on disk, with its size and sha256 taken as it was received. */
  file: { path: string; bytes: number; sha256: string } | undefined;
  dispose(): Promise<void>;
}

const tooLarge = (what: string, limit: number) => new GatewayError('payload_too_large', 413, `${what} exceeds ${limit} bytes`);

/**
 * Parse multipart/form-data as it arrives (busboy): the part named `streamed` goes to a temp
 * file as it is received, never whole in memory; the others (small JSON parts and fields) are
 * kept in memory up to `maxPartBytes` each. Malformed bodies are 400, oversize 413.
 */
export async function readMultipart(body: ReadableStream<Uint8Array> | null, contentType: string, streamed: string, limits: MultipartLimits): Promise<MultipartUpload> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: limits.maxBytes, fieldSize: limits.maxPartBytes, parts: 32 } });
  } catch {
    throw badRequest('malformed multipart/form-data body (check the boundary and the parts)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'modelgate-upload-'));
  const upload: MultipartUpload = { parts: new Map(), file: undefined, dispose: () => rm(dir, { recursive: true, force: true }) };
  try {
    await parse(body, parser, streamed, limits, dir, upload);
    return upload;
  } catch (err) {
    await upload.dispose();
    throw err;
  }
}

async function parse(body: ReadableStream<Uint8Array> | null, parser: busboy.Busboy, streamed: string, limits: MultipartLimits, dir: string, upload: MultipartUpload): Promise<void> {
  const writes: Promise<void>[] = [];
  let failure: Error | undefined;
  const fail = (err: Error) => (failure ??= err);
  const once = (name: string) => {
    if (upload.parts.has(name) || (name === streamed && upload.file)) fail(badRequest(`the upload has more than one '${name.slice(0, 64)}' part`));
  };
  parser.on('file', (name: string, stream: Readable) => {
    // A part cut short (the body failed or ended early) errors its stream; the failure is already recorded.
    stream.on('error', () => fail(badRequest('malformed multipart/form-data body (a part ends early)')));
    once(name);
    if (failure) return void stream.resume();
    if (name === streamed) {
      const path = join(dir, 'part');
      const file = { path, bytes: 0, sha256: '' };
      const hash = createHash('sha256');
      upload.file = file;
      stream.on('data', (c: Buffer) => {
        file.bytes += c.length;
        hash.update(c);
      });
      stream.once('end', () => (file.sha256 = hash.digest('hex')));
      stream.on('limit', () => fail(tooLarge(`the '${streamed}' part`, limits.maxBytes)));
      writes.push(pipeline(stream, createWriteStream(path)).catch((err: Error) => void fail(err)));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limits.maxPartBytes) fail(tooLarge(`the '${name.slice(0, 64)}' part`, limits.maxPartBytes));
      else chunks.push(c);
    });
    writes.push(new Promise((resolve) => stream.once('end', () => (upload.parts.set(name, Buffer.concat(chunks)), resolve()))));
  });
  parser.on('field', (name: string, value: string, info: { valueTruncated: boolean }) => {
    once(name);
    if (info.valueTruncated) fail(tooLarge(`the '${name.slice(0, 64)}' field`, limits.maxPartBytes));
    upload.parts.set(name, Buffer.from(value, 'utf8'));
  });
  parser.on('partsLimit', () => fail(badRequest('the upload has too many parts')));
  parser.on('error', () => fail(badRequest('malformed multipart/form-data body (check the boundary and the parts)')));
  const closed = new Promise<void>((resolve) => {
    parser.once('close', resolve);
    parser.once('error', () => resolve());
  });

  const reader = body?.getReader();
  let received = 0;
  while (reader && !failure) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limits.maxBytes) fail(tooLarge('the request body', limits.maxBytes));
    // nextEvent (events.once) drops its 'error' listener on drain (one added per wait piled up on large uploads).
    else if (!parser.write(value)) await nextEvent(parser, 'drain').catch(() => undefined);
  }
  if (failure) {
    // Discard the rest (the server's lingering close bounds it) rather than reset the connection before the answer.
    void discard(reader);
    parser.destroy();
    throw failure;
  }
  parser.end();
  await closed;
  await Promise.all(writes);
  if (failure) throw failure;
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array> | undefined): Promise<void> {
  try {
    while (reader && !(await reader.read()).done);
  } catch {
    // The connection closed.
  }
}
