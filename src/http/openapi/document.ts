import { z } from 'zod';
import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { InferenceHeader } from '../oip-schema.js';
import { securitySchemes } from './components.js';
import { adminPaths } from './admin-paths.js';
import { operation } from './operation.js';
import { opsPaths } from './ops-paths.js';
import { registryPaths } from './registry-paths.js';
import { auditPaths } from './audit-paths.js';
import { predictionPaths } from './prediction-paths.js';

const Page = (id: string, summary: string, type: string, path?: z.ZodObject) =>
  operation({ id, tag: 'pages', summary, ...(path ? { path } : {}), ok: { 200: { description: summary, content: { [type]: { schema: z.string() } } } }, errors: [404] });

const pagePaths: ZodOpenApiPathsObject = {
  '/openapi.json': { get: operation({ id: 'openapi', tag: 'pages', summary: 'This document (OpenAPI 3.1)', ok: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } } }) },
  '/docs': { get: Page('docs', 'The API reference page (Swagger UI, served from this origin)', 'text/html') },
  '/docs/{file}': { get: Page('docsAsset', "The reference page's script and styles", 'text/javascript', z.object({ file: z.string() })) },
  '/console': { get: Page('console', 'The ops console (it signs in with a role token)', 'text/html') },
  '/console/{file}': { get: Page('consoleAsset', "The console's bundled script and styles", 'text/javascript', z.object({ file: z.string() })) },
  '/metrics': { get: Page('metrics', 'Prometheus metrics (text exposition format)', 'text/plain') },
};

/** Selects the operations of the routes an app really has (method in upper case, OpenAPI path). */
export type RoutePresent = (method: string, path: string) => boolean;

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod schemas the routes validate
 * with. `present` keeps only the routes a given app mounted (feedback, the registry and
 * monitoring are optional); without it, every route the gateway can serve.
 */
export function openApiDocument(opts: { version?: string; serverUrl?: string; present?: RoutePresent } = {}): Record<string, unknown> {
  let paths: ZodOpenApiPathsObject = { ...predictionPaths, ...opsPaths, ...registryPaths, ...auditPaths, ...adminPaths, ...pagePaths };
  if (opts.present) {
    const present = opts.present;
    paths = Object.fromEntries(
      Object.entries(paths)
        .map(([path, item]) => [path, Object.fromEntries(Object.entries(item).filter(([method]) => present(method.toUpperCase(), path)))] as const)
        .filter(([, item]) => Object.keys(item).length > 0),
    );
  }
  const doc = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'modelgate',
      version: opts.version ?? '0.1.0',
      description:
        'Inference gateway for versioned ONNX models. Predictions are stamped (x-model-name, x-model-version, x-model-route, x-cache, x-request-id); a shed request gets 503 with Retry-After. Errors have one shape: {error, code, request_id} (under /v2, OIP\'s {error}).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    tags: [
      { name: 'prediction', description: "modelgate's JSON API: named features in, predictions out" },
      { name: 'inference', description: 'Open Inference Protocol V2 (KServe/Triton REST), JSON and binary tensors' },
      { name: 'health' },
      { name: 'feedback', description: 'Ground truth for answered predictions' },
      { name: 'repository', description: "Triton's model repository extension" },
      { name: 'routing', description: 'Routing view and instant rollback' },
      { name: 'registry', description: 'Versions, stages, the gate, aliases, tokens' },
      { name: 'audit', description: 'Audit log and prediction trace' },
      { name: 'monitoring', description: 'Drift, live quality, canary analysis' },
      { name: 'pages', description: 'Docs, console, metrics, this document' },
    ],
    components: { securitySchemes, schemas: { InferenceHeader: InferenceHeader.meta({ description: 'The JSON header of a binary tensor request.' }) } },
    paths,
  });
  return doc as unknown as Record<string, unknown>;
}
