import type { Parameters, RoutingContext } from '../contracts/prediction.js';

const ROUTING_KEYS = new Set(['user_id', 'session_id', 'tenant_id']);

/**
 * The routing context of a request once its body is parsed: the body's `parameters` add
 * properties (they win over x-context-* headers) and fill user, session and tenant where the
 * headers gave none. Without parameters the headers' context is used as is (no copy).
 */
export function withParameters(ctx: RoutingContext, params: Parameters | undefined): RoutingContext {
  if (!params) return ctx;
  const out: RoutingContext = { ...ctx, properties: { ...ctx.properties } };
  for (const k in params) {
    const v = params[k];
    if (ROUTING_KEYS.has(k) || k.length > 64 || v === undefined) continue;
    out.properties[k] = String(v).slice(0, 256);
  }
  const pick = (have: string | undefined, key: string) => {
    if (have !== undefined) return have;
    const v = params[key];
    const s = v === undefined ? undefined : String(v);
    return s && s.length <= 256 ? s : undefined;
  };
  out.userId = pick(ctx.userId, 'user_id');
  out.sessionId = pick(ctx.sessionId, 'session_id');
  out.tenantId = pick(ctx.tenantId, 'tenant_id');
  return out;
}
