import type { components } from './schema.js';

/** A `code` the gateway can answer with; `unreachable` when it could not be reached at all. */
export type ErrorCode = components['schemas']['Error']['code'] | 'unreachable';

/** OIP answers (under /v2) carry no code: the status says which kind. */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'overloaded',
};

/** Every failure the client reports (except an abort or a timeout, which keep fetch's own AbortError/TimeoutError). */
export class ModelgateError extends Error {
  override readonly name = 'ModelgateError';
  constructor(
    message: string,
    /** The gateway's stable code (branch on it, not on the message). */
    readonly code: ErrorCode,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The x-request-id of the failed request. */
    readonly requestId: string | undefined,
    readonly details?: Record<string, unknown>,
    /** Seconds, from Retry-After (429, 503). */
    readonly retryAfter?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error of a non-2xx answer, from its parsed body ({error, code, request_id} or OIP's {error}). */
export function errorFrom(res: Response, body: unknown, requestId: string | undefined): ModelgateError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; code?: unknown; details?: unknown };
  const code = typeof b.code === 'string' ? (b.code as ErrorCode) : (CODE_OF_STATUS[res.status] ?? 'internal');
  const message = typeof b.error === 'string' ? b.error : `HTTP ${res.status}`;
  const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
  const details = typeof b.details === 'object' && b.details !== null ? (b.details as Record<string, unknown>) : undefined;
  return new ModelgateError(message, code, res.status, res.headers.get('x-request-id') ?? requestId, details, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** A fetch that failed without an answer: aborts and timeouts as they are, anything else as `unreachable`. */
export function failure(err: unknown, requestId: string | undefined): unknown {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'AbortError' || name === 'TimeoutError' || err instanceof ModelgateError) return err;
  return new ModelgateError(`the gateway could not be reached: ${err instanceof Error ? err.message : String(err)}`, 'unreachable', 0, requestId, undefined, undefined, { cause: err });
}
