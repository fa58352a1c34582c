import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';

/** The friendly JSON API's read side (predict: routes/predict.ts). */
export function v1Routes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/models', (c) => c.json({ models: deps.catalog.models() }));
  return app;
}
