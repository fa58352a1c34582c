import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { GatewayError, type ErrorCode } from '../errors/index.js';
import type { Logger, OutcomeLog } from '../contracts/logging.js';

/** Codes whose gRPC status is not simply the HTTP status's. */
const BY_CODE: Partial<Record<ErrorCode, status>> = {
  overloaded: status.RESOURCE_EXHAUSTED,
  unauthorized: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  conflict: status.FAILED_PRECONDITION,
  precondition_failed: status.FAILED_PRECONDITION,
  load_failed: status.FAILED_PRECONDITION,
};

/** A GatewayError's gRPC status: its code where it names one, else by the HTTP status class. */
export function grpcStatusOf(err: GatewayError): status {
  const byCode = BY_CODE[err.code];
  if (byCode !== undefined) return byCode;
  if (err.status === 404 || err.status === 410) return status.NOT_FOUND;
  if (err.status === 503) return status.UNAVAILABLE;
  if (err.status >= 400 && err.status < 500) return status.INVALID_ARGUMENT;
  return status.INTERNAL;
}

/**
 * The one place a failure becomes a gRPC status (the gRPC twin of http/'s onError): a
 * GatewayError keeps its caller-safe message; anything else is logged and answered "internal
 * error", never with a stack or a path. Expected outcomes (4xx, shed) are not logged as errors.
 * The trailers carry x-request-id, and retry-after when shedding.
 */
export function errorRenderer(logger: Logger, expected: OutcomeLog) {
  return function toServiceError(err: unknown, requestId: string): Partial<ServiceError> {
    const metadata = new Metadata();
    metadata.set('x-request-id', requestId);
    if (err instanceof GatewayError) {
      if (err.retryAfter !== undefined) metadata.set('retry-after', String(err.retryAfter));
      if (err.status < 500 || err.status === 503) expected.record(err.status, err.code, err.message, requestId);
      else logger.error({ err: err.cause ?? err, requestId }, err.message);
      return { code: grpcStatusOf(err), details: err.message, metadata };
    }
    logger.error({ err, requestId }, 'unhandled error');
    return { code: status.INTERNAL, details: 'internal error', metadata };
  };
}
