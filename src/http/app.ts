import { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import type { HttpApp, HttpDeps } from './deps.js';
import { errorRenderers, notFoundHandler } from './middleware/error-handler.js';
import { RequestServing } from './middleware/serving.js';
import { authAttempts } from './middleware/auth-attempts.js';
import { AUTH_THROTTLE_DEFAULTS, AuthThrottle } from './auth-throttle.js';
import { clientAddressResolver } from '../core/client-address.js';
import { feedbackRoutes } from './routes/feedback.js';
import { governanceRoutes } from './routes/governance.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { consoleRoutes } from './routes/console.js';
import { docsRoutes } from './openapi/docs-routes.js';
import { allowedMethods } from './method-not-allowed.js';
import { oipRoutes } from './routes/oip.js';
import { mountPredictionRoutes } from './routes/predict.js';
import { tracingMiddleware } from './tracing.js';
import { repositoryRoutes } from './routes/repository.js';
import { routingAdminRoutes } from './routes/routing-admin.js';
import { batchingAdminRoutes } from './routes/batching-admin.js';
import { v1Routes } from './routes/v1.js';
import { replicasRoutes } from './routes/replicas.js';
import { tokenRevokeRoutes } from './routes/token-revoke.js';

/**
 * The gateway's HTTP surface. Routes only translate; the data plane does the work.
 *
 * Two Hono apps: the front holds the prediction routes alone, so Hono calls a prediction
 * handler directly (a `use('*')` middleware joins every route that matches it, whenever either
 * was registered, and two handlers mean a composed chain); anything else falls through to the
 * full app, which also holds the prediction routes, so its 404/405 answers know every route.
 */
export function createApp(deps: HttpDeps): HttpApp {
  const app = new Hono<AppEnv>();
  const { onError, streamLine } = errorRenderers(deps.logger, deps.outcomes);
  app.onError(onError);
  app.notFound(notFoundHandler(allowedMethods(app)));
  const { maxBodyBytes, maxUploadBytes = maxBodyBytes } = deps.settings;
  const serving = new RequestServing(deps.metrics, maxBodyBytes, onError, maxUploadBytes);

  // The prediction routes do the middleware's bookkeeping themselves.
  const front = new Hono<AppEnv>();
  front.onError(onError);
  front.notFound((c) => app.fetch(c.req.raw, c.env));
  mountPredictionRoutes([front, app], deps, serving);
  app.use('*', serving.middleware);
  if (deps.tracer) app.use('*', tracingMiddleware(deps.tracer));
  const throttle = new AuthThrottle(deps.settings.authThrottle ?? AUTH_THROTTLE_DEFAULTS, deps.logger);
  const attempts = authAttempts(throttle, clientAddressResolver(deps.settings.trustedProxies ?? 0), deps.metrics.authFailures);
  app.use('/admin/*', attempts);
  app.use('/v2/repository/*', attempts);

  app.route('/v2/repository', repositoryRoutes(deps));
  app.route('/v2', oipRoutes(deps));
  app.route('/v1', v1Routes(deps));
  if (deps.monitoring) app.route('/v1', feedbackRoutes(deps.monitoring.feedback));
  app.route('/console', consoleRoutes());
  // The document lists the routes this app mounted, read when it is first asked for.
  app.route('/', docsRoutes(() => app.routes));
  // Every ops route names its own minimum role (one token model); no sub-app guards '*'.
  const gov = deps.governance;
  if (gov) {
    app.route('/admin', governanceRoutes(gov, { maxBytes: maxUploadBytes, maxPartBytes: maxBodyBytes }, streamLine));
    app.route('/admin', replicasRoutes(() => gov.replicas(), deps.authenticate, deps.settings.adminToken));
    app.route('/admin', tokenRevokeRoutes((p, actor) => gov.tokens.revoke(actor, p), deps.authenticate, deps.settings.adminToken));
  }
  // Per-route admin guards, mounted before the routing admin's '*' guard for the same reason.
  if (deps.monitoring) app.route('/admin', monitoringRoutes(deps.monitoring, deps.authenticate, deps.settings.adminToken));
  if (deps.batching) app.route('/admin', batchingAdminRoutes(deps, deps.batching));
  app.route('/admin', routingAdminRoutes(deps));

  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.exposition());
  });
  return { app: front, serving };
}
