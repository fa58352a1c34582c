import type { Hono } from 'hono';
import type { TrustedProxies } from '../config/schema.js';
import type { ModelCatalog } from '../core/catalog.js';
import type { PredictionService } from '../core/prediction-service.js';
import type { RoutingControl } from '../control/routing-control.js';
import type { RepositoryControl } from '../control/repository-control.js';
import type { BatchingControl } from '../control/batching-control.js';
import type { Logger, OutcomeLog } from '../contracts/logging.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { GovernanceControl } from '../control/governance-control.js';
import type { MonitoringViews } from '../control/monitoring-views.js';
import type { AppEnv } from './app-env.js';
import type { RequestServing } from './middleware/serving.js';
import type { Authenticate } from './middleware/auth.js';
import type { AuthThrottleSettings } from './auth-throttle.js';
import type { RequestTracer } from '../contracts/tracing.js';

/** The HTTP layer's own settings. */
/** Binary tensor bodies (OIP's binary extension): an image batch, not a JSON document. */
export const DEFAULT_MAX_BINARY_BODY_BYTES = 64 * 1024 * 1024;

export interface HttpSettings {
  maxBodyBytes: number;
  /** Limit of binary tensor request bodies; default 64 MiB. */
  maxBinaryBodyBytes?: number;
  /** Model uploads (POST /admin/models/{m}/versions), streamed to disk. */
  maxUploadBytes?: number;
  /** Bearer token for /v2/repository and the routing admin; unset disables them. */
  adminToken: string | undefined;
  /** Proxies whose forwarding headers give the client address (stickiness fallback); default 0: none. */
  trustedProxies?: TrustedProxies;
  /** Failed-bearer throttling per client address (default AUTH_THROTTLE_DEFAULTS). */
  authThrottle?: AuthThrottleSettings;
}

/** What the HTTP layer talks to: the data plane (predict, catalog, routing control) and the repository's lifecycle. */
export interface HttpDeps {
  settings: HttpSettings;
  service: PredictionService;
  catalog: ModelCatalog;
  routing: RoutingControl;
  /** Repository load/unload as operators make them: audited with their principal before they act. */
  repositoryControl: RepositoryControl;
  /** Dynamic batching at run time (GET/PUT /admin/models/{m}/batching); absent: not mounted. */
  batching?: BatchingControl;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Expected outcomes (4xx, shed 503): counted, rate-limited, never logged as errors. */
  outcomes: OutcomeLog;
  /** The registry, audit log and trace, when the registry is on: their admin routes are mounted at /admin. */
  governance?: GovernanceControl;
  /** Bearer token -> principal for the ops routes (the registry's tokens); default: the admin token alone. */
  authenticate?: Authenticate;
  /** Ground-truth feedback (/v1/feedback), drift, live quality and canary analysis (/admin). */
  monitoring?: MonitoringViews;
  /** Request spans (OpenTelemetry), when tracing is on; undefined: no tracing work at all. */
  tracer?: RequestTracer;
}

/** Handles the composition root keeps: the app and the serving bookkeeping (in-flight count). */
export interface HttpApp {
  app: Hono<AppEnv>;
  serving: RequestServing;
}
