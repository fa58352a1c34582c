import type { AuthAttempts } from './middleware/auth-attempts.js';

/** The one Hono environment of the gateway: typed context variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The request's trace id, when tracing is on and the request sampled (log lines carry it). */
    traceId?: string;
    /** The failed-bearer throttle for this request's client address (admin and repository routes). */
    authAttempts?: AuthAttempts;
  };
}
