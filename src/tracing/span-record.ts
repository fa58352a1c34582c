import { createTraceState, type Attributes, type HrTime, type Link, type SpanContext, type SpanKind, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-node';

/** A span context as plain data: its trace state as the W3C `tracestate` string. */
interface ContextRecord {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
  traceState?: string;
}

/**
 * An ended span as plain data, so it can cross to the export thread (structured clone): every
 * field of the SDK's ReadableSpan but the resource, which is the process's and travels once.
 */
export interface SpanRecord {
  name: string;
  kind: SpanKind;
  context: ContextRecord;
  parent?: ContextRecord;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  events: TimedEvent[];
  links: { context: ContextRecord; attributes?: Attributes; droppedAttributesCount?: number }[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  scope: InstrumentationScope;
}

const NO_LINKS: SpanRecord['links'] = [];

function contextRecord(c: SpanContext): ContextRecord {
  const r: ContextRecord = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags };
  if (c.isRemote !== undefined) r.isRemote = c.isRemote;
  if (c.traceState !== undefined) r.traceState = c.traceState.serialize();
  return r;
}

function spanContext(r: ContextRecord): SpanContext {
  const { traceState, ...rest } = r;
  return traceState === undefined ? rest : { ...rest, traceState: createTraceState(traceState) };
}

export function toRecord(span: ReadableSpan): SpanRecord {
  const record: SpanRecord = {
    name: span.name,
    kind: span.kind,
    context: contextRecord(span.spanContext()),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
    links: span.links.length === 0 ? NO_LINKS : span.links.map((l) => ({ ...l, context: contextRecord(l.context) })),
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    scope: span.instrumentationScope,
  };
  if (span.parentSpanContext !== undefined) record.parent = contextRecord(span.parentSpanContext);
  return record;
}

/** The span again, as the SDK's exporters read it, with the process's resource. */
export function fromRecord(r: SpanRecord, resource: Resource): ReadableSpan {
  const context = spanContext(r.context);
  const links: Link[] = r.links.map((l) => ({ ...l, context: spanContext(l.context) }));
  return {
    name: r.name,
    kind: r.kind,
    spanContext: () => context,
    parentSpanContext: r.parent && spanContext(r.parent),
    startTime: r.startTime,
    endTime: r.endTime,
    duration: r.duration,
    status: r.status,
    attributes: r.attributes,
    events: r.events,
    links,
    ended: true,
    resource,
    instrumentationScope: r.scope,
    droppedAttributesCount: r.droppedAttributesCount,
    droppedEventsCount: r.droppedEventsCount,
    droppedLinksCount: r.droppedLinksCount,
  };
}
