import { Metadata, type handleUnaryCall, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AccessControl, ModelLifecycle } from '../contracts/access.js';
import type { ClientAddress } from '../core/client-address.js';
import type { ModelCatalog } from '../core/catalog.js';
import { checkNames } from '../core/names.js';
import type { PredictionService } from '../core/prediction-service.js';
import { badRequest, GatewayError } from '../errors/index.js';
import type { Logger, OutcomeLog } from '../contracts/logging.js';
import { bearerToken, metadataContext, noCacheRequested, requestIdOf, versionPin } from './call-context.js';
import { grpcProtocol } from './infer-protocol.js';
import type { ModelInferRequestMsg, Protos, RepositoryRequestMsg } from './proto.js';
import { alignRawInput } from './raw-alignment.js';
import { errorRenderer } from './status.js';
import type { RequestTracer } from '../contracts/tracing.js';
import { grpcServerDone, grpcServerSpan } from './tracing.js';

const SERVER_VERSION = '0.1.0';

/** What the gRPC service talks to: the same data plane, catalog and ops token check as HTTP. */
export interface GrpcDeps {
  service: PredictionService;
  catalog: ModelCatalog;
  lifecycle: ModelLifecycle;
  /** ModelInfer's spans, when tracing is on. */
  tracer?: RequestTracer;
  access: AccessControl;
  clientAddress: ClientAddress;
  logger: Logger;
  /** Expected outcomes (bad input, not found, shed): counted, rate-limited, never logged as errors. */
  outcomes: OutcomeLog;
}

type Type = Protos[keyof Protos];

/** A message of `type` from the received bytes; a malformed one is a 400 (INVALID_ARGUMENT), not grpc-js's INTERNAL. */
function decode<T>(type: Type, bytes: Buffer): T {
  try {
    return type.decode(bytes) as unknown as T;
  } catch {
    throw badRequest(`the request is not a valid ${type.name} message`);
  }
}

const encode = (type: Type, message: object): Buffer => {
  const u8 = type.encode(message).finish();
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
};

const versionOrNone = (v: string): string | undefined => (v.length > 0 ? v : undefined);

/** The version a repository request names in its `version` string parameter (modelgate's; Triton has none). */
function repositoryVersion(msg: RepositoryRequestMsg): string | undefined {
  const p = msg.parameters.version;
  if (p === undefined) return undefined;
  if (typeof p.string_param !== 'string' || !Object.prototype.hasOwnProperty.call(p, 'string_param')) {
    throw badRequest("parameter 'version' must be a string_param");
  }
  return p.string_param;
}

type Handle = (call: ServerUnaryCall<Buffer, Buffer>, requestId: string) => Buffer | Promise<Buffer>;
type Unary = (handle: Handle) => handleUnaryCall<Buffer, Buffer>;

/**
 * `inference.GRPCInferenceService`: handlers that only translate. Each takes the message bytes
 * (decoded here, so a malformed message gets INVALID_ARGUMENT) and answers bytes; ModelInfer's
 * answer is the data plane's own serialised response, stamped in the initial metadata.
 */
export function inferenceService(protos: Protos, deps: GrpcDeps): UntypedServiceImplementation {
  const { catalog, lifecycle, access } = deps;
  const unary = unaryWith(errorRenderer(deps.logger, deps.outcomes));

  /** A repository RPC: a deployer's token, the model (and optional version) named, the change made as that principal. */
  const repositoryRpc = (rpc: string, type: Type, act: (model: string, version: string | undefined, principal: string) => Promise<unknown>) =>
    unary(async (call) => {
      const principal = await access.authorize(bearerToken(call.metadata), 'deployer', rpc);
      const msg = decode<RepositoryRequestMsg>(type, call.request);
      const version = repositoryVersion(msg);
      checkNames(msg.model_name, version);
      await act(msg.model_name, version, principal);
      return encode(protos.Empty, {});
    });

  return {
    ServerLive: unary(() => encode(protos.ServerLiveResponse, { live: true })),
    ServerReady: unary(() => encode(protos.ServerReadyResponse, { ready: catalog.ready() })),
    ModelReady: unary((call) => {
      const msg = decode<{ name: string; version: string }>(protos.ModelReadyRequest, call.request);
      const version = versionOrNone(msg.version);
      checkNames(msg.name, version);
      const r = catalog.modelReady(msg.name, version);
      return encode(protos.ModelReadyResponse, { ready: r.ready });
    }),
    ServerMetadata: unary(() => encode(protos.ServerMetadataResponse, { name: 'modelgate', version: SERVER_VERSION, extensions: ['model_repository'] })),
    ModelMetadata: unary((call) => {
      const msg = decode<{ name: string; version: string }>(protos.ModelMetadataRequest, call.request);
      const version = versionOrNone(msg.version);
      checkNames(msg.name, version);
      const m = catalog.metadata(msg.name, version);
      return encode(protos.ModelMetadataResponse, { name: m.name, versions: m.versions, platform: m.platform, inputs: m.inputs, outputs: m.outputs });
    }),
    ModelInfer: unary(modelInfer(protos, deps)),
    // Triton's repository extension behind the HTTP routes' deployer role; like those routes, each
    // change is audited with the token's principal before the repository acts (503 if it cannot be).
    RepositoryModelLoad: repositoryRpc('RepositoryModelLoad', protos.RepositoryModelLoadRequest, (m, v, who) => lifecycle.load(m, v, who)),
    RepositoryModelUnload: repositoryRpc('RepositoryModelUnload', protos.RepositoryModelUnloadRequest, (m, v, who) => lifecycle.unload(m, v, who)),
  };
}

