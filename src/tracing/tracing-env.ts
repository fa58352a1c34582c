import type { Tracing } from './otel-tracing.js';

/**
 * Whether the standard OTEL_* variables ask for traces: OTEL_TRACES_EXPORTER=otlp, or an OTLP
 * endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). OTEL_SDK_DISABLED=true
 * and OTEL_TRACES_EXPORTER=none win over an endpoint. Off by default.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.includes('otlp')) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/**
 * The OTLP encoding, from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL:
 * `http/protobuf` (the specification's default) or `http/json`. `grpc` is not offered: it
 * falls back to http/protobuf, which every collector also takes (on 4318 rather than 4317).
 */
export function otlpTraceProtocol(env: NodeJS.ProcessEnv = process.env): 'http/protobuf' | 'http/json' {
  const asked = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '').trim().toLowerCase();
  return asked === 'http/json' ? 'http/json' : 'http/protobuf';
}

let loading: Promise<Tracing> | undefined;

/**
 * The process's tracing, started on first call when the environment asks for it, else undefined.
 * OpenTelemetry is imported only then (a lazy import: with tracing off no OTel module is loaded).
 * Call it before anything imports pg or ioredis, so their instrumentations can patch them.
 */
export function loadTracing(env: NodeJS.ProcessEnv = process.env, serviceVersion = 'unknown'): Promise<Tracing | undefined> {
  if (!tracingRequested(env)) return Promise.resolve(undefined);
  loading ??= import('./otel-tracing.js').then((m) => m.startTracing(serviceVersion));
  return loading;
}
