import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { Pin, RoutingContext } from '../contracts/prediction.js';
import { GatewayError } from '../errors/index.js';
import type { AppEnv } from './app-env.js';
import type { ClientAddress } from '../core/client-address.js';
import { header, requestHeaders } from './request-headers.js';

const CONTEXT_HEADER = /^x-context-([a-z0-9_-]{1,64})$/;
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

const bounded = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);

/**
 * The routing context a request's headers give: x-user-id, x-session-id, x-tenant-id,
 * x-context-<name> properties and the client address (forwarded through trusted proxies only). The body's `parameters` are added by the
 * data plane once it has the body (routing/request-context.ts).
 */
export function headerContext(c: Context<AppEnv>, clientAddress: ClientAddress): RoutingContext {
  const h = requestHeaders(c);
  const properties: Record<string, string> = {};
  for (const name in h) {
    if (!name.startsWith('x-context-')) continue;
    const m = CONTEXT_HEADER.exec(name);
    const value = bounded(h[name]);
    if (m?.[1] && value !== undefined) properties[m[1]] = value;
  }
  return {
    userId: bounded(h['x-user-id']),
    sessionId: bounded(h['x-session-id']),
    tenantId: bounded(h['x-tenant-id']),
    remoteAddress: clientAddress((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress, h),
    properties,
  };
}

/** The path version, else the x-model-version header (a version or an alias). */
export function versionPin(c: Context<AppEnv>, pathVersion: string | undefined): Pin | undefined {
  if (pathVersion) return { value: pathVersion, source: 'path' };
  const pinned = header(c, 'x-model-version');
  return pinned ? { value: pinned.trim(), source: 'header' } : undefined;
}

export const noCacheRequested = (c: Context<AppEnv>): boolean => {
  const v = header(c, 'cache-control');
  return v !== undefined && /\bno-cache\b|\bno-store\b/i.test(v);
};

/** 415 unless the body is declared JSON (or not declared at all). */
export function checkJsonContentType(c: Context): void {
  const type = header(c, 'content-type');
  if (type && !JSON_TYPE.test(type)) {
    throw new GatewayError('unsupported_media_type', 415, `content-type must be application/json, got '${type.slice(0, 100)}'`);
  }
}
