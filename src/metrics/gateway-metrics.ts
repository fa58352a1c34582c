import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SlotCounter, SlotHistogram } from './slots.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * Every metric of the gateway, on one injected Registry. Labels are bounded: route templates,
 * loaded model names and versions, status codes and small enums; never a user or request id.
 */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: SlotCounter<'method' | 'route' | 'status'>;
  readonly httpDuration: SlotHistogram<'method' | 'route' | 'status'>;
  readonly inferences: SlotCounter<'model' | 'version' | 'protocol' | 'status'>;
  readonly inferenceDuration: SlotHistogram<'model' | 'version'>;
  readonly queueDuration: SlotHistogram<'model' | 'version'>;
  readonly batchSize: SlotHistogram<'model' | 'version'>;
  readonly cacheRequests: SlotCounter<'model' | 'result'>;
  readonly cacheEvictions: SlotCounter<'model'>;
  readonly cacheEntries: Gauge;
  readonly cacheBytes: Gauge;
  readonly routingDecisions: SlotCounter<'model' | 'version' | 'route' | 'reason'>;
  readonly modelState: Gauge<'model' | 'version' | 'state'>;
  readonly modelInfo: Gauge<'model' | 'version' | 'provider' | 'runner'>;
  readonly modelLoadFailures: SlotCounter<'model' | 'reason'>;
  readonly modelLoadDuration: SlotHistogram<'model'>;
  readonly flagReloads: SlotCounter<'source' | 'result'>;
  readonly shadowRequests: SlotCounter<'model' | 'version' | 'outcome'>;
  readonly shadowDuration: SlotHistogram<'model' | 'version'>;
  readonly shed: SlotCounter<'reason'>;
  readonly inFlight: Gauge;
  readonly traceRecords: SlotCounter<'result'>;
  readonly backgroundErrors: SlotCounter<'task'>;
  readonly traceDegraded: Gauge;
  /** modelgate_trace_inputs_total{result}: inputs kept by trace.captureInputs, or not (too_large). */
  readonly traceInputs: SlotCounter<'result'>;
  readonly connectionsClosed: SlotCounter<'reason'>;
  readonly auditChainOk: Gauge<'store'>;
  readonly registryListenConnected: Gauge<'store'>;
  readonly authFailures: SlotCounter<'result'>;
  readonly buildInfo: Gauge<'version' | 'node' | 'onnxruntime'>;
  /** Values read at scrape time (set by the components that own them). */
  readonly gaugeSources = { inFlight: (): number => 0 };
  /** The text /metrics answers; a cluster worker sets it to the primary's sum over every worker. */
  exposition: () => Promise<string> = () => this.registry.metrics();

  constructor(registry = new Registry(), options: { processMetrics?: boolean } = {}) {
    this.registry = registry;
    const r = [registry];
    if (options.processMetrics !== false) {
      // Unprefixed (process_cpu_seconds_total, nodejs_heap_size_used_bytes, ...) so stock Node.js dashboards work.
      collectDefaultMetrics({ register: registry });
      // prom-client's *_total gauges fail `promtool check metrics`; the per-type gauges stay.
      for (const g of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
        registry.removeSingleMetric(`nodejs_${g}`);
      }
    }
    this.httpRequests = new SlotCounter({
      name: 'modelgate_http_requests_total', help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'], registers: r,
    });
    this.httpDuration = new SlotHistogram({
      name: 'modelgate_http_request_duration_seconds', help: 'HTTP request latency.',
      labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: r,
    });
    this.inferences = new SlotCounter({
      name: 'modelgate_inference_requests_total', help: 'Predictions by model, version, protocol (v1, oip, oip-binary, grpc) and outcome.',
      labelNames: ['model', 'version', 'protocol', 'status'], registers: r,
    });
    this.inferenceDuration = new SlotHistogram({
      name: 'modelgate_inference_duration_seconds', help: 'Time in onnxruntime per run (one batch).',
      labelNames: ['model', 'version'], buckets: LATENCY_BUCKETS, registers: r,
    });
    this.queueDuration = new SlotHistogram({
      name: 'modelgate_queue_duration_seconds', help: 'Time a request waited in the batch queue.',
      labelNames: ['model', 'version'], buckets: LATENCY_BUCKETS, registers: r,
    });
    this.batchSize = new SlotHistogram({
      name: 'modelgate_batch_size', help: 'Requests per executed batch.',
      labelNames: ['model', 'version'], buckets: BATCH_BUCKETS, registers: r,
    });
    this.cacheRequests = new SlotCounter({
      name: 'modelgate_cache_requests_total', help: 'Prediction cache lookups by result (hit, miss, bypass).',
      labelNames: ['model', 'result'], registers: r,
    });
    this.cacheEvictions = new SlotCounter({
      name: 'modelgate_cache_evictions_total', help: 'Prediction cache entries evicted or expired.',
      labelNames: ['model'], registers: r,
    });
    this.cacheEntries = new Gauge({ name: 'modelgate_cache_entries', help: 'Entries in the prediction cache.', registers: r });
    this.cacheBytes = new Gauge({ name: 'modelgate_cache_bytes', help: 'Bytes held by the prediction cache.', registers: r });
    this.routingDecisions = new SlotCounter({
      name: 'modelgate_routing_decisions_total', help: 'Version routing decisions by route kind and reason.',
      labelNames: ['model', 'version', 'route', 'reason'], registers: r,
    });
    this.modelState = new Gauge({
      name: 'modelgate_model_state', help: '1 for the state each model version is in (loading, ready, failed, unloaded).',
      labelNames: ['model', 'version', 'state'], registers: r, aggregator: 'max',
    });
    this.modelInfo = new Gauge({
      name: 'modelgate_model_info', help: 'Loaded model versions with their execution provider and runner.',
      labelNames: ['model', 'version', 'provider', 'runner'], registers: r, aggregator: 'max',
    });
    this.modelLoadFailures = new SlotCounter({
      name: 'modelgate_model_load_failures_total', help: 'Model versions refused or failed at load, by reason.',
      labelNames: ['model', 'reason'], registers: r,
    });
    this.modelLoadDuration = new SlotHistogram({
      name: 'modelgate_model_load_duration_seconds', help: 'Time to load and warm a model version.',
      labelNames: ['model'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: r,
    });
    this.flagReloads = new SlotCounter({
      name: 'modelgate_flag_reloads_total', help: 'Flag definition updates by source and result (ok, invalid, error).',
      labelNames: ['source', 'result'], registers: r,
    });
    this.shadowRequests = new SlotCounter({
      name: 'modelgate_shadow_requests_total', help: 'Mirrored predictions by challenger version and outcome.',
      labelNames: ['model', 'version', 'outcome'], registers: r,
    });
    this.shadowDuration = new SlotHistogram({
      name: 'modelgate_shadow_duration_seconds', help: 'Latency of mirrored (shadow) predictions.',
      labelNames: ['model', 'version'], buckets: LATENCY_BUCKETS, registers: r,
    });
    this.shed = new SlotCounter({
      name: 'modelgate_requests_shed_total', help: 'Requests refused with 503 to protect the gateway.',
      labelNames: ['reason'], registers: r,
    });
    const gauges = this.gaugeSources;
    this.inFlight = new Gauge({
      name: 'modelgate_predictions_in_flight', help: 'Predictions being served now.', registers: r,
      // Read at scrape time: two gauge updates per request cost more than the count they keep.
      collect() {
        this.set(gauges.inFlight());
      },
    });
    this.traceRecords = new SlotCounter({
      name: 'modelgate_trace_records_total', help: 'Prediction trace records by result (written, dropped).',
      labelNames: ['result'], registers: r,
    });
    this.backgroundErrors = new SlotCounter({
      name: 'modelgate_background_errors_total', help: 'Failures of background work (timers, listeners, streams) by task; none reaches the process.',
      labelNames: ['task'], registers: r,
    });
    this.traceInputs = new SlotCounter({
      name: 'modelgate_trace_inputs_total', help: 'Request inputs the prediction trace captured (trace.captureInputs) by result: captured, too_large (over maxBytes: only their digest kept); cache hits reuse their entry\'s record part and are not counted again.',
      labelNames: ['result'], registers: r,
    });
    this.traceDegraded = new Gauge({
      name: 'modelgate_trace_degraded', help: '1 while prediction trace records cannot reach their sink (a full disk): they wait in the bounded buffer, then are dropped.',
      registers: r,
    });
    this.connectionsClosed = new SlotCounter({
      name: 'modelgate_connections_closed_total',
      help: 'Connections the gateway closed or refused itself: idle_evicted, client_idle_evicted, refused, client_refused, slow_reader.',
      labelNames: ['reason'], registers: r,
    });
    this.auditChainOk = new Gauge({
      // Labelled so that no sample exists until a registry verified its chain (an unlabelled gauge would read 0).
      name: 'modelgate_audit_chain_ok', help: '1 when the audit log hash chain verified at the last check, 0 when broken.',
      labelNames: ['store'], registers: r, aggregator: 'min',
    });
    this.registryListenConnected = new Gauge({
      // Labelled so that no sample exists on SQLite (an unlabelled gauge would read 0: "disconnected").
      name: 'modelgate_registry_listen_connected', help: '1 while the registry LISTEN connection (PostgreSQL) is up, 0 while it reconnects.',
      labelNames: ['store'], registers: r, aggregator: 'min',
    });
    this.authFailures = new SlotCounter({
      name: 'modelgate_auth_failures_total', help: 'Refused bearer attempts on the admin routes: invalid (401) or throttled (429).',
      labelNames: ['result'], registers: r,
    });
    this.buildInfo = new Gauge({
      name: 'modelgate_build_info', help: 'Always 1: the gateway version and its Node.js and onnxruntime versions.',
      labelNames: ['version', 'node', 'onnxruntime'], registers: r, aggregator: 'max',
    });
  }
}
