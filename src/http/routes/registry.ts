import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { assertNames, isVersion } from '../../contracts/names.js';
import { Role } from '../../contracts/roles.js';
import { STAGES } from '../../contracts/stages.js';
import type { RegistryAdmin, VersionUpload } from '../../control/registry-admin.js';
import type { TokenAdmin } from '../../control/token-admin.js';
import { GatewayError, badRequest } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type AuthEnv } from '../middleware/auth.js';
import type { StreamErrorLine } from '../middleware/error-handler.js';
import { readMultipart, type MultipartLimits } from '../multipart-upload.js';
import { readJson } from '../read-json.js';

export interface RegistryHttpDeps {
  registry: RegistryAdmin;
  tokens: TokenAdmin;
  /** Model uploads: the streamed model part and the whole body (maxBytes), each other part (maxPartBytes). */
  uploads: MultipartLimits;
  /** The app's error renderer for an error met once a stream has started. */
  streamError: StreamErrorLine;
}

export const PromoteBody = z.object({
  stage: z.enum(STAGES),
  reason: z.string().max(1000).optional(),
  override: z.boolean().optional(),
});
export const AliasBody = z.object({ version: z.string().refine(isVersion, 'version must be semver or an integer'), reason: z.string().max(1000).optional() });
export const TokenBody = z.object({ principal: z.string().min(1).max(64), role: Role });

const names = assertNames;

/**
 * The registry's admin API under /admin: versions with lineage, registration by upload
 * (multipart: manifest + model [+ holdout]), stage moves, the validation gate, aliases, tokens.
 * Parse, call the control plane (RegistryAdmin, TokenAdmin), render.
 */
export function registryRoutes(deps: RegistryHttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { registry } = deps;
  const requireRole = roleGuard((t) => deps.tokens.authenticate(t));

  app.get('/whoami', requireRole('viewer'), (c) => c.json(c.get('principal')));
  app.get('/models', requireRole('viewer'), async (c) => c.json(await registry.models()));

  app.get('/models/:model/versions', requireRole('viewer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    return c.json(await registry.versions(model));
  });

  app.get('/models/:model/versions/:version', requireRole('viewer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    return c.json(await registry.version(model, version));
  });

  app.get('/models/:model/versions/:version/gate', requireRole('viewer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    return c.json(await registry.gate(model, version));
  });

  app.post('/models/:model/versions', requireRole('deployer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    const view = await withUpload(c, deps.uploads, (upload) => registry.register(c.get('principal'), model, upload));
    return c.json(view, 201);
  });

  app.post('/models/:model/versions/:version/promote', requireRole('deployer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    const body = await readJson(c, PromoteBody);
    return c.json(await registry.promote(c.get('principal'), model, version, body.stage, { reason: body.reason, override: body.override }));
  });

  app.post('/models/:model/versions/:version/validate', requireRole('deployer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    const principal = c.get('principal');
    if (!/application\/x-ndjson/i.test(c.req.header('accept') ?? '')) {
      return c.json(await registry.validate(principal, model, version));
    }
    // Streamed: one progress line per batch / 100 timed runs, then the result (long gates show progress).
    await registry.exists(model, version);
    c.header('content-type', 'application/x-ndjson');
    return stream(c, async (s) => {
      const line = (obj: unknown) => s.write(`${JSON.stringify(obj)}\n`);
      try {
        await line({ result: await registry.validate(principal, model, version, (p) => void line({ progress: p })) });
      } catch (err) {
        await line(deps.streamError(err, c.get('requestId')));
      }
    });
  });

  mountAliasAndTokenRoutes(app, deps, requireRole);
  return app;
}

type RoleGuard = ReturnType<typeof roleGuard>;

/** Aliases (viewer reads, deployer changes) and role tokens (admin). */
function mountAliasAndTokenRoutes(app: Hono<AppEnv>, deps: RegistryHttpDeps, requireRole: RoleGuard): void {
  const { registry } = deps;
  app.get('/models/:model/aliases', requireRole('viewer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    return c.json(await registry.aliases(model));
  });

  app.put('/models/:model/aliases/:alias', requireRole('deployer'), async (c) => {
    const { model, alias } = c.req.param();
    names(model);
    const body = await readJson(c, AliasBody);
    return c.json(await registry.setAlias(c.get('principal'), model, alias, body.version, body.reason));
  });

  app.delete('/models/:model/aliases/:alias', requireRole('deployer'), async (c) => {
    const { model, alias } = c.req.param();
    names(model);
    await registry.deleteAlias(c.get('principal'), model, alias);
    return c.body(null, 204);
  });

  app.get('/tokens', requireRole('admin'), async (c) => c.json({ tokens: await deps.tokens.list(c.get('principal')) }));

  app.post('/tokens', requireRole('admin'), async (c) => {
    const body = await readJson(c, TokenBody);
    return c.json(await deps.tokens.create(c.get('principal'), body.principal, body.role), 201);
  });
}

/**
 * multipart/form-data: `manifest` (manifest.json), `model` (model.onnx), optional `holdout` (holdout.json).
 * Without `manifest`, the manifest is read from the graph: fields `version`, optional `data_version`,
 * `description` and a `warmup` sample (registry/graph-upload.ts). The model part is streamed to a
 * temp file under the upload limit and handed on as that file (sha256 taken while streaming,
 * session made from the path, stored by copying the file); it is removed once `use` settles.
 */
async function withUpload<T>(c: Context<AppEnv & AuthEnv>, limits: MultipartLimits, use: (upload: VersionUpload) => Promise<T>): Promise<T> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new GatewayError(
      'unsupported_media_type',
      415,
      'upload a version as multipart/form-data with parts manifest (manifest.json), model (model.onnx) and optionally holdout (holdout.json)',
    );
  }
  const upload = await readMultipart(c.req.raw.body, type, 'model', limits);
  try {
    // A model sent as a plain field (no filename) was held in memory under the JSON limit.
    const field = upload.parts.get('model');
    if (!upload.file && !field) throw badRequest("the upload has no 'model' part");
    const artifact = upload.file ?? (field as Uint8Array);
    const part = (name: string) => upload.parts.get(name);
    const text = (name: string) => ((v) => (v ? Buffer.from(v).toString('utf8') : undefined))(part(name));
    const holdout = part('holdout');
    const manifestBytes = part('manifest');
    if (!manifestBytes) {
      const fields = { version: text('version'), dataVersion: text('data_version'), description: text('description'), warmup: part('warmup') };
      return await use({ fields, artifact, ...(holdout ? { holdout } : {}) });
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
    } catch (err) {
      throw badRequest(`manifest is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
    }
    return await use({ manifest, artifact, ...(holdout ? { holdout } : {}) });
  } finally {
    await upload.dispose();
  }
}
