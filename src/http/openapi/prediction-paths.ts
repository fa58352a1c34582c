import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { FeatureSpec, OipDatatype } from '../../contracts/manifest.js';
import { InferRequest, PredictBody } from '../oip-schema.js';
import { ModelParam, StampHeaders, VersionParam } from './components.js';
import { operation } from './operation.js';

const Model = z.object({ model: ModelParam });
const ModelVersion = z.object({ model: ModelParam, version: VersionParam });

/** The headers routing reads (x-context-<name> headers add properties too; OpenAPI cannot name a header family). */
const RoutingHeaders = z.object({
  'x-request-id': z.string().optional().meta({ description: 'Your request id (1-128 of [A-Za-z0-9_.:@-]); the answer and the trace carry it. Retries should resend the same one.' }),
  'x-model-version': z.string().optional().meta({ description: 'Pin a version or an alias (the path version wins).' }),
  'x-user-id': z.string().optional().meta({ description: 'Stickiness key of flag routing: the same user gets the same variant.' }),
  'x-session-id': z.string().optional(),
  'x-tenant-id': z.string().optional(),
  'cache-control': z.string().optional().meta({ description: '`no-cache` skips the cache read (the answer is still stored).' }),
});

const V1Answer = z
  .object({
    model: z.string(),
    version: z.string(),
    predictions: z.array(z.unknown()).meta({
      description: 'One per instance: a number for a one-column output, else output name -> values; a classifier gives {label, probabilities}.',
    }),
    request_id: z.string(),
  })
  .meta({ id: 'PredictResponse' });

const OutputTensor = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: OipDatatype.optional(),
  data: z.array(z.unknown()).optional().meta({ description: 'Absent for a binary output: its bytes follow the JSON header.' }),
  parameters: z.object({ binary_data_size: z.number().int().optional() }).optional(),
});

const InferAnswer = z
  .object({
    model_name: z.string(),
    model_version: z.string(),
    outputs: z.array(OutputTensor),
    id: z.string().meta({ description: "The request's id, else the x-request-id." }),
    parameters: z.object({ route: z.string() }),
  })
  .meta({ id: 'InferResponse' });

const Bytes = z.string().meta({ format: 'binary' });
const BinaryBody = Bytes.meta({
  id: 'BinaryTensorBody',
  description:
    "OIP's binary tensor extension: the JSON inference header (InferenceHeader; Inference-Header-Content-Length bytes), then each input's little-endian bytes in order (parameters.binary_data_size each). Any content-type.",
});

const predictErrors = [400, 404, 413, 415, 500, 503];

function v1Predict(path: z.ZodObject, id: string) {
  return operation({
    id,
    tag: 'prediction',
    summary: 'Predict from named features (the JSON API)',
    description: 'Routing picks the version (a pin beats flags); the answer is stamped with model, version, route, cache and request id. Extra headers x-context-<name> add routing properties.',
    path,
    header: RoutingHeaders,
    body: { schema: PredictBody },
    ok: { 200: { description: 'One prediction per instance.', schema: V1Answer, headers: StampHeaders } },
    errors: predictErrors,
  });
}

function oipInfer(path: z.ZodObject, id: string) {
  return operation({
    id,
    tag: 'inference',
    summary: 'Infer (Open Inference Protocol V2): JSON, or binary tensors',
    description:
      'JSON tensors; or, with Inference-Header-Content-Length, the binary tensor extension. Outputs asked for with parameters.binary_data(_output) come back as a JSON header and bytes (application/octet-stream, Inference-Header-Content-Length).',
    oip: true,
    path,
    header: RoutingHeaders.extend({
      'inference-header-content-length': z.string().optional().meta({ description: 'Binary tensor extension: the byte length of the JSON header at the start of the body.' }),
    }),
    body: { content: { 'application/json': { schema: InferRequest }, 'application/octet-stream': { schema: BinaryBody } } },
    ok: {
      200: {
        description: 'The outputs, stamped.',
        headers: StampHeaders,
        content: { 'application/json': { schema: InferAnswer }, 'application/octet-stream': { schema: Bytes.meta({ description: 'A JSON InferResponse header (Inference-Header-Content-Length bytes), then the binary outputs.' }) } },
      },
    },
    errors: predictErrors,
  });
}

