import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { RequestTracer, SpanValue, TraceCarrier, TraceSpan } from '../contracts/tracing.js';
import { RootSampling, samplerFromEnv } from './root-sampling.js';
import { ScopedContextManager } from './scoped-context-manager.js';
import { otlpTraceProtocol } from './tracing-env.js';
import { WorkerSpanProcessor } from './worker-span-processor.js';

/** The process's tracing: the request tracer the protocols use, log fields, and the exporter's flush. */
export interface Tracing {
  readonly tracer: RequestTracer;
  /** trace_id and span_id of the active span (a pino mixin): log lines inside a traced request carry them. */
  logFields(): Record<string, string>;
  /** Export what is buffered, then stop (graceful shutdown). */
  shutdown(): Promise<void>;
}

const NO_FIELDS: Record<string, string> = {};
const SERVER = { kind: SpanKind.SERVER };

/**
 * OpenTelemetry's SDK configured by the standard OTEL_* variables: the sampler
 * (OTEL_TRACES_SAMPLER / _ARG, default parentbased_always_on), the OTLP/HTTP exporter's endpoint,
 * headers and encoding (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, or http/json),
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (default service.name modelgate).
 * W3C trace context and baggage are the propagators; PostgreSQL and Redis calls are traced by
 * their instrumentations, inside a traced request only (requireParentSpan: no root span per
 * background query or cache write). A Redis span names its command only: prediction cache keys
 * hold the request's features, which the gateway never records (the trace keeps their digest).
 */
export function startTracing(serviceVersion: string): Tracing {
  const sampler = samplerFromEnv();
  const roots = new RootSampling(sampler);
  // Batching, the resource, encoding and export run on a thread of their own (worker-span-processor.ts).
  const exports = new WorkerSpanProcessor({ serviceVersion, protocol: otlpTraceProtocol() });
  const provider = new NodeTracerProvider({ sampler, idGenerator: roots, spanProcessors: [exports] });
  const contexts = new ScopedContextManager();
  provider.register({ contextManager: contexts });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new PgInstrumentation({ requireParentSpan: true }), new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command })],
  });
  // The gateway is ESM and pg/ioredis are CommonJS: loading them here through require() lets the
  // instrumentations patch them (require-in-the-middle); the gateway's later `import` gets these
  // same, patched, exports from the CommonJS cache. Without it they stay unpatched (no loader hook).
  const require = createRequire(import.meta.url);
  require('pg');
  require('ioredis');
  const tracer = provider.getTracer('modelgate', serviceVersion);
  return {
    tracer: new OtelRequestTracer(tracer, contexts, roots),
    logFields: () => {
      const ctx = trace.getSpan(context.active())?.spanContext();
      return ctx ? { trace_id: ctx.traceId, span_id: ctx.spanId } : NO_FIELDS;
    },
    shutdown: () => provider.shutdown(),
  };
}

class OtelRequestTracer implements RequestTracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly contexts: ScopedContextManager,
    private readonly roots: RootSampling,
  ) {}

  server(name: string, carrier: TraceCarrier, attributes: () => Readonly<Record<string, SpanValue | undefined>>): TraceSpan | undefined {
    // Most requests carry no trace context: no propagator work for them, and the sampler decides
    // before any span exists (an unsampled one costs a trace id and the sampler's answer only).
    const root = carrier.traceparent === undefined && carrier.baggage === undefined;
    if (root && !this.roots.sampledRoot(name)) return undefined;
    const parent = root ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, carrier);
    const span = this.tracer.startSpan(name, SERVER, parent);
    // Unsampled: nothing more is made for this request (the non-recording span needs no end).
    if (!span.isRecording()) return undefined;
    const attrs = attributes();
    for (const k in attrs) {
      const v = attrs[k];
      if (v !== undefined) span.setAttribute(k, v);
    }
    return new OtelSpan(this.tracer, this.contexts, span, span.spanContext().traceId);
  }
}

class OtelSpan implements TraceSpan {
  /** The context with this span active, made on first need (a request's span has several children). */
  private context: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly contexts: ScopedContextManager,
    private readonly span: Span,
    readonly traceId: string,
  ) {}

  child(name: string): TraceSpan {
    this.context ??= trace.setSpan(ROOT_CONTEXT, this.span);
    return new OtelSpan(this.tracer, this.contexts, this.tracer.startSpan(name, undefined, this.context), this.traceId);
  }

  set(key: string, value: SpanValue): void {
    this.span.setAttribute(key, value);
  }

  rename(name: string): void {
    this.span.updateName(name);
  }

  within<T>(fn: () => T): T {
    return this.contexts.scope(trace.setSpan(context.active(), this.span), fn);
  }

  fail(err: unknown): void {
    const code = (err as { code?: unknown } | undefined)?.code;
    this.span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : err instanceof Error ? err.name : 'error');
    if (err instanceof Error) this.span.recordException(err);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message.slice(0, 300) : undefined });
  }

  end(): void {
    this.span.end();
  }
}
