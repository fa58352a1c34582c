import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { RepositoryLoadBody } from '../oip-schema.js';
import { AuditPageQuery } from '../routes/audit.js';
import { FeedbackBatchBody, FeedbackBody } from '../routes/feedback.js';
import { AliasBody, PromoteBody, TokenBody } from '../routes/registry.js';
import { RollbackBody } from '../routes/routing-admin.js';
import { ModelParam, VersionParam } from './components.js';
import { operation } from './operation.js';

const Model = z.object({ model: ModelParam });
const ModelVersion = z.object({ model: ModelParam, version: VersionParam });
const View = (id: string, description: string, shape: z.ZodRawShape = {}) => z.object(shape).catchall(z.unknown()).meta({ id, description });

const Routing = View('RoutingView', "A model's routing: the flag, the stable version, any rollback, the effective split.", {
  model: z.string(),
  stable_version: z.string(),
  rollback: z.object({ since: z.string(), actor: z.string(), reason: z.string() }).nullable(),
  effective_split: z.array(z.object({ version: z.string(), percent: z.number(), via: z.string() })),
});
const Version = View('VersionRecord', 'A registered version with its lineage.', { model: z.string(), version: z.string(), stage: PromoteBody.shape.stage });
const Analysis = View('AnalysisView', 'Checks, verdict, actions.');
const FeedbackResult = z
  .object({ request_id: z.string(), status: z.enum(['accepted', 'duplicate', 'unknown', 'late', 'invalid']), model: z.string().optional(), version: z.string().optional(), message: z.string().optional() })
  .meta({ id: 'FeedbackResult' });

