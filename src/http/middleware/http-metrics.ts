import { createMiddleware } from 'hono/factory';
import { ChildCache } from '../../metrics/child-cache.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { AppEnv } from '../app-env.js';

/** Count and time every request by route template (never the raw URL), in a finally. */
export const httpMetrics = (metrics: GatewayMetrics) => {
  const children = new ChildCache((key) => {
    const [method = '', status = '', route = ''] = key.split('\u0000');
    const labels = { method, route, status };
    return { count: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
  });
  return createMiddleware<AppEnv>(async function httpMetrics(c, next) {
    const start = performance.now();
    try {
      await next();
    } finally {
      const child = children.get(`${c.req.method}\u0000${c.res.status}\u0000${c.req.routePath || 'unmatched'}`);
      child.count.inc();
      child.duration.observe((performance.now() - start) / 1000);
    }
  });
};
