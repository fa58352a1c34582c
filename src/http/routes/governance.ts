import { Hono } from 'hono';
import type { Governance } from '../../registry/governance.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard } from '../middleware/auth.js';
import type { MultipartLimits } from '../multipart-upload.js';
import { auditRoutes } from './audit.js';
import { registryRoutes } from './registry.js';
import { traceInputsRoutes } from './trace-inputs.js';

/** The registry's admin API, the audit log and the prediction trace lookup, mounted at /admin. */
export function governanceRoutes(gov: Governance, uploads: MultipartLimits): Hono<AppEnv> {
  const { registry, audit, tokens, store } = gov.handle;
  const app = new Hono<AppEnv>();
  app.route('/', registryRoutes({ registry, audit, tokens, uploads }));
  const requireRole = roleGuard((t) => tokens.authenticate(t));
  app.get('/status', requireRole('viewer'), async (c) => c.json({ registry: await gov.status() }));
  app.route('/', auditRoutes({ audit, verify: () => gov.verifyAudit(), traces: gov.trace?.log, store, authenticate: (t) => tokens.authenticate(t) }));
  app.route('/', traceInputsRoutes({ traces: gov.trace?.log, capturing: gov.trace?.capturing ?? false, authenticate: (t) => tokens.authenticate(t) }));
  return app;
}
