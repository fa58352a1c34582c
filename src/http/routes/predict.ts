import type { Context, Hono } from 'hono';
import type { PredictAnswer, Protocol } from '../../contracts/prediction.js';
import { INFERENCE_HEADER, inferenceHeaderLength, readBinaryBody } from '../binary-body.js';
import type { AppEnv } from '../app-env.js';
import { clientAddressResolver } from '../../core/client-address.js';
import { DEFAULT_MAX_BINARY_BODY_BYTES, type HttpDeps } from '../deps.js';
import { oipProtocol } from '../protocols/oip.js';
import { oipBinaryProtocol, type BinaryBody } from '../protocols/oip-binary.js';
import type { BinaryAnswer, OipAnswer, OipHead } from '../protocols/oip-binary-output.js';
import { header } from '../request-headers.js';
import { v1Protocol } from '../protocols/v1.js';
import { checkJsonContentType, headerContext, noCacheRequested, versionPin } from '../request-context.js';
import { checkNames } from './names.js';
import { requestIdOf, type RequestServing } from '../middleware/serving.js';
import { endOfTurn } from '../write-coalescing.js';
import { httpServerDone, httpServerSpan } from '../tracing.js';

/**
 * The prediction routes, OIP V2 infer (JSON, or the binary tensor extension) and the JSON API's
 * predict: read the body, hand it to the data plane, answer with the bytes it returns and a plain
 * header object, which @hono/node-server writes as is (no web Headers built and converted back:
 * 5-6 µs a request).
 */
export function mountPredictionRoutes(apps: Hono<AppEnv>[], deps: HttpDeps, serving: RequestServing): void {
  const clientAddress = clientAddressResolver(deps.settings.trustedProxies ?? 0);
  const binaryLimit = deps.settings.maxBinaryBodyBytes ?? DEFAULT_MAX_BINARY_BODY_BYTES;
  // Undefined with tracing off: one check a request, nothing else.
  const tracer = deps.tracer;
  /** `binary`: the route also takes OIP's binary tensor extension (a request with Inference-Header-Content-Length). */
  const route = <Head>(template: string, protocol: Protocol<string, OipAnswer, Head>, binary?: Protocol<BinaryBody, OipAnswer, OipHead>) => {
    const served = serving.predictionRoute(template);
    return async (c: Context<AppEnv>): Promise<Response> => {
      const started = performance.now();
      const requestId = requestIdOf(c);
      const span = tracer === undefined ? undefined : httpServerSpan(tracer, c, template, requestId);
      try {
        const headerLength = binary ? header(c, INFERENCE_HEADER) : undefined;
        served.begin(c, headerLength === undefined ? undefined : binaryLimit);
        const model = c.req.param('model') as string;
        const pathVersion = c.req.param('version');
        checkNames(model, pathVersion);
        let pending: PredictAnswer<OipAnswer> | Promise<PredictAnswer<OipAnswer>>;
        if (headerLength === undefined || !binary) {
          checkJsonContentType(c);
          const body = await serving.text(c);
          pending = deps.service.predict({
            model,
            protocol,
            body,
            pin: versionPin(c, pathVersion),
            context: headerContext(c, clientAddress),
            requestId,
            noCache: noCacheRequested(c),
            span,
          });
        } else {
          // Any content-type: Triton's and KServe's clients, curl --data-binary and urllib each send their own.
          const body = await readBinaryBody(c, inferenceHeaderLength(headerLength), binaryLimit);
          pending = deps.service.predict({
            model,
            protocol: binary,
            body,
            pin: versionPin(c, pathVersion),
            context: headerContext(c, clientAddress),
            requestId,
            noCache: noCacheRequested(c),
            span,
          });
        }
        const a = pending instanceof Promise ? await pending : pending;
        const res = typeof a.body === 'string' ? jsonResponse(a, a.body, requestId) : binaryResponse(a, a.body, requestId);
        // With other requests in hand, this answer goes out with the rest of the turn's.
        if (serving.inFlight > 1) await endOfTurn();
        served.ok(started);
        if (span !== undefined) httpServerDone(span, 200);
        return res;
      } catch (err) {
        if (span !== undefined) c.set('traceId', span.traceId);
        // Awaited here, so the request counts as in flight until its error answer exists.
        const res = await served.fail(c, err, requestId, started);
        if (span !== undefined) httpServerDone(span, res.status, err);
        return res;
      } finally {
        served.end();
      }
    };
  };

  for (const template of ['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer']) {
    const handler = route(template, oipProtocol, oipBinaryProtocol);
    for (const app of apps) app.post(template, handler);
  }
  for (const template of ['/v1/models/:model/predict', '/v1/models/:model/versions/:version/predict']) {
    const handler = route(template, v1Protocol);
    for (const app of apps) app.post(template, handler);
  }
}

function jsonResponse(a: PredictAnswer<unknown>, body: string, requestId: string): Response {
  return new Response(body, {
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
}

/** An answer with binary outputs, as Triton sends it: octet-stream, the JSON header's length in Inference-Header-Content-Length. */
function binaryResponse(a: PredictAnswer<unknown>, body: BinaryAnswer, requestId: string): Response {
  return new Response(body.body, {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      [INFERENCE_HEADER]: String(body.headerLength),
      'x-request-id': requestId,
      'x-model-name': a.model,
      'x-model-version': a.version,
      'x-model-route': a.route,
      'x-cache': a.cache,
    },
  });
}
