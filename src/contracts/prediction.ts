import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { OipDatatype } from './manifest.js';
import type { TensorMap } from './tensor.js';
import type { TraceSpan } from './tracing.js';

/** Who is asking, as far as routing cares. Comes from headers and the body's `parameters`. */
export interface RoutingContext {
  userId?: string;
  sessionId?: string;
  tenantId?: string;
  remoteAddress?: string;
  /** Other string properties flag constraints may test (region, appVersion, ...). */
  properties: Record<string, string>;
}

/** An explicit version choice: a version or an alias, from the path or the x-model-version header. */
export interface Pin {
  value: string;
  source: 'path' | 'header';
}

/** Scalar request parameters (OIP `parameters`, v1 `parameters`). */
export type Parameters = Readonly<Record<string, string | number | boolean>>;

/** An input tensor as a JSON protocol sent it: not yet checked against any model. */
export interface JsonTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data: unknown[];
}

/**
 * An input tensor as a binary protocol sent it (OIP's binary tensor extension, gRPC
 * `raw_input_contents`): its elements as little-endian bytes, a view over the received body
 * (BYTES: each element a 4-byte little-endian length and its bytes). Never JSON-parsed.
 */
export interface RawTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  raw: Uint8Array;
}

export type RequestTensor = JsonTensor | RawTensor;

export const isRawTensor = (t: RequestTensor): t is RawTensor => (t as RawTensor).raw !== undefined;

/** One instance of the friendly JSON API: feature name -> value. */
export type Instance = Record<string, unknown>;

export type PredictInput =
  | { kind: 'tensors'; tensors: RequestTensor[] }
  | { kind: 'instances'; instances: Instance[] };

/** A request body as a protocol parsed it: what the data plane needs, nothing of HTTP. */
export interface ParsedRequest {
  readonly input: PredictInput;
  /** Outputs the caller selected (OIP `outputs`); undefined = all. */
  readonly outputs: readonly string[] | undefined;
  readonly parameters: Parameters | undefined;
  /** The caller's own id for the request, echoed in the response (OIP `id`). */
  readonly id: string | undefined;
  /**
   * How this request wants its outputs rendered, when a protocol lets the caller choose (OIP
   * binary outputs per tensor): part of the key the rendered head is kept under in a cache entry.
   */
  readonly rendering?: string;
}

/** The wire forms a prediction arrives in; also the `protocol` label of prediction metrics. */
export type ProtocolName = 'oip' | 'v1' | 'oip-binary' | 'grpc';
export type CacheResult = 'hit' | 'miss' | 'bypass';

/**
 * A wire protocol as the data plane sees it (dependency inversion: http/ and grpc/ implement
 * it). `In` is a body as received (JSON text, a binary body, a decoded protobuf message), `Out`
 * the response body. A response is a cacheable head, rendered once per cache entry (and per
 * `request.rendering`), closed per request with the request's own fields (ids, route), so a
 * cache hit never re-renders outputs. Only string bodies are memoised by their bytes.
 */
export interface Protocol<In = string, Out = string, Head = string> {
  readonly name: ProtocolName;
  /** Parse and shape-check a body; throws a 400 GatewayError in the protocol's words. */
  parse(body: In): ParsedRequest;
  /** Everything of a response that only depends on the version, its outputs and `request.rendering`. */
  render(version: LoadedVersion, outputs: TensorMap, request: ParsedRequest): Head;
  /** The whole response body: the head closed with this request's fields. */
  finish(head: Head, requestId: string, request: ParsedRequest, route: string): Out;
}

/** One prediction, from a protocol-neutral call to response bytes. */
export interface PredictCall<In = string, Out = string, Head = string> {
  model: string;
  protocol: Protocol<In, Out, Head>;
  /** The request body as received. */
  body: In;
  pin: Pin | undefined;
  /** Routing facts from the request's headers (the body's parameters are added by the data plane). */
  context: RoutingContext;
  requestId: string;
  /** Cache-Control: no-cache: skip the cache read (the answer is still stored). */
  noCache: boolean;
  /** The request's span when tracing is on and the request sampled (the data plane's spans are its children). */
  span?: TraceSpan;
}

export interface PredictAnswer<Out = string> {
  model: string;
  version: string;
  route: string;
  cache: CacheResult;
  /** The response body, ready to send. */
  body: Out;
}

/** What an observer sees of an answered prediction: the answer and the tensors behind it. */
export interface ObservedPrediction {
  requestId: string;
  atMs: number;
  model: string;
  version: LoadedVersion;
  route: string;
  pin: Pin | undefined;
  cache: CacheResult;
  latencyMs: number;
  feeds: TensorMap;
  /** Shared with the cache: read, never write. */
  outputs: TensorMap;
  /** The request's span, when traced (shadow runs join its trace; the trace record keeps its id). */
  span?: TraceSpan;
}

/** Called synchronously once a prediction is answered; must be cheap (defer real work itself). */
export interface PredictionObserver {
  observe(p: ObservedPrediction): void;
}
