// A small OTLP/HTTP trace receiver for tests: what the OTLP/HTTP exporters send to POST /v1/traces,
// protobuf (the default, http/protobuf) or JSON (http/json), flattened into spans a test can look for.
import { createServer, type Server } from 'node:http';
import protobuf from 'protobufjs';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number;
  /** The resource's service.name. */
  service: string;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests received (any content). */
  requests: number;
  /** The encodings the exports came in. */
  encodings: ReadonlySet<'json' | 'protobuf'>;
  /** The spans of one trace, once `until` holds for them (polled), or a timeout error listing what came. */
  trace(traceId: string, until: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: KeyValue[]; status?: { code?: number } }[] }[];
  }[];
}

/** The part of OTLP's trace.proto (opentelemetry-proto v1) the receiver reads; other fields are skipped. */
const TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resourceSpans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scopeSpans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { repeated Span spans = 2; }
message Span {
  bytes traceId = 1; bytes spanId = 2; bytes parentSpanId = 4; string name = 5; int32 kind = 6;
  repeated KeyValue attributes = 9; Status status = 15;
}
message Status { int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string stringValue = 1; bool boolValue = 2; int64 intValue = 3; double doubleValue = 4; } }
`;
const ExportRequestProto = protobuf.parse(TRACE_PROTO).root.lookupType('ExportTraceServiceRequest');

/** A protobuf export as the JSON encoding spells it: ids in hex, 64-bit integers as numbers. */
function fromProtobuf(body: Buffer): ExportRequest {
  const plain = ExportRequestProto.toObject(ExportRequestProto.decode(body), { longs: Number, bytes: String }) as ExportRequest;
  // bytes: String renders the ids in base64; OTLP/JSON spells them in hex.
  const hex = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('hex') : undefined);
  for (const rs of plain.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        s.traceId = hex(s.traceId) ?? '';
        s.spanId = hex(s.spanId) ?? '';
        s.parentSpanId = hex(s.parentSpanId);
      }
    }
  }
  return plain;
}

const valueOf = (v: AnyValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? '';

const record = (kvs: KeyValue[] | undefined): Record<string, string | number | boolean> =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const state = { requests: 0, encodings: new Set<'json' | 'protobuf'>() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const type = req.headers['content-type'] ?? '';
      const json = /json/.test(type);
      if (req.method !== 'POST' || req.url !== '/v1/traces' || (!json && !/protobuf/.test(type))) {
        res.writeHead(415).end();
        return;
      }
      state.encodings.add(json ? 'json' : 'protobuf');
      const raw = Buffer.concat(chunks);
      const body = json ? (JSON.parse(raw.toString('utf8')) as ExportRequest) : fromProtobuf(raw);
      for (const rs of body.resourceSpans ?? []) {
        const service = String(record(rs.resource?.attributes)['service.name'] ?? '');
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              attributes: record(s.attributes),
              status: s.status?.code ?? 0,
              service,
            });
          }
        }
      }
      // An empty ExportTraceServiceResponse, in the request's encoding.
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return state.requests;
    },
    encodings: state.encodings,
    trace: async (traceId, until, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mine = spans.filter((s) => s.traceId === traceId);
        if (until(mine)) return mine;
        if (Date.now() > deadline) {
          throw new Error(`trace ${traceId}: condition not met in ${timeoutMs} ms; spans: ${JSON.stringify(mine.map((s) => [s.name, s.attributes]))}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
