import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError } from '../../errors/index.js';
import type { Logger } from '../../logger.js';
import type { AppEnv } from '../app-env.js';

/**
 * The one place errors become responses. OIP routes answer {"error": "..."}, the others add a
 * stable code and the request id. Unknown errors are logged and answered without their message.
 */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(err, c) {
    if (err instanceof GatewayError) {
      if (err.retryAfter !== undefined) c.header('retry-after', String(err.retryAfter));
      if (err.status >= 500) logger.error({ err: err.cause ?? err, requestId: c.get('requestId') }, err.message);
      return render(c, err.status, err.message, err.code, err.details);
    }
    if (err instanceof HTTPException) {
      return render(c, err.status, err.message || 'request refused', 'bad_request');
    }
    logger.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return render(c, 500, 'internal error', 'internal');
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  render(c, 404, `no route for ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}`, 'not_found');

function render(c: Context<AppEnv>, status: number, message: string, code: string, details?: Record<string, unknown>) {
  // OIP's error shape on its routes; the JSON and admin APIs add a stable code and the request id.
  const oip = c.req.path.startsWith('/v2');
  const body = oip ? { error: message } : { error: message, code, request_id: c.get('requestId'), ...(details ? { details } : {}) };
  return c.json(body, status as ContentfulStatusCode);
}
