import { Hono } from 'hono';
import type { GovernanceControl } from '../../control/governance-control.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard } from '../middleware/auth.js';
import type { StreamErrorLine } from '../middleware/error-handler.js';
import type { MultipartLimits } from '../multipart-upload.js';
import { auditRoutes } from './audit.js';
import { registryRoutes } from './registry.js';
import { traceInputsRoutes } from './trace-inputs.js';

/** The registry's admin API, the audit log and the prediction trace lookup, mounted at /admin. */
export function governanceRoutes(control: GovernanceControl, uploads: MultipartLimits, streamError: StreamErrorLine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const authenticate = (t: string) => control.tokens.authenticate(t);
  app.route('/', registryRoutes({ registry: control.registry, tokens: control.tokens, uploads, streamError }));
  const requireRole = roleGuard(authenticate);
  app.get('/status', requireRole('viewer'), async (c) => c.json(await control.status()));
  app.route('/', auditRoutes({ views: control.audit, authenticate }));
  app.route('/', traceInputsRoutes({ views: control.audit, authenticate }));
  return app;
}
