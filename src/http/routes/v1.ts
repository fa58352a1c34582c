import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { PredictBody } from '../oip-schema.js';
import { readJson } from '../read-json.js';
import { stampPrediction, v1Predictions } from '../render.js';
import { noCacheRequested, routingContext, versionPin } from '../request-context.js';
import { checkNames } from './oip.js';

/** The friendly JSON API: named features in, one prediction per instance out. */
export function v1Routes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const predict = async (c: Context<AppEnv>, model: string, pathVersion?: string) => {
    checkNames(model, pathVersion);
    const body = await readJson(c, PredictBody);
    const requestId = c.get('requestId');
    const result = await deps.service.predict({
      model,
      pin: versionPin(c, pathVersion),
      context: routingContext(c, body.parameters),
      requestId,
      noCache: noCacheRequested(c),
      input: { kind: 'instances', instances: body.instances },
    });
    stampPrediction(c, result);
    return c.json({ model: result.model, version: result.version.version, predictions: v1Predictions(result), request_id: requestId });
  };

  app.post('/models/:model/predict', (c) => predict(c, c.req.param('model')));
  app.post('/models/:model/versions/:version/predict', (c) => predict(c, c.req.param('model'), c.req.param('version')));
  app.get('/models', (c) =>
    c.json({
      models: deps.repository.models().map((name) => ({
        name,
        stable_version: deps.router.stable(name).version,
        versions: deps.repository.versions(name).map((lv) => ({
          version: lv.version,
          data_version: lv.manifest.dataVersion ?? null,
          provider: lv.runner.provider,
          runner: lv.runner.mode,
          features: lv.manifest.features.map((f) => f.name),
          metrics: lv.manifest.metrics,
        })),
      })),
    }),
  );
  return app;
}
