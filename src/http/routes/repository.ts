import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminAuth } from '../middleware/admin-auth.js';
import { RepositoryLoadBody } from '../oip-schema.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './names.js';

/**
 * Triton's model repository extension, behind the admin token: index, load, unload. A load
 * builds and warms the new session before it serves; a failed load leaves the old one serving.
 */
export function repositoryRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { repository } = deps;
  app.use('*', adminAuth(deps.settings.adminToken));

  app.post('/index', async (c) => {
    const entries = await repository.index();
    return c.json(entries);
  });

  const versionOf = async (c: Context<AppEnv>): Promise<string | undefined> => {
    const q = c.req.query('version');
    if (q) return q;
    const body = await readOptionalJson(c, RepositoryLoadBody);
    return body?.parameters?.version;
  };

  app.post('/models/:model/load', async (c) => {
    const model = c.req.param('model');
    const version = await versionOf(c);
    checkNames(model, version);
    const loaded = await repository.load(model, version);
    return c.json({ model, loaded: loaded.map((lv) => lv.version) });
  });

  app.post('/models/:model/unload', async (c) => {
    const model = c.req.param('model');
    const version = await versionOf(c);
    checkNames(model, version);
    const unloaded = await repository.unload(model, version);
    return c.json({ model, unloaded });
  });
  return app;
}
