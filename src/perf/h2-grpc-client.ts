import { connect, type Socket } from 'node:net';
import { HpackDecoder, literalHeaders } from './hpack.js';

/**
 * A lean unary gRPC client for load generation: HTTP/2 frames written on a bare socket, as h2load
 * and autocannon (for HTTP/1.1) write pre-built requests. The request's header block and message
 * frame are built once; a call writes a 9-byte HEADERS frame head, that block and DATA frames
 * (within the server's flow-control windows), and reads the answer's headers, message and
 * trailers. Every call shares one connection, as ghz's do by default. On a 2-core machine the
 * load generator competes with the server for CPU: @grpc/grpc-js's client spent 700-1,700 µs
 * a call and node:http2's 150-300 µs, against autocannon's ~40 µs for HTTP/1.1.
 */
export interface GrpcCallResult {
  /** The grpc-status (0 OK); 14 UNAVAILABLE when the connection or stream failed before one came. */
  code: number;
  details: string;
  /** The initial metadata (response headers), lower-case names. */
  headers: Record<string, string>;
  /** The response message (without the 5-byte prefix), when asked for and the call succeeded. */
  message?: Buffer;
}

/** A message in gRPC's length-prefixed framing (uncompressed). */
export function grpcFrame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.byteLength);
  out[0] = 0;
  out.writeUInt32BE(message.byteLength, 1);
  out.set(message, 5);
  return out;
}

