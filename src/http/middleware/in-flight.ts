import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.js';

/**
 * Counts HTTP requests between arrival and response, so that a graceful shutdown also waits for
 * requests still reading their bodies, not only for predictions already in the data plane.
 */
export class InFlightRequests {
  count = 0;

  readonly middleware = createMiddleware<AppEnv>(async (c, next) => {
    this.count++;
    try {
      await next();
    } finally {
      this.count--;
    }
  });
}
