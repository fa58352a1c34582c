import type { LoadedVersion } from '../repository/loaded-version.js';

/** Who is asking, as far as routing cares. Comes from headers and OIP `parameters`. */
export interface RoutingContext {
  userId?: string;
  sessionId?: string;
  tenantId?: string;
  remoteAddress?: string;
  /** Other string properties flag constraints may test (region, appVersion, ...). */
  properties: Record<string, string>;
}

/** An explicit version choice: a semver or an alias, from the path or the x-model-version header. */
export interface Pin {
  value: string;
  source: 'path' | 'header';
}

/** Which version answers and why: `pinned`, `flag:<variant>` or `fallback:<reason>`. */
export interface RouteDecision {
  version: LoadedVersion;
  route: string;
  /** Bounded metric label: pinned | flag | fallback. */
  kind: 'pinned' | 'flag' | 'fallback';
  /** Bounded metric label: the variant or fallback reason category. */
  reason: string;
}

export interface VersionResolver {
  resolve(model: string, pin: Pin | undefined, ctx: RoutingContext): RouteDecision;
}