const ModelMetadata = z
  .object({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.string(),
    inputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()), parameters: z.record(z.string(), z.unknown()).optional() })),
    outputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()), parameters: z.record(z.string(), z.unknown()).optional() })),
    parameters: z.object({ version: z.string(), stable_version: z.string() }).catchall(z.unknown()),
    features: z.array(FeatureSpec),
    metrics: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .meta({ id: 'ModelMetadata' });

const Ready = z.object({ name: z.string(), version: z.string().optional(), ready: z.boolean() });

const metadata = (path: z.ZodObject, id: string, summary: string) =>
  operation({ id, tag: 'inference', summary, oip: true, path, ok: { 200: { description: 'Inputs, outputs, named features and metrics.', schema: ModelMetadata } }, errors: [404] });

/** The data plane's routes: JSON API and OIP V2 (prediction, metadata, health). */
export const predictionPaths: ZodOpenApiPathsObject = {
  '/v1/models/{model}/predict': { post: v1Predict(Model, 'predict') },
  '/v1/models/{model}/versions/{version}/predict': { post: v1Predict(ModelVersion, 'predictVersion') },
  '/v1/models': {
    get: operation({
      id: 'listModels',
      tag: 'prediction',
      summary: 'Served models, their versions, features and metrics',
      ok: { 200: { description: 'The catalog.', schema: z.object({ models: z.array(z.object({ name: z.string(), stable_version: z.string() }).catchall(z.unknown())) }) } },
    }),
  },
  '/v2/models/{model}/infer': { post: oipInfer(Model, 'infer') },
  '/v2/models/{model}/versions/{version}/infer': { post: oipInfer(ModelVersion, 'inferVersion') },
  '/v2/models/{model}': { get: metadata(Model, 'modelMetadata', 'Metadata of the stable version') },
  '/v2/models/{model}/versions/{version}': { get: metadata(ModelVersion, 'versionMetadata', 'Metadata of a version') },
  '/v2/models/{model}/ready': {
    get: operation({ id: 'modelReady', tag: 'health', summary: 'Is a model loaded', oip: true, path: Model, ok: { 200: { description: 'Ready.', schema: Ready } }, errors: [404] }),
  },
  '/v2/models/{model}/versions/{version}/ready': {
    get: operation({
      id: 'versionReady',
      tag: 'health',
      summary: 'Is a version ready',
      oip: true,
      path: ModelVersion,
      ok: { 200: { description: 'Ready.', schema: Ready }, 503: { description: 'Loaded but not ready.', schema: Ready } },
      errors: [404],
    }),
  },
  '/v2': {
    get: operation({
      id: 'serverMetadata',
      tag: 'health',
      summary: 'Server metadata (OIP)',
      oip: true,
      ok: { 200: { description: 'Name, version, extensions.', schema: z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) }) } },
    }),
  },
  '/v2/health/live': {
    get: operation({ id: 'live', tag: 'health', summary: 'Liveness', oip: true, ok: { 200: { description: 'The process answers.', schema: z.object({ live: z.boolean() }) } } }),
  },
  '/v2/health/ready': {
    get: operation({
      id: 'ready',
      tag: 'health',
      summary: 'Readiness: started, not draining, a model loaded',
      oip: true,
      ok: {
        200: { description: 'Ready (degraded parts, if any, named).', schema: z.object({ ready: z.boolean(), degraded: z.record(z.string(), z.string()).optional() }) },
        503: { description: 'Not ready.', schema: z.object({ ready: z.boolean(), degraded: z.record(z.string(), z.string()).optional() }) },
      },
    }),
  },
};
