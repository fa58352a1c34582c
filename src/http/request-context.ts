import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Pin, RoutingContext } from '../routing/types.js';
import type { AppEnv } from './app-env.js';
import { header, requestHeaders } from './request-headers.js';

type Params = Record<string, string | number | boolean> | undefined;

const CONTEXT_HEADER = /^x-context-([a-z0-9_-]{1,64})$/;

/**
 * The routing context of a request: x-user-id, x-session-id, x-tenant-id, x-context-<name>
 * headers, then OIP/JSON `parameters` (user_id, session_id, tenant_id, other scalars).
 */
export function routingContext(c: Context<AppEnv>, params: Params): RoutingContext {
  const ctx: RoutingContext = { properties: {} };
  const h = requestHeaders(c);
  for (const name in h) {
    if (!name.startsWith('x-context-')) continue;
    const m = CONTEXT_HEADER.exec(name);
    const value = h[name];
    if (m?.[1] && typeof value === 'string' && value.length <= 256) ctx.properties[m[1]] = value;
  }
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      if (k === 'user_id' || k === 'session_id' || k === 'tenant_id') continue;
      if (k.length <= 64) ctx.properties[k] = String(v).slice(0, 256);
    }
  }
  const pick = (name: string, param: string) => {
    const fromHeader = h[name];
    const v = (typeof fromHeader === 'string' ? fromHeader : undefined) ?? (params?.[param] !== undefined ? String(params[param]) : undefined);
    return v && v.length <= 256 ? v : undefined;
  };
  ctx.userId = pick('x-user-id', 'user_id');
  ctx.sessionId = pick('x-session-id', 'session_id');
  ctx.tenantId = pick('x-tenant-id', 'tenant_id');
  ctx.remoteAddress = remoteAddress(c);
  return ctx;
}

/** The path version, else the x-model-version header (a version or an alias). */
export function versionPin(c: Context<AppEnv>, pathVersion: string | undefined): Pin | undefined {
  if (pathVersion) return { value: pathVersion, source: 'path' };
  const pinned = header(c, 'x-model-version');
  return pinned ? { value: pinned.trim(), source: 'header' } : undefined;
}

export const noCacheRequested = (c: Context<AppEnv>): boolean =>
  /\bno-cache\b|\bno-store\b/i.test(header(c, 'cache-control') ?? '');

/** The client's address when served by @hono/node-server (absent for in-process requests). */
function remoteAddress(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
