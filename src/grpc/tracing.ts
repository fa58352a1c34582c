import type { Metadata } from '@grpc/grpc-js';
import type { RequestTracer, TraceCarrier, TraceSpan } from '../contracts/tracing.js';
import { GatewayError } from '../errors/index.js';
import { grpcStatusOf } from './status.js';

const SERVICE = 'inference.GRPCInferenceService';

/** A text metadata value as a header value (the first, when repeated). */
const text = (md: Metadata, key: string): string | undefined => {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
};

/**
 * The server span of a gRPC call (OpenTelemetry's RPC conventions), continuing the W3C trace
 * context the caller sent as metadata (traceparent, tracestate); undefined when not sampled.
 */
export function grpcServerSpan(tracer: RequestTracer, md: Metadata, method: string, requestId: string): TraceSpan | undefined {
  const carrier: TraceCarrier = { traceparent: text(md, 'traceparent'), tracestate: text(md, 'tracestate') };
  return tracer.server(`${SERVICE}/${method}`, carrier, () => ({
    'rpc.system': 'grpc',
    'rpc.service': SERVICE,
    'rpc.method': method,
    'modelgate.request_id': requestId,
  }));
}

/** The call's status code on the span (0 OK); a failure marks it failed. */
export function grpcServerDone(span: TraceSpan, err?: unknown): void {
  if (err === undefined) span.set('rpc.grpc.status_code', 0);
  else {
    if (err instanceof GatewayError) span.set('rpc.grpc.status_code', grpcStatusOf(err));
    span.fail(err);
  }
  span.end();
}
