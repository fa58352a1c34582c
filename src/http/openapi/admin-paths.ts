import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { BatchingBody } from '../routes/batching-admin.js';
import { TraceInputsQuery } from '../routes/trace-inputs.js';
import { ModelParam } from './components.js';
import { operation } from './operation.js';

const Batching = z
  .object({
    model: z.string(),
    enabled: z.boolean(),
    maxBatchSize: z.number().int(),
    maxQueueDelayMicros: z.number().int(),
    source: z.enum(['config', 'runtime']),
    versions: z.array(z.object({ version: z.string(), batchable: z.boolean(), reason: z.string().optional() })),
  })
  .meta({ id: 'BatchingView', description: "A model's dynamic batching setting and whether each loaded version can be batched." });

/** The operator routes the CLI and `modelgate perf` use: batching at run time, captured inputs, replicas, token revocation. */
export const adminPaths: ZodOpenApiPathsObject = {
  '/admin/models/{model}/batching': {
    get: operation({ id: 'batching', tag: 'routing', summary: "A model's dynamic batching setting", role: 'viewer', path: z.object({ model: ModelParam }), ok: { 200: { description: 'The setting.', schema: Batching } }, errors: [404] }),
    put: operation({
      id: 'setBatching',
      tag: 'routing',
      summary: 'Change dynamic batching at run time (audited first; queued requests are kept; not kept over a restart)',
      role: 'deployer',
      path: z.object({ model: ModelParam }),
      body: { schema: BatchingBody },
      ok: { 200: { description: 'The new setting.', schema: Batching } },
      errors: [404, 503],
    }),
  },
  '/admin/predictions': {
    get: operation({
      id: 'capturedInputs',
      tag: 'audit',
      summary: "The last recorded inputs of a model's predictions (trace.captureInputs on), newest first",
      role: 'viewer',
      query: TraceInputsQuery,
      ok: { 200: { description: 'Trace records with their inputs.', schema: z.object({ model: z.string(), predictions: z.array(z.record(z.string(), z.unknown())) }) } },
      errors: [400, 409],
    }),
  },
  '/admin/replicas': {
    get: operation({
      id: 'replicas',
      tag: 'registry',
      summary: 'The gateway processes the shared registry sees (PostgreSQL; null count on SQLite)',
      role: 'viewer',
      ok: { 200: { description: 'Replicas.', schema: z.object({ store: z.string(), count: z.number().int().nullable(), replicas: z.array(z.record(z.string(), z.unknown())) }) } },
      errors: [503],
    }),
  },
  '/admin/tokens/{principal}': {
    delete: operation({
      id: 'revokeToken',
      tag: 'registry',
      summary: "Revoke a principal's tokens (audited with the caller)",
      role: 'admin',
      path: z.object({ principal: z.string() }),
      ok: { 200: { description: 'Revoked.', schema: z.object({ principal: z.string(), revoked: z.literal(true) }) } },
      errors: [404, 503],
    }),
  },
};