/** Unary handlers whose throws and rejections become statuses in one place. */
function unaryWith(toServiceError: ReturnType<typeof errorRenderer>): Unary {
  return (handle) => (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
    const requestId = requestIdOf(call.metadata);
    try {
      const out = handle(call, requestId);
      if (out instanceof Promise) out.then((b) => callback(null, b), (err: unknown) => callback(toServiceError(err, requestId)));
      else callback(null, out);
    } catch (err) {
      callback(toServiceError(err, requestId));
    }
  };
}

/** ModelInfer: the data plane's predict on the decoded message; the answer's stamps go in the initial metadata. */
function modelInfer(protos: Protos, deps: GrpcDeps): Handle {
  const { service, catalog, clientAddress, tracer } = deps;
  const protocol = grpcProtocol(protos);
  return async (call, requestId) => {
    const msg = decode<ModelInferRequestMsg>(protos.ModelInferRequest, call.request);
    const raw = msg.raw_input_contents;
    for (let i = 0; i < raw.length && i < msg.inputs.length; i++) raw[i] = alignRawInput(raw[i] as Uint8Array, (msg.inputs[i] as { datatype: string }).datatype, call.request);
    // model_version is a pin like x-model-version (a version or an alias), so only bounded here.
    checkNames(msg.model_name);
    if (msg.model_version.length > 128) throw badRequest('model_version is longer than 128 characters');
    const md = call.metadata;
    const pin = versionPin(msg.model_version, md);
    const span = tracer === undefined ? undefined : grpcServerSpan(tracer, md, 'ModelInfer', requestId);
    let a;
    try {
      const pending = service.predict({
        model: msg.model_name,
        protocol,
        body: msg,
        pin,
        context: metadataContext(md, call.getPeer(), clientAddress),
        requestId,
        noCache: noCacheRequested(md),
        span,
      });
      a = pending instanceof Promise ? await pending : pending;
      if (span !== undefined) grpcServerDone(span);
    } catch (err) {
      const refused = notReady(catalog, err, msg.model_name, pin?.value);
      if (span !== undefined) grpcServerDone(span, refused);
      throw refused;
    }
    const stamps = new Metadata();
    stamps.set('x-request-id', requestId);
    stamps.set('x-model-name', a.model);
    stamps.set('x-model-version', a.version);
    stamps.set('x-model-route', a.route);
    stamps.set('x-cache', a.cache);
    call.sendMetadata(stamps);
    return a.body;
  };
}

/**
 * A pinned version the repository knows but does not serve now (loading, unloaded, failed) is
 * UNAVAILABLE, as its OIP readiness says, rather than NOT_FOUND.
 */
function notReady(catalog: ModelCatalog, err: unknown, model: string, version: string | undefined): unknown {
  if (!(err instanceof GatewayError) || err.status !== 404 || version === undefined) return err;
  try {
    if (!catalog.modelReady(model, version).ready) return new GatewayError('model_not_ready', 503, `version '${version}' of model '${model}' is not ready`);
  } catch {
    // Unknown to the repository too: the 404 stands.
  }
  return err;
}
