import { createRequire } from 'node:module';
import { randomFillSync } from 'node:crypto';
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import type { IdGenerator, Sampler } from '@opentelemetry/sdk-trace-node';

const POOL = Buffer.allocUnsafe(4096);
const ZERO = /^0+$/;
const NO_ATTRIBUTES = {};
const NO_LINKS: [] = [];

/**
 * The SDK's sampler from OTEL_TRACES_SAMPLER / _ARG, as the SDK itself builds it (its env parser,
 * not a copy): the gateway asks it first for a root request, so an unsampled one costs no span.
 */
export function samplerFromEnv(): Sampler {
  const require = createRequire(import.meta.url);
  const base = require.resolve('@opentelemetry/sdk-trace-base', { paths: [require.resolve('@opentelemetry/sdk-trace-node')] });
  const config = require(base.replace(/index-shim\.js$/, 'config.js')) as { buildSamplerFromEnv(): Sampler };
  return config.buildSamplerFromEnv();
}

/**
 * Trace and span ids sliced from a pool of crypto-random hex (the SDK's own generator formats a
 * Buffer per id: ~1 µs a request), and the root sampling decision made before any span exists: the trace
 * id the sampler saw is the one the SDK's startSpan then takes (`primed`), so its second asking
 * gives the same answer (ratio samplers decide on the trace id alone).
 */
export class RootSampling implements IdGenerator {
  /** The pool as hex, one string: an id is a slice of it (flat, so the sampler reads it without a copy). */
  private pool = '';
  private offset = 0;
  private primed: string | undefined;

  constructor(private readonly sampler: Sampler) {}

  /** False when the sampler drops a request with no parent: its caller makes no span at all. */
  sampledRoot(name: string): boolean {
    const traceId = this.hex(16);
    const r = this.sampler.shouldSample(ROOT_CONTEXT, traceId, name, SpanKind.SERVER, NO_ATTRIBUTES, NO_LINKS);
    if (r.decision === SamplingDecision.NOT_RECORD) return false;
    this.primed = traceId;
    return true;
  }

  generateTraceId(): string {
    const id = this.primed;
    this.primed = undefined;
    return id ?? this.hex(16);
  }

  generateSpanId(): string {
    return this.hex(8);
  }

  private hex(bytes: number): string {
    const chars = bytes * 2;
    if (this.offset + chars > this.pool.length) {
      randomFillSync(POOL);
      this.pool = POOL.toString('hex');
      this.offset = 0;
    }
    const id = this.pool.slice(this.offset, (this.offset += chars));
    // An all-zero id is invalid (W3C): vanishingly rare, drawn again.
    return ZERO.test(id) ? this.hex(bytes) : id;
  }
}
