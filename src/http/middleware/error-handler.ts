import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError } from '../../errors/index.js';
import type { Logger } from '../../logger.js';
import type { AppEnv } from '../app-env.js';
import { ExpectedOutcomeLog } from '../../logging/expected-outcomes.js';

/**
 * The one place errors become responses. OIP routes answer {"error": "..."}, the others add a
 * stable code and the request id. Unknown errors are logged and answered without their message.
 */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  const expected = new ExpectedOutcomeLog(logger);
  return function onError(err, c) {
    if (err instanceof GatewayError) {
      if (err.retryAfter !== undefined) c.header('retry-after', String(err.retryAfter));
      if (err.status < 500 || err.status === 503) expected.record(err.status, err.code, err.message, c.get('requestId'));
      else logger.error({ err: err.cause ?? err, requestId: c.get('requestId'), trace_id: c.get('traceId') }, err.message);
      return render(c, err.status, err.message, err.code, err.details);
    }
    if (err instanceof HTTPException) {
      expected.record(err.status, 'bad_request', err.message, c.get('requestId'));
      return render(c, err.status, err.message || 'request refused', 'bad_request');
    }
    logger.error({ err, requestId: c.get('requestId'), trace_id: c.get('traceId') }, 'unhandled error');
    return render(c, 500, 'internal error', 'internal');
  };
}

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
