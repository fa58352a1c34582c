import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminRoles } from '../middleware/admin-auth.js';
import type { AuthEnv } from '../middleware/auth.js';
import { RepositoryLoadBody } from '../oip-schema.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './names.js';

/**
 * Triton's model repository extension, for role tokens (index: viewer; load, unload: deployer): index, load, unload. A load
 * builds and warms the new session before it serves; a failed load leaves the old one serving.
 */
export function repositoryRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = adminRoles(deps.authenticate, deps.settings.adminToken);

  app.post('/index', requireRole('viewer'), async (c) => {
    const entries = await deps.repositoryControl.index();
    return c.json(entries);
  });

  const versionOf = async (c: Context<AppEnv & AuthEnv>): Promise<string | undefined> => {
    const q = c.req.query('version');
    if (q) return q;
    const body = await readOptionalJson(c, RepositoryLoadBody);
    return body?.parameters?.version;
  };

  app.post('/models/:model/load', requireRole('deployer'), async (c) => {
    const model = c.req.param('model');
    const version = await versionOf(c);
    checkNames(model, version);
    const loaded = await deps.repositoryControl.load(model, version, c.get('principal').name);
    return c.json({ model, loaded: loaded.map((lv) => lv.version) });
  });

  app.post('/models/:model/unload', requireRole('deployer'), async (c) => {
    const model = c.req.param('model');
    const version = await versionOf(c);
    checkNames(model, version);
    const unloaded = await deps.repositoryControl.unload(model, version, c.get('principal').name);
    return c.json({ model, unloaded });
  });
  return app;
}
