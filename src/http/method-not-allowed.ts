import type { Hono } from 'hono';
import type { AppEnv } from './app-env.js';

/** One route of the app as a matcher: the path template compiled once, and its methods. */
interface RouteMethods {
  pattern: RegExp;
  methods: Set<string>;
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/v2/models/:model/versions/:version/infer` -> a regex; `*` matches the rest. */
function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : escape(seg)))
    .join('/');
  // Exact, as Hono's router is: '/console/' is not '/console'.
  return new RegExp(`^${source}$`);
}

/**
 * The methods a path supports, for a 405 with `Allow` instead of a 404 when only the method is
 * wrong. Built from the app's route table on first use (only unmatched requests pay for it);
 * middleware (method ALL) does not count as a route.
 */
export function allowedMethods(app: Hono<AppEnv>): (path: string) => string[] {
  let routes: RouteMethods[] | undefined;
  const build = (): RouteMethods[] => {
    const byPath = new Map<string, Set<string>>();
    for (const r of app.routes) {
      if (r.method === 'ALL') continue;
      const methods = byPath.get(r.path) ?? new Set<string>();
      methods.add(r.method);
      if (r.method === 'GET') methods.add('HEAD');
      byPath.set(r.path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: compile(path), methods }));
  };
  return (path) => {
    routes ??= build();
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m);
    return [...allowed].sort();
  };
}
