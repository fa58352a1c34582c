import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError } from '../../errors/index.js';
import type { Logger, OutcomeLog } from '../../contracts/logging.js';
import type { AppEnv } from '../app-env.js';

/** A thrown value as the caller sees it. */
export interface RenderedError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryAfter?: number;
}

/**
 * The one place errors become answers. Expected outcomes (4xx, a shed 503) are counted, not logged
 * as errors; unknown errors are logged and answered without their message.
 */
function classify(err: unknown, logger: Logger, expected: OutcomeLog, requestId: string | undefined, traceId?: string): RenderedError {
  if (err instanceof GatewayError) {
    if (err.status < 500 || err.status === 503) expected.record(err.status, err.code, err.message, requestId);
    else logger.error({ err: err.cause ?? err, requestId, trace_id: traceId }, err.message);
    return { status: err.status, code: err.code, message: err.message, details: err.details, retryAfter: err.retryAfter };
  }
  if (err instanceof HTTPException) {
    expected.record(err.status, 'bad_request', err.message, requestId);
    return { status: err.status, code: 'bad_request', message: err.message || 'request refused' };
  }
  logger.error({ err, requestId, trace_id: traceId }, 'unhandled error');
  return { status: 500, code: 'internal', message: 'internal error' };
}

/** An error met inside a streamed answer (NDJSON): its last line, `{error, code, status}`. */
export type StreamErrorLine = (err: unknown, requestId: string | undefined) => { error: string; code: string; status: number };

/**
 * The error renderers of one app: `onError` answers a route's error (OIP routes {"error": "..."},
 * the others add a stable code and the request id); `streamLine` words one that a stream met
 * after its head was sent. Both classify and log in the same place.
 */
export function errorRenderers(logger: Logger, expected: OutcomeLog): { onError: ErrorHandler<AppEnv>; streamLine: StreamErrorLine } {
  const onError: ErrorHandler<AppEnv> = function onError(err, c) {
    const e = classify(err, logger, expected, c.get('requestId'), c.get('traceId'));
    if (e.retryAfter !== undefined) c.header('retry-after', String(e.retryAfter));
    return render(c, e.status, e.message, e.code, e.details);
  };
  const streamLine: StreamErrorLine = (err, requestId) => {
    const e = classify(err, logger, expected, requestId);
    return { error: e.message, code: e.code, status: e.status };
  };
  return { onError, streamLine };
}

/** The error handler of an app (see errorRenderers). */
export const errorHandler = (logger: Logger, expected: OutcomeLog): ErrorHandler<AppEnv> => errorRenderers(logger, expected).onError;

/** 404 for a path no route serves; 405 with `Allow` when the path exists under other methods. */
export function notFoundHandler(allowed: (path: string) => string[] = () => []): NotFoundHandler<AppEnv> {
  return function notFound(c) {
    const path = new URL(c.req.url).pathname;
    const methods = allowed(path);
    // 405 only when the method is the problem; a path the table knows under this very method is a 404.
    if (methods.length > 0 && !methods.includes(c.req.method)) {
      c.header('allow', methods.join(', '));
      return render(c, 405, `${c.req.method.slice(0, 16)} is not allowed here; allowed: ${methods.join(', ')}`, 'method_not_allowed');
    }
    return render(c, 404, `no route for ${c.req.method.slice(0, 16)} ${path.slice(0, 200)}`, 'not_found');
  };
}

function render(c: Context<AppEnv>, status: number, message: string, code: string, details?: Record<string, unknown>) {
  return c.json(errorBody(c.req.path, message, code, c.get('requestId'), details), status as ContentfulStatusCode);
}

/** The error body for a path: OIP's shape on its routes; the JSON and admin APIs add a stable code and the request id. */
export function errorBody(path: string, message: string, code: string, requestId: string | undefined, details?: Record<string, unknown>) {
  if (path.startsWith('/v2')) return { error: message };
  return { error: message, code, request_id: requestId, ...(details ? { details } : {}) };
}
