import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { AuditPageQuery } from '../routes/audit.js';
import { Model, ModelVersion, View } from './components.js';
import { operation } from './operation.js';

const Analysis = View('AnalysisView', 'Checks, verdict, actions.');

/** The audit log, the prediction trace, drift and live quality, the canary analysis. */
export const auditPaths: ZodOpenApiPathsObject = {
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
