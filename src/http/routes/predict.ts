import type { Context, Hono } from 'hono';
import type { Protocol } from '../../contracts/prediction.js';
import type { AppEnv } from '../app-env.js';
import { clientAddressResolver } from '../../core/client-address.js';
import type { HttpDeps } from '../deps.js';
import { oipProtocol } from '../protocols/oip.js';
import { v1Protocol } from '../protocols/v1.js';
import { checkJsonContentType, headerContext, noCacheRequested, versionPin } from '../request-context.js';
import { checkNames } from './names.js';
import { requestIdOf, type RequestServing } from '../middleware/serving.js';
import { endOfTurn } from '../write-coalescing.js';

/**
 * The prediction routes, OIP V2 infer and the JSON API's predict: read the body, hand it to the
 * data plane, answer with the bytes it returns and a plain header object, which
 * @hono/node-server writes as is (no web Headers built and converted back: 5-6 µs a request).
 */
export function mountPredictionRoutes(apps: Hono<AppEnv>[], deps: HttpDeps, serving: RequestServing): void {
  const clientAddress = clientAddressResolver(deps.settings.trustedProxies ?? 0);
  const route = (template: string, protocol: Protocol) => {
    const served = serving.predictionRoute(template);
    return async (c: Context<AppEnv>): Promise<Response> => {
      const started = performance.now();
      const requestId = requestIdOf(c);
      try {
        served.begin(c);
        const model = c.req.param('model') as string;
        const pathVersion = c.req.param('version');
        checkNames(model, pathVersion);
        checkJsonContentType(c);
        const body = await serving.text(c);
        const pending = deps.service.predict({
          model,
          protocol,
          body,
          pin: versionPin(c, pathVersion),
          context: headerContext(c, clientAddress),
          requestId,
          noCache: noCacheRequested(c),
        });
        const a = pending instanceof Promise ? await pending : pending;
        const res = new Response(a.body, {
          status: 200,
          headers: {
            'content-type': 'application/json',
            'x-request-id': requestId,
            'x-model-name': a.model,
            'x-model-version': a.version,
            'x-model-route': a.route,
            'x-cache': a.cache,
          },
        });
        // With other requests in hand, this answer goes out with the rest of the turn's.
        if (serving.inFlight > 1) await endOfTurn();
        served.ok(started);
        return res;
      } catch (err) {
        // Awaited here, so the request counts as in flight until its error answer exists.
        return await served.fail(c, err, requestId, started);
      } finally {
        served.end();
      }
    };
  };

  for (const template of ['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer']) {
    const handler = route(template, oipProtocol);
    for (const app of apps) app.post(template, handler);
  }
  for (const template of ['/v1/models/:model/predict', '/v1/models/:model/versions/:version/predict']) {
    const handler = route(template, v1Protocol);
    for (const app of apps) app.post(template, handler);
  }
}
