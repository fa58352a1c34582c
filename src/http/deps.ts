import type { Hono } from 'hono';
import type { GatewayConfig } from '../config/schema.js';
import type { PredictionService } from '../core/prediction-service.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { InFlightRequests } from './middleware/in-flight.js';
import type { FlagSource } from '../routing/flag-source.js';
import type { RollbackOverrides } from '../routing/rollback-overrides.js';
import type { VersionRouter } from '../routing/version-router.js';
import type { AppEnv } from './app-env.js';
import type { Authenticate } from './middleware/auth.js';

/** What the HTTP layer talks to: the data plane and the read side of the repository. */
export interface HttpDeps {
  config: GatewayConfig;
  repository: ModelRepository;
  router: VersionRouter;
  service: PredictionService;
  metrics: GatewayMetrics;
  logger: Logger;
  /** False once shutdown began: readiness fails so load balancers stop sending. */
  isReady: () => boolean;
  /** Requests being served (graceful shutdown waits for them). */
  inFlight: InFlightRequests;
  overrides: RollbackOverrides;
  /** The flag source, once started. */
  flags: () => FlagSource | undefined;
  audit: () => AuditSink;
  /** Bearer token -> principal for the ops routes (the registry's tokens); default: the admin token alone. */
  authenticate?: Authenticate;
  /** Sub-apps mounted at /admin before the routing admin (the registry's, guarded per route by role). */
  adminRoutes?: Hono<AppEnv>[];
}
