import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { GatewayError } from '../errors/index.js';
import type { AppEnv } from './app-env.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { requestId } from './middleware/request-id.js';
import { oipRoutes } from './routes/oip.js';
import { repositoryRoutes } from './routes/repository.js';
import { routingAdminRoutes } from './routes/routing-admin.js';
import { v1Routes } from './routes/v1.js';

const shape = (s: AppEnv['Variables']['errorShape']) =>
  createMiddleware<AppEnv>(async function errorShape(c, next) {
    c.set('errorShape', s);
    await next();
  });

/** The gateway's HTTP surface. Routes only translate; the data plane does the work. */
export function createApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(deps.logger));
  app.notFound(notFoundHandler);
  app.use('*', requestId());
  app.use('*', httpMetrics(deps.metrics));
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.limits.maxBodyBytes,
      onError: () => {
        throw new GatewayError('payload_too_large', 413, `the request body exceeds ${deps.config.limits.maxBodyBytes} bytes`);
      },
    }),
  );

  app.use('/v2/*', shape('oip'));
  app.route('/v2/repository', repositoryRoutes(deps));
  app.route('/v2', oipRoutes(deps));
  app.use('/v1/*', shape('rich'));
  app.route('/v1', v1Routes(deps));
  app.use('/admin/*', shape('rich'));
  app.route('/admin', routingAdminRoutes(deps));

  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
