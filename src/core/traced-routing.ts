import type { Pin, RoutingContext } from '../contracts/prediction.js';
import type { TraceSpan } from '../contracts/tracing.js';
import type { RouteDecision, VersionResolver } from '../routing/types.js';

/**
 * Routing of a traced request, as its own span: the flag asked (OpenTelemetry's feature_flag.*
 * conventions), the variant it gave, and the route and version that answer. Untraced requests
 * never come here (the prediction service checks for a span once).
 */
export function tracedResolve(
  resolver: VersionResolver,
  span: TraceSpan,
  model: string,
  pin: Pin | undefined,
  ctx: RoutingContext,
  flagOf: ((model: string) => string) | undefined,
): RouteDecision {
  const s = span.child('modelgate.routing');
  try {
    const d = resolver.resolve(model, pin, ctx);
    s.set('modelgate.model.name', model);
    s.set('modelgate.model.version', d.version.version);
    s.set('modelgate.route', d.route);
    s.set('modelgate.route.kind', d.kind);
    if (d.kind !== 'pinned') s.set('feature_flag.key', flagOf?.(model) ?? model);
    if (d.kind === 'flag') s.set('feature_flag.result.variant', d.route.slice('flag:'.length));
    if (d.kind === 'fallback') s.set('modelgate.route.reason', d.reason);
    if (pin) s.set('modelgate.route.pin', `${pin.source}:${pin.value}`);
    // The request span carries them too: a trace search by model or version finds the request.
    span.set('modelgate.model.name', model);
    span.set('modelgate.model.version', d.version.version);
    span.set('modelgate.route', d.route);
    return d;
  } catch (err) {
    s.fail(err);
    throw err;
  } finally {
    s.end();
  }
}
