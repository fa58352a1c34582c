/**
 * Distributed tracing as the data plane sees it: a port, so core, cache, batching and the
 * protocol adapters never load OpenTelemetry. The implementation (src/tracing/) is imported only
 * when tracing is switched on; with it off every call site holds `undefined` and pays one check.
 * A span exists only for a sampled request: an unsampled one is `undefined` all the way down.
 */
export type SpanValue = string | number | boolean;

export interface TraceSpan {
  /** The W3C trace id (32 hex digits). */
  readonly traceId: string;
  /** A child span, started now. */
  child(name: string): TraceSpan;
  set(key: string, value: SpanValue): void;
  /** Rename (a server span learns its route template after routing). */
  rename(name: string): void;
  /** Run `fn` with this span as the active context, so instrumented clients (ioredis, pg) parent their spans to it. */
  within<T>(fn: () => T): T;
  /** Mark the span failed (error status, `error.type`, the exception as an event). */
  fail(err: unknown): void;
  end(): void;
}

/** Header or metadata values as Node gives them (lower-case names). */
export type TraceCarrier = Readonly<Record<string, string | string[] | undefined>>;

/** Starts the server span of a request, continuing the caller's W3C trace context. */
export interface RequestTracer {
  /**
   * The request's span, or undefined when the sampler drops it (nothing else is made for it then).
   * `attributes` is called for a sampled request only: an unsampled one builds none.
   */
  server(name: string, carrier: TraceCarrier, attributes: () => Readonly<Record<string, SpanValue | undefined>>): TraceSpan | undefined;
}