/** A unary call's request headers for `path` (a method's full name), with `metadata`: encode once, send on every call. */
export function requestHeaders(authority: string, path: string, metadata: Record<string, string> = {}): Buffer {
  const md = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  return literalHeaders({ ':method': 'POST', ':scheme': 'http', ':path': path, ':authority': authority, 'content-type': 'application/grpc', te: 'trailers', ...md });
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DATA = 0;
const HEADERS = 1;
const RST_STREAM = 3;
const SETTINGS = 4;
const PING = 6;
const GOAWAY = 7;
const WINDOW_UPDATE = 8;
const CONTINUATION = 9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const MAX_WINDOW = 2 ** 31 - 1;
const UNAVAILABLE = 14;

interface Call {
  id: number;
  frame: Buffer;
  sent: number;
  window: number;
  wantMessage: boolean;
  headers?: Record<string, string>;
  trailers?: Record<string, string>;
  chunks: Buffer[];
  resolve: (r: GrpcCallResult) => void;
}

function frameHead(length: number, type: number, flags: number, stream: number): Buffer {
  const h = Buffer.allocUnsafe(9);
  h.writeUIntBE(length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return h;
}

/** One HTTP/2 connection carrying unary gRPC calls (cleartext, prior knowledge, as gRPC without TLS). */
export class H2GrpcConnection {
  private readonly socket: Socket;
  private readonly calls = new Map<number, Call>();
  private readonly blocked = new Set<Call>();
  private readonly hpack = new HpackDecoder();
  private nextId = 1;
  private sendWindow = 65_535;
  private peerInitialWindow = 65_535;
  private maxFrame = 16_384;
  private received = 0;
  private pending: Buffer = Buffer.alloc(0);
  private headerBlock: { id: number; parts: Buffer[]; endStream: boolean } | undefined;
  private failure: string | undefined;
  private corked = false;

  constructor(readonly address: string) {
    const at = address.lastIndexOf(':');
    this.socket = connect({ host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)), noDelay: true });
    // Our SETTINGS: no push, the largest stream window (answers are never paced by us), then a
    // connection window to match (refilled as answers are read).
    const settings = Buffer.alloc(12);
    settings.writeUInt16BE(0x2, 0);
    settings.writeUInt32BE(0, 2);
    settings.writeUInt16BE(0x4, 6);
    settings.writeUInt32BE(MAX_WINDOW, 8);
    const update = Buffer.allocUnsafe(4);
    update.writeUInt32BE(MAX_WINDOW - 65_535, 0);
    this.socket.write(Buffer.concat([PREFACE, frameHead(12, SETTINGS, 0, 0), settings, frameHead(4, WINDOW_UPDATE, 0, 0), update]));
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (err: Error) => this.fail(err.message));
    this.socket.on('close', () => this.fail('connection closed'));
  }

  /** One unary call with a framed request (grpcFrame) and request headers (requestHeaders). */
  call(headerBlock: Buffer, frame: Buffer, wantMessage = false): Promise<GrpcCallResult> {
    return new Promise((resolve) => {
      if (this.failure !== undefined || this.nextId > MAX_WINDOW) {
        resolve({ code: UNAVAILABLE, details: this.failure ?? 'the connection has used all its stream ids', headers: {} });
        return;
      }
      const c: Call = { id: this.nextId, frame, sent: 0, window: this.peerInitialWindow, wantMessage, chunks: [], resolve };
      this.nextId += 2;
      this.calls.set(c.id, c);
      this.write(frameHead(headerBlock.length, HEADERS, END_HEADERS, c.id));
      this.write(headerBlock);
      this.sendData(c);
    });
  }

  /** Ends the connection once the server has answered what is in flight. */
  close(): void {
    this.socket.end();
  }

  /** Ends the connection now: calls in flight end with UNAVAILABLE. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Writes of one turn of the event loop leave in one writev. */
  private write(b: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(b);
  }

  private sendData(c: Call): void {
    while (c.sent < c.frame.length) {
      const n = Math.min(c.frame.length - c.sent, this.maxFrame, this.sendWindow, c.window);
      if (n <= 0) {
        this.blocked.add(c);
        return;
      }
      const last = c.sent + n === c.frame.length;
      this.write(frameHead(n, DATA, last ? END_STREAM : 0, c.id));
      this.write(c.frame.subarray(c.sent, c.sent + n));
      c.sent += n;
      this.sendWindow -= n;
      c.window -= n;
    }
    this.blocked.delete(c);
  }

  private read(chunk: Buffer): void {
    let b = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (b.length - at >= 9) {
      const length = b.readUIntBE(at, 3);
      if (b.length - at < 9 + length) break;
      const type = b[at + 3] as number;
      const flags = b[at + 4] as number;
      const id = b.readUInt32BE(at + 5) & 0x7fffffff;
      this.frame(type, flags, id, b.subarray(at + 9, at + 9 + length));
      at += 9 + length;
    }
    b = b.subarray(at);
    // Keep a partial frame (copied: the socket's chunk is not ours to hold).
    this.pending = b.length > 0 ? Buffer.from(b) : Buffer.alloc(0);
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    switch (type) {
      case DATA: {
        this.received += payload.length;
        if (this.received > 1 << 30) this.windowUpdate();
        const c = this.calls.get(id);
        if (c?.wantMessage) c.chunks.push(Buffer.from(unpad(payload, flags)));
        if (c && flags & END_STREAM) this.finish(c);
        return;
      }
      case HEADERS: {
        let p = unpad(payload, flags);
        if (flags & PRIORITY) p = p.subarray(5);
        this.headerBlock = { id, parts: [Buffer.from(p)], endStream: (flags & END_STREAM) !== 0 };
        if (flags & END_HEADERS) this.headersDone();
        return;
      }
      case CONTINUATION:
        this.headerBlock?.parts.push(Buffer.from(payload));
        if (flags & END_HEADERS) this.headersDone();
        return;
      case RST_STREAM: {
        const c = this.calls.get(id);
        if (c) this.settle(c, { code: UNAVAILABLE, details: `stream reset by the server (HTTP/2 error ${payload.readUInt32BE(0)})`, headers: c.headers ?? {} });
        return;
      }
      case SETTINGS:
        if (!(flags & ACK)) this.settings(payload);
        return;
      case PING:
        if (!(flags & ACK)) {
          this.write(frameHead(8, PING, ACK, 0));
          this.write(Buffer.from(payload));
        }
        return;
      case GOAWAY:
        this.fail(`the server went away (HTTP/2 error ${payload.readUInt32BE(4)})`);
        this.socket.destroy();
        return;
      case WINDOW_UPDATE: {
        const inc = payload.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) this.sendWindow += inc;
        else {
          const c = this.calls.get(id);
          if (c) c.window += inc;
        }
        for (const c of [...this.blocked]) this.sendData(c);
        return;
      }
      default:
    }
  }

  private settings(payload: Buffer): void {
    for (let i = 0; i + 6 <= payload.length; i += 6) {
      const key = payload.readUInt16BE(i);
      const value = payload.readUInt32BE(i + 2);
      if (key === 0x4) {
        for (const c of this.calls.values()) c.window += value - this.peerInitialWindow;
        this.peerInitialWindow = value;
      } else if (key === 0x5) {
        this.maxFrame = value;
      }
    }
    this.write(frameHead(0, SETTINGS, ACK, 0));
    for (const c of [...this.blocked]) this.sendData(c);
  }

  private windowUpdate(): void {
    const update = Buffer.allocUnsafe(4);
    update.writeUInt32BE(this.received, 0);
    this.received = 0;
    this.write(frameHead(4, WINDOW_UPDATE, 0, 0));
    this.write(update);
  }

  /** A complete header block: decoded in order (the HPACK table is the connection's), then the call's headers or trailers. */
  private headersDone(): void {
    const h = this.headerBlock;
    this.headerBlock = undefined;
    if (!h) return;
    const fields = this.hpack.decode(h.parts.length === 1 ? (h.parts[0] as Buffer) : Buffer.concat(h.parts));
    const c = this.calls.get(h.id);
    if (!c) return;
    if (c.headers === undefined) c.headers = fields;
    else c.trailers = fields;
    if (h.endStream) this.finish(c);
  }

  private finish(c: Call): void {
    const status = c.trailers?.['grpc-status'] ?? c.headers?.['grpc-status'];
    const message = c.trailers?.['grpc-message'] ?? c.headers?.['grpc-message'] ?? '';
    if (status === undefined) {
      this.settle(c, { code: UNAVAILABLE, details: 'the stream ended without a grpc-status', headers: c.headers ?? {} });
      return;
    }
    const result: GrpcCallResult = { code: Number(status), details: message.length > 0 ? decodeURIComponent(message) : '', headers: c.headers ?? {} };
    if (c.wantMessage && result.code === 0) result.message = Buffer.concat(c.chunks).subarray(5);
    this.settle(c, result);
  }

  private settle(c: Call, result: GrpcCallResult): void {
    this.calls.delete(c.id);
    this.blocked.delete(c);
    c.resolve(result);
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    for (const c of [...this.calls.values()]) this.settle(c, { code: UNAVAILABLE, details: reason, headers: c.headers ?? {} });
  }
}

function unpad(payload: Buffer, flags: number): Buffer {
  if (!(flags & PADDED)) return payload;
  const pad = payload[0] as number;
  return payload.subarray(1, payload.length - pad);
}
