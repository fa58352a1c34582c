import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { badRequest, GatewayError } from '../errors/index.js';
import { binaryDataSize, type BinaryBody } from './protocols/oip-binary.js';
import { isObject } from './protocols/shape.js';
import { requestHeaders } from './request-headers.js';

/** The request header of OIP's binary tensor extension: the byte length of the JSON header. */
export const INFERENCE_HEADER = 'inference-header-content-length';

/** Where the JSON header ends, from Inference-Header-Content-Length (a 400 in OIP's words if it is not a length). */
export function inferenceHeaderLength(value: string): number {
  const n = /^\s*\d{1,12}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`Inference-Header-Content-Length must be a byte count, got '${value.slice(0, 40)}'`);
  if (n === 0) {
    throw badRequest('Inference-Header-Content-Length 0 (a raw body without a JSON inference header) is not supported; send the JSON header first');
  }
  return n;
}

export const binaryTooLarge = (limit: number, what: string): GatewayError =>
  new GatewayError('payload_too_large', 413, `${what} exceeds the binary tensor limit of ${limit} bytes (limits.maxBinaryBodyBytes)`);

/** The header's JSON, parsed once (the protocol checks its shape); a 400 naming the header when it is not JSON. */
function parseHeader(bytes: Buffer, start: number, length: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8', start, start + length));
  } catch (err) {
    throw badRequest(`the inference header (the first ${length} bytes of the body, per Inference-Header-Content-Length) is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * The bytes the header declares: its own length plus every binary_data_size. Undefined when the
 * header is not the shape to say (the protocol's parse refuses it, in its words).
 */
function declaredBytes(header: unknown, headerLength: number): number | undefined {
  if (!isObject(header) || !Array.isArray(header.inputs)) return undefined;
  let total = headerLength;
  for (const input of header.inputs) total += binaryDataSize(input) ?? 0;
  return total;
}

/** Checks made as soon as the header is in, before the tensor data is read. */
function checkDeclared(header: unknown, headerLength: number, contentLength: number | undefined, limit: number): void {
  const total = declaredBytes(header, headerLength);
  if (total === undefined) return;
  if (total > limit) throw binaryTooLarge(limit, `the declared body (${total} bytes: header and binary_data_size)`);
  if (contentLength !== undefined && total !== contentLength) {
    throw badRequest(
      `the sizes do not add up: the ${headerLength}-byte header and the inputs' binary_data_size make ${total} bytes, Content-Length is ${contentLength}`,
    );
  }
}

/**
 * Read a binary tensor request into ONE buffer, within `limit` bytes. The buffer is allocated so
 * that the first tensor after the JSON header starts 8-byte aligned: the usual single image
 * input becomes a typed-array view, not a copy. The header is parsed as soon as it is in, and the
 * sizes it declares are checked against the limit and Content-Length before the data is read.
 */
export function readBinaryBody(c: Context, headerLength: number, limit: number): Promise<BinaryBody> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const length = requestHeaders(c)['content-length'];
  const contentLength = typeof length === 'string' && length !== '' ? Number(length) : undefined;
  if (contentLength !== undefined && headerLength > contentLength) {
    throw badRequest(`Inference-Header-Content-Length ${headerLength} is past the end of the ${contentLength}-byte body`);
  }
  if (!incoming) return readInProcess(c, headerLength, contentLength, limit);
  const pad = (8 - (headerLength % 8)) % 8;
  let store = Buffer.allocUnsafeSlow(pad + (contentLength ?? Math.min(limit, 1 << 20)));
  let size = 0;
  let header: unknown;
  let headerRead = false;
  return new Promise<BinaryBody>((resolve, reject) => {
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onClosed);
      incoming.off('close', onClosed);
    };
    const fail = (err: unknown) => {
      cleanup();
      // The rest of the body is discarded, so the answer can still be read by the client.
      incoming.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      try {
        if (size + chunk.length > limit) throw binaryTooLarge(limit, 'the request body');
        if (pad + size + chunk.length > store.length) {
          const grown = Buffer.allocUnsafeSlow(pad + Math.min(limit, Math.max(2 * (size + chunk.length), 1 << 16)));
          store.copy(grown, 0, 0, pad + size);
          store = grown;
        }
        chunk.copy(store, pad + size);
        size += chunk.length;
        if (!headerRead && size >= headerLength) {
          headerRead = true;
          header = parseHeader(store, pad, headerLength);
          checkDeclared(header, headerLength, contentLength, limit);
        }
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = () => {
      cleanup();
      if (!headerRead) {
        reject(badRequest(`Inference-Header-Content-Length ${headerLength} is past the end of the ${size}-byte body`));
        return;
      }
      resolve({ bytes: store.subarray(pad, pad + size), headerLength, header });
    };
    const onClosed = () => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(badRequest('the connection closed before the request body was complete'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onClosed);
    incoming.on('close', onClosed);
  });
}

/** In-process requests (app.request in tests): the same checks over the whole body. */
async function readInProcess(c: Context, headerLength: number, contentLength: number | undefined, limit: number): Promise<BinaryBody> {
  const bytes = Buffer.from(await c.req.raw.arrayBuffer());
  if (bytes.length > limit) throw binaryTooLarge(limit, 'the request body');
  if (headerLength > bytes.length) throw badRequest(`Inference-Header-Content-Length ${headerLength} is past the end of the ${bytes.length}-byte body`);
  const header = parseHeader(bytes, 0, headerLength);
  checkDeclared(header, headerLength, contentLength ?? bytes.length, limit);
  return { bytes, headerLength, header };
}
