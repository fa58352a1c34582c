import { createMiddleware } from 'hono/factory';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { AppEnv } from '../app-env.js';

/** Count and time every request by route template (never the raw URL), in a finally. */
export const httpMetrics = (metrics: GatewayMetrics) =>
  createMiddleware<AppEnv>(async function httpMetrics(c, next) {
    const start = performance.now();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: c.req.routePath || 'unmatched', status: String(c.res.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - start) / 1000);
    }
  });
