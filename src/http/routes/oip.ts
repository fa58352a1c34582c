import { Hono, type Context } from 'hono';
import { modelNotFound, versionNotFound } from '../../errors/index.js';
import type { LoadedVersion } from '../../repository/loaded-version.js';
import { unbatchableReason } from '../../repository/batch-axes.js';
import { assertNames } from '../../repository/names.js';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { InferRequest } from '../oip-schema.js';
import { readJson } from '../read-json.js';
import { oipResponse, stampPrediction } from '../render.js';
import { noCacheRequested, routingContext, versionPin } from '../request-context.js';

const SERVER_VERSION = '0.1.0';

/** Open Inference Protocol V2 (KServe/Triton REST): health, metadata, readiness, infer. */
export function oipRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { repository, router, service } = deps;

  app.get('/', (c) => c.json({ name: 'modelgate', version: SERVER_VERSION, extensions: ['model_repository'] }));
  app.get('/health/live', (c) => c.json({ live: true }));
  app.get('/health/ready', (c) => {
    const ready = deps.isReady() && repository.models().length > 0;
    return c.json({ ready }, ready ? 200 : 503);
  });

  const version = (model: string, v?: string): LoadedVersion => {
    checkNames(model, v);
    if (!repository.has(model)) throw modelNotFound(model);
    if (v === undefined) return router.stable(model);
    const lv = repository.get(model, v);
    if (!lv) throw versionNotFound(model, v);
    return lv;
  };

  const metadata = (lv: LoadedVersion) => ({
    name: lv.name,
    versions: repository.versions(lv.name).map((x) => x.version),
    platform: 'onnxruntime_onnx',
    inputs: lv.manifest.inputs.map(({ name, datatype, shape, batchAxis }) => ({ name, datatype, shape, ...(batchAxis !== undefined ? { parameters: { batch_axis: batchAxis } } : {}) })),
    outputs: lv.manifest.outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    parameters: {
      version: lv.version,
      stable_version: router.stable(lv.name).version,
      execution_provider: lv.runner.provider,
      runner: lv.runner.mode,
      data_version: lv.manifest.dataVersion ?? null,
      artifact_sha256: lv.manifest.artifact.sha256,
      ...unbatchable(lv),
    },
    features: lv.manifest.features,
    metrics: lv.manifest.metrics,
  });

  app.get('/models/:model', (c) => c.json(metadata(version(c.req.param('model')))));
  app.get('/models/:model/versions/:version', (c) => c.json(metadata(version(c.req.param('model'), c.req.param('version')))));

  const ready = (model: string, v?: string) => {
    checkNames(model, v);
    if (v === undefined) return { name: model, ready: repository.has(model) };
    const state = repository.state(model, v);
    if (!state && !repository.get(model, v)) throw repository.has(model) ? versionNotFound(model, v) : modelNotFound(model);
    return { name: model, version: v, ready: repository.get(model, v) !== undefined };
  };
  app.get('/models/:model/ready', (c) => {
    const r = ready(c.req.param('model'));
    if (!r.ready) throw modelNotFound(r.name);
    return c.json(r);
  });
  app.get('/models/:model/versions/:version/ready', (c) => {
    const r = ready(c.req.param('model'), c.req.param('version'));
    return c.json(r, r.ready ? 200 : 503);
  });

  const infer = async (c: Context<AppEnv>, model: string, pathVersion?: string) => {
    checkNames(model, pathVersion);
    const body = await readJson(c, InferRequest);
    const requestId = c.get('requestId');
    const result = await service.predict({
      model,
      pin: versionPin(c, pathVersion),
      context: routingContext(c, body.parameters),
      requestId,
      noCache: noCacheRequested(c),
      input: { kind: 'tensors', tensors: body.inputs, outputs: body.outputs?.map((o) => o.name) },
    });
    stampPrediction(c, result);
    return c.json(oipResponse(result, body.id ?? requestId));
  };
  app.post('/models/:model/infer', (c) => infer(c, c.req.param('model')));
  app.post('/models/:model/versions/:version/infer', (c) => infer(c, c.req.param('model'), c.req.param('version')));
  return app;
}

/** Whether requests to this version can share a dynamic batch, and why not. */
function unbatchable(lv: LoadedVersion): { batchable: boolean; unbatchable_reason?: string } {
  const reason = unbatchableReason(lv.manifest);
  return reason ? { batchable: false, unbatchable_reason: reason } : { batchable: true };
}

/** Model names and versions become file paths and metric labels: refuse anything else early. */
export const checkNames = assertNames;
