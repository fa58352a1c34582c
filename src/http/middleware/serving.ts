import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { GatewayError } from '../../errors/index.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { CounterSlot, HistogramSlot } from '../../metrics/slots.js';
import type { AppEnv } from '../app-env.js';
import { header, requestHeaders } from '../request-headers.js';
import { uuidV7 } from '../../core/uuid-v7.js';

const SAFE_ID = /^[\w.:@-]{1,128}$/;

/** Keep the caller's x-request-id when it is a sane token, else mint a time-ordered one. */
export function requestIdOf(c: Context): string {
  return requestIdFrom(header(c, 'x-request-id'));
}

/** The same from the header's value. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && SAFE_ID.test(given) ? given : uuidV7();
}

/**
 * What every request goes through, in one place: counted in flight (graceful shutdown waits for
 * it, from arrival to response, including a body still being received), a request id, the body
 * size limit, and the HTTP metrics, recorded after the response whatever happened. Ordinary
 * routes get it as one middleware; the prediction routes do it inline through `predictionRoute()`
 * (one async handler, no composed chain, no web Headers: they answer with plain header objects).
 */
export class RequestServing {
  inFlight = 0;
  private readonly slots = new Map<string, { count: CounterSlot; duration: HistogramSlot }>();
  private readonly streamingLimit: MiddlewareHandler;

  constructor(
    private readonly metrics: GatewayMetrics,
    readonly maxBodyBytes: number,
    private readonly onError: ErrorHandler<AppEnv>,
    readonly maxUploadBytes = maxBodyBytes,
  ) {
    this.streamingLimit = bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw this.tooLarge();
      },
    });
  }

  /** The middleware of every route but the prediction routes. */
  readonly middleware = createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    this.inFlight++;
    const id = requestIdOf(c);
    c.set('requestId', id);
    c.header('x-request-id', id);
    try {
      // A model upload is streamed to disk by its route, which counts it against its own limit.
      const upload = isUpload(c);
      const limit = upload ? this.maxUploadBytes : this.maxBodyBytes;
      if (this.declaredTooLarge(c, limit)) c.res = await this.onError(this.tooLarge(limit), c);
      else if (this.chunked(c) && !upload) await this.streamingLimit(c, next);
      else await next();
    } finally {
      this.inFlight--;
      this.record(c.req.method, c.req.routePath || 'unmatched', c.res.status, started);
    }
  });

  /**
   * The middleware's bookkeeping for a prediction route, which does it inline (one async handler
   * a request, no composed chain): `begin` counts the request in flight and refuses a declared
   * oversize body (over `limit`: binary tensor bodies have their own), `ok` records a 200, `fail`
   * renders a throw with the one error handler and records it, `end` (in a finally) counts the
   * request out.
   */
  predictionRoute(template: string) {
    const ok = this.slot('POST', template, 200);
    return {
      begin: (c: Context, limit = this.maxBodyBytes): void => {
        this.inFlight++;
        if (this.declaredTooLarge(c, limit)) throw this.tooLarge(limit);
      },
      ok: (started: number): void => {
        ok.count.inc();
        ok.duration.observe((performance.now() - started) / 1000);
      },
      fail: async (c: Context<AppEnv>, err: unknown, id: string, started: number): Promise<Response> => {
        c.set('requestId', id);
        c.header('x-request-id', id);
        const res = await this.onError(err instanceof Error ? err : new Error(String(err)), c);
        this.record('POST', template, res.status, started);
        return res;
      },
      end: (): void => {
        this.inFlight--;
      },
    };
  }

  /** The request body as text, within the size limit (413 beyond it, also for chunked bodies). */
  text(c: Context): Promise<string> {
    return this.chunked(c) ? this.chunkedText(c) : c.req.raw.text();
  }

  private async chunkedText(c: Context): Promise<string> {
    const body = c.req.raw.body;
    if (!body) return '';
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.maxBodyBytes) {
        // Cancelling would reset the connection before the 413 is read: discard the rest (the server's lingering close bounds it).
        void discard(reader);
        throw this.tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private record(method: string, route: string, status: number, started: number): void {
    const s = this.slot(method, route, status);
    s.count.inc();
    s.duration.observe((performance.now() - started) / 1000);
  }

  private slot(method: string, route: string, status: number): { count: CounterSlot; duration: HistogramSlot } {
    const key = `${method} ${route} ${status}`;
    let s = this.slots.get(key);
    if (!s) {
      const labels = { method, route, status: String(status) };
      s = { count: this.metrics.httpRequests.labels(labels), duration: this.metrics.httpDuration.labels(labels) };
      this.slots.set(key, s);
    }
    return s;
  }

  private tooLarge(limit = this.maxBodyBytes): GatewayError {
    return new GatewayError('payload_too_large', 413, `the request body exceeds ${limit} bytes`);
  }

  /**
   * A declared Content-Length over the limit is refused from the header alone: hono's bodyLimit
   * reads the raw body stream, which makes @hono/node-server build a full web Request per POST
   * (measured: ~190 µs a request). Only chunked bodies are counted as they arrive.
   */
  private declaredTooLarge(c: Context, limit = this.maxBodyBytes): boolean {
    const length = requestHeaders(c)['content-length'];
    return typeof length === 'string' && Number(length) > limit;
  }

  private chunked(c: Context): boolean {
    const m = c.req.method;
    if (m === 'GET' || m === 'HEAD') return false;
    const h = requestHeaders(c);
    return h['content-length'] === undefined || h['transfer-encoding'] !== undefined;
  }
}

const UPLOAD_PATH = /^\/admin\/models\/[^/]+\/versions\/?$/;

/** POST /admin/models/{m}/versions: a model upload, under its own limit. */
const isUpload = (c: Context): boolean => c.req.method === 'POST' && UPLOAD_PATH.test(c.req.path);

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    // The connection closed: nothing left to discard.
  }
}
