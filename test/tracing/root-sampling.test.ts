import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { RootSampling, samplerFromEnv } from '../../src/tracing/root-sampling.js';

describe('RootSampling', () => {
  it('hands startSpan the trace id the sampler accepted, so a sampled root request stays sampled', () => {
    const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) });
    const roots = new RootSampling(sampler);
    let sampled = 0;
    for (let i = 0; i < 2000; i++) {
      if (!roots.sampledRoot('POST /v2/models/:model/infer')) continue;
      sampled++;
      const traceId = roots.generateTraceId();
      expect(sampler.shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
    // About half: the decision is the ratio sampler's own.
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
  });

  it('makes valid, distinct W3C ids (32 and 16 lower-case hex digits, never all zero)', () => {
    const roots = new RootSampling(new TraceIdRatioBasedSampler(1));
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = roots.generateTraceId();
      const s = roots.generateSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      expect(/^0+$/.test(t) || /^0+$/.test(s)).toBe(false);
      ids.add(t);
    }
    expect(ids.size).toBe(1000);
  });

  it('builds the sampler OTEL_TRACES_SAMPLER names, with the SDK\'s own parser', () => {
    const before = { s: process.env.OTEL_TRACES_SAMPLER, a: process.env.OTEL_TRACES_SAMPLER_ARG };
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0.1';
    try {
      expect(samplerFromEnv().toString()).toContain('TraceIdRatioBased{0.1}');
    } finally {
      if (before.s === undefined) delete process.env.OTEL_TRACES_SAMPLER;
      else process.env.OTEL_TRACES_SAMPLER = before.s;
      if (before.a === undefined) delete process.env.OTEL_TRACES_SAMPLER_ARG;
      else process.env.OTEL_TRACES_SAMPLER_ARG = before.a;
    }
  });
});
