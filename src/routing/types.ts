import type { Pin, RoutingContext } from '../contracts/prediction.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';

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
