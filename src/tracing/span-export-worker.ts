// The export thread of OpenTelemetry tracing: the SDK's BatchSpanProcessor and OTLP/HTTP exporter,
// fed the spans the main thread ended (span-record.ts). Encoding, batching and the HTTP exports
// happen here, off the event loop that serves requests.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ExportReply, ExportRequest, ExportWorkerData } from './export-protocol.js';
import { fromRecord } from './span-record.js';

/**
 * Telemetry yields to serving: this thread alone runs at nice 19 (Linux: setpriority on its thread
 * id), so its bursts (a 512-span batch encoded at once) wait for a core the event loop and the
 * load's client leave idle. Measured on the 2-core VM, the gain is inside the host's noise (one
 * set of 5 interleaved runs: 0.96 of tracing off niced, 0.88 not; bench runs after: 0.89, 0.88).
 * Elsewhere the thread keeps the process's priority.
 */
function yieldToServing(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // No /proc/thread-self (not Linux): the thread runs at the process's priority.
  }
}

yieldToServing();
const data = workerData as ExportWorkerData;
const port = parentPort;
if (port === null) throw new Error('span-export-worker runs as a worker thread');

// Service name modelgate unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise (this
// thread's environment is the process's).
const resource = defaultResource()
  .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'modelgate', [ATTR_SERVICE_VERSION]: data.serviceVersion }))
  .merge(detectResources({ detectors: [envDetector] }));
// Batch size, queue and delay: OTEL_BSP_*, read by the SDK; endpoint, headers, timeout: OTEL_EXPORTER_OTLP_*.
const processor = new BatchSpanProcessor(data.protocol === 'http/json' ? new JsonExporter() : new ProtobufExporter());

port.on('message', (m: ExportRequest) => {
  if (m.type === 'spans') {
    for (const r of m.spans) processor.onEnd(fromRecord(r, resource));
    return;
  }
  const done = m.type === 'flush' ? processor.forceFlush() : processor.shutdown();
  const reply = (error?: string) => port.postMessage({ id: m.id, error } satisfies ExportReply);
  done.then(
    () => reply(),
    (err: unknown) => reply(err instanceof Error ? err.message : String(err)),
  );
});
