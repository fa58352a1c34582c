import type { Load, ResponseSink, RunningLoad } from './load-driver.js';
import { answeredVersion, MODEL_INFER } from './grpc-messages.js';
import { grpcFrame, H2GrpcConnection, requestHeaders } from './h2-grpc-client.js';

export interface GrpcLoadOptions {
  /** host:port of the gateway's gRPC listener. */
  address: string;
  load: Load;
  next: () => Buffer;
  /** Sent as metadata with every call (cache-control, authorization). */
  headers: Record<string, string>;
  users: number;
  sink: ResponseSink;
}

type GrpcModule = typeof import('@grpc/grpc-js');

/** One ModelInfer call; resolves with the gRPC status code (0 OK) and the answer's bytes. */
export function callInfer(grpc: GrpcModule, client: import('@grpc/grpc-js').Client, request: Buffer, metadata: import('@grpc/grpc-js').Metadata, timeoutMs = 30_000) {
  return new Promise<{ code: number; details: string; response?: Buffer }>((resolve) => {
    client.makeUnaryRequest(
      MODEL_INFER,
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (err, response) => {
        if (err) resolve({ code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? err.message });
        else resolve({ code: 0, details: '', ...(response ? { response } : {}) });
      },
    );
  });
}

/**
 * gRPC load on one HTTP/2 connection (calls multiplexed, as ghz's by default), written by the lean
 * client of h2-grpc-client.ts so the load generator's CPU stays small beside the gateway's:
 * `concurrency` loops each with one call in flight, or calls started at `rate` a second (at most
 * `connections` x 16 in flight, so a slow server is measured, not buried).
 */
export async function startGrpcLoad(o: GrpcLoadOptions): Promise<RunningLoad> {
  const grpc = await import('@grpc/grpc-js');
  const conn = new H2GrpcConnection(o.address);
  const fixed = o.users > 0 ? undefined : requestHeaders(o.address, MODEL_INFER, o.headers);
  let running = true;
  let user = 0;
  let inFlight = 0;
  const { sink } = o;
  const one = async () => {
    const headers = fixed ?? requestHeaders(o.address, MODEL_INFER, { ...o.headers, 'x-user-id': `user-${user++ % o.users}` });
    inFlight++;
    const started = performance.now();
    const r = await conn.call(headers, grpcFrame(o.next()), true);
    inFlight--;
    if (!running) return;
    if (r.code === 0) {
      sink.response(200, performance.now() - started);
      sink.tags(r.message ? answeredVersion(r.message) : undefined, undefined);
    } else {
      sink.error(grpc.status[r.code] ?? String(r.code));
    }
  };
  const loops: Promise<void>[] = [];
  let timer: NodeJS.Timeout | undefined;
  if ('concurrency' in o.load) {
    for (let i = 0; i < o.load.concurrency; i++) {
      loops.push((async () => {
        while (running) await one();
      })());
    }
  } else {
    const { rate, connections } = o.load;
    const t0 = performance.now();
    let sent = 0;
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) / 1000) * rate);
      while (sent < due && inFlight < connections * 16) {
        sent++;
        void one();
      }
      sent = Math.max(sent, due - rate); // never a burst of more than a second behind
    }, 5);
  }
  return {
    stop: async () => {
      running = false;
      if (timer) clearInterval(timer);
      // Calls a stalled server never answers end when the connection goes (as grpc-js's 30 s deadline ended them).
      const stalled = setTimeout(() => conn.destroy(), 30_000);
      await Promise.all(loops);
      clearTimeout(stalled);
      conn.close();
    },
  };
}
