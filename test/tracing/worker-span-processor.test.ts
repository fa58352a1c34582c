import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceState, ROOT_CONTEXT, SamplingDecision, SpanKind, SpanStatusCode, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { fromRecord, toRecord } from '../../src/tracing/span-record.js';
import { WorkerSpanProcessor } from '../../src/tracing/worker-span-processor.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A server span with a child that failed, an event, a link carrying tracestate: every field a record must keep. */
function endSpans(provider: BasicTracerProvider, traceId = hex(16)): void {
  const tracer = provider.getTracer('modelgate', '9.9.9');
  const remote: SpanContext = { traceId, spanId: hex(8), traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('vendor=a,other=b') };
  const link = { context: { traceId: hex(16), spanId: hex(8), traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('k=v') }, attributes: { why: 'shadow' } };
  const server = tracer.startSpan('POST /v2/models/:model/infer', { kind: SpanKind.SERVER, links: [link], attributes: { 'http.request.method': 'POST', n: 3, ok: true, list: ['a', 'b'] } }, trace.setSpanContext(ROOT_CONTEXT, remote));
  const child = tracer.startSpan('onnxruntime.run', {}, trace.setSpan(ROOT_CONTEXT, server));
  child.recordException(new Error('bad input'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'bad input' });
  child.end();
  server.end();
}

/** What an exporter reads of a span, with trace states as their header strings. */
function view(s: ReadableSpan) {
  const ctx = (c: SpanContext | undefined) => c && { ...c, traceState: c.traceState?.serialize() };
  return {
    name: s.name,
    kind: s.kind,
    context: ctx(s.spanContext()),
    parent: ctx(s.parentSpanContext),
    times: [s.startTime, s.endTime, s.duration],
    status: s.status,
    attributes: s.attributes,
    events: s.events,
    links: s.links.map((l) => ({ ...l, context: ctx(l.context) })),
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
    ended: s.ended,
    resource: s.resource.attributes,
    scope: s.instrumentationScope,
  };
}

describe('span records (the copy that crosses to the export thread)', () => {
  it('give the exporter back every field of the span, after a structured clone', () => {
    const memory = new InMemorySpanExporter();
    const resource = resourceFromAttributes({ 'service.name': 'modelgate' });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
    endSpans(provider);
    const spans = memory.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      const copy = fromRecord(structuredClone(toRecord(span)), resource);
      expect(view(copy)).toEqual(view(span));
    }
  });
});

describe('WorkerSpanProcessor (export on a thread of its own, to an OTLP/HTTP receiver)', () => {
  let receiver: OtlpReceiver;
  const saved = { ...process.env };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The export thread reads the standard variables, as the SDK's exporter does on the main thread.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_SERVICE_NAME = 'worker-export-test';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '60000';
  });
  afterAll(async () => {
    process.env = saved;
    await receiver.close();
  });

  it('exports sampled spans with their ids, parents, attributes and status; shutdown sends what is buffered', async () => {
    const processor = new WorkerSpanProcessor({ serviceVersion: '1.2.3', protocol: 'http/protobuf' });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const traceId = hex(16);
    endSpans(provider, traceId);
    // The batch delay is a minute: only shutdown's flush can have sent them.
    await provider.shutdown();
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v2/models/:model/infer', 'onnxruntime.run']);
    const server = spans.find((s) => s.kind === 2);
    const child = spans.find((s) => s.name === 'onnxruntime.run');
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'POST', n: 3, ok: true });
    expect(child?.parentSpanId).toBe(server?.spanId);
    expect(child?.status).toBe(SpanStatusCode.ERROR);
    expect(spans.every((s) => s.service === 'worker-export-test')).toBe(true);
  });

  it('forceFlush exports what has ended, and unsampled spans never leave the process', async () => {
    const processor = new WorkerSpanProcessor({ serviceVersion: '1.2.3', protocol: 'http/json' });
    // Recorded but not sampled (a RECORD decision): such a span ends here, and must go no further.
    const sampler = { shouldSample: (_: unknown, __: string, name: string) => ({ decision: name === 'unsampled' ? SamplingDecision.RECORD : SamplingDecision.RECORD_AND_SAMPLED }), toString: () => 'test' };
    const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor] });
    const tracer = provider.getTracer('modelgate');
    const sampled = hex(16);
    const dropped = hex(16);
    tracer.startSpan('kept', {}, trace.setSpanContext(ROOT_CONTEXT, { traceId: sampled, spanId: hex(8), traceFlags: TraceFlags.SAMPLED })).end();
    const unsampled = tracer.startSpan('unsampled', {}, trace.setSpanContext(ROOT_CONTEXT, { traceId: dropped, spanId: hex(8), traceFlags: TraceFlags.SAMPLED }));
    expect(unsampled.isRecording()).toBe(true);
    unsampled.end();
    await provider.forceFlush();
    expect(receiver.spans.filter((s) => s.traceId === sampled).map((s) => s.name)).toEqual(['kept']);
    expect(receiver.encodings.has('json')).toBe(true);
    await provider.shutdown();
    expect(receiver.spans.some((s) => s.traceId === dropped)).toBe(false);
  });

  it('goes on exporting when its thread dies: the next spans start a new one', async () => {
    const processor = new WorkerSpanProcessor({ serviceVersion: '1.2.3', protocol: 'http/protobuf' });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    await (processor as unknown as { worker: Worker }).worker.terminate();
    const traceId = hex(16);
    endSpans(provider, traceId);
    await provider.forceFlush();
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toHaveLength(2);
    await provider.shutdown();
  });
});
