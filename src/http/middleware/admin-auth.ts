import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { forbidden, unauthorized } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer-token guard for ops endpoints; compared in constant time. No token configured: disabled. */
export const adminAuth = (token: string | undefined) => {
  const want = token ? digest(token) : undefined;
  return createMiddleware<AppEnv>(async function adminAuth(c, next) {
    if (!want) throw forbidden('admin endpoints are disabled: set MODELGATE_ADMIN_TOKEN to enable them');
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1]) throw unauthorized();
    if (!timingSafeEqual(digest(m[1].trim()), want)) throw forbidden('the token is not an admin token');
    await next();
  });
};
