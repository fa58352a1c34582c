import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { GatewayError, badRequest } from '../../errors/index.js';
import { assertNames } from '../../repository/names.js';
import { isVersion } from '../../contracts/names.js';
import type { ModelRegistry, RegisterInput } from '../../registry/lifecycle.js';
import { manifestForUpload } from '../../registry/graph-upload.js';
import { STAGES, type VersionRecord } from '../../registry/registry-store.js';
import { Role, type TokenStore } from '../../registry/tokens.js';
import type { GateProgress } from '../../registry/validation-gate.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type AuthEnv } from '../middleware/auth.js';
import { readMultipart, type MultipartLimits } from '../multipart-upload.js';
import { readJson } from '../read-json.js';

export interface RegistryHttpDeps {
  registry: ModelRegistry;
  audit: AuditLog;
  tokens: TokenStore;
  /** Model uploads: the streamed model part and the whole body (maxBytes), each other part (maxPartBytes). */
  uploads: MultipartLimits;
}

const PromoteBody = z.object({
  stage: z.enum(STAGES),
  reason: z.string().max(1000).optional(),
  override: z.boolean().optional(),
});
const AliasBody = z.object({ version: z.string().refine(isVersion, 'version must be semver or an integer'), reason: z.string().max(1000).optional() });
const TokenBody = z.object({ principal: z.string().min(1).max(64), role: Role });

/** A version as the API shows it (the manifest on the detail route only). */
export const versionView = (v: VersionRecord) => ({
  model: v.model,
  version: v.version,
  stage: v.stage,
  data_version: v.dataVersion,
  training_data_hash: v.trainingDataHash,
  parent_version: v.parentVersion,
  artifact_sha256: v.artifactSha256,
  artifact_bytes: v.artifactBytes,
  holdout_sha256: v.holdoutSha256,
  learner: v.manifest.lineage.learner ?? null,
  registered_by: v.registeredBy,
  registered_at: v.registeredAt,
  stage_updated_at: v.stageUpdatedAt,
});

const names = assertNames;

/**
 * The registry's admin API under /admin: versions with lineage, registration by upload
 * (multipart: manifest + model [+ holdout]), stage moves, the validation gate, aliases, tokens.
 * Thin: parse, call ModelRegistry, render; rules and roles beyond the route guard live there.
 */
export function registryRoutes(deps: RegistryHttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { registry } = deps;
  const requireRole = roleGuard((t) => deps.tokens.authenticate(t));

  app.get('/whoami', requireRole('viewer'), (c) => c.json(c.get('principal')));

  app.get('/models', requireRole('viewer'), async (c) => {
    const store = registry.store;
    const models = [];
    for (const name of await store.modelNames()) {
      const versions = await store.versions(name);
      models.push({
        name,
        production: versions.find((v) => v.stage === 'production')?.version ?? null,
        staging: versions.find((v) => v.stage === 'staging')?.version ?? null,
        aliases: Object.fromEntries((await store.aliases(name)).map((a) => [a.alias, a.version])),
        versions: versions.map((v) => ({ version: v.version, stage: v.stage, data_version: v.dataVersion })),
      });
    }
    return c.json({ models });
  });

  app.get('/models/:model/versions', requireRole('viewer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    return c.json({ model, versions: (await registry.versions(model)).map(versionView) });
  });

  app.get('/models/:model/versions/:version', requireRole('viewer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    const v = await registry.get(model, version);
    const store = registry.store;
    return c.json({
      ...versionView(v),
      aliases: (await store.aliases(model)).filter((a) => a.version === version).map((a) => a.alias),
      stage_history: await store.transitions(model, version),
      gate_results: await store.gateResults(model, version),
      manifest: v.manifest,
    });
  });

  app.get('/models/:model/versions/:version/gate', requireRole('viewer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    await registry.get(model, version);
    return c.json({ model, version, gate_results: await registry.store.gateResults(model, version) });
  });

  app.post('/models/:model/versions', requireRole('deployer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    const record = await withUpload(c, model, deps.uploads, (upload) => {
      const manifestName = (upload.manifest as { name?: unknown } | null)?.name;
      if (manifestName !== model) throw badRequest(`the manifest names model '${String(manifestName)}', not '${model}'`);
      return registry.register(c.get('principal'), upload);
    });
    return c.json(versionView(record), 201);
  });

  app.post('/models/:model/versions/:version/promote', requireRole('deployer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    const body = await readJson(c, PromoteBody);
    const result = await registry.promote(c.get('principal'), model, version, body.stage, { reason: body.reason, override: body.override });
    return c.json(result);
  });

  app.post('/models/:model/versions/:version/validate', requireRole('deployer'), async (c) => {
    const { model, version } = c.req.param();
    names(model, version);
    const principal = c.get('principal');
    if (!/application\/x-ndjson/i.test(c.req.header('accept') ?? '')) {
      return c.json(await registry.validate(principal, model, version));
    }
    // Streamed: one progress line per batch / 100 timed runs, then the result (long gates show progress).
    await registry.get(model, version);
    c.header('content-type', 'application/x-ndjson');
    return stream(c, async (s) => {
      const line = (obj: unknown) => s.write(`${JSON.stringify(obj)}\n`);
      const progress = (p: GateProgress) => void line({ progress: p });
      try {
        await line({ result: await registry.validate(principal, model, version, progress) });
      } catch (err) {
        const e = err instanceof GatewayError ? err : new GatewayError('internal', 500, 'internal error');
        await line({ error: e.message, code: e.code, status: e.status });
      }
    });
  });

  app.get('/models/:model/aliases', requireRole('viewer'), async (c) => {
    const model = c.req.param('model');
    names(model);
    await registry.versions(model);
    return c.json({ model, aliases: await registry.store.aliases(model) });
  });

  app.put('/models/:model/aliases/:alias', requireRole('deployer'), async (c) => {
    const { model, alias } = c.req.param();
    names(model);
    const body = await readJson(c, AliasBody);
    await registry.setAlias(c.get('principal'), model, alias, body.version, body.reason);
    return c.json({ model, alias, version: body.version });
  });

  app.delete('/models/:model/aliases/:alias', requireRole('deployer'), async (c) => {
    const { model, alias } = c.req.param();
    names(model);
    await registry.deleteAlias(c.get('principal'), model, alias);
    return c.body(null, 204);
  });

  app.get('/tokens', requireRole('admin'), async (c) => c.json({ tokens: await deps.tokens.list() }));

  app.post('/tokens', requireRole('admin'), async (c) => {
    const body = await readJson(c, TokenBody);
    const actor = c.get('principal');
    const created = await deps.tokens.create(body.principal, body.role, actor.name, deps.audit);
    return c.json(created, 201);
  });
  return app;
}

/**
 * multipart/form-data: `manifest` (manifest.json), `model` (model.onnx), optional `holdout` (holdout.json).
 * Without `manifest`, the manifest is read from the graph: fields `version`, optional `data_version`,
 * `description` and a `warmup` sample (registry/graph-upload.ts). The model part is streamed to a
 * temp file under the upload limit and handed on as that file (sha256 taken while streaming,
 * session made from the path, stored by copying the file); it is removed once `use` settles.
 */
async function withUpload<T>(c: Context<AppEnv & AuthEnv>, model: string, limits: MultipartLimits, use: (input: RegisterInput) => Promise<T>): Promise<T> {
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
      return await use({ manifest: await manifestForUpload(model, artifact, fields), artifact, ...(holdout ? { holdout } : {}) });
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
