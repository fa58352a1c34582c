import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { RepositoryLoadBody } from '../oip-schema.js';
import { FeedbackBatchBody, FeedbackBody } from '../routes/feedback.js';
import { RollbackBody } from '../routes/routing-admin.js';
import { Model, VersionParam, View } from './components.js';
import { operation } from './operation.js';

const Routing = View('RoutingView', "A model's routing: the flag, the stable version, any rollback, the effective split.", {
  model: z.string(),
  stable_version: z.string(),
  rollback: z.object({ since: z.string(), actor: z.string(), reason: z.string() }).nullable(),
  effective_split: z.array(z.object({ version: z.string(), percent: z.number(), via: z.string() })),
});
const FeedbackResult = z
  .object({ request_id: z.string(), status: z.enum(['accepted', 'duplicate', 'unknown', 'late', 'invalid']), model: z.string().optional(), version: z.string().optional(), message: z.string().optional() })
  .meta({ id: 'FeedbackResult' });

/** Feedback, the repository extension, routing control, who am I and the store status (the registry, audit and monitoring have files of their own). */
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
};
