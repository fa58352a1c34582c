import { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { maxBody } from './middleware/max-body.js';
import { requestId } from './middleware/request-id.js';
import { allowedMethods } from './method-not-allowed.js';
import { oipRoutes } from './routes/oip.js';
import { repositoryRoutes } from './routes/repository.js';
import { routingAdminRoutes } from './routes/routing-admin.js';
import { v1Routes } from './routes/v1.js';

/** The gateway's HTTP surface. Routes only translate; the data plane does the work. */
export function createApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(deps.logger));
  app.notFound(notFoundHandler(allowedMethods(app)));
  app.use('*', deps.inFlight.middleware);
  app.use('*', requestId());
  app.use('*', httpMetrics(deps.metrics));
  app.use('*', maxBody(deps.config.limits.maxBodyBytes));

  app.route('/v2/repository', repositoryRoutes(deps));
  app.route('/v2', oipRoutes(deps));
  app.route('/v1', v1Routes(deps));
  // Every ops route names its own minimum role (one token model); no sub-app guards '*'.
  for (const routes of deps.adminRoutes ?? []) app.route('/admin', routes);
  app.route('/admin', routingAdminRoutes(deps));

  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
