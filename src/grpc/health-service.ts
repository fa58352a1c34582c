import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Protos } from './proto.js';

const SERVING = 1;
const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;
/** The services a check may name: "" is the server as a whole. */
const KNOWN = new Set(['', 'inference.GRPCInferenceService', 'grpc.health.v1.Health']);
const WATCH_POLL_MS = 1_000;

/**
 * `grpc.health.v1.Health`: SERVING while the gateway is ready (started, models loaded, not
 * draining), NOT_SERVING otherwise. Watch streams get the status at once and on every change
 * (one shared timer while anyone watches), and end when the server shuts down.
 */
export class HealthService {
  private readonly watchers = new Map<ServerWritableStream<Buffer, Buffer>, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly protos: Protos,
    private readonly ready: () => boolean,
  ) {}

  private current(): number {
    return this.ready() ? SERVING : NOT_SERVING;
  }

  private encode(s: number): Buffer {
    const u8 = this.protos.HealthCheckResponse.encode({ status: s }).finish();
    return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  }

  private serviceOf(bytes: Buffer): string | undefined {
    try {
      return (this.protos.HealthCheckRequest.decode(bytes) as unknown as { service: string }).service;
    } catch {
      return undefined;
    }
  }

  /** Push the status to watchers whose last one differs. */
  notify(): void {
    const s = this.current();
    for (const [call, last] of this.watchers) {
      if (last === s || last === SERVICE_UNKNOWN) continue;
      this.watchers.set(call, s);
      call.write(this.encode(s));
    }
  }

  /** The server is going away: watchers get the final status and their stream ends (so shutdown can complete). */
  endWatches(): void {
    this.notify();
    for (const call of this.watchers.keys()) call.end();
    this.watchers.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer && this.watchers.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  readonly implementation: UntypedServiceImplementation = {
    Check: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const service = this.serviceOf(call.request);
      if (service === undefined) return callback({ code: status.INVALID_ARGUMENT, details: 'the request is not a valid HealthCheckRequest message' });
      if (!KNOWN.has(service)) return callback({ code: status.NOT_FOUND, details: `unknown service '${service.slice(0, 100)}'` });
      callback(null, this.encode(this.current()));
    },
    Watch: (call: ServerWritableStream<Buffer, Buffer>) => {
      const service = this.serviceOf(call.request);
      // An unknown service gets SERVICE_UNKNOWN and an open stream (the protocol's rule); it is
      // never updated (the status it was last sent stays SERVICE_UNKNOWN) but is ended at shutdown.
      const s = service === undefined || !KNOWN.has(service) ? SERVICE_UNKNOWN : this.current();
      this.watchers.set(call, s);
      call.write(this.encode(s));
      call.on('cancelled', () => {
        this.watchers.delete(call);
        this.stopTimer();
      });
      this.timer ??= setInterval(() => this.notify(), WATCH_POLL_MS).unref();
    },
  };
}
