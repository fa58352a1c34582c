import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

/**
 * A lean unary gRPC client on node:http2, for load generation: the request is framed once (the
 * 5-byte gRPC prefix and the serialised message) and each call writes those bytes on a new stream
 * of one HTTP/2 connection. As ghz and perf_analyzer do, it is a plain HTTP/2 client, not a full
 * gRPC stack: no channel state machine, interceptors, channelz, deadlines timers or per-call
 * Metadata objects, so on a small machine the load generator's CPU stays near autocannon's
 * (measured: @grpc/grpc-js's client spends 5-10x this one's CPU a call) and leaves the cores to the server.
 */
export interface GrpcCallResult {
  /** The grpc-status (0 OK); 14 UNAVAILABLE when the stream failed before one came. */
  code: number;
  details: string;
  /** The initial metadata (response headers). */
  headers: IncomingHttpHeaders;
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

const UNAVAILABLE = 14;

function statusOf(h: IncomingHttpHeaders | undefined): { code: number; details: string } | undefined {
  const s = h?.['grpc-status'];
  if (s === undefined) return undefined;
  const m = h?.['grpc-message'];
  return { code: Number(s), details: typeof m === 'string' ? decodeURIComponent(m) : '' };
}

/** One HTTP/2 connection carrying unary gRPC calls. */
export class H2GrpcConnection {
  private readonly session: ClientHttp2Session;
  private failure: Error | undefined;

  constructor(address: string) {
    // Large windows, as grpc-js's client sets, so a 600 KB answer is not paced by WINDOW_UPDATEs.
    this.session = connect(`http://${address}`, { settings: { enablePush: false, initialWindowSize: 16 << 20 }, maxSessionMemory: 1 << 30 });
    this.session.on('connect', () => this.session.setLocalWindowSize(64 << 20));
    this.session.on('error', (err: Error) => (this.failure = err));
  }

  /** One unary call of `path` with a framed request; `metadata` keys must be lower case. */
  call(path: string, frame: Buffer, metadata: OutgoingHttpHeaders = {}, wantMessage = false, timeoutMs = 30_000): Promise<GrpcCallResult> {
    return new Promise((resolve) => {
      if (this.failure || this.session.destroyed) {
        resolve({ code: UNAVAILABLE, details: `connection failed: ${this.failure?.message ?? 'closed'}`, headers: {} });
        return;
      }
      const stream = this.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata }, { endStream: false });
      let headers: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders | undefined;
      const chunks: Buffer[] = [];
      stream.setTimeout(timeoutMs, () => stream.close());
      stream.on('response', (h) => (headers = h));
      stream.on('trailers', (t) => (trailers = t));
      if (wantMessage) stream.on('data', (c: Buffer) => chunks.push(c));
      else stream.resume();
      stream.on('error', () => undefined);
      stream.on('close', () => {
        const status = statusOf(trailers) ?? statusOf(headers) ?? { code: UNAVAILABLE, details: `stream closed without a grpc-status (HTTP/2 code ${stream.rstCode ?? '?'})` };
        const result: GrpcCallResult = { ...status, headers };
        if (wantMessage && status.code === 0) result.message = Buffer.concat(chunks).subarray(5);
        resolve(result);
      });
      stream.end(frame);
    });
  }

  close(): void {
    this.session.close();
  }
}