/** Feedback, the repository extension, routing control, the registry, audit, trace and monitoring. */
export const opsPaths: ZodOpenApiPathsObject = {
  '/v1/feedback': {
    post: operation({
      id: 'feedback',
      tag: 'feedback',
      summary: 'Ground truth for an answered prediction, by its request id',
      description: 'Mounted when monitoring is on.',
      body: { schema: FeedbackBody },
      ok: { 202: { description: 'Accepted.', schema: FeedbackResult } },
      errors: [400, 404, 409, 410],
    }),
  },
  '/v1/feedback/batch': {
    post: operation({
      id: 'feedbackBatch',
      tag: 'feedback',
      summary: 'Many labels; each gets its own status',
      body: { schema: FeedbackBatchBody },
      ok: { 200: { description: 'A status per item.', schema: z.object({ accepted: z.number().int(), refused: z.number().int(), results: z.array(FeedbackResult) }) } },
      errors: [400],
    }),
  },
  '/v2/repository/index': {
    post: operation({
      id: 'repositoryIndex',
      tag: 'repository',
      summary: 'Every version on disk and its state (Triton repository extension)',
      role: 'viewer',
      oip: true,
      ok: { 200: { description: 'The index.', schema: z.array(z.object({ name: z.string(), version: z.string(), state: z.string(), reason: z.string().optional() })) } },
    }),
  },
  '/v2/repository/models/{model}/load': {
    post: operation({
      id: 'repositoryLoad',
      tag: 'repository',
      summary: 'Load a version (built and warmed before it serves)',
      role: 'deployer',
      oip: true,
      path: Model,
      query: z.object({ version: VersionParam.optional() }),
      body: { schema: RepositoryLoadBody, required: false },
      ok: { 200: { description: 'Loaded.', schema: z.object({ model: z.string(), loaded: z.array(z.string()) }) } },
      errors: [404, 500, 503],
    }),
  },
  '/v2/repository/models/{model}/unload': {
    post: operation({
      id: 'repositoryUnload',
      tag: 'repository',
      summary: 'Unload a version (in-flight requests finish first)',
      role: 'deployer',
      oip: true,
      path: Model,
      query: z.object({ version: VersionParam.optional() }),
      body: { schema: RepositoryLoadBody, required: false },
      ok: { 200: { description: 'Unloaded.', schema: z.object({ model: z.string(), unloaded: z.array(z.string()) }) } },
      errors: [404, 409, 503],
    }),
  },
  '/admin/models/{model}/routing': {
    get: operation({ id: 'routing', tag: 'routing', summary: "A model's routing view", role: 'viewer', path: Model, ok: { 200: { description: 'The view.', schema: Routing } }, errors: [404] }),
  },
  '/admin/models/{model}/rollback': {
    post: operation({
      id: 'rollback',
      tag: 'routing',
      summary: 'Instant rollback: all traffic to the stable version, over every flag',
      role: 'deployer',
      path: Model,
      body: { schema: RollbackBody, required: false },
      ok: { 200: { description: 'The routing view after it.', schema: Routing } },
      errors: [404, 503],
    }),
    delete: operation({
      id: 'clearRollback',
      tag: 'routing',
      summary: 'Release the rollback: flags route again',
      role: 'deployer',
      path: Model,
      ok: { 200: { description: 'The routing view after it.', schema: Routing } },
      errors: [404, 503],
    }),
  },
  '/admin/whoami': {
    get: operation({ id: 'whoami', tag: 'registry', summary: "The token's principal", role: 'viewer', ok: { 200: { description: 'Name and role.', schema: z.object({ name: z.string(), role: z.string() }) } } }),
  },
  '/admin/status': {
    get: operation({ id: 'registryStatus', tag: 'registry', summary: "The registry's status", role: 'viewer', ok: { 200: { description: 'Status.', schema: View('RegistryStatus', 'Store, sync and trace state.') } } }),
  },
  '/admin/models': {
    get: operation({ id: 'registryModels', tag: 'registry', summary: 'Registered models: stages, aliases, versions', role: 'viewer', ok: { 200: { description: 'The models.', schema: z.object({ models: z.array(View('RegistryModel', 'A registered model.', { name: z.string() })) }) } } }),
  },
  '/admin/models/{model}/versions': {
    get: operation({ id: 'registryVersions', tag: 'registry', summary: "A model's versions with lineage", role: 'viewer', path: Model, ok: { 200: { description: 'The versions.', schema: z.object({ model: z.string(), versions: z.array(Version) }) } }, errors: [404] }),
    post: operation({
      id: 'registerVersion',
      tag: 'registry',
      summary: 'Register a version by upload',
      description: 'multipart/form-data: manifest (manifest.json), model (model.onnx), optional holdout; or, without manifest, version (+ data_version, description, warmup) to read it from the graph.',
      role: 'deployer',
      path: Model,
      body: {
        content: {
          'multipart/form-data': {
            schema: z.object({ manifest: z.string().optional(), model: z.string().meta({ format: 'binary' }), holdout: z.string().optional(), version: z.string().optional(), data_version: z.string().optional(), description: z.string().optional(), warmup: z.string().optional() }),
          },
        },
      },
      ok: { 201: { description: 'Registered.', schema: Version } },
      errors: [400, 409, 413, 415, 503],
    }),
  },
  '/admin/models/{model}/versions/{version}': {
    get: operation({ id: 'registryVersion', tag: 'registry', summary: 'A version: lineage, aliases, stage history, gate results, manifest', role: 'viewer', path: ModelVersion, ok: { 200: { description: 'The version.', schema: Version } }, errors: [404] }),
  },
  '/admin/models/{model}/versions/{version}/gate': {
    get: operation({ id: 'gateResults', tag: 'registry', summary: "A version's validation gate results", role: 'viewer', path: ModelVersion, ok: { 200: { description: 'Gate results.', schema: View('GateResults', 'Each gate run.') } }, errors: [404] }),
  },
  '/admin/models/{model}/versions/{version}/promote': {
    post: operation({
      id: 'promote',
      tag: 'registry',
      summary: 'Move a version to a stage (production: approver, through the gate)',
      role: 'deployer',
      path: ModelVersion,
      body: { schema: PromoteBody },
      ok: { 200: { description: 'The move.', schema: View('Promotion', 'The version after the move.') } },
      errors: [404, 409, 412, 503],
    }),
  },
  '/admin/models/{model}/versions/{version}/validate': {
    post: operation({
      id: 'validate',
      tag: 'registry',
      summary: 'Run the validation gate (Accept: application/x-ndjson streams progress)',
      role: 'deployer',
      path: ModelVersion,
      ok: {
        200: {
          description: 'The gate result; or NDJSON progress lines and a final {result} or {error, code, status}.',
          content: { 'application/json': { schema: View('GateResult', 'Passed or not, with each check.') }, 'application/x-ndjson': { schema: z.string() } },
        },
      },
      errors: [404, 500, 503],
    }),
  },
  '/admin/models/{model}/aliases': {
    get: operation({ id: 'aliases', tag: 'registry', summary: "A model's aliases", role: 'viewer', path: Model, ok: { 200: { description: 'Aliases.', schema: z.object({ model: z.string(), aliases: z.array(z.object({ alias: z.string(), version: z.string() }).catchall(z.unknown())) }) } }, errors: [404] }),
  },
  '/admin/models/{model}/aliases/{alias}': {
    put: operation({
      id: 'setAlias',
      tag: 'registry',
      summary: 'Point an alias at a version',
      role: 'deployer',
      path: Model.extend({ alias: z.string() }),
      body: { schema: AliasBody },
      ok: { 200: { description: 'Set.', schema: z.object({ model: z.string(), alias: z.string(), version: z.string() }) } },
      errors: [404, 503],
    }),
    delete: operation({ id: 'deleteAlias', tag: 'registry', summary: 'Delete an alias', role: 'deployer', path: Model.extend({ alias: z.string() }), ok: { 204: { description: 'Deleted.' } }, errors: [404, 503] }),
  },
  '/admin/tokens': {
    get: operation({ id: 'tokens', tag: 'registry', summary: 'Role tokens (never their secrets)', role: 'admin', ok: { 200: { description: 'Tokens.', schema: z.object({ tokens: z.array(View('TokenInfo', 'A principal and its role.', { principal: z.string(), role: z.string() })) }) } } }),
    post: operation({ id: 'createToken', tag: 'registry', summary: 'Create a role token (shown once)', role: 'admin', body: { schema: TokenBody }, ok: { 201: { description: 'Created.', schema: View('CreatedToken', 'The principal, its role and its token.', { token: z.string() }) } }, errors: [400, 409, 503] }),
  },
  '/admin/audit': {
    get: operation({
      id: 'auditPage',
      tag: 'audit',
      summary: 'The audit log, paged',
      role: 'viewer',
      query: AuditPageQuery,
      ok: { 200: { description: 'A page.', schema: z.object({ records: z.array(View('AuditRecord', 'One hash-chained record.', { seq: z.number().int(), action: z.string() })), next: z.number().int().nullable() }) } },
      errors: [400],
    }),
  },
  '/admin/audit/verify': {
    get: operation({ id: 'auditVerify', tag: 'audit', summary: "Walk the audit log's hash chain", role: 'viewer', ok: { 200: { description: 'The outcome.', schema: View('AuditVerify', 'ok, and where the chain breaks if it does.', { ok: z.boolean() }) } } }),
  },
  '/admin/predictions/{requestId}': {
    get: operation({
      id: 'tracedPrediction',
      tag: 'audit',
      summary: 'A traced prediction by request id, explained',
      role: 'viewer',
      path: z.object({ requestId: z.string() }),
      ok: { 200: { description: 'The latest record (and earlier ones with the same id).', schema: View('TracedPrediction', 'Inputs digest, version, route and lineage.') } },
      errors: [404],
    }),
  },
  '/admin/models/{model}/versions/{version}/drift': {
    get: operation({ id: 'drift', tag: 'monitoring', summary: "A version's feature drift (PSI)", role: 'viewer', path: ModelVersion, ok: { 200: { description: 'Drift report.', schema: View('DriftReport', 'PSI per feature.') } }, errors: [404] }),
  },
  '/admin/models/{model}/versions/{version}/quality': {
    get: operation({ id: 'quality', tag: 'monitoring', summary: "A version's live quality from feedback", role: 'viewer', path: ModelVersion, ok: { 200: { description: 'Quality view.', schema: View('QualityView', 'Metrics over labelled predictions.') } }, errors: [404] }),
  },
  '/admin/models/{model}/analysis': {
    get: operation({ id: 'analysis', tag: 'monitoring', summary: "A model's canary analysis", role: 'viewer', path: Model, ok: { 200: { description: 'Analysis view.', schema: Analysis } }, errors: [404] }),
  },
  '/admin/models/{model}/analysis/start': {
    post: operation({ id: 'startAnalysis', tag: 'monitoring', summary: 'Start a canary analysis now', role: 'deployer', path: Model, ok: { 200: { description: 'Analysis view.', schema: Analysis } }, errors: [404, 409] }),
  },
};
