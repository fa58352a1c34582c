/**
 * The one error type of modelgate. Every failure that can reach a caller is a GatewayError
 * with a stable machine code and an HTTP status; `http/` renders it in exactly one place.
 * Anything else that escapes is an internal error and is rendered without its message.
 */
/** Every `code` a caller can see (the OpenAPI document lists them from here). */
export const ERROR_CODES = [
  'bad_request',
  'invalid_input',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'model_not_found',
  'version_not_found',
  'model_not_ready',
  'conflict',
  'gone',
  'precondition_failed',
  'overloaded',
  'store_unavailable',
  'too_many_requests',
  'inference_failed',
  'load_failed',
  'internal',
  'method_not_allowed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface GatewayErrorOptions {
  /** Extra, caller-safe detail (never a path or a stack). */
  details?: Record<string, unknown>;
  /** Seconds for Retry-After on 503. */
  retryAfter?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, status: number, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('bad_request', 400, message, { details });

export const invalidInput = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('invalid_input', 400, message, { details });

export const notFound = (message: string) => new GatewayError('not_found', 404, message);

export const modelNotFound = (model: string) =>
  new GatewayError('model_not_found', 404, `model '${model}' is not loaded`);

export const versionNotFound = (model: string, version: string) =>
  new GatewayError('version_not_found', 404, `version '${version}' of model '${model}' is not loaded`);

export const unauthorized = (message = 'a bearer token is required') =>
  new GatewayError('unauthorized', 401, message);

export const forbidden = (message: string) => new GatewayError('forbidden', 403, message);

export const conflict = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('conflict', 409, message, { details });

export const overloaded = (message: string, retryAfter = 1) =>
  new GatewayError('overloaded', 503, message, { retryAfter });

/** The registry's database cannot be reached (refused, timed out, disk full): retry later, nothing changed. */
export const storeUnavailable = (retryAfter = 5, cause?: unknown) =>
  new GatewayError('store_unavailable', 503, 'the registry database is unreachable; nothing was changed, retry later', { retryAfter, cause });

/** Too many failed attempts from one client: refused until Retry-After seconds have passed. */
export const tooManyRequests = (message: string, retryAfter: number) =>
  new GatewayError('too_many_requests', 429, message, { retryAfter });

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;
