import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { RequestTracer, TraceCarrier, TraceSpan } from '../contracts/tracing.js';
import type { AppEnv } from './app-env.js';
import { requestHeaders } from './request-headers.js';

/**
 * The server span of an HTTP request (OpenTelemetry's HTTP server conventions), continuing the
 * caller's traceparent/tracestate; undefined when the sampler drops the request. Only called
 * with tracing on: the routes hold `undefined` for the tracer otherwise.
 */
export function httpServerSpan(tracer: RequestTracer, c: Context, route: string, requestId: string): TraceSpan | undefined {
  const headers = requestHeaders(c);
  const method = c.req.method;
  return tracer.server(`${method} ${route}`, headers, () => serverAttributes(c, headers, method, route, requestId));
}

function serverAttributes(c: Context, headers: TraceCarrier, method: string, route: string, requestId: string) {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const agent = headers['user-agent'];
  return {
    'http.request.method': method,
    'http.route': route,
    'url.path': c.req.path,
    'url.scheme': 'http',
    'network.protocol.version': incoming?.httpVersion,
    'client.address': incoming?.socket?.remoteAddress,
    'user_agent.original': typeof agent === 'string' ? agent : undefined,
    // The trace record and the logs carry the request id too: each leads to the other.
    'modelgate.request_id': requestId,
  };
}

/** The response's status on the span; 5xx marks it failed (4xx are the client's, per the conventions). */
export function httpServerDone(span: TraceSpan, status: number, err?: unknown): void {
  span.set('http.response.status_code', status);
  if (status >= 500) {
    if (err !== undefined) span.fail(err);
    else span.set('error.type', String(status));
  }
  span.end();
}

/**
 * Traces every route of the full app (the prediction routes trace themselves, with no composed
 * chain): the request span is the active context while the route runs, so PostgreSQL and Redis
 * calls it makes (their instrumentations) and log lines it writes join its trace.
 */
export function tracingMiddleware(tracer: RequestTracer): MiddlewareHandler<AppEnv> {
  return async function tracing(c, next) {
    const span = httpServerSpan(tracer, c, c.req.path, c.get('requestId'));
    if (span === undefined) return next();
    c.set('traceId', span.traceId);
    try {
      await span.within(next);
    } finally {
      const route = c.req.routePath || 'unmatched';
      span.rename(`${c.req.method} ${route}`);
      span.set('http.route', route);
      httpServerDone(span, c.res.status);
    }
  };
}
